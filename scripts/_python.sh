# Sourced by scripts/run and scripts/test: find Python >= 3.12, make .venv, install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
  local candidates=("${PYTHON:-}" python3.13 python3.12 python3)
  if command -v pyenv >/dev/null 2>&1; then
    for dir in "$(pyenv root)"/versions/3.1[2-9]*; do
      [ -x "$dir/bin/python" ] && candidates+=("$dir/bin/python")
    done
  fi
  for dir in "$HOME"/.pyenv/versions/3.1[2-9]*; do
    [ -x "$dir/bin/python" ] && candidates+=("$dir/bin/python")
  done
  for candidate in "${candidates[@]}"; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

ensure_venv() {
  local extras="$1"
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
    local py
    if ! py="$(find_python)"; then
      echo "error: Python 3.12 or newer is needed and none was found." >&2
      echo "Install one (for example 'pyenv install 3.12') or set PYTHON=/path/to/python3.12." >&2
      exit 1
    fi
    echo "Using $py ($("$py" --version))"
    rm -rf .venv
    "$py" -m venv .venv
  fi
  local hash spec
  hash="$(sha256sum pyproject.toml | cut -c1-16)"
  spec="."
  [ -n "$extras" ] && spec=".[$extras]"
  local stamp=".venv/.installed-${extras:-base}-$hash"
  if [ ! -f "$stamp" ]; then
    echo "Installing dependencies into .venv ..."
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
    find .venv -maxdepth 1 -name '.installed-*' ! -name "*-$hash" -delete
    touch "$stamp"
  fi
}
