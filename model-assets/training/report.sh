#!/usr/bin/env bash
# Writes a model version's evaluation report next to it: REPORT.md, calibration.png, demand_curves.png
# and evaluation.json. Needs python3-matplotlib (apt-get install -y python3-matplotlib).
# Usage: model-assets/training/report.sh --model VERSION [--data FILE]   (default data: the bundled cosmetics log)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
model=""; data="$repo/model-assets/data/rees46/cosmetics_2019-10_2019-11.csv"
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    *) echo "usage: $0 --model VERSION [--data FILE]" >&2; exit 2 ;;
  esac
done
[ -n "$model" ] || { echo "usage: $0 --model VERSION [--data FILE]" >&2; exit 2; }
/usr/bin/python3 -c "import matplotlib" 2>/dev/null || { echo "report.sh: apt-get install -y python3-matplotlib" >&2; exit 1; }
dir="$repo/model-assets/models/$model"
"$repo/model-assets/training/evaluate.sh" --data "$data" --model "$model" --json-out "$dir/evaluation.json"
/usr/bin/python3 "$repo/model-assets/training/report.py" "$dir/evaluation.json" "$dir"
echo "report written to $dir/REPORT.md"
