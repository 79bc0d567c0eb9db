#!/usr/bin/env bash
# Makes (once) the Python environment the tests use to read published tables
# with a reader outside Rust (DuckDB and its delta extension from PyPI) and
# to validate the gate's JUnit XML against the Jenkins schema (xmlschema;
# see scripts/junit-validate.sh).
# Prints the path of its python. The environment is kept outside the clone
# (like the build cache), so CI on the same machine installs it once.
set -euo pipefail
venv="${CCTNS_PY_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/cctns-audit/py}"
py="$venv/bin/python"
# Tests call this at once from several threads: one installs, the others wait.
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if ! "$py" -c 'import duckdb, duckdb_extension_delta, xmlschema' >/dev/null 2>&1; then
    python3 -m venv "$venv" >&2
    "$py" -m pip install -q --disable-pip-version-check \
        'duckdb==1.5.5' 'duckdb-extension-delta==1.5.5' 'xmlschema==4.3.2' >&2
fi
echo "$py"
