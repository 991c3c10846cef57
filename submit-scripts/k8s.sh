#!/usr/bin/env bash
# Submits a sparkcnn job to Kubernetes with spark-submit (k8s://https://API-SERVER), in a container image
# that holds Spark and the sparkcnn application jar.
set -euo pipefail
script_name="k8s.sh"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  cat <<'USAGE'
Usage: k8s.sh --master k8s://https://HOST:PORT --namespace NS --image IMAGE --executors N
              --executor-cores N --executor-memory SIZE --executor-offheap SIZE [options]
              COMMAND [KEY=VALUE...]

Submits sparkcnn COMMAND (train, evaluate, predict; with its options and KEY=VALUE overrides) to a
Kubernetes cluster with $SPARK_HOME/bin/spark-submit (or spark-submit on the PATH).

Required:
  --master URL             k8s://https://api-server:6443
  --namespace NS           namespace of the driver and executor pods
  --image IMAGE            container image with Spark 3.5 (Scala 2.12, Java 17) and the application jar
  --executors N            executor pods (spark.executor.instances)
  --executor-cores N       cores (= concurrent training tasks) per executor
  --executor-memory SIZE   Java heap per executor, e.g. 3g
  --executor-offheap SIZE  nd4j off-heap memory per executor (javacpp maxbytes), e.g. 3g; each pod's
                           memory limit is heap + spark.executor.memoryOverhead, set by this script to the
                           off-heap plus the JVM's own native memory

Optional:
  --service-account NAME   driver service account (spark.kubernetes.authenticate.driver.serviceAccountName)
  --deploy-mode MODE       cluster (default) or client
  --driver-memory SIZE     driver heap (default 2g); --driver-offheap SIZE its off-heap (default 2g)
  --config FILE            sparkcnn job config (HOCON): in cluster mode a path inside the image (or a
                           mounted volume)
  --conf KEY=VALUE         any Spark property (repeatable); secrets are refused here
  --jar URI                application jar, default local:///opt/sparkcnn/sparkcnn-app.jar (in the image)
  --dry-run                print the spark-submit command, do not run it

spark.authenticate on Kubernetes needs no secret file: Spark generates one per application.

Example:
  submit-scripts/k8s.sh --master k8s://https://k8s.example.com:6443 --namespace ml \
    --image registry.example.com/sparkcnn:0.1.0 --service-account spark --executors 4 \
    --executor-cores 2 --executor-memory 3g --executor-offheap 3g \
    train data.dir=hdfs://nn:8020/mnist output.dir=s3a://bucket/runs/r1
USAGE
}

master=""
namespace=""
image=""
service_account=""
deploy_mode="cluster"
app_jar="${SPARKCNN_APP_JAR:-local:///opt/sparkcnn/sparkcnn-app.jar}"
parse_own_option() {
  case "$1" in
    --master) master="${2:-}"; [[ $# -ge 2 ]] || die "--master needs a value"; return 2 ;;
    --namespace) namespace="${2:-}"; [[ $# -ge 2 ]] || die "--namespace needs a value"; return 2 ;;
    --image) image="${2:-}"; [[ $# -ge 2 ]] || die "--image needs a value"; return 2 ;;
    --service-account) service_account="${2:-}"; [[ $# -ge 2 ]] || die "--service-account needs a value"; return 2 ;;
  esac
  return 0
}
parse_common_options "$@"

require --master "$master" k8s://https://api-server:6443
[[ "$master" == k8s://* ]] || die "--master: expected k8s://https://host:port, got '$master'"
require --namespace "$namespace" default
require --image "$image" registry.example.com/sparkcnn:0.1.0
add_common_submit_args
submit_args=(--master "$master" "${submit_args[@]}"
  --conf "spark.kubernetes.namespace=$namespace"
  --conf "spark.kubernetes.container.image=$image"
  --conf "spark.executor.instances=$executors")
if [[ -n "$service_account" ]]; then
  submit_args+=(--conf "spark.kubernetes.authenticate.driver.serviceAccountName=$service_account")
fi

sparkcnn_submit
