#!/usr/bin/env bash
# Runs Earshot's benchmarks side by side with the PyTorch anchors (../shared/anchors), in the same run,
# first with the machine's OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE, then with both unset (OpenBLAS then picks its
# AVX-512 kernels here). Usage: scripts/bench.sh [gru|step|mfcc|stream|spark|serve|all] > bench.log
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
anchors="${EARSHOT_ANCHORS:-$root/../shared/anchors}"
what="${1:-all}"
cd "$root"
./earshot --version >/dev/null  # builds on first use
if [ "$what" != serve ] && { ! /usr/bin/python3 -c "import torch" 2>/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; }; then
  echo "bench: the PyTorch anchor needs Debian's python3-torch, on OpenBLAS (without it, the reference BLAS runs it" >&2
  echo "       ~20x slower): apt-get install python3-torch libopenblas0-pthread" >&2
  exit 1
fi

run_gru() {
  ./earshot bench gru --mode train --batch 64 --frames 98 --features 40 --hidden 128 --peak --reps 30 --json
  ./earshot bench gru --mode train --batch 64 --frames 98 --features 40 --hidden 128 --threads 1 --reps 30 --json
  ./earshot bench gru --mode infer --batch 64 --frames 98 --features 40 --hidden 128 --reps 30 --json
  ./earshot bench gru --mode stream --batch 1 --features 40 --hidden 128 --reps 200 --json
  if [ -f "$anchors/pytorch_gru_bench.py" ]; then
    /usr/bin/python3 "$anchors/pytorch_gru_bench.py" --threads 1 --modes train,infer,stream --hidden 128 --batch 64
  else
    echo "anchor not found at $anchors (set EARSHOT_ANCHORS)"
  fi
}

# The training step at the anchor's shape and the bundled default's (issue 20), per core on each CPU in turn: Earshot
# with its packed recurrent products in float32 and in bfloat16 (where the CPU has AVX-512 BF16), and with OpenBLAS
# doing them (EARSHOT_GEMM=blas), beside PyTorch on the same CPU; then the whole machine, Earshot on two threads beside
# PyTorch's two-core settings.
run_step() {
  bf16=no
  ./earshot bench gru --reps 1 --warmup 0 --compute bfloat16 >/dev/null 2>&1 && bf16=yes
  echo "--- bfloat16 products on this CPU: $bf16"
  for shape in "98 40 128" "47 10 512"; do
    set -- $shape
    for cpu in $(seq 0 $(( $(nproc) - 1 ))); do
      echo "--- CPU $cpu T=$1 I=$2 H=$3"
      taskset -c "$cpu" ./earshot bench gru --mode train --batch 64 --frames "$1" --features "$2" --hidden "$3" --threads 1 --peak --json
      if [ "$bf16" = yes ]; then
        taskset -c "$cpu" ./earshot bench gru --mode train --batch 64 --frames "$1" --features "$2" --hidden "$3" --threads 1 --compute bfloat16 --peak --json
      fi
      EARSHOT_GEMM=blas taskset -c "$cpu" ./earshot bench gru --mode train --batch 64 --frames "$1" --features "$2" --hidden "$3" --threads 1 --json
      taskset -c "$cpu" /usr/bin/python3 "$anchors/pytorch_gru_bench.py" --threads 1 --modes train --batch 64 --T "$1" --I "$2" --hidden "$3"
    done
    echo "--- both CPUs T=$1 I=$2 H=$3"
    ./earshot bench gru --mode train --batch 64 --frames "$1" --features "$2" --hidden "$3" --threads 2 --json
    if [ "$bf16" = yes ]; then
      ./earshot bench gru --mode train --batch 64 --frames "$1" --features "$2" --hidden "$3" --threads 2 --compute bfloat16 --json
    fi
    /usr/bin/python3 "$anchors/pytorch_gru_bench.py" --threads 1 --modes train --batch 64 --T "$1" --I "$2" --hidden "$3"
    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 "$anchors/pytorch_gru_bench.py" --threads 2 --modes train --batch 64 --T "$1" --I "$2" --hidden "$3"
  done
}

