#!/usr/bin/env bash
# Checks off-policy evaluation against the truth: rounds of a closed-loop market (a world file, each round
# with its own seed) on one running job; each round's log is evaluated alone for a policy the job did not
# run (--ope-policy, default greedy: the job's policy without exploration) and compared with that
# policy's true expected margin on the same requests. Report: .work/ope-seeds/ope-seeds.json; last line
# `ope-seeds: {json}` (covered_by_90pct_interval, max_relative_error, per seed figures).
# Usage: deploy/ope-seeds.sh [--seeds 10] [--world FILE] [--requests 50000] [--ope-policy greedy|list|uniform:D]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
seeds=10; requests=50000; work=.work/ope-seeds; args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --work-dir) work=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
LOOP_KAFKA_PORT=${LOOP_KAFKA_PORT:-19492} LOOP_REST_PORT=${LOOP_REST_PORT:-18481} \
  exec "$repo/deploy/learning-loop.sh" --work-dir "$work" --requests "$requests" "${args[@]}" --ope-seeds "$seeds"
