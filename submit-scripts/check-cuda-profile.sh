#!/usr/bin/env bash
# Checks the GPU build's dependencies (the Maven profile "cuda") without a GPU and without downloading them:
#   submit-scripts/check-cuda-profile.sh            resolve the profile's dependency tree from POMs only
#                                                   (dependency:tree -Dverbose collects, it downloads no jar;
#                                                   a few MB of POMs on the first run) and check it
#   submit-scripts/check-cuda-profile.sh --archs [JAR]
#                                                   list the GPU architectures compiled into libnd4jcuda of the
#                                                   nd4j-cuda-11.6 linux-x86_64 jar (default: the one in the local
#                                                   Maven repository, present after mvn -Pcuda package; 601 MB)
# CI runs the first form (.ci/run): it is cheap and catches a profile that no longer resolves or pulls the
# wrong natives. Building the GPU jar itself (mvn -Pcuda package) downloads ~2.4 GB (nd4j-cuda 601 MB, CUDA
# redist 1.83 GB) and needs a GPU to test, so CI does not.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ "${1:-}" == "--archs" ]]; then
  jar="${2:-${MAVEN_REPO:-$HOME/.m2/repository}/org/nd4j/nd4j-cuda-11.6/1.0.0-M2.1/nd4j-cuda-11.6-1.0.0-M2.1-linux-x86_64.jar}"
  [[ -f "$jar" ]] || { echo "check-cuda-profile: $jar not found (build once with mvn -Pcuda package, or name the jar)" >&2; exit 2; }
  # a fatbin container: magic 0xBA55ED50, version, header size, payload size; then entries of kind 1 (PTX)
  # or 2 (ELF cubin) with their sm number at offset 28
  exec python3 - "$jar" <<'PY'
import collections, struct, sys, zipfile
data = zipfile.ZipFile(sys.argv[1]).read("org/nd4j/linalg/jcublas/bindings/linux-x86_64/libnd4jcuda.so")
magic, pos, found = struct.pack("<I", 0xBA55ED50), 0, collections.Counter()
while (p := data.find(magic, pos)) >= 0:
    _, hsize, fsize = struct.unpack_from("<HHQ", data, p + 4)
    if hsize != 16 or fsize == 0 or p + 16 + fsize > len(data):
        pos = p + 4
        continue
    e, end = p + hsize, p + hsize + fsize
    while e < end:
        kind, _, eh, size = struct.unpack_from("<HHIQ", data, e)
        found[("PTX" if kind == 1 else "cubin") + " sm_%d" % struct.unpack_from("<I", data, e + 28)[0]] += 1
        if eh == 0:
            break
        e += eh + size
    pos = end
for k in sorted(found):
    print(k, found[k])
PY
fi

tree="$(mktemp)"
trap 'rm -f "$tree"' EXIT
mvn -B -ntp -q -Pcuda dependency:tree -Dverbose -DoutputFile="$tree"
status=0
need() {
  grep -q -- "$1" "$tree" || { echo "check-cuda-profile: missing from the cuda profile: $1" >&2; status=1; }
}
need "org.nd4j:nd4j-cuda-11.6:jar:1.0.0-M2.1:compile"
need "org.nd4j:nd4j-cuda-11.6:jar:linux-x86_64:1.0.0-M2.1:compile"
need "org.bytedeco:cuda:jar:linux-x86_64-redist:11.6-8.3-1.5.7:compile"
if grep -E "org\.nd4j:nd4j-native:jar:[^:]*:?1\.0\.0-M2\.1:(compile|runtime)" "$tree" >&2; then
  echo "check-cuda-profile: nd4j-native (the CPU backend) is still packaged in the cuda profile" >&2
  status=1
fi
if grep -E "org\.bytedeco:(dnnl|opencl):jar:linux-x86_64:[^:]*:(compile|runtime)" "$tree" >&2; then
  echo "check-cuda-profile: oneDNN's natives (the CPU training step) are packaged in the cuda profile" >&2
  status=1
fi
if grep -E ":jar:(windows|macosx|android|ios|linux-(arm|ppc|armhf|arm64|ppc64le))[^:]*:" "$tree" | grep -v -- "- omitted" >&2; then
  echo "check-cuda-profile: natives of other platforms in the cuda profile (the -platform artifacts pull ~7 GB)" >&2
  status=1
fi
if [[ $status -eq 0 ]]; then
  echo "check-cuda-profile: ok: nd4j-cuda-11.6 linux-x86_64 + CUDA 11.6/cuDNN 8.3 redist for linux-x86_64 only, no nd4j-native"
fi
exit $status
