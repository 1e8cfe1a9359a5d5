#!/usr/bin/env bash
# The inference ceiling on CPU and CUDA side by side, in one go, on a machine with an NVIDIA GPU:
# proves the CUDA execution provider on real hardware and prints the speedup at the best batch.
# Needs: Java 17, Maven, an NVIDIA driver (nvidia-smi), and the CUDA 12 + cuDNN 9 runtime libraries that
# onnxruntime_gpu 1.24 links against (libcudart.so.12, libcublasLt.so.12, libcufft.so.11, libcudnn.so.9),
# found through LD_LIBRARY_PATH or ldconfig.
# Usage: deploy/bench/gpu-ceiling.sh [--seconds 2] [--cuda-device-id 0]; report: .work/bench/gpu-ceiling.json,
# last line `gpu: {json}`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-ceiling: no nvidia-smi on this machine: no NVIDIA GPU to measure" >&2
  exit 2
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
missing=()
for lib in libcudart.so.12 libcublasLt.so.12 libcufft.so.11 libcudnn.so.9; do
  found=false
  for dir in ${LD_LIBRARY_PATH//:/ }; do [ -e "$dir/$lib" ] && found=true; done
  ldconfig -p 2>/dev/null | grep -q "$lib" && found=true
  $found || missing+=("$lib")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "gpu-ceiling: missing CUDA runtime libraries: ${missing[*]} (install CUDA 12 and cuDNN 9, or add them to LD_LIBRARY_PATH)" >&2
  exit 2
fi
mkdir -p "$repo/.work/bench"
JAVA_HEAP=${JAVA_HEAP:-4g} PRICING_LOG_FILE="$repo/.work/bench/gpu-ceiling.log" \
  "$repo/deploy/local/run-java.sh" org.pricingengine.tools.benchmark.GpuCeiling "$@"
