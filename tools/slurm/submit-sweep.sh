#!/usr/bin/env bash
# Plans an XRight Pareto sweep and submits it to Slurm as three dependent steps:
#   1. prepare: the shared reference and the f* estimate (one job, in order);
#   2. candidates: a job array, one task per candidate, --dependency=afterok on step 1;
#   3. select: --dependency=afterok on every task of step 2.
# Usage: submit-sweep.sh CONFIG SWEEP_DIR [extra sbatch options, e.g. --partition=gpu --gres=gpu:1]
# Environment: XRIGHT, the xright command (default: xright); every step writes its log into SWEEP_DIR/logs.
# Prints the three job ids on its last line: "jobs: PREPARE ARRAY SELECT" (PREPARE is "none" when
# the sweep has no prepare jobs, i.e. f* is given and the reference is each run's own).
set -euo pipefail
config=${1:?usage: submit-sweep.sh CONFIG SWEEP_DIR [sbatch options]}
dir=${2:?usage: submit-sweep.sh CONFIG SWEEP_DIR [sbatch options]}
shift 2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
read -r -a xright <<< "${XRIGHT:-xright}"
plan=$("${xright[@]}" sweep plan --config "$config" --out "$dir")
echo "$plan"
prepare=$(sed -n 's/^prepare: *//p' <<< "$plan")
candidates=$(sed -n 's/^candidates: *//p' <<< "$plan")
[ -n "$candidates" ] || { echo "the plan lists no candidates" >&2; exit 1; }
dir=$(cd "$dir" && pwd)
mkdir -p "$dir/logs"
dependency=()
prepare_id=none
if [ -n "$prepare" ]; then
  prepare_id=$(sbatch --parsable "$@" -o "$dir/logs/prepare-%j.out" "$here/sweep.sbatch" prepare "$dir" "$prepare")
  dependency=(--dependency="afterok:$prepare_id")
fi
array_id=$(sbatch --parsable "$@" "${dependency[@]}" --array="$candidates" -o "$dir/logs/candidate-%A_%a.out" "$here/sweep.sbatch" candidate "$dir")
select_id=$(sbatch --parsable "$@" --dependency="afterok:$array_id" -o "$dir/logs/select-%j.out" "$here/sweep.sbatch" select "$dir")
echo "jobs: $prepare_id $array_id $select_id"
