#!/usr/bin/env bash
# Batch throughput (issue 7's figure): subjects per hour of `oncotrack run` on the bundled sample cohort, one
# subject at a time on all THREADS threads (--jobs 1 -j THREADS) against two subjects at once sharing them
# (--jobs 2 -j THREADS/2). The two settings alternate, REPEAT times each (default 3), every run into an empty
# output folder, so that drifting machine load hits both alike. Prints one line per run (wall time, subjects
# per hour, peak RSS of the process) and the median of each setting with their ratio.
# Usage: bench/run_jobs_bench.sh [MANIFEST]   (REPEAT=3, THREADS=2; MANIFEST default: data/sample)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${THREADS:-2}"
repeat="${REPEAT:-3}"
bash "$root/scripts/build.sh" --target oncotrack >/dev/null 2>&1
bin="$root/build/oncotrack"
manifest="${1:-$root/data/sample/manifest.csv}"
[ -f "$manifest" ] || [ -n "${1:-}" ] || "$bin" synth --out "$root/data/sample" --force >/dev/null
subjects=$(tail -n +2 "$manifest" | cut -d, -f1 | sort -u | wc -l)
work="$(mktemp -d /tmp/oncotrack-jobs-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
settings=("1 $threads" "2 $((threads / 2 > 0 ? threads / 2 : 1))")
echo -e "jobs\tthreads_each\trun\tsubjects\twall_s\tsubjects_per_hour\tpeak_rss_mb"
for r in $(seq "$repeat"); do
  for s in "${settings[@]}"; do
    read -r jobs each <<< "$s"
    rm -rf "$work/out"
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$bin" -q -j "$each" run "$manifest" --out "$work/out" \
      --jobs "$jobs" >/dev/null
    read -r wall rss_kb < "$work/time.txt"
    rate=$(/usr/bin/python3 -c "print(round($subjects * 3600 / $wall))")
    echo -e "$jobs\t$each\t$r\t$subjects\t$wall\t$rate\t$((rss_kb / 1024))" | tee -a "$work/runs.tsv"
  done
done
/usr/bin/python3 - "$work/runs.tsv" <<'PY'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
med = {}
for jobs in sorted({r[0] for r in rows}):
    med[jobs] = statistics.median(float(r[5]) for r in rows if r[0] == jobs)
    print(f"median --jobs {jobs}: {med[jobs]:.0f} subjects/hour")
a, b = sorted(med)
print(f"ratio --jobs {b} / --jobs {a}: {med[b] / med[a]:.2f}")
PY
