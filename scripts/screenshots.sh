#!/usr/bin/env bash
# Remakes the README's screenshots (docs/screenshots/report.png and
# handout.png) with the browser tests, which take them in headless Chromium
# from the sample-data audit.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cctns-audit/target}"
export CCTNS_SCREENSHOTS="$PWD/docs/screenshots"
mkdir -p "$CCTNS_SCREENSHOTS"
cargo test --release --test cli browser:: -- --test-threads=1
ls -l "$CCTNS_SCREENSHOTS"
