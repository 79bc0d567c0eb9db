#!/usr/bin/env bash
# Installs (once) what the report tests need to open pages in a real browser:
# Debian's Chromium, Devanagari fonts (Noto Sans Devanagari and Lohit) so Hindi
# renders with system fonts, and poppler-utils (pdftotext, pdfinfo) to read
# the handouts Chromium prints. Prints the path of chromium.
set -euo pipefail
# Tests call this at once from several threads: one installs, the others wait.
exec 9>"${TMPDIR:-/tmp}/cctns-audit-browser-env.lock"
flock 9
packages=(chromium fonts-noto-core fonts-lohit-deva poppler-utils fontconfig)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >&2
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
command -v chromium
