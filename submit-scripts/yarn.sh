#!/usr/bin/env bash
# Submits a sparkcnn job to a Hadoop YARN cluster with spark-submit (HADOOP_CONF_DIR / YARN_CONF_DIR
# must point at the cluster's configuration).
set -euo pipefail
script_name="yarn.sh"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  cat <<'USAGE'
Usage: yarn.sh --queue QUEUE --executors N --executor-cores N --executor-memory SIZE
               --executor-offheap SIZE [options] COMMAND [KEY=VALUE...]

Submits sparkcnn COMMAND (train, evaluate, predict; with its options and KEY=VALUE overrides) to YARN
with $SPARK_HOME/bin/spark-submit (or spark-submit on the PATH). HADOOP_CONF_DIR or YARN_CONF_DIR must
name the cluster's Hadoop configuration.

Required:
  --queue QUEUE            YARN queue
  --executors N            executors (spark.executor.instances)
  --executor-cores N       cores (= concurrent training tasks) per executor
  --executor-memory SIZE   Java heap per executor, e.g. 3g
  --executor-offheap SIZE  nd4j off-heap memory per executor (javacpp maxbytes), e.g. 3g; YARN sizes each
                           container heap + spark.executor.memoryOverhead, which this script sets to the
                           off-heap plus the JVM's own native memory

Optional:
  --deploy-mode MODE       cluster (default here: the driver runs in the YARN application master) or client
  --driver-memory SIZE     driver heap (default 2g); --driver-offheap SIZE its off-heap (default 2g)
  --config FILE            sparkcnn job config (HOCON); shipped with --files in cluster mode
  --principal P --keytab F Kerberos: passed to spark-submit, which logs in and renews delegation tokens
  --conf KEY=VALUE         any Spark property (repeatable); secrets are refused here
  --jar PATH|URI           application jar (default target/sparkcnn-*-app.jar; an hdfs:// URI avoids
                           uploading the jar with every submit)
  --dry-run                print the spark-submit command, do not run it

spark.authenticate on YARN needs no secret file: Spark generates one per application.
The application gets one attempt (spark.yarn.maxAppAttempts=1; --conf overrides it): a failed driver
fails the submit at once, and rerunning the same command resumes from output.dir's checkpoints.

Example:
  submit-scripts/yarn.sh --queue ml --executors 8 --executor-cores 4 --executor-memory 4g \
    --executor-offheap 6g --principal ml@EXAMPLE.COM --keytab /etc/security/ml.keytab \
    --config conf/sparkcnn.conf train data.dir=hdfs:///data/mnist output.dir=hdfs:///runs/r1
USAGE
}

queue=""
principal=""
keytab=""
deploy_mode="cluster"
parse_own_option() {
  case "$1" in
    --queue) queue="${2:-}"; [[ $# -ge 2 ]] || die "--queue needs a value"; return 2 ;;
    --principal) principal="${2:-}"; [[ $# -ge 2 ]] || die "--principal needs a value"; return 2 ;;
    --keytab) keytab="${2:-}"; [[ $# -ge 2 ]] || die "--keytab needs a value"; return 2 ;;
  esac
  return 0
}
parse_common_options "$@"

require --queue "$queue" default
[[ -n "${HADOOP_CONF_DIR:-}${YARN_CONF_DIR:-}" || "$dry_run" == true ]] \
  || die "set HADOOP_CONF_DIR (or YARN_CONF_DIR) to the cluster's Hadoop configuration folder"
add_common_submit_args
submit_args=(--master yarn --queue "$queue" --num-executors "$executors" "${submit_args[@]}")
if [[ -n "$principal" || -n "$keytab" ]]; then
  [[ -n "$principal" && -n "$keytab" ]] || die "--principal and --keytab go together"
  [[ -f "$keytab" ]] || die "--keytab $keytab: no such file"
  submit_args+=(--principal "$principal" --keytab "$keytab")
fi
# One application attempt: a failed driver is reported to the scheduler at once. YARN's default second
# attempt would start the job again from the beginning (after bad input: the same failure, twice the
# time); sparkcnn recovers from lost executors itself, and a rerun resumes from output.dir's checkpoints.
submit_args+=(--conf spark.yarn.maxAppAttempts=1)
ships_config_with_files=true

sparkcnn_submit
