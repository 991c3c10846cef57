#!/usr/bin/env bash
# The training measurement of docs/scaling.md, run by netns-cluster.sh spark in the driver's host: the
# bench's allreduce case (the 12k-image job of the cluster test: 12,000 training images, batch 64 per
# worker, averaging every 5, 2 epochs) submitted to the simulated cluster once per worker count and repeat.
# Appends one line per run to OUT/rounds.csv: shape, workers, repeat, load average (1 and 5 min) before the
# run, then the run's bench.csv row (case, ..., compute_seconds, averaging_seconds, other_seconds, accuracy,
# validations, validation_seconds). Nothing is validated while training (bench.accuracy-targets=[]): each
# epoch stays one pass, as in the runs of docs/scaling.md.
#
# Usage: training-rounds.sh OUT WORKERS REPEATS MNIST_DIR [KEY=VALUE...]
#   WORKERS  comma-separated executor counts (1 core each), e.g. 2,4
#   KEY=VALUE more sparkcnn settings, e.g. bench.simulated-step-millis=60 (the compute-free mode)
# SCNN_EXECUTOR_MEMORY (default 1g) sets each executor's heap and off-heap: 512m lets 16 compute-free executors
# fit in 24 GiB beside their workers.
set -euo pipefail
[[ $# -ge 4 ]] || { sed -n 2,15p "$0" >&2; exit 2; }
out=$1 workers_list=$2 repeats=$3 mnist=$4
shift 4
: "${SCNN_MASTER:?run me through netns-cluster.sh spark}" "${SCNN_SHAPE:?run me through netns-cluster.sh spark}"
project=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
mkdir -p "$out"
IFS=, read -r -a worker_counts <<<"$workers_list"
for workers in "${worker_counts[@]}"; do
  for ((r = 1; r <= repeats; r++)); do
    dir="$out/$SCNN_SHAPE-w$workers-r$r"
    load=$(cut -d' ' -f1,2 /proc/loadavg | tr ' ' ,)
    bash "$project/submit-scripts/standalone.sh" --master "$SCNN_MASTER" --executors "$workers" --executor-cores 1 \
      --executor-memory "${SCNN_EXECUTOR_MEMORY:-1g}" --executor-offheap "${SCNN_EXECUTOR_MEMORY:-1g}" --driver-memory 1g --driver-offheap 1g \
      --config "$project/conf/sparkcnn.conf" bench output.dir="$dir" data.dir="$mnist" \
      data.train-limit=12000 data.test-limit=2000 training.batch-size-per-worker=64 bench.epochs=2 \
      "bench.single-jvm-threads=[]" "bench.per-core-batch-sizes=[]" bench.parameter-averaging=false \
      "bench.ring-peers=[]" "bench.allreduce-averaging-frequencies=[5]" "bench.accuracy-targets=[]" "$@" \
      >"$dir.log" 2>&1
    echo "$SCNN_SHAPE,$workers,$r,$load,$(tail -n 1 "$dir/bench.csv")" | tee -a "$out/rounds.csv"
  done
done
