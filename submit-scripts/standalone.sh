#!/usr/bin/env bash
# Submits a sparkcnn job to a Spark standalone cluster (spark://host:port) with spark-submit.
set -euo pipefail
script_name="standalone.sh"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  cat <<'USAGE'
Usage: standalone.sh --master spark://HOST:PORT --executors N --executor-cores N
                     --executor-memory SIZE --executor-offheap SIZE [options] COMMAND [KEY=VALUE...]

Submits sparkcnn COMMAND (train, evaluate, predict; with its options and KEY=VALUE overrides) to a Spark
standalone cluster with $SPARK_HOME/bin/spark-submit (or spark-submit on the PATH).

Required:
  --master URL             the standalone master, spark://host:7077
  --executors N            executors (spark.cores.max = N x executor cores)
  --executor-cores N       cores (= concurrent training tasks) per executor
  --executor-memory SIZE   Java heap per executor, e.g. 2g
  --executor-offheap SIZE  nd4j off-heap memory per executor (javacpp maxbytes), e.g. 2g; added to
                           spark.executor.memoryOverhead with the JVM's own native memory

Optional:
  --deploy-mode MODE       client (default: the driver runs here) or cluster (on a worker; it then
                           takes one of the workers' cores, and --config must exist on that worker)
  --driver-memory SIZE     driver heap (default 2g); --driver-offheap SIZE its off-heap (default 2g)
  --config FILE            sparkcnn job config (HOCON)
  --auth-secret-file FILE  enable spark.authenticate with the secret in FILE, a properties file
                           (spark.authenticate.secret=...) readable by its owner only (chmod 600). The
                           master and workers must run with the same secret.
  --conf KEY=VALUE         any Spark property (repeatable); secrets are refused here
  --jar PATH|URI           application jar (default target/sparkcnn-*-app.jar)
  --dry-run                print the spark-submit command, do not run it

In cluster deploy mode, spark-submit exits 0 whatever happens to the driver: this script follows the
driver (spark.standalone.submit.waitAppCompletion) and exits 1 unless its final state is FINISHED.

Example:
  submit-scripts/standalone.sh --master spark://m1:7077 --executors 4 --executor-cores 2 \
    --executor-memory 3g --executor-offheap 3g --config conf/sparkcnn.conf \
    train data.dir=hdfs://nn:8020/mnist output.dir=hdfs://nn:8020/runs/r1
USAGE
}

master=""
auth_secret_file=""
parse_own_option() {
  case "$1" in
    --master) master="${2:-}"; [[ $# -ge 2 ]] || die "--master needs a value"; return 2 ;;
    --auth-secret-file) auth_secret_file="${2:-}"; [[ $# -ge 2 ]] || die "--auth-secret-file needs a value"; return 2 ;;
  esac
  return 0
}
parse_common_options "$@"

require --master "$master" spark://host:7077
[[ "$master" == spark://* ]] || die "--master: expected spark://host:port, got '$master'"
add_common_submit_args
submit_args=(--master "$master" "${submit_args[@]}"
  --conf "spark.cores.max=$(( executors * executor_cores ))")

if [[ "$deploy_mode" == cluster ]]; then
  # spark-submit returns as soon as the master accepted the driver; wait for the driver's end instead
  submit_args+=(--conf spark.standalone.submit.waitAppCompletion=true)
  follow_driver_state=true
fi

if [[ -n "$auth_secret_file" ]]; then
  [[ -f "$auth_secret_file" ]] || die "--auth-secret-file $auth_secret_file: no such file"
  perms=$(stat -c '%a' "$auth_secret_file")
  [[ "$perms" == 600 || "$perms" == 400 ]] \
    || die "--auth-secret-file $auth_secret_file: readable by others (mode $perms); chmod 600 it"
  secret=$(sed -n 's/^[[:space:]]*spark\.authenticate\.secret[[:space:]]*[=:][[:space:]]*//p' "$auth_secret_file" | tail -n 1)
  [[ -n "$secret" ]] || die "--auth-secret-file $auth_secret_file: no spark.authenticate.secret=... line"
  # The environment, not the command line: Spark reads _SPARK_AUTH_SECRET in the spark-submit JVM (the
  # driver in client mode, the submission client in cluster mode); sparkcnn copies it into the driver's
  # configuration, which standalone requires (SPARK-25078: a driver launched by a worker gets the
  # secret only from this variable). Workers hand it to the executors the same way.
  export _SPARK_AUTH_SECRET="$secret"
  unset secret
  submit_args+=(--conf spark.authenticate=true)
fi

sparkcnn_submit
