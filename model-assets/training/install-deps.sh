#!/usr/bin/env bash
# Installs what training needs, from Debian's packages (there is no PyPI here): PyTorch, onnx, and
# OpenBLAS (Debian's torch otherwise uses the reference BLAS, several times slower). Needs root.
set -euo pipefail
if /usr/bin/python3 -c "import torch, onnx" 2>/dev/null && dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  echo "training dependencies present: $(/usr/bin/python3 -c 'import torch, onnx; print("torch", torch.__version__, "onnx", onnx.__version__)')"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-deps.sh: run as root (or: sudo apt-get install -y python3-torch python3-onnx libopenblas0-pthread)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3-torch python3-onnx libopenblas0-pthread >/dev/null
/usr/bin/python3 -c "import torch, onnx; print('installed torch', torch.__version__, 'onnx', onnx.__version__)"
