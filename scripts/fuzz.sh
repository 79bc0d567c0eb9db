#!/usr/bin/env bash
# Fuzzes one target of fuzz/ with libFuzzer (cargo fuzz) for SECONDS seconds.
#
#   scripts/fuzz.sh TARGET SECONDS      TARGET: csv jsonl xlsx values rule_pack
#
# Seeds come from the repository's own inputs (the adversarial corpus, the
# sample data, the rule pack), written to fuzz/seeds/TARGET; what libFuzzer
# learns goes to fuzz/corpus/TARGET and crashes to fuzz/artifacts/TARGET (all
# three are ignored by git). A crash found becomes a regression test in the
# module it hit. docs/robustness.md records the runs.
#
# cargo fuzz builds with nightly-only compiler flags; this machine has one
# stable toolchain, so RUSTC_BOOTSTRAP=1 lets that toolchain accept them.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:?usage: scripts/fuzz.sh TARGET SECONDS}"
seconds="${2:?usage: scripts/fuzz.sh TARGET SECONDS}"
case "$target" in
  csv|jsonl|xlsx|values|rule_pack) ;;
  *) echo "unknown target $target: csv jsonl xlsx values rule_pack" >&2; exit 2 ;;
esac

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1

seeds="fuzz/seeds/$target"
mkdir -p "$seeds" "fuzz/corpus/$target"
python3 - "$target" "$seeds" <<'PY'
import os, sys
target, out = sys.argv[1], sys.argv[2]
tables = ["fir", "crime_details", "arrest", "seizure", "final_report", "court_disposal"]
ext = {"csv": ".csv", "jsonl": ".jsonl", "xlsx": ".xlsx"}.get(target)
roots = ["tests/adversarial/landing", "sample-data", "tests/fixtures"]
n = 0
def seed(data):
    global n
    n += 1
    with open(os.path.join(out, f"seed-{n:04}"), "wb") as f:
        f.write(data)
for root in roots:
    for folder, _, files in os.walk(root):
        for name in sorted(files):
            path = os.path.join(folder, name)
            if os.path.islink(path) or os.path.getsize(path) > 200_000:
                continue
            data = open(path, "rb").read()
            stem, _, e = name.lower().rpartition(".")
            if ext and "." + e == ext and stem in tables:
                seed(bytes([tables.index(stem)]) + data)
            elif target == "values" and e == "csv":
                for line in data.decode("utf-8", "replace").splitlines()[:50]:
                    for cell in line.split(","):
                        seed(cell.strip().encode())
            elif target == "rule_pack" and e in ("yaml", "yml"):
                seed(data)
if target == "rule_pack":
    for name in sorted(os.listdir("rules/cctns")):
        if name.endswith(".yaml"):
            seed(open(os.path.join("rules/cctns", name), "rb").read())
print(f"{n} seeds in {out}")
PY

cd fuzz
exec cargo fuzz run --sanitizer none "$target" "corpus/$target" "seeds/$target" -- \
  -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=262144 -timeout=30 -print_final_stats=1
