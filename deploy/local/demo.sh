#!/usr/bin/env bash
# The pricing engine end to end on this machine, in one command:
#   builds the project, starts a real Kafka broker (KRaft, from Maven Central jars), runs the pricing
#   job on an embedded Flink with RocksDB state, replays a REES46-format log into it (default: the
#   bundled cosmetics file), shows progress, prints sample decisions and a summary, writes a report
#   with charts for pricing managers to $PRICING_WORK_DIR/demo/report/report.md, and stops everything
#   it started. The last line is `summary: {json}`.
#
# Usage: deploy/local/demo.sh [--data FILE] [--rate ROWS_PER_S] [--max-rows N] [--JOB-OPTION VALUE ...]
# Environment: DEMO_KAFKA_PORT (default 19092), PRICING_WORK_DIR (default <repo>/.work).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
work=${PRICING_WORK_DIR:-$repo/.work}/demo
port=${DEMO_KAFKA_PORT:-19092}

command -v java >/dev/null || { echo "demo: java (17+) not found on PATH" >&2; exit 1; }
command -v mvn >/dev/null || { echo "demo: mvn (Maven 3.8+) not found on PATH" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work/tmp"
kafka_state="$work/kafka"
stop_kafka() { "$repo/deploy/local/kafka.sh" stop --state-dir "$kafka_state" --port "$port" >/dev/null 2>&1 || true; }
trap stop_kafka EXIT
echo "== starting Kafka on 127.0.0.1:$port"
"$repo/deploy/local/kafka.sh" start --state-dir "$kafka_state" --port "$port"

echo "== running the pricing job (embedded Flink, RocksDB) and replaying data"
JAVA_HEAP=3g JAVA_TMPDIR="$work/tmp" PRICING_LOG_FILE="$work/job.log" \
  "$repo/deploy/local/run-java.sh" org.pricingengine.tools.local.LocalDemo \
  --bootstrap-servers "127.0.0.1:$port" --work-dir "$work" "$@"
