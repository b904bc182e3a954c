#!/usr/bin/env bash
# A Slurm job array running an lrfind sweep, one shard per array task.
#
#   jid=$(sbatch --parsable scripts/sweep-slurm.sh results --data my.parquet --target y \
#         --lr-range 1e-6:1 --per-decade 2 --epochs 3)
#   sbatch --dependency=afterok:$jid --wrap "lrfind merge results/shard-* --out results/merged"
#
# Change --array to the number of shards you want (0-7 is eight shards); each task uses
# the cores it is given (configurations run one after another with all of them).
#SBATCH --job-name=lrfind-sweep
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --mem=4G
#SBATCH --time=01:00:00
#SBATCH --output=lrfind-sweep-%A_%a.log
set -euo pipefail
# Under sbatch the script runs from a spool copy: find the repository from the submit dir.
scripts=${LRFIND_SCRIPTS:-${SLURM_SUBMIT_DIR:-.}/scripts}
exec "$scripts/sweep-shard.sh" "$@"
