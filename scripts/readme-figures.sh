#!/usr/bin/env bash
# Redraws every figure README shows, from the current code, with the commands README gives.
#
#   cargo build --release && bash scripts/readme-figures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/lrfind
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { local name=$1 file=$2; shift 2; "$bin" "$@" -q --out "$tmp/$name"; cp "$tmp/$name/$file" "assets/$name.png"; }

run lr_find_digits lr_find.png suggest
run compare_old_new compare.png compare --config examples/old.toml --config examples/new.toml
run sweep_breast_cancer sweep.png sweep --data breast_cancer --lr-range 1e-6:1 --per-decade 2 --epochs 3 --mark-suggestion
run evaluate_breast_cancer evaluate.png evaluate --data breast_cancer --binary-head ce --weight-decay 0.01 --epochs-list 1,5,20
run analyze_torch_lr_finder lr_find.png analyze tests/fixtures/torch_lr_finder/history_adam_exp.json --from torch-lr-finder
run compare_logs_lightning compare.png compare \
  --logs old=tests/fixtures/logs/lightning/old --logs new=tests/fixtures/logs/lightning/new
ls -l assets/*.png
