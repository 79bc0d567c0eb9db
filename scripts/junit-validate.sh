#!/usr/bin/env bash
# Validates JUnit XML files against the Jenkins xunit plugin's JUnit schema
# (tests/data/junit-10.xsd, or the XSD in $JUNIT_XSD) with a real schema
# validator: xmlschema, from the Python environment of scripts/python-env.sh
# (made on first use).
#   bash scripts/junit-validate.sh out/junit.xml [more.xml ...]
# Exit 0 when every file is valid; otherwise one line per problem on stderr
# (file: reason at path) and exit 1.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ "$#" -eq 0 ]; then
    echo "usage: bash scripts/junit-validate.sh FILE.xml..." >&2
    exit 2
fi
py="$(bash "$here/python-env.sh")"
xsd="${JUNIT_XSD:-$here/../tests/data/junit-10.xsd}"
exec "$py" - "$xsd" "$@" <<'PY'
import sys
import xmlschema

schema = xmlschema.XMLSchema10(sys.argv[1])
problems = 0
for path in sys.argv[2:]:
    try:
        errors = list(schema.iter_errors(path))
    except Exception as e:  # not XML at all, or unreadable
        errors = [e]
    for e in errors:
        problems += 1
        reason = getattr(e, "reason", None) or str(e)
        where = getattr(e, "path", None) or "-"
        print(f"{path}: {reason} at {where}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
