"""Where the tests' OpenAPI specs are.

`tests/fixtures/specs` holds small hand-written specs, one per feature group, that every run
uses. The public corpus (real specs copied from their projects) is optional: it is read from
SPEC_CORPUS_DIR, by default `../shared/specs` beside the repository, and the tests that need it
are skipped when that folder is absent.
"""

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
FIXTURE_SPECS = REPOSITORY / "tests" / "fixtures" / "specs"


def spec_corpus_dir() -> Path:
    """SPEC_CORPUS_DIR (relative to the repository when relative), or ../shared/specs."""
    configured = os.environ.get("SPEC_CORPUS_DIR") or "../shared/specs"
    return (REPOSITORY / configured).resolve()
