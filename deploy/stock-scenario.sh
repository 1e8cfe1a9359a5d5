#!/usr/bin/env bash
# The job's stock rule on and off in the same stock-limited market: starts a Kafka broker and a
# standalone Flink cluster of its own, plays the world (default deploy/worlds/stock-limited.json) for N
# price requests against a job with stock.enabled=true, then the same world, seed and shoppers against a
# fresh job with stock.enabled=false (each job on topics of its own), and compares stock-outs (lost
# sales, lost margin), realized revenue and margin, the share of LOW_STOCK and OVERSTOCK decisions and
# the units left at the end. Writes stock-comparison.{md,json,png} (and each run's report under
# stock-on/ and stock-off/) into .work/stock-scenario/, stops everything it started. The last line is
# `stock-comparison: {json}`. The job's stock durations are scaled to the loop's event time (--day 1h:
# an hour of event time stands for a day; see the README).
#
# Usage: deploy/stock-scenario.sh [--world FILE] [--requests 150000] [--seed S] [--day 1h]
#                                 [--work-dir DIR] [--JOB-OPTION VALUE ...]
# Environment: STOCK_KAFKA_PORT (19592), STOCK_REST_PORT (18581), JAVA_HEAP (3g).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
world=deploy/worlds/stock-limited.json; requests=150000; work=.work/stock-scenario; args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --world) world=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --work-dir) work=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
LOOP_KAFKA_PORT=${STOCK_KAFKA_PORT:-19592} LOOP_REST_PORT=${STOCK_REST_PORT:-18581} \
  exec "$repo/deploy/learning-loop.sh" --work-dir "$work" --world "$world" --requests "$requests" \
  "${args[@]}" --compare-stock
