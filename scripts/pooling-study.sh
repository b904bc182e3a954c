#!/usr/bin/env bash
# Which pooling for --tokens? (README, "Token sequences"). Three files of the LR-sweep
# write-up's kind, scaled down (20,000 rows, 6 % positives, 2 seeds of the generator): 256
# tokens with 2 extra signal ids per positive, the same with 1 (a fainter signal), and
# lengths 16 to 256 (padding matters); on each, a sweep of 4 LRs x 3 epochs per pooling.
# Prints the best validation ROC-AUC of each pooling on each file.
# Usage: scripts/pooling-study.sh [WORK_DIR]   (about 12 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/lrfind-pooling}"
mkdir -p "$work"
cargo build --release --quiet --bin lrfind --example make_sequences
gen=target/release/examples/make_sequences
printf '%-24s %-5s %-9s %s\n' file seed pooling "best validation ROC-AUC (LR)"
for seed in 1 2; do
  for kind in signal2 signal1 ragged; do
    file="$work/$kind-$seed.parquet"
    case $kind in
      signal2) args=(--signal 2) ;;
      signal1) args=(--signal 1) ;;
      ragged) args=(--signal 2 --min-len 16) ;;
    esac
    [ -f "$file" ] || $gen --rows 20000 --seed "$seed" "${args[@]}" --out "$file" > /dev/null
    for pooling in mean-max mean max; do
      out="$work/$kind-$seed-$pooling"
      target/release/lrfind sweep -q --data "$file" --target label --tokens tokens \
        --pooling "$pooling" --lrs 3e-4,1e-3,3e-3,1e-2 --epochs 3 --batch-size 64 \
        --seed "$seed" --out "$out"
      # sweep.csv: one row per configuration and split; column 3 the LR, 8 the split, 19 ROC-AUC.
      best=$(awk -F, '$8 == "validation" && $19 > best { best = $19; lr = $3 }
        END { printf "%.4f (%s)", best, lr }' "$out/sweep.csv")
      printf '%-24s %-5s %-9s %s\n' "$kind" "$seed" "$pooling" "$best"
    done
  done
done
