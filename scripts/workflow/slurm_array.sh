#!/usr/bin/env bash
# oncotrack over a cohort as a SLURM array job: task i of N runs shard i/N of the subjects (oncotrack reads
# SLURM_ARRAY_TASK_ID, _COUNT, _MIN and _STEP itself; subjects are split by a hash of their id, so no two tasks
# write the same files). Then the cohort table, once every task has ended:
#
#   jobid=$(sbatch --parsable --array=1-8 scripts/workflow/slurm_array.sh manifest.csv results/ [run options])
#   sbatch --dependency=afterany:$jobid --wrap "oncotrack aggregate results/"
#
# Edit the #SBATCH lines for your cluster (partition, account, time); ONCOTRACK=/path/to/oncotrack if it is not
# on PATH. A task whose subjects all succeed or fail on their own inputs (error.json) ends successfully; an
# unusable manifest, an existing result without --force, or an internal error fails the task.
#SBATCH --job-name=oncotrack
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=02:00:00
#SBATCH --output=oncotrack-%A_%a.log
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: sbatch --array=1-N $0 MANIFEST OUT [run options]" >&2
  exit 1
fi
manifest="$1"
out="$2"
shift 2
status=0
"${ONCOTRACK:-oncotrack}" -j "${SLURM_CPUS_PER_TASK:-1}" run "$manifest" --out "$out" "$@" || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 2 ]
