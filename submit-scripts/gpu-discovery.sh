#!/usr/bin/env bash
# Spark 3 GPU discovery script for sparkcnn executors and standalone workers:
#   spark.executor.resource.gpu.discoveryScript=/path/to/gpu-discovery.sh
#   spark.worker.resource.gpu.discoveryScript=/path/to/gpu-discovery.sh   (standalone workers)
# Asks nvidia-smi for this host's GPUs and prints the JSON Spark expects, e.g.
#   {"name":"gpu","addresses":["0","1"]}
# Addresses are nvidia-smi indices (PCI bus order; sparkcnn sets CUDA_DEVICE_ORDER=PCI_BUS_ID on its
# executors so that CUDA numbers them the same way). When CUDA_VISIBLE_DEVICES is set (indices or UUIDs),
# only those GPUs are listed. GPUs that sparkcnn's CUDA build has no kernels for (it covers sm_37..sm_86;
# Hopper sm_90 and newer are not covered) are still listed but warned about on stderr: sparkcnn's executor
# refuses them with a clear message. Fails (exit 1, reason on stderr) without nvidia-smi or without GPUs.
set -euo pipefail

smi="${NVIDIA_SMI:-nvidia-smi}"
if ! command -v "$smi" >/dev/null 2>&1; then
  echo "gpu-discovery.sh: '$smi' not found on PATH on $(hostname): no NVIDIA driver installed here, or nvidia-smi is not on the PATH of the Spark worker/executor" >&2
  exit 1
fi

# compute_cap needs driver >= 510; older drivers reject the field, so ask again without it
if ! gpus="$("$smi" --query-gpu=index,uuid,compute_cap --format=csv,noheader 2>&1)"; then
  if ! gpus="$("$smi" --query-gpu=index,uuid --format=csv,noheader 2>&1)"; then
    echo "gpu-discovery.sh: $smi failed on $(hostname): $gpus" >&2
    exit 1
  fi
fi

printf '%s\n' "$gpus" | awk -F', *' -v visible="${CUDA_VISIBLE_DEVICES-__unset__}" -v host="$(hostname)" '
  function shown(idx, uuid,    n, i, entries) {
    if (visible == "__unset__" || visible == "") return 1
    n = split(visible, entries, / *, */)
    for (i = 1; i <= n; i++) {
      if (entries[i] == "") continue
      if (entries[i] == idx || (uuid != "" && index(uuid, entries[i]) == 1)) return 1
    }
    return 0
  }
  # sm_37 and every 5.x..8.x: the sm_37/50/60/70/80 cubins of libnd4jcuda run on later minors of their major
  function supported(cap,    parts) {
    if (cap !~ /^[0-9]+\.[0-9]+$/) return 1
    split(cap, parts, ".")
    if (parts[1] == 3) return parts[2] >= 7
    return parts[1] >= 5 && parts[1] <= 8
  }
  NF == 0 { next }
  $1 !~ /^[0-9]+$/ { printf "gpu-discovery.sh: unexpected nvidia-smi output on %s: %s\n", host, $0 > "/dev/stderr"; bad = 1; next }
  {
    if (!shown($1, $2)) next
    if (NF >= 3 && !supported($3))
      printf "gpu-discovery.sh: warning: GPU %s on %s has compute capability %s; sparkcnn CUDA build supports sm_37..sm_86 only and will refuse it (run on CPU instead)\n", $1, host, $3 > "/dev/stderr"
    addresses = addresses (count++ ? "," : "") "\"" $1 "\""
  }
  END {
    if (bad) exit 1
    if (count == 0) {
      printf "gpu-discovery.sh: no GPU found on %s (CUDA_VISIBLE_DEVICES=%s)\n", host, visible > "/dev/stderr"
      exit 1
    }
    printf "{\"name\":\"gpu\",\"addresses\":[%s]}\n", addresses
  }'
