# Shared by the submit-scripts (sourced, not run): option parsing, memory sizing and the spark-submit call.
# Each script (local.sh, standalone.sh, yarn.sh, k8s.sh) adds its cluster manager's options and calls
# sparkcnn_submit. Nothing here ever puts a secret on a command line.

sparkcnn_home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() {
  echo "$script_name: $*" >&2
  echo "Try '$script_name --help'." >&2
  exit 2
}

# Bad configuration found before submitting (not a usage error): one line, exit 2.
refuse() {
  echo "$script_name: $*" >&2
  exit 2
}

# Size like 512m, 2g, 2G, 1024 (MiB) -> MiB; anything else is refused.
to_mib() {
  local name="$1" value="$2" number unit
  if [[ ! "$value" =~ ^([0-9]+)([mMgG]?)$ ]]; then
    die "$name: expected a size like 512m or 2g, got '$value'"
  fi
  number="${BASH_REMATCH[1]}"
  unit="${BASH_REMATCH[2]}"
  case "$unit" in
    g|G) echo $((number * 1024)) ;;
    *) echo "$number" ;;
  esac
}

require() {
  local option="$1" value="$2" example="$3"
  [[ -n "$value" ]] || die "missing $option (e.g. $option $example)"
}

require_positive_int() {
  local option="$1" value="$2"
  require "$option" "$value" 2
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || die "$option: expected a positive whole number, got '$value'"
}

# Defaults, then the options every script shares; the script's own options are handled by its
# parse_own_option function (returns the number of arguments it consumed, 0 if the option is not its own).
executors=""
executor_cores=""
executor_memory=""
executor_offheap=""
driver_memory="2g"
driver_offheap="2g"
deploy_mode="client"
config_file=""
app_jar="${SPARKCNN_APP_JAR:-}"
dry_run=false
# JVM options a script adds for the driver and the executors (yarn.sh: -Djava.security.krb5.conf=...)
extra_java_options=""
spark_confs=()
submit_args=()
app_args=()

# Sets the globals above from "$@"; the sparkcnn command and its KEY=VALUE overrides (everything from the
# first argument that is not an option) land in app_args.
parse_common_options() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      -h|--help) usage; exit 0 ;;
      --executors) executors="${2:-}"; shift 2 || die "--executors needs a value" ;;
      --executor-cores) executor_cores="${2:-}"; shift 2 || die "--executor-cores needs a value" ;;
      --executor-memory) executor_memory="${2:-}"; shift 2 || die "--executor-memory needs a value" ;;
      --executor-offheap) executor_offheap="${2:-}"; shift 2 || die "--executor-offheap needs a value" ;;
      --driver-memory) driver_memory="${2:-}"; shift 2 || die "--driver-memory needs a value" ;;
      --driver-offheap) driver_offheap="${2:-}"; shift 2 || die "--driver-offheap needs a value" ;;
      --deploy-mode) deploy_mode="${2:-}"; shift 2 || die "--deploy-mode needs a value" ;;
      --config) config_file="${2:-}"; shift 2 || die "--config needs a value" ;;
      --jar) app_jar="${2:-}"; shift 2 || die "--jar needs a value" ;;
      --conf)
        [[ "${2:-}" == *=* ]] || die "--conf: expected KEY=VALUE, got '${2:-}'"
        [[ "${2%%=*}" != *secret* ]] || die "--conf ${2%%=*}: secrets do not go on the command line (ps shows them); see --help"
        spark_confs+=("$2"); shift 2 ;;
      --dry-run) dry_run=true; shift ;;
      --) shift; app_args=("$@"); return 0 ;;
      -*)
        local used=0
        if declare -F parse_own_option >/dev/null; then
          parse_own_option "$@" || used=$?
        fi
        [[ "$used" -gt 0 ]] || die "unknown option '$1'"
        shift "$used" ;;
      *) app_args=("$@"); return 0 ;;
    esac
  done
}

