#!/usr/bin/env bash
# Retrains a model version from scratch, reproducibly (fixed seed): replays the event logs through the
# job's own feature code, trains, exports ONNX, writes manifest.json and parity.json.
#
# Usage: model-assets/training/retrain.sh --version VERSION [--data FILE ...] [--out DIR] [train.py options]
#   default data: the bundled cosmetics log; default out: model-assets/models/VERSION
#
# From the job's logged feedback (the price head learns from randomized decisions; README.md):
#   model-assets/training/retrain.sh --from-feedback --bootstrap-servers HOST:PORT [--feedback-topic T]
#       [--features-topic T] [--kafka-config FILE] [--kafka.client.KEY VALUE ...] --version VERSION [--base-examples DIR] [--out DIR]
#       [train.py options, e.g. --weighting none, --base-weight 1.0, --smoke]
#   model-assets/training/retrain.sh --from-feedback --feedback-file F.jsonl --features-file F.jsonl ...
#   --base-examples: examples written by extract.sh (REES46) that teach the base logit only.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
version=""; out=""; data=(); pass=(); feedback=false; export_args=(); base=""
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=$2; shift 2 ;;
    --data) data+=("$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --from-feedback) feedback=true; shift ;;
    --bootstrap-servers|--feedback-topic|--features-topic|--feedback-file|--features-file|--weight-clip|--max-decisions|--model-dir|--read-timeout|--kafka-config|--kafka.client.*)
      export_args+=("$1" "$2"); shift 2 ;;
    --base-examples) base=$2; shift 2 ;;
    *) pass+=("$1"); shift ;;
  esac
done
usage="usage: $0 --version VERSION [--data FILE ...] [--out DIR] [--smoke] [--epochs N]
       $0 --from-feedback (--bootstrap-servers HOST:PORT | --feedback-file F --features-file F) --version VERSION [--base-examples DIR]"
[ -n "$version" ] || { echo "$usage" >&2; exit 2; }
out=${out:-$repo/model-assets/models/$version}
if $feedback; then
  [ ${#data[@]} -eq 0 ] || { echo "--data is for the REES46 path; with --from-feedback give --base-examples DIR (extract.sh)" >&2; exit 2; }
  [ ${#export_args[@]} -gt 0 ] || { echo "$usage" >&2; exit 2; }
  examples="$repo/.work/feedback-examples-$version"
  rm -rf "$examples"
  "$repo/model-assets/training/export-feedback.sh" --out "$examples" "${export_args[@]}"
  base_args=()
  [ -z "$base" ] || base_args=(--examples "$base")
  "$repo/model-assets/training/train.sh" --from-feedback "$examples" "${base_args[@]}" --out "$out" \
    --version "$version" "${pass[@]}"
  exit 0
fi
[ ${#export_args[@]} -eq 0 ] && [ -z "$base" ] || { echo "feedback options need --from-feedback" >&2; exit 2; }
[ ${#data[@]} -gt 0 ] || data=("$repo/model-assets/data/rees46/cosmetics_2019-10_2019-11.csv")
examples="$repo/.work/examples-$version"
rm -rf "$examples"
"$repo/model-assets/training/extract.sh" "$examples" "${data[@]}"
"$repo/model-assets/training/train.sh" --examples "$examples" --out "$out" --version "$version" "${pass[@]}"
