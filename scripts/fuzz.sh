#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang, AddressSanitizer and UBSan in ./build-fuzz (the project's
# code instrumented) and runs each from its committed seed corpus (fuzz/corpus/<name>; new inputs go to
# build-fuzz/corpus/<name>, the repository is not touched). A crash, a sanitizer report, a leak, a 10 s hang or
# more than 2 GB fails the run; the input is kept in build-fuzz/findings/ and becomes a regression test.
# Prints executions per target.
# Usage: scripts/fuzz.sh ci                    the CI step: a fixed seed and a fixed number of runs per target
#                                             (about 45 s each on 2 cores), so a submission's result does not
#                                             depend on luck
#        scripts/fuzz.sh SECONDS [TARGET...]  exploration: each target for SECONDS with a random seed
# Targets: manifest weights nifti schedule report.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
declare -A ci_runs=([manifest]=100000 [weights]=100000 [nifti]=10000 [schedule]=1000000 [report]=40000)
mode="${1:-ci}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(manifest weights nifti schedule report)
build="$root/build-fuzz"
bash "$root/scripts/setup.sh" --fuzz >&2
# -O1: instrumented code fast enough to fuzz, compiled in reasonable time (nlohmann under ASan is slow at -O2).
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
  -DONCOTRACK_FUZZ=ON -DONCOTRACK_BUILD_TESTS=OFF >&2
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/%/_fuzzer}" >&2
mkdir -p "$build/findings"
status=0
for t in "${targets[@]}"; do
  if [ "$mode" = ci ]; then
    budget=(-seed=1 "-runs=${ci_runs[$t]}")
    rm -rf "$build/corpus/$t"  # the same start every time
  else
    budget=("-max_total_time=$mode")
  fi
  mkdir -p "$build/corpus/$t"
  log="$build/$t.log"
  started=$SECONDS
  if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$build/fuzz/${t}_fuzzer" "${budget[@]}" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/findings/$t-" \
      "$build/corpus/$t" "$root/fuzz/corpus/$t" >"$log" 2>&1; then
    echo "$t: $(grep -o 'number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*') executions in" \
      "$((SECONDS - started)) s, no finding"
  else
    status=1
    echo "$t: FINDING (see $log and $build/findings/)"
    grep -E "ERROR|runtime error|SUMMARY|what\(\)" "$log" | head -5
  fi
done
exit $status
