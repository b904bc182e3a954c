#!/usr/bin/env bash
# Is the suggestion also the peak of a 1cycle schedule for the same training length?
# For a few evaluate cases, at 5 and 20 epochs, over 3 seeds: a quarter-decade grid of LRs,
# each trained constant and as the peak of 1cycle (`lrfind compare --lr X --setting
# constant --setting onecycle`), and the budget-aware suggestion (`lrfind suggest --epochs
# E`). Prints, per case and length: the best constant LR, the best 1cycle peak (mean final
# validation loss over the seeds), how many decades apart they are, and the 1cycle loss at
# the suggestion minus the best 1cycle loss (absolute: a near-zero best makes ratios meaningless).
#
#   bash scripts/onecycle-study.sh [OUT]      (default out/onecycle-study; needs jq, awk)
set -euo pipefail
out=${1:-out/onecycle-study}
cargo build --release --quiet
bin=target/release/lrfind
cases=(
  "digits|--data digits --weight-decay 0.01"
  "breast_cancer|--data breast_cancer --binary-head ce --weight-decay 0.01"
  "wine|--data assets/wine.csv --weight-decay 0.01"
  "anes96|--data assets/anes96.csv --weight-decay 0.01 --hidden 64"
  "penguins|--data assets/penguins.csv --weight-decay 0.01 --hidden 64"
  "star98|--data assets/star98.csv --target target --weight-decay 0.01 --hidden 64"
)
lrs=$(awk 'BEGIN { for (k = 0; k <= 16; k++) printf "%.6g ", 10^(-4 + k / 4) }')
mkdir -p "$out"
printf '| case | epochs | best constant LR | best 1cycle peak | decades apart | suggestion (--epochs) | 1cycle at the suggestion: loss minus the best 1cycle loss (best) |\n|---|---|---|---|---|---|---|\n'
for c in "${cases[@]}"; do
  name=${c%%|*}
  args=${c#*|}
  for epochs in 5 20; do
    table="$out/$name-$epochs.tsv"
    : > "$table"
    for seed in 0 1 2; do
      for lr in $lrs; do
        dir="$out/$name-$epochs/$seed-$lr"
        # shellcheck disable=SC2086
        $bin compare $args --epochs "$epochs" --seed "$seed" --lr "$lr" \
          --setting constant --setting onecycle --quiet --out "$dir" >/dev/null 2>&1 || true
        if [ -f "$dir/compare.json" ]; then
          jq -r --arg lr "$lr" '.runs[] | "\(.setting.schedule_text)\t\($lr)\t\(.summary.final_val_loss // "nan")"' \
            "$dir/compare.json" >> "$table"
        fi
      done
    done
    # shellcheck disable=SC2086
    sug=$($bin suggest $args --epochs "$epochs" --quiet --json --out "$out/$name-$epochs/suggest" | jq -r '.chosen.lr')
    awk -F'\t' -v name="$name" -v epochs="$epochs" -v sug="$sug" '
      { key = $1 SUBSEP $2; if ($3 == "nan" || $3 == "null") bad[key] = 1; sum[key] += $3; n[key]++ ; lr[$2] = 1 }
      END {
        split("constant onecycle", names, " ")
        for (i = 1; i <= 2; i++) {
          best[i] = 1e300
          for (l in lr) { key = names[i] SUBSEP l
            if (!(key in bad) && n[key] > 0) { m = sum[key] / n[key]; mean[i, l] = m
              if (m < best[i]) { best[i] = m; arg[i] = l } } }
        }
        # 1cycle loss at the suggestion: interpolate in log LR between grid points.
        lo = ""; hi = ""
        for (l in lr) { if (l + 0 <= sug + 0 && (lo == "" || l + 0 > lo + 0)) lo = l; if (l + 0 >= sug + 0 && (hi == "" || l + 0 < hi + 0)) hi = l }
        if (lo == "" || hi == "" || !((2, lo) in mean) || !((2, hi) in mean)) at = "n/a"
        else { t = (lo == hi) ? 0 : (log(sug) - log(lo)) / (log(hi) - log(lo)); v = mean[2, lo] + t * (mean[2, hi] - mean[2, lo]); at = sprintf("%+.4f (%.4f)", v - best[2], best[2]) }
        printf "| %s | %s | %.3g | %.3g | %.2f | %.3g | %s |\n", name, epochs, arg[1], arg[2], log(arg[2] / arg[1]) / log(10), sug, at
      }' "$table"
  done
done
