#!/usr/bin/env bash
# Runs a sparkcnn job with spark-submit on this machine (master local[N]): the same application jar and
# settings as on a cluster, without one. For a quick embedded run, bin/sparkcnn needs no Spark at all.
set -euo pipefail
script_name="local.sh"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  cat <<'USAGE'
Usage: local.sh --cores N --memory SIZE --offheap SIZE [options] COMMAND [KEY=VALUE...]

Runs sparkcnn COMMAND (train, evaluate, predict; with its options and KEY=VALUE overrides) with
$SPARK_HOME/bin/spark-submit (or spark-submit on the PATH) on master local[N]: driver and executor are one
JVM here, so --memory / --offheap size that JVM.

Required:
  --cores N         concurrent training tasks (local[N])
  --memory SIZE     Java heap, e.g. 4g
  --offheap SIZE    nd4j off-heap memory (javacpp maxbytes), e.g. 4g

Optional:
  --config FILE     sparkcnn job config (HOCON)
  --conf KEY=VALUE  any Spark property (repeatable); secrets are refused here
  --jar PATH        application jar (default target/sparkcnn-*-app.jar)
  --dry-run         print the spark-submit command, do not run it

Example:
  submit-scripts/local.sh --cores 2 --memory 4g --offheap 4g --config conf/sparkcnn.conf \
    train data.dir=/data/mnist output.dir=/tmp/runs/r1
USAGE
}

cores=""
memory=""
offheap=""
parse_own_option() {
  case "$1" in
    --cores) cores="${2:-}"; [[ $# -ge 2 ]] || die "--cores needs a value"; return 2 ;;
    --memory) memory="${2:-}"; [[ $# -ge 2 ]] || die "--memory needs a value"; return 2 ;;
    --offheap) offheap="${2:-}"; [[ $# -ge 2 ]] || die "--offheap needs a value"; return 2 ;;
  esac
  return 0
}
parse_common_options "$@"

require_positive_int --cores "$cores"
require --memory "$memory" 4g
require --offheap "$offheap" 4g
# one JVM plays driver and executor: size it through the driver options
executors=1
executor_cores="$cores"
executor_memory="$memory"
executor_offheap="$offheap"
driver_memory="$memory"
driver_offheap="$offheap"
add_common_submit_args
submit_args=(--master "local[$cores]" "${submit_args[@]}")

sparkcnn_submit
