#!/usr/bin/env bash
# Runs one shard of an lrfind sweep as one task of a job array, and writes its partial
# result to OUT_DIR/shard-I/sweep-part-I-of-N.json. Combine the shards afterwards with
#   lrfind merge OUT_DIR/shard-*
#
# Usage: sweep-shard.sh OUT_DIR [lrfind sweep flags...]
#
# The shard comes from the scheduler's environment:
#   Slurm job array:           SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN,
#                              SLURM_ARRAY_TASK_STEP, SLURM_ARRAY_TASK_COUNT
#   Kubernetes indexed Job:    JOB_COMPLETION_INDEX, and SHARDS (set it to .spec.completions)
# LRFIND names the binary (default: lrfind on the PATH).
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: sweep-shard.sh OUT_DIR [lrfind sweep flags...]" >&2
    exit 2
fi
out=$1
shift

if [[ -n "${SLURM_ARRAY_TASK_ID:-}" ]]; then
    min=${SLURM_ARRAY_TASK_MIN:-0}
    step=${SLURM_ARRAY_TASK_STEP:-1}
    index=$(( (SLURM_ARRAY_TASK_ID - min) / step ))
    count=${SLURM_ARRAY_TASK_COUNT:?SLURM_ARRAY_TASK_COUNT is not set}
elif [[ -n "${JOB_COMPLETION_INDEX:-}" ]]; then
    index=$JOB_COMPLETION_INDEX
    count=${SHARDS:?set SHARDS to the number of completions of the Job}
else
    echo "sweep-shard.sh: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set; run it as an array task" >&2
    exit 2
fi

exec "${LRFIND:-lrfind}" sweep --quiet --shard "$index/$count" --out "$out/shard-$index" "$@"
