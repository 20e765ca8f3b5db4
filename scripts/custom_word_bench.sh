#!/usr/bin/env bash
# The custom-keyword benchmark of issue 17 on Picovoice's open wake-word clips (BENCHMARKS.md has the numbers).
#   scripts/custom_word_bench.sh prepare KEYWORD OUT    folders of scripts/custom_word_bench.py, cut by 'earshot enroll'
#   scripts/custom_word_bench.sh run KEYWORD OUT GROUP NAME [train options...]
#                                                       train from GROUP (one or ten) with --init default, fit the
#                                                       detection settings on the tuning negatives, score on the held-out
#                                                       speakers' clips and a 5-hour stream of held-out negatives
# Needs ../shared/data (negatives, speech-commands-real) and NEG=/tmp/neg from scripts/negatives_split.py.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$root/../shared/data"
NEG=${NEG:-/tmp/neg}
J="java -jar $root/app/target/earshot.jar"
cmd=$1 k=$2 d=$3
case $cmd in
prepare)
  /usr/bin/python3 "$root/scripts/custom_word_bench.py" "$k" "$shared/negatives" "$NEG" "$d"
  for g in one ten test; do
    for rec in "$d/rec/$g"/*.wav; do
      # enroll exits 1 when it keeps none of a recording's takes (all too long or too quiet): say so, go on
      out=$($J enroll "$k" --to "$d/data-$g" --input "$rec" --speaker "$(basename "$rec" .wav)" 2>&1) \
        || echo "$(basename "$rec"): no take kept"
      echo "$out" | tail -n 1
    done
  done
  ln -sfn "$shared/speech-commands-real/_background_noise_" "$d/data-test/_background_noise_"
  ;;
run)
  g=$4 name=$5; shift 5
  $J train --data "$d/data-$g" --labels "$k" --init default --threads 1 --out "$d/$name.earshot" "$@" > "$d/$name.log" 2>&1
  $J tune-detection --model "$d/$name.earshot" --out "$d/$name-f.earshot" --data "$d/data-$g" --split validation \
    --command-free-minutes 0 --negatives "$d/neg/tune" --background "$NEG/tune/music" --background "$NEG/tune/ambience" \
    --lowest-threshold 0.2 > "$d/$name.tune.log" 2>&1
  $J eval-stream --model "$d/$name-f.earshot" --data "$d/data-test" --split all --minutes 60 --seed 1 --unknown-percent 0 \
    --negatives "$d/neg/test" --background "$NEG/test/music" --negatives-minutes 300 --det "$d/$name-det.png" --json \
    > "$d/$name.eval.log" 2>&1
  /usr/bin/python3 - "$d/$name-det.json" "$d/$name.eval.log" <<'PY'
import json, sys
points = json.load(open(sys.argv[1]))['models'][0]['points']
ev = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
miss1 = [p['miss_percent'] for p in points if p['false_accepts_per_hour'] <= 1]
fa5 = [p['false_accepts_per_hour'] for p in points if p['miss_percent'] <= 5]
print("fitted: %.1f%% found, %.1f false accepts/h on the negatives | least miss within 1 FA/h: %s | fewest FA/h "
      "within 5%% misses: %s" % (ev['correct_percent'], ev['negatives_false_accepts_per_hour'],
      '%.1f%%' % min(miss1) if miss1 else 'none', '%.0f' % min(fa5) if fa5 else 'none'))
PY
  ;;
*) echo "usage: $0 prepare|run KEYWORD OUT ..." >&2; exit 2 ;;
esac
