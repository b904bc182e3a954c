#!/usr/bin/env bash
# Runs `lrfind evaluate` on every case the suggestion rules were measured on (README, "How
# good are the suggestions?") and prints one summary table: per case, the grid's good
# interval and each rule's mean distance outside it, in decades.
#
#   bash scripts/evaluate-cases.sh [OUT]        (default out/evaluate-cases; needs jq)
#
# The list is fixed: it was chosen before the knee rule was tuned, and every case tried is
# here, the worst ones included. Each case writes OUT/NAME/evaluate.{md,json,png,svg}.
set -euo pipefail
out=${1:-out/evaluate-cases}
cargo build --release --quiet
bin=target/release/lrfind
cases=(
  "digits|--data digits --weight-decay 0.01"
  "breast_cancer|--data breast_cancer --binary-head ce --weight-decay 0.01"
  "diabetes|--data assets/diabetes.csv --target target --weight-decay 0.01"
  "iris|--data assets/iris.csv --weight-decay 0.01"
  "wine|--data assets/wine.csv --weight-decay 0.01"
  "iris_b16|--data assets/iris.csv --weight-decay 0.01 --batch-size 16"
  "wine_b16|--data assets/wine.csv --weight-decay 0.01 --batch-size 16"
  "digits_sgd|--data digits --optimizer sgd --momentum 0.9 --grid-range 1e-4:10"
  "breast_cancer_sgd|--data breast_cancer --optimizer sgd --momentum 0.9 --grid-range 1e-4:10"
  "digits_deep|--data digits --weight-decay 0.01 --hidden 256,256"
)
rules="knee valley steep minimum slide torch"
printf '| case | good interval | %s |\n' "$(echo $rules | sed 's/ / | /g')"
printf '|---|---|%s\n' "$(for r in $rules; do printf -- '---|'; done)"
for c in "${cases[@]}"; do
  name=${c%%|*}
  # shellcheck disable=SC2086
  $bin evaluate ${c#*|} --quiet --out "$out/$name"
  jq -r --arg name "$name" '
    def e: if . == null then "-" elif . < 0.005 then "0" else (. * 100 | round / 100 | tostring) end;
    def sci: (log10 | floor) as $x | (. / pow(10; $x) * 100 | round / 100) as $m | "\($m)e\($x)";
    "| \($name) | \(.grid.interval[0] | sci) to \(.grid.interval[1] | sci) | "
    + ([.rules[] | (.outside | add / length) | e] | join(" | ")) + " |"' "$out/$name/evaluate.json"
done
names=$(for c in "${cases[@]}"; do echo "$out/${c%%|*}/evaluate.json"; done)
# shellcheck disable=SC2086
jq -rs '
  def r2: . * 100 | round / 100 | tostring;
  def mean: add / length;
  "| mean over cases | | " + ([map([.rules[] | .outside | mean]) | transpose[] | mean | r2] | join(" | ")) + " |",
  "| worst seed | | " + ([map([.rules[] | .outside | max]) | transpose[] | max | r2] | join(" | ")) + " |",
  "| spread across seeds (mean, decades) | | " + ([map([.rules[] | .seed_spread]) | transpose[] | mean | r2] | join(" | ")) + " |",
  "| spread across 100/300/1000 iterations (mean, decades) | | " + ([map([.rules[] | .iters_spread]) | transpose[] | mean | r2] | join(" | ")) + " |"
' $names
