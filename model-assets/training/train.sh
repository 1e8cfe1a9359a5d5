#!/usr/bin/env bash
# Trains and exports a demand model. Needs Debian's PyTorch and onnx:
#   apt-get install -y python3-torch python3-onnx libopenblas0-pthread
# Usage: model-assets/training/train.sh --examples DIR --out model-assets/models/VERSION --version VERSION [...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3   # Debian's interpreter: the one the python3-torch package installs into
if ! "$py" -c "import torch, onnx" 2>/dev/null; then
  echo "train.sh: PyTorch/onnx missing; install with: apt-get install -y python3-torch python3-onnx libopenblas0-pthread" >&2
  exit 1
fi
# Debian's torch links the reference BLAS; OpenBLAS first on the path trains several times faster.
openblas=$(dirname "$(dpkg -L libopenblas0-pthread 2>/dev/null | grep -m1 'libblas.so.3$' || echo /nonexistent/x)")
if [ -d "$openblas" ]; then
  export LD_LIBRARY_PATH="$openblas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
exec "$py" "$here/train.py" "$@"
