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
                           for the driver and the executors as long as the job runs. Without them the
                           submit uses your ticket cache (kinit; $KRB5CCNAME or /tmp/krb5cc_UID), and is
                           refused at once when the cluster is Kerberized (core-site.xml) and there is none
  --krb5-conf FILE         Kerberos configuration when it is not /etc/krb5.conf: spark-submit, the driver,
                           the application master and the executors get -Djava.security.krb5.conf=FILE (the
                           file must be at that path on the cluster's nodes too)
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
krb5_conf=""
deploy_mode="cluster"
parse_own_option() {
  case "$1" in
    --queue) queue="${2:-}"; [[ $# -ge 2 ]] || die "--queue needs a value"; return 2 ;;
    --principal) principal="${2:-}"; [[ $# -ge 2 ]] || die "--principal needs a value"; return 2 ;;
    --keytab) keytab="${2:-}"; [[ $# -ge 2 ]] || die "--keytab needs a value"; return 2 ;;
    --krb5-conf) krb5_conf="${2:-}"; [[ $# -ge 2 ]] || die "--krb5-conf needs a value"; return 2 ;;
  esac
  return 0
}
parse_common_options "$@"

# True when the Hadoop configuration folder's core-site.xml turns Kerberos on (name and value compared with
# the whitespace between tags removed, so one-line and multi-line properties both match).
kerberized() {
  local site="$1/core-site.xml"
  [[ -f "$site" ]] && tr -d ' \t\r\n' < "$site" \
    | grep -qi '<name>hadoop.security.authentication</name><value>kerberos</value>'
}

# The ticket cache Java reads: $KRB5CCNAME (FILE: caches only: Java cannot read KEYRING/KCM/DIR) or the
# default /tmp/krb5cc_UID.
ticket_cache() {
  local cache="${KRB5CCNAME:-/tmp/krb5cc_$(id -u)}"
  echo "${cache#FILE:}"
}

require --queue "$queue" default
hadoop_conf="${HADOOP_CONF_DIR:-${YARN_CONF_DIR:-}}"
[[ -n "$hadoop_conf" || "$dry_run" == true ]] \
  || die "set HADOOP_CONF_DIR (or YARN_CONF_DIR) to the cluster's Hadoop configuration folder"
# Kerberos credentials are checked here, before spark-submit starts: without them spark-submit fails only
# after its JVM started, in a page of GSS stack traces, or (client mode) after the driver began.
if [[ -n "$principal" || -n "$keytab" ]]; then
  [[ -n "$principal" && -n "$keytab" ]] || die "--principal and --keytab go together"
  [[ -f "$keytab" && -r "$keytab" ]] || refuse "--keytab $keytab: no such file, or not readable by $(id -un)"
elif [[ -n "$hadoop_conf" ]] && kerberized "$hadoop_conf" && [[ ! -r "$(ticket_cache)" ]]; then
  refuse "$hadoop_conf/core-site.xml: hadoop.security.authentication=kerberos, but no Kerberos credentials: pass --principal and --keytab, or kinit first (no ticket cache at $(ticket_cache))"
fi
if [[ -n "$krb5_conf" ]]; then
  [[ -r "$krb5_conf" ]] || refuse "--krb5-conf $krb5_conf: no such file, or not readable"
  extra_java_options="-Djava.security.krb5.conf=$krb5_conf"
  # spark-submit's own JVM logs in with the keytab (and is the driver in client mode)
  export SPARK_SUBMIT_OPTS="${SPARK_SUBMIT_OPTS:+$SPARK_SUBMIT_OPTS }$extra_java_options"
fi
add_common_submit_args
submit_args=(--master yarn --queue "$queue" --num-executors "$executors" "${submit_args[@]}")
if [[ -n "$principal" ]]; then
  submit_args+=(--principal "$principal" --keytab "$keytab")
fi
if [[ -n "$krb5_conf" ]]; then
  # client mode's application master (the cluster-mode one is the driver: spark.driver.extraJavaOptions)
  submit_args+=(--conf "spark.yarn.am.extraJavaOptions=$extra_java_options")
fi
# One application attempt: a failed driver is reported to the scheduler at once. YARN's default second
# attempt would start the job again from the beginning (after bad input: the same failure, twice the
# time); sparkcnn recovers from lost executors itself, and a rerun resumes from output.dir's checkpoints.
submit_args+=(--conf spark.yarn.maxAppAttempts=1)
ships_config_with_files=true

sparkcnn_submit
