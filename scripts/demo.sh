#!/usr/bin/env bash
# README command 1: set up, build, make the synthetic sample cohort, run the whole pipeline on it and
# summarise the cohort (cohort.tsv/.json/.html).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/build.sh" --target oncotrack
bin="$root/build/oncotrack"
sample="$root/data/sample"
out="$root/sample-out"
[ -f "$sample/manifest.csv" ] || "$bin" synth --out "$sample" --force >/dev/null
"$bin" validate "$sample/manifest.csv" >/dev/null
"$bin" --force run "$sample/manifest.csv" --out "$out"
"$bin" aggregate "$out" >/dev/null
echo "reports: $out/sub-*/sub-*_report.json, pages: $out/cohort.html and $out/sub-*/sub-*_report.html" >&2