# Checks the shared values and adds the matching spark-submit options to submit_args.
add_common_submit_args() {
  require_positive_int --executors "$executors"
  require_positive_int --executor-cores "$executor_cores"
  require --executor-memory "$executor_memory" 2g
  require --executor-offheap "$executor_offheap" 2g
  [[ "$deploy_mode" == client || "$deploy_mode" == cluster ]] \
    || die "--deploy-mode: expected client or cluster, got '$deploy_mode'"
  [[ ${#app_args[@]} -gt 0 ]] || die "missing the sparkcnn command (train, evaluate, predict) after the options"

  local heap offheap overhead driver_heap driver_off
  heap=$(to_mib --executor-memory "$executor_memory")
  offheap=$(to_mib --executor-offheap "$executor_offheap")
  driver_heap=$(to_mib --driver-memory "$driver_memory")
  driver_off=$(to_mib --driver-offheap "$driver_offheap")
  # nd4j keeps its arrays off the Java heap (javacpp). maxbytes caps them. The container (YARN/K8s) is sized
  # heap + memoryOverhead, so the overhead holds the off-heap arrays plus the JVM's own native memory (~10%
  # of the heap, at least 384m). maxphysicalbytes caps the whole process a little below the container
  # (half the JVM's share as margin): javacpp then fails an allocation with a clear OutOfMemoryError
  # before the cluster manager kills the executor.
  local jvm_native=$(( heap / 10 > 384 ? heap / 10 : 384 ))
  overhead=$(( offheap + jvm_native ))
  local executor_opts="-Dorg.bytedeco.javacpp.maxbytes=${offheap}m -Dorg.bytedeco.javacpp.maxphysicalbytes=$(( heap + offheap + jvm_native / 2 ))m${extra_java_options:+ $extra_java_options}"
  local driver_opts="-Dorg.bytedeco.javacpp.maxbytes=${driver_off}m -Dorg.bytedeco.javacpp.maxphysicalbytes=$(( driver_heap + driver_off + 192 ))m${extra_java_options:+ $extra_java_options}"
  # Java 17 module opens for Spark and nd4j. Spark's launcher adds them to a driver it starts itself, but not
  # to a driver a standalone worker starts (cluster deploy mode: it dies in StorageUtils without them).
  if [[ -f "$sparkcnn_home/conf/java-module-options" ]]; then
    driver_opts="$(grep -v '^#' "$sparkcnn_home/conf/java-module-options" | tr '\n' ' ')$driver_opts"
  fi

  submit_args+=(--deploy-mode "$deploy_mode"
    --executor-cores "$executor_cores" --executor-memory "${heap}m"
    --driver-memory "${driver_heap}m"
    --conf "spark.executor.memoryOverhead=${overhead}m"
    --conf "spark.driver.memoryOverhead=$(( driver_off + 384 ))m"
    --conf "spark.executor.extraJavaOptions=$executor_opts"
    --conf "spark.driver.extraJavaOptions=$driver_opts"
    # one native thread per core a task owns (sparkcnn also sets this in its executor plugin)
    --conf "spark.executorEnv.OMP_NUM_THREADS=1"
    # start training only when every requested executor registered: the shards are spread over them
    --conf "spark.scheduler.minRegisteredResourcesRatio=1.0")
}

find_app_jar() {
  if [[ -z "$app_jar" ]]; then
    # SPARKCNN_BUILD_DIR=target-spark4: the Spark 4 build's jar (mvn -Dspark4 package), as for bin/sparkcnn
    app_jar=$(ls "$sparkcnn_home/${SPARKCNN_BUILD_DIR:-target}"/sparkcnn-*-app.jar 2>/dev/null | head -n 1 || true)
    [[ -n "$app_jar" ]] || die "no application jar in ${SPARKCNN_BUILD_DIR:-target}/: build it with 'mvn -q -DskipTests package' (-Dspark4 for target-spark4/) or pass --jar PATH|URI"
  elif [[ "$app_jar" != *://* && ! -f "$app_jar" ]]; then
    die "--jar $app_jar: no such file"
  fi
}

find_spark_submit() {
  if [[ -n "${SPARK_HOME:-}" ]]; then
    spark_submit="$SPARK_HOME/bin/spark-submit"
    [[ -x "$spark_submit" ]] || die "SPARK_HOME=$SPARK_HOME has no executable bin/spark-submit"
  else
    spark_submit=$(command -v spark-submit || true)
    [[ -n "$spark_submit" ]] || die "spark-submit not found: set SPARK_HOME or put spark-submit on the PATH"
  fi
}

# The job config: a local file in client mode. In cluster mode the driver runs elsewhere, so the file is
# shipped with --files where the cluster manager puts it in the driver's working directory (YARN), and
# must otherwise already be readable at that path where the driver runs (standalone, K8s: see README).
add_config_args() {
  [[ -z "$config_file" ]] && return 0
  if [[ "$deploy_mode" == client ]]; then
    [[ -f "$config_file" ]] || die "--config $config_file: no such file"
    config_arg=(--config "$config_file")
  elif [[ "${ships_config_with_files:-false}" == true ]]; then
    [[ -f "$config_file" ]] || die "--config $config_file: no such file"
    submit_args+=(--files "$config_file")
    config_arg=(--config "$(basename "$config_file")")
  else
    config_arg=(--config "$config_file")
  fi
}

# Prints the command, then runs it (exec: its exit code is the script's).
sparkcnn_submit() {
  find_spark_submit
  find_app_jar
  config_arg=()
  add_config_args
  local conf
  for conf in "${spark_confs[@]}"; do
    submit_args+=(--conf "$conf")
  done
  local command=("$spark_submit" "${submit_args[@]}" --class org.sparkcnn.cli.SparkCnn "$app_jar"
    "${app_args[0]}" "${config_arg[@]}" "${app_args[@]:1}")
  echo "$script_name: running: $(printf '%q ' "${command[@]}")" >&2
  if [[ "$dry_run" == true ]]; then
    return 0
  fi
  if [[ "${follow_driver_state:-false}" != true ]]; then
    exec "${command[@]}"
  fi
  # Standalone cluster deploy mode: spark-submit exits 0 whatever becomes of the driver, even with
  # spark.standalone.submit.waitAppCompletion=true. Its last "State of driver ... is STATE" line tells.
  local output status state
  output=$(mktemp)
  set +e
  "${command[@]}" 2>&1 | tee "$output"
  status=${PIPESTATUS[0]}
  set -e
  state=$(grep -o 'State of driver [^ ]* is [A-Z]*' "$output" | tail -n 1 | awk '{print $NF}')
  rm -f "$output"
  if [[ "$status" -ne 0 ]]; then
    exit "$status"
  fi
  if [[ "$state" != FINISHED ]]; then
    echo "$script_name: the driver ended ${state:-in an unknown state} (not FINISHED): see its stderr in the worker's work folder" >&2
    exit 1
  fi
}
