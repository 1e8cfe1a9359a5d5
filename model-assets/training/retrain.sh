#!/usr/bin/env bash
# Retrains a model version from scratch, reproducibly (fixed seed): replays the event logs through the
# job's own feature code, trains, exports ONNX, writes manifest.json and parity.json.
#
# Usage: model-assets/training/retrain.sh --version VERSION [--data FILE ...] [--out DIR] [train.py options]
#   default data: the bundled cosmetics log; default out: model-assets/models/VERSION
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
version=""; out=""; data=(); pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=$2; shift 2 ;;
    --data) data+=("$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) pass+=("$1"); shift ;;
  esac
done
[ -n "$version" ] || { echo "usage: $0 --version VERSION [--data FILE ...] [--out DIR] [--smoke] [--epochs N]" >&2; exit 2; }
[ ${#data[@]} -gt 0 ] || data=("$repo/model-assets/data/rees46/cosmetics_2019-10_2019-11.csv")
out=${out:-$repo/model-assets/models/$version}
examples="$repo/.work/examples-$version"
rm -rf "$examples"
"$repo/model-assets/training/extract.sh" "$examples" "${data[@]}"
"$repo/model-assets/training/train.sh" --examples "$examples" --out "$out" --version "$version" "${pass[@]}"
