"""Where the tests' OpenAPI specs are.

`tests/fixtures/specs` holds small hand-written specs, one per feature group, that every run
uses. The public corpus (real specs copied from their projects) is optional: it is read from
SPEC_CORPUS_DIR, by default `../shared/specs` beside the repository, and the tests that need it
are skipped when that folder is absent.
"""

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
FIXTURE_SPECS = REPOSITORY / "tests" / "fixtures" / "specs"


def spec_corpus_dir() -> Path:
    """SPEC_CORPUS_DIR (relative to the repository when relative), or ../shared/specs."""
    configured = os.environ.get("SPEC_CORPUS_DIR") or "../shared/specs"
    return (REPOSITORY / configured).resolve()


def spec_corpus_or_skip() -> Path:
    """The corpus folder; a test module calling this at import is skipped when it is absent."""
    folder = spec_corpus_dir()
    if not folder.is_dir():
        pytest.skip(
            f"no public spec corpus at {folder} (set SPEC_CORPUS_DIR to run these)",
            allow_module_level=True,
        )
    return folder
