#!/usr/bin/env bash
# A simulated cluster of N hosts on this machine (docs/scaling.md): N+1 network namespaces on a private
# bridge, each with its own address in 10.203.0.0/24 and its own link shaped with tc (rate both ways, delay
# one way), then a measurement in it, then everything removed again: every process stopped by PID, every
# namespace, veth, bridge and qdisc deleted, on success, failure or Ctrl-C alike. Needs root, ip and tc
# (iproute2). Traffic stays between the namespaces: the bridge has no address in this host's namespace
# and no namespace has a route anywhere else.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: netns-cluster.sh [options] ring
       netns-cluster.sh [options] spark -- COMMAND [ARGS...]
       netns-cluster.sh --cleanup

Builds a cluster of --hosts worker hosts plus host 0 (the Spark master and driver), each a network
namespace named scnn-<run>-<i> with address 10.203.0.<10+i> on a bridge scnn<run>br, then for each link
shape in --shapes (applied to every host's link in turn) runs:

  ring   one all-reduce call timed across hosts (org.sparkcnn.bench.RingPeerBench, one JVM per host) for
         each group size in --peers and vector in --floats; prints one CSV line per point and per shape
         and appends it to OUT/ring.csv: shape,rate,delay,peers,floats,calls,median_ms,min_ms,max_ms,
         latency_median_ms,load_1m,load_5m,cpu_ms (a peer's CPU time per call, median over peers)
  spark  a Spark standalone master in host 0 and a worker (1 core) in each worker host, from the build's
         jars, then COMMAND in host 0 (the driver's host) once per shape, with SPARK_HOME, SPARK_LOCAL_IP,
         SCNN_MASTER (spark://10.203.0.10:7077), SCNN_SHAPE (e.g. 1gbit-200us) and SCNN_LOAD (the load
         average before it) in its environment. The strings {master} and {shape} in ARGS are replaced.

Options:
  --hosts N           worker hosts (default: the largest of --peers, else 2)
  --shapes LIST       link shapes RATE/DELAY, comma-separated, e.g. 1gbit/200us,2.5gbit/100us (tc units).
                      RATE caps each host's link in both directions; DELAY is added once on the host's
                      outgoing side, so it is the one-way delay between two hosts (round trip 2 x DELAY).
                      A DELAY other than 0us needs the kernel's netem qdisc (sch_netem); without it the
                      run stops before measuring (exit 2): use RATE/0us there.
  --peers LIST        ring: group sizes, e.g. 2,4,8 (default 2)
  --floats LIST       ring: vector lengths in floats, e.g. 9823902,3274634 (default 9823902)
  --calls N           ring: timed calls per point (default 10; 3 untimed calls come first)
  --latency-calls N   ring: timed one-float calls per point (default 100)
  --worker-memory M   spark: memory each worker offers (default 3g)
  --classpath CP      ring: the sparkcnn classes and SLF4J (default: target/sparkcnn-*-app.jar and
                      the --spark-jars)
  --spark-jars DIR    spark: Spark's jars (default target/it/spark-home/target/spark-home/jars, built by
                      the invoker plugin in mvn's pre-integration-test)
  --out DIR           results and logs (default output/netns)
  --prefix P          names start with P (default scnn; letters and digits, at most 5)
  --timeout-seconds S bound of every wait (default 300 for ring, 1800 for each spark COMMAND)
  --nice N            run every process of the cluster at this niceness (default 0; e.g. -10 on a machine
                      shared with other builds, so that they take less of the cluster's CPU)
  --cleanup           remove what earlier runs left behind (their owner process is gone) and exit

Example:
  sudo src/it/netns/netns-cluster.sh --shapes 1gbit/200us,2.5gbit/100us --peers 2,4,8 \
    --floats 9823902,3274634 ring
USAGE
}

project=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
prefix=scnn
hosts=""
shapes="1gbit/200us"
peers_list="2"
floats_list="9823902"
calls=10
latency_calls=100
worker_memory=3g
classpath=""
spark_jars="$project/target/it/spark-home/target/spark-home/jars"
out="$project/output/netns"
timeout_seconds=""
niceness=0
mode=""
command=()
state_root=/run/sparkcnn-netns
subnet=10.203.0

die() { echo "netns-cluster.sh: $*" >&2; exit 2; }
log() { echo "netns-cluster.sh: $*" >&2; }

# --- cleanup -------------------------------------------------------------------------------------------

# Stops a process by PID: TERM, up to 15 s, then KILL.
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# Removes every namespace, link and process of run $1 (prefix $2). Safe to call twice.
remove_run() {
  local run=$1 p=$2 ns pid link
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$p-$run-" || true); do
    # whatever still runs in the namespace (executors the workers started, a stuck peer): by PID
    for pid in $(ip netns pids "$ns" 2>/dev/null || true); do stop_pid "$pid"; done
    ip netns del "$ns" 2>/dev/null || true
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$p$run" || true); do
    ip link del "$link" 2>/dev/null || true
  done
  rm -rf "${state_root:?}/$p-$run"
}

# What is left of run $1: namespaces and links with its names (empty when clean).
leftovers() {
  local run=$1 p=$2
  { ip netns list 2>/dev/null | awk '{print $1}' | grep "^$p-$run-" || true
    ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$p$run" || true
  } | tr '\n' ' '
}

# --cleanup: runs whose owner (the script that built them) is no longer alive.
cleanup_stale() {
  local dir run owner found=0 ns
  mkdir -p "$state_root"
  for dir in "$state_root"/"$prefix"-*; do
    [[ -d "$dir" ]] || continue
    run=${dir##*/"$prefix"-}
    owner=$(cat "$dir/owner" 2>/dev/null || echo 0)
    if [[ "$owner" != 0 ]] && kill -0 "$owner" 2>/dev/null \
        && tr '\0' ' ' <"/proc/$owner/cmdline" 2>/dev/null | grep -q netns-cluster; then
      log "run $run is alive (pid $owner): left alone"
      continue
    fi
    if [[ -f "$dir/pids" ]]; then
      while read -r pid _; do stop_pid "$pid"; done <"$dir/pids"
    fi
    remove_run "$run" "$prefix"
    log "removed the leftovers of run $run"
    found=1
  done
  # namespaces of ours without a state folder (a reboot cleared /run, or it was deleted): stale too
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$prefix-[0-9a-f]\{4\}-[0-9]*$" || true); do
    run=$(echo "$ns" | cut -d- -f2)
    [[ -d "$state_root/$prefix-$run" ]] && continue
    remove_run "$run" "$prefix"
    log "removed namespace $ns (no owner)"
    found=1
  done
  [[ $found == 1 ]] || log "nothing stale"
}

# --- options -------------------------------------------------------------------------------------------

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --hosts) hosts="${2:-}"; shift 2 || die "--hosts needs a value" ;;
    --shapes) shapes="${2:-}"; shift 2 || die "--shapes needs a value" ;;
    --peers) peers_list="${2:-}"; shift 2 || die "--peers needs a value" ;;
    --floats) floats_list="${2:-}"; shift 2 || die "--floats needs a value" ;;
    --calls) calls="${2:-}"; shift 2 || die "--calls needs a value" ;;
    --latency-calls) latency_calls="${2:-}"; shift 2 || die "--latency-calls needs a value" ;;
    --worker-memory) worker_memory="${2:-}"; shift 2 || die "--worker-memory needs a value" ;;
    --classpath) classpath="${2:-}"; shift 2 || die "--classpath needs a value" ;;
    --spark-jars) spark_jars="${2:-}"; shift 2 || die "--spark-jars needs a value" ;;
    --out) out="${2:-}"; shift 2 || die "--out needs a value" ;;
    --prefix) prefix="${2:-}"; shift 2 || die "--prefix needs a value" ;;
    --timeout-seconds) timeout_seconds="${2:-}"; shift 2 || die "--timeout-seconds needs a value" ;;
    --nice) niceness="${2:-}"; shift 2 || die "--nice needs a value" ;;
    --cleanup) mode=cleanup; shift ;;
    ring) mode=ring; shift ;;
    spark) mode=spark; shift; [[ "${1:-}" == -- ]] && shift; command=("$@"); break ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

