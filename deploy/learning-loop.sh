#!/usr/bin/env bash
# The job in a closed loop with a simulated market, in one command: starts a Kafka broker and a
# standalone Flink cluster of its own, submits the job (model v1 unless --model), plays the shoppers of
# a world file (true demand) against it for N price requests, waits for the last feedback outcomes,
# writes report.md, learning-curve.png, loop.json and loop-details.json under .work/loop/, and stops
# everything it started. The last line is `loop: {json}`. A world with `stock` or `competitors` runs the
# job with its stock and competitor durations on the loop's time scale (--day 1h: an hour of event time
# stands for a day); --compare-stock plays the world with the job's stock rule on and off
# (deploy/stock-scenario.sh).
#
# Usage: deploy/learning-loop.sh [--world FILE] [--requests N] [--seed S] [--rounds 1] [--model V]
#                                [--work-dir DIR] [--JOB-OPTION VALUE ...]   (--help lists all)
# Environment: LOOP_KAFKA_PORT (19392), LOOP_REST_PORT (18381), JAVA_HEAP (3g).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
work=.work/loop
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = "--work-dir" ] && [ $((i + 1)) -lt ${#args[@]} ] && work=${args[$((i + 1))]}
done
kafka_port=${LOOP_KAFKA_PORT:-19392}
rest_port=${LOOP_REST_PORT:-18381}
# The tool stops the stack itself; this covers an interrupted or killed run.
cleanup() {
  "$repo/deploy/local/flink-cluster.sh" stop --state-dir "$work/flink" --rest-port "$rest_port" >/dev/null 2>&1 || true
  "$repo/deploy/local/kafka.sh" stop --state-dir "$work/kafka" --port "$kafka_port" >/dev/null 2>&1 || true
}
trap cleanup EXIT
mkdir -p "$work"
JAVA_HEAP=${JAVA_HEAP:-3g} PRICING_LOG_FILE=${PRICING_LOG_FILE:-$repo/.work/learning-loop.log} \
  "$repo/deploy/local/run-java.sh" org.pricingengine.tools.market.LearningLoop \
  --kafka-port "$kafka_port" --rest-port "$rest_port" "$@"
