#!/usr/bin/env bash
# Grid search of the detection settings (averaging window, suppression, threshold) for a model, on generated
# streams of the held-out speakers with the TUNING seeds only (21 and 31 by default). The held-out seeds used in
# BENCHMARKS.md (1 and 11) and the command-free stream (seed 2) must not appear here.
# Usage: scripts/tune_detection.sh MODEL [SEEDS] > tuning.txt   (EARSHOT=command to run, default ./earshot)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
model="$1"
seeds="${2:-21 31}"
earshot="${EARSHOT:-./earshot}"
data="${EARSHOT_DATA:-../shared/data/speech-commands-real}"
for avg in 500 750 1000; do for supp in 1000 1500 2000; do for thr in 0.70 0.75 0.80 0.85 0.90; do
  line="average $avg ms, suppression $supp ms, threshold $thr"
  for seed in $seeds; do
    r=$($earshot eval-stream --model "$model" --data "$data" --list scripts/anchor-validation.txt --minutes 10 \
        --seed "$seed" --threshold "$thr" --average-ms "$avg" --suppression-ms "$supp" 2>&1 \
        | sed -n 2p | grep -o 'correct [0-9.]*%\|false positives [0-9.]*%' | tr '\n' ' ')
    line="$line | seed $seed: $r"
  done
  echo "$line"
done; done; done
