#!/usr/bin/env bash
# Fits and scores a command model the way BENCHMARKS.md's issue-15 tables do, and prints its table row.
#   scripts/negatives_bench.sh MODEL.earshot NEG_SPLIT [NAME]
# NEG_SPLIT: the folder `scripts/negatives_split.py ../shared/data/negatives NEG_SPLIT` made (tune/ and test/ by
# speaker). Fits with tune-detection on the held-out tuning streams plus the tuning speakers' negatives, then scores
# the fitted model on the held-out hours (seeds 1 and 11), the command-free streams of unknown words (20 and 60
# minutes) and 60 minutes of the test speakers' negatives. Writes MODEL-f.earshot and MODEL-f-*.json beside MODEL.
# NOFIT=1 scores MODEL with its own detection settings (MODEL may be `default`; the JSON goes to ./NAME-*.json);
# COST=C fits with --false-accept-cost C (default 0.75).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:?usage: negatives_bench.sh MODEL.earshot NEG_SPLIT [NAME]}"
neg="${2:?usage: negatives_bench.sh MODEL.earshot NEG_SPLIT [NAME]}"
name="${3:-$(basename "$model" .earshot)}"
data="${EARSHOT_DATA:-$root/../shared/data/speech-commands-real}"
list="$root/scripts/anchor-validation.txt"
for d in "$data" "$neg/tune/words" "$neg/tune/music" "$neg/tune/ambience" "$neg/test/words" "$neg/test/music"; do
  [ -d "$d" ] || { echo "negatives_bench: $d is not a folder (make NEG_SPLIT with scripts/negatives_split.py)" >&2; exit 2; }
done
earshot=(java -jar "$root/app/target/earshot.jar")
if [ "${NOFIT:-0}" = 1 ]; then
  fitted="$model"; base="$name"
else
  [ -f "$model" ] || { echo "negatives_bench: no model file $model" >&2; exit 2; }
  fitted="${model%.earshot}-f.earshot"; base="${fitted%.earshot}"
  "${earshot[@]}" tune-detection --model "$model" --data "$data" --list "$list" --negatives "$neg/tune/words" \
  --background "$neg/tune/music" --background "$neg/tune/ambience" --false-accept-cost "${COST:-0.75}" \
  --lowest-threshold 0.2 --out "$fitted" >&2
fi
run() {  # name, then eval-stream's options; keeps the JSON line
  local out="$base-$1.json"; shift
  "${earshot[@]}" eval-stream --model "$fitted" --data "$data" --list "$list" --json "$@" | tail -1 > "$out"
}
run seed1 --minutes 60 --seed 1 --negatives "$neg/test/words" --background "$neg/test/music"
run seed11 --minutes 60 --seed 11
run unknown20 --minutes 20 --unknown-percent 100 --word-gap-ms 4000 --noise-volume 0.3 --seed 2
run unknown60 --minutes 60 --unknown-percent 100 --word-gap-ms 4000 --noise-volume 0.3 --seed 2
/usr/bin/python3 - "$name" "$base" <<'EOF'
import json, sys
name, base = sys.argv[1], sys.argv[2]
j = {k: json.load(open(f"{base}-{k}.json")) for k in ("seed1", "seed11", "unknown20", "unknown60")}
s1, s11 = j["seed1"], j["seed11"]
print(f"| {name} | {s1['correct_percent']:.1f}% / {s11['correct_percent']:.1f}% "
      f"({s1['false_positive_percent']:.1f}% / {s11['false_positive_percent']:.1f}%) | "
      f"{j['unknown20']['false_accepts_per_hour']:.0f} / {j['unknown60']['false_accepts_per_hour']:.0f} | "
      f"{s1['negatives_false_accepts_per_hour']:.0f} | {s1['latency_ms_median']} / {s1['latency_ms_p90']} ms |")
EOF