[[ "$prefix" =~ ^[a-z][a-z0-9]{0,4}$ ]] || die "--prefix: letters and digits, at most 5, got '$prefix'"
[[ "$(id -u)" == 0 ]] || die "needs root (network namespaces, tc)"
command -v ip >/dev/null && command -v tc >/dev/null || die "needs ip and tc (Debian/Ubuntu: apt-get install iproute2)"

if [[ "$mode" == cleanup ]]; then
  cleanup_stale
  exit 0
fi
[[ -n "$mode" ]] || die "missing ring or spark (see --help)"
[[ "$mode" != spark || ${#command[@]} -gt 0 ]] || die "spark: missing the COMMAND to run in the driver's host"

number_list() { [[ "$2" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "$1: expected whole numbers separated by commas, got '$2'"; }
number_list --peers "$peers_list"
number_list --floats "$floats_list"
number_list --calls "$calls"
number_list --latency-calls "$latency_calls"
IFS=, read -r -a peer_counts <<<"$peers_list"
IFS=, read -r -a vectors <<<"$floats_list"
IFS=, read -r -a shape_list <<<"$shapes"
for shape in "${shape_list[@]}"; do
  [[ "$shape" =~ ^[0-9.]+[kmg]?bit/[0-9.]+(us|ms)$ ]] || die "--shapes: expected RATE/DELAY like 1gbit/200us, got '$shape'"
done
if [[ -z "$hosts" ]]; then
  hosts=2
  if [[ "$mode" == ring ]]; then
    hosts=$(printf '%s\n' "${peer_counts[@]}" | sort -n | tail -n 1)
  fi
fi
number_list --hosts "$hosts"
[[ "$hosts" -le 60 ]] || die "--hosts: at most 60, got $hosts"
for p in "${peer_counts[@]}"; do
  [[ "$mode" != ring || "$p" -le "$hosts" ]] || die "--peers $p: more than --hosts $hosts"
  [[ "$mode" != ring || "$p" -ge 2 ]] || die "--peers: a ring needs at least 2, got $p"
done
timeout_seconds=${timeout_seconds:-$([[ "$mode" == ring ]] && echo 300 || echo 1800)}
number_list --timeout-seconds "$timeout_seconds"
[[ "$niceness" =~ ^-?[0-9]+$ && "$niceness" -ge -20 && "$niceness" -le 19 ]] || die "--nice: expected -20..19, got '$niceness'"
if [[ -z "$classpath" || "$mode" == spark ]]; then
  [[ -d "$spark_jars" ]] || die "--spark-jars $spark_jars: no such folder (mvn verify's pre-integration-test builds it)"
fi
if [[ -z "$classpath" ]]; then
  # the application jar leaves out what Spark provides (SLF4J among it): Spark's jars come with it
  app_jar=$(ls "$project"/target/sparkcnn-*-app.jar 2>/dev/null | head -n 1 || true)
  [[ -n "$app_jar" ]] || die "no application jar: build it with 'mvn -B -o -q -DskipTests package' or pass --classpath"
  classpath="$app_jar:$(cd "$spark_jars" && pwd)/*"
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
mkdir -p "$out"
out=$(cd "$out" && pwd)

# --- the cluster ---------------------------------------------------------------------------------------

mkdir -p "$state_root"
run=""
for _ in 1 2 3 4 5 6 7 8; do
  candidate=$(od -An -N2 -tx2 /dev/urandom | tr -d ' \n')
  if mkdir "$state_root/$prefix-$candidate" 2>/dev/null; then run=$candidate; break; fi
done
[[ -n "$run" ]] || die "could not pick a free run id in $state_root"
state="$state_root/$prefix-$run"
echo $$ >"$state/owner"
bridge="$prefix${run}br"
pids=()

ns_of() { echo "$prefix-$run-$1"; }
addr_of() { echo "$subnet.$((10 + $1))"; }

# Starts "$@" in namespace of host $1 (log $2) in the background and records its PID. `ip netns exec`,
# `nice` and `env` exec the command, so the PID is the JVM's own.
start_in() {
  local host=$1 logfile=$2
  shift 2
  ip netns exec "$(ns_of "$host")" nice -n "$niceness" "$@" >"$logfile" 2>&1 &
  pids+=($!)
  echo "$! $host $logfile" >>"$state/pids"
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[$i]}"; done
  remove_run "$run" "$prefix"
  local left
  left=$(leftovers "$run" "$prefix")
  if [[ -n "$left" ]]; then
    log "cleanup left: $left"
    [[ $status -ne 0 ]] || status=1
  else
    log "cleanup: run $run removed (namespaces, links, qdiscs, processes)"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "run $run: $hosts worker hosts + host 0 on $bridge ($subnet.0/24), logs in $out"
ip link add "$bridge" type bridge
ip link set "$bridge" up
for ((i = 0; i <= hosts; i++)); do
  ns=$(ns_of "$i")
  ip netns add "$ns"
  ip link add "$prefix${run}v$i" type veth peer name "$prefix${run}p$i"
  ip link set "$prefix${run}v$i" master "$bridge" up
  ip link set "$prefix${run}p$i" netns "$ns"
  ip -n "$ns" link set "$prefix${run}p$i" name eth0
  ip -n "$ns" addr add "$(addr_of "$i")/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
done

# Shapes every host's link: on the host's side of its veth (egress = what the host sends) an HTB class
# at RATE with netem's DELAY under it; on the bridge's side (what the host receives) HTB at RATE alone.
# HTB + netem rather than netem's own rate: both hold at gigabit rates with the veths' large segments.
# A zero DELAY adds no netem: some kernels (this project's 2-core VMs: no CONFIG_NET_SCH_NETEM) lack it.
apply_shape() {
  local rate=$1 delay=$2 i ns
  for ((i = 0; i <= hosts; i++)); do
    ns=$(ns_of "$i")
    # a new root each time: HTB cannot change a root it already has into another shape
    ip netns exec "$ns" tc qdisc del dev eth0 root 2>/dev/null || true
    tc qdisc del dev "$prefix${run}v$i" root 2>/dev/null || true
    ip netns exec "$ns" tc qdisc replace dev eth0 root handle 1: htb default 10
    ip netns exec "$ns" tc class replace dev eth0 parent 1: classid 1:10 htb rate "$rate" ceil "$rate" quantum 60000
    if [[ ! "$delay" =~ ^0+(\.0+)?(us|ms)$ ]]; then
      ip netns exec "$ns" tc qdisc replace dev eth0 parent 1:10 handle 10: netem delay "$delay" limit 100000 2>/dev/null \
        || die "--shapes $rate/$delay: this kernel has no netem qdisc (sch_netem), so no delay can be added; use $rate/0us"
    fi
    tc qdisc replace dev "$prefix${run}v$i" root handle 1: htb default 10
    tc class replace dev "$prefix${run}v$i" parent 1: classid 1:10 htb rate "$rate" ceil "$rate" quantum 60000
  done
}

load_average() { cut -d' ' -f1,2 /proc/loadavg | tr ' ' ,; }

# Waits for PIDs "$@" to end, at most timeout_seconds; fails if one did not or ended with an error.
await_all() {
  local what=$1 deadline=$((SECONDS + timeout_seconds)) pid failed=0
  shift
  for pid in "$@"; do
    while kill -0 "$pid" 2>/dev/null; do
      if ((SECONDS > deadline)); then
        log "$what: still running after $timeout_seconds s"
        return 1
      fi
      sleep 0.2
    done
    wait "$pid" || failed=1
  done
  [[ $failed == 0 ]] || { log "$what: a process failed (logs in $out)"; return 1; }
}

# Slowest peer per call (the ring is synchronous: a call ends for all when it ends for the last), then
# the median, min and max over calls, in ms.
slowest_per_call() {
  paste "$@" | awk '{m = $1; for (i = 2; i <= NF; i++) if ($i > m) m = $i; print m}' | sort -g \
    | awk '{v[NR] = $1} END {printf "%.3f,%.3f,%.3f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR]}'
}

ring_point() {
  local slug=$1 rate=$2 delay=$3 peers=$4 floats=$5 dir r started=() times=() latency=() load
  dir="$out/ring/$slug/p$peers-f$floats"
  rm -rf "$dir"
  mkdir -p "$dir"
  head -c 32 /dev/urandom >"$dir/secret"
  chmod 600 "$dir/secret"
  load=$(load_average)
  for ((r = 0; r < peers; r++)); do
    start_in $((r + 1)) "$dir/rank-$r.log" "$java" -Xmx256m -XX:MaxDirectMemorySize=512m -XX:+UseSerialGC \
      -cp "$classpath" org.sparkcnn.bench.RingPeerBench --rank "$r" --peers "$peers" --host "$(addr_of $((r + 1)))" \
      --rendezvous "$dir" --floats "$floats" --calls "$calls" --latency-calls "$latency_calls" \
      --secret-file "$dir/secret" --timeout-seconds "$timeout_seconds"
    started+=("${pids[-1]}")
    times+=("$dir/rank-$r.times")
    latency+=("$dir/rank-$r.latency")
  done
  await_all "ring of $peers peers, $floats floats, $slug" "${started[@]}"
  local cpu
  cpu=$(cat "$dir"/rank-*.cpu | sort -g | awk '{v[NR] = $1} END {printf "%.1f", v[int((NR + 1) / 2)]}')
  local line="$slug,$rate,$delay,$peers,$floats,$calls,$(slowest_per_call "${times[@]}"),$(slowest_per_call "${latency[@]}" | cut -d, -f1),$load,$cpu"
  echo "$line"
  echo "$line" >>"$out/ring.csv"
  rm -f "$dir/secret"
}

start_spark() {
  local home="$out/spark-home" master_addr i
  rm -rf "$home"
  mkdir -p "$home/bin" "$home/conf"
  ln -s "$(cd "$spark_jars" && pwd)" "$home/jars"
  cp "$project/src/it/spark-home/bin/spark-submit" "$home/bin/spark-submit"
  chmod 755 "$home/bin/spark-submit"
  cp "$project/conf/spark-defaults.conf" "$home/conf/spark-defaults.conf"
  master_addr=$(addr_of 0)
  master_url="spark://$master_addr:7077"
  spark_home=$home
  local daemon=("$java" "@$project/conf/java-module-options" -Xmx256m -cp "$home/conf:$home/jars/*")
  start_in 0 "$out/master.log" env SPARK_HOME="$home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP="$master_addr" \
    SPARK_CONF_DIR="$home/conf" "${daemon[@]}" org.apache.spark.deploy.master.Master \
    --host "$master_addr" --port 7077 --webui-port 8080
  for ((i = 1; i <= hosts; i++)); do
    mkdir -p "$out/work/worker-$i"
    start_in "$i" "$out/worker-$i.log" env SPARK_HOME="$home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP="$(addr_of "$i")" \
      SPARK_CONF_DIR="$home/conf" "${daemon[@]}" org.apache.spark.deploy.worker.Worker \
      --host "$(addr_of "$i")" --cores 1 --memory "$worker_memory" --work-dir "$out/work/worker-$i" \
      --webui-port 8081 "$master_url"
  done
  # 9 JVMs starting at once on 2 cores at load ~34 took just over 3 minutes
  local deadline=$((SECONDS + 600)) alive=0
  while ((alive < hosts)); do
    ((SECONDS < deadline)) || { log "only $alive of $hosts workers registered in 600 s (logs in $out)"; return 1; }
    sleep 1
    alive=$(ip netns exec "$(ns_of 0)" curl -s --max-time 2 "http://$master_addr:8080/json/" 2>/dev/null \
      | grep -o '"state" *: *"ALIVE"' | wc -l || true)
  done
  log "Spark master $master_url with $alive workers"
}

run_command() {
  local slug=$1 args=() a load
  for a in "${command[@]}"; do
    a=${a//\{master\}/$master_url}
    args+=("${a//\{shape\}/$slug}")
  done
  load=$(load_average)
  log "shape $slug, load $load: ${args[*]}"
  start_in 0 "$out/command-$slug.log" env SPARK_HOME="$spark_home" SPARK_SCALA_VERSION=2.12 \
    SPARK_LOCAL_IP="$(addr_of 0)" SPARK_CONF_DIR="$spark_home/conf" SCNN_MASTER="$master_url" SCNN_SHAPE="$slug" \
    SCNN_LOAD="$load" "${args[@]}"
  await_all "command for $slug" "${pids[-1]}"
  echo "$slug,$load,$out/command-$slug.log"
}

if [[ "$mode" == spark ]]; then
  start_spark
fi
for shape in "${shape_list[@]}"; do
  rate=${shape%/*}
  delay=${shape#*/}
  slug="$rate-$delay"
  apply_shape "$rate" "$delay"
  if [[ "$mode" == ring ]]; then
    for peers in "${peer_counts[@]}"; do
      for floats in "${vectors[@]}"; do
        ring_point "$slug" "$rate" "$delay" "$peers" "$floats"
      done
    done
  else
    run_command "$slug"
  fi
done
