#!/usr/bin/env bash
# Bounded state, measured: a million distinct shoppers (re-keyed real REES46 sessions) through the job on
# embedded Flink with RocksDB, measured after each quarter (full checkpoint size, RocksDB directory size,
# bytes per shopper), then a thousand shoppers returning with 200 events each (per-shopper state must not
# grow with events). Starts its own Kafka broker on loopback and stops it. Last line `state-bound: {json}`.
# Usage: deploy/bench/state-bound.sh [--users N] [--priced-share F] [--heavy-users N] [--heavy-events N]
#                                    [--idle-wait 90s --user.ttl 1min ...] [JOB OPTIONS]
# Environment: STATE_BOUND_KAFKA_PORT (default 19792), PRICING_WORK_DIR (default <repo>/.work).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
work=${PRICING_WORK_DIR:-$repo/.work}/state-bound
port=${STATE_BOUND_KAFKA_PORT:-19792}
rm -rf "$work"; mkdir -p "$work/tmp"
stop_kafka() { "$repo/deploy/local/kafka.sh" stop --state-dir "$work/kafka" --port "$port" >/dev/null 2>&1 || true; }
trap stop_kafka EXIT
"$repo/deploy/local/kafka.sh" start --state-dir "$work/kafka" --port "$port"
JAVA_HEAP=${JAVA_HEAP:-3g} JAVA_TMPDIR="$work/tmp" PRICING_LOG_FILE="$work/job.log" \
  "$repo/deploy/local/run-java.sh" org.pricingengine.tools.benchmark.StateBoundBenchmark \
  --bootstrap-servers "127.0.0.1:$port" --work-dir "$work" "$@"
