#!/usr/bin/env bash
# Screenshots of a run's HTML pages with headless Chromium (Debian's `chromium`, installed by setup.sh), for
# looking at them without a browser at hand or attaching them to a note: OUT/screenshots/<page>.png, the top
# WIDTHxHEIGHT pixels of OUT/cohort.html and of every OUT/sub-*/sub-*_report.html.
# Usage: bash scripts/screenshots.sh OUT [WIDTH HEIGHT]   (default 1280 2400)
set -euo pipefail
out="$(cd "${1:?usage: scripts/screenshots.sh OUT [WIDTH HEIGHT]}" && pwd)"
width="${2:-1280}" height="${3:-2400}"
mkdir -p "$out/screenshots"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
for page in "$out"/cohort.html "$out"/sub-*/sub-*_report.html; do
  [ -f "$page" ] || continue
  shot="$out/screenshots/$(basename "$page" .html).png"
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --hide-scrollbars \
    --user-data-dir="$profile" --window-size="$width,$height" --screenshot="$shot" "file://$page" 2>/dev/null
  echo "$shot"
done