# Data-parallel training on Spark (issue 18) on local-cluster[2,1,…] (two executor JVMs, one core each): the ring
# all-reduce of the default model's gradients alone, then three epochs of the default recipe on Spark beside the same
# epochs on one machine with 1 and 2 threads, and the PyTorch step at the default's shape. Needs ../shared/data.
run_spark() {
  data="$anchors/../data/speech-commands-real"
  recipe=(--data "$data" --validation-list scripts/anchor-validation.txt --hidden 512 --weight-decay 0.2 --ema 0.998
          --keep last --weights int8 --context-ms 2000 --unknown-percent 30 --noise-volume 0.2 --epochs 3 --cache none)
  out="$(mktemp -d)"
  ./earshot spark bench --master 'local-cluster[2,1,1024]' --rounds 200
  ./earshot spark train --master 'local-cluster[2,1,3072]' --conf spark.executor.memory=2500m "${recipe[@]}" \
      --out "$out/spark.earshot" 2>&1 | grep -E "^epoch|per step|trained in"
  for t in 1 2; do
    ./earshot train "${recipe[@]}" --threads "$t" --out "$out/one-$t.earshot" 2>&1 | tr '\r' '\n' | grep -E "^epoch"
  done
  /usr/bin/python3 "$anchors/pytorch_gru_bench.py" --threads 1 --modes train --batch 64 --T 47 --I 10 --hidden 512
  rm -rf "$out"
}

# Pinned to one CPU, the same for Earshot and both anchors: the vCPUs here differ by up to 40%.
run_mfcc() {
  cpu=$(( $(nproc) - 1 ))
  taskset -c "$cpu" ./earshot bench mfcc --json
  if [ -f "$anchors/torchaudio_mfcc_bench.py" ]; then
    taskset -c "$cpu" /usr/bin/python3 "$anchors/torchaudio_mfcc_bench.py" --win-ms 40 --hop-ms 20 --mels 40 --mfcc 10
  fi
  taskset -c "$cpu" /usr/bin/python3 scripts/torchaudio_mfcc_exact.py
}

# The whole spotter per 10 ms of audio (each bundled model as loaded, int8, then the same weights as float32) and
# the anchor's GRUCell step, on every CPU in turn, since which vCPU is slow changes over the day.
run_stream() {
  for cpu in $(seq 0 $(( $(nproc) - 1 ))); do
    echo "--- CPU $cpu"
    taskset -c "$cpu" ./earshot bench stream --json
    taskset -c "$cpu" ./earshot bench stream --model windows --seconds 20 --json
    if [ -f "$anchors/pytorch_gru_bench.py" ]; then
      taskset -c "$cpu" /usr/bin/python3 "$anchors/pytorch_gru_bench.py" --threads 1 --modes stream --I 10
    fi
  done
}

# WS /v1/listen under load: the server and its clients in one JVM on both CPUs. The capacity at full speed for 1, 2,
# 4 and 8 streams, then 60 s at paces the machine keeps (16 streams at 10x, 64 at 2x and 128 at 1x real time), then
# the window model's capacity and 4 of its streams at 10x. No anchor: nothing else serves these streams.
run_serve() {
  for n in 1 2 4 8; do taskset -c 0,1 ./earshot bench serve --streams "$n" --speed 0 --seconds 20 --json; done
  taskset -c 0,1 ./earshot bench serve --streams 16 --speed 10 --seconds 60 --json
  taskset -c 0,1 ./earshot bench serve --streams 64 --speed 2 --seconds 60 --json
  taskset -c 0,1 ./earshot bench serve --streams 128 --speed 1 --seconds 60 --json
  taskset -c 0,1 ./earshot bench serve --model windows --streams 2 --speed 0 --seconds 20 --json
  taskset -c 0,1 ./earshot bench serve --model windows --streams 4 --speed 10 --seconds 60 --json
}

for env_mode in set unset; do
  if [ "$env_mode" = unset ]; then prefix=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE); else prefix=(env); fi
  # "set" is the environment as found: say what it holds, since a shell without the machine's settings has neither
  shown="OPENBLAS_CORETYPE=unset OPENBLAS_L2_SIZE=unset"
  [ "$env_mode" = set ] && shown="OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset}"
  echo "=== $(date -u +%FT%TZ) OPENBLAS_CORETYPE/L2_SIZE $env_mode ($shown); load $(cut -d' ' -f1-3 /proc/loadavg)"
  case "$what" in
    gru) "${prefix[@]}" bash -c "$(declare -f run_gru); anchors='$anchors'; run_gru" ;;
    step) "${prefix[@]}" bash -c "$(declare -f run_step); anchors='$anchors'; run_step" ;;
    mfcc) "${prefix[@]}" bash -c "$(declare -f run_mfcc); anchors='$anchors'; run_mfcc" ;;
    stream) "${prefix[@]}" bash -c "$(declare -f run_stream); anchors='$anchors'; run_stream" ;;
    spark) "${prefix[@]}" bash -c "$(declare -f run_spark); anchors='$anchors'; run_spark" ;;
    serve) "${prefix[@]}" bash -c "$(declare -f run_serve); run_serve" ;;
    *) "${prefix[@]}" bash -c "$(declare -f run_gru run_mfcc run_stream); anchors='$anchors'; run_gru; run_mfcc; run_stream" ;;
  esac
done
