#!/usr/bin/env bash
# The LR-sweep write-up at its real scale (README, "Token sequences: the write-up's scale"):
# writes a file of its shape (2 million rows of 256 tokens, 6 % positives; split 0.9/0.05/0.05
# gives 1.8 million training rows and 100,000 each for validation and test), then measures
# with /usr/bin/time the range test, the write-up's sweep (LRs 1e-7 to 1e-3, one epoch,
# batch 512) whole and as one shard of five, and the peak memory of a 1,000,000 x 32 CSV.
# Usage: scripts/sequence-scale.sh [WORK_DIR]   (needs about 3 GB of disk; 40 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/lrfind-scale}"
mkdir -p "$work"
cargo build --release --quiet --bin lrfind --example make_sequences
bin=target/release/lrfind
timed() { /usr/bin/time -f "$1: %e s wall, %M KB peak" "${@:2}"; }
seq="$work/seq.parquet"
[ -f "$seq" ] || timed "generate" target/release/examples/make_sequences --out "$seq"
data=(--data "$seq" --target label --tokens tokens --split 0.9,0.05,0.05 --batch-size 512)
timed "suggest (300 iterations)" $bin suggest -q "${data[@]}" --epochs 1 --out "$work/suggest"
timed "sweep shard 4/5 (LR 1e-3)" $bin sweep -q "${data[@]}" --lrs 1e-7,1e-6,1e-5,1e-4,1e-3 \
  --epochs 1 --shard 4/5 --out "$work/shard"
timed "sweep (5 LRs)" $bin sweep -q "${data[@]}" --lrs 1e-7,1e-6,1e-5,1e-4,1e-3 --epochs 1 \
  --out "$work/sweep"
grep -E "^\| [0-9]" "$work/sweep/sweep.md" | head -5
table="$work/table-1000000x32.csv"
[ -f "$table" ] || awk -v n=1000000 'BEGIN { srand(7); printf "label";
  for (j = 1; j <= 32; j++) printf ",f%d", j; print "";
  for (i = 0; i < n; i++) { s = 0; line = "";
    for (j = 1; j <= 32; j++) { x = rand() * 2 - 1; s += x * (j % 3 - 1); line = line sprintf(",%.6f", x) }
    printf "%d%s\n", (s > 0), line } }' > "$table"
timed "suggest on 1,000,000 x 32 CSV" $bin suggest -q --data "$table" --out "$work/table"
timed "sweep on 1,000,000 x 32 CSV (2 LRs, batch 512)" $bin sweep -q --data "$table" \
  --lrs 1e-4,1e-3 --epochs 1 --batch-size 512 --out "$work/table-sweep"
