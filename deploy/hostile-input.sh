#!/usr/bin/env bash
# Hostile input in one command: starts a real Kafka broker (unless --bootstrap-servers is given), sends
# valid REES46 traffic, files of bad records and seeded fuzz mutations to the input topics, runs the
# pricing job over them (embedded Flink, RocksDB, no restarts allowed) and checks that every bad record
# is in the dead-letter topic with its reason, every valid request is priced and the job finished.
# Last line: `hostile: {json}`; exit status 0 when every check holds.
#
# Usage: deploy/hostile-input.sh [--records FILE:ROLE ...] [--fuzz N] [--seed S] [--rows N] [--data FILE]
#                                [--bootstrap-servers HOST:PORT] [--JOB-OPTION VALUE ...]
#   FILE holds one record per line (raw bytes; an empty line is an empty record); ROLE is behaviour,
#   requests, catalog or competitors. A FILE.expected beside it (same name, .expected instead of the extension), one
#   line per record with ACCEPT or a reason code, pins each verdict; without it the parser's verdict is
#   held against the job. Without --records: the bundled corpus (integration-tests/src/test/resources/
#   hostile-records). Defaults: --fuzz 3000 --seed 46 --rows 3000.
# Environment: HOSTILE_KAFKA_PORT (default 19692), PRICING_WORK_DIR (default <repo>/.work).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
work=${PRICING_WORK_DIR:-$repo/.work}/hostile-input
port=${HOSTILE_KAFKA_PORT:-19692}
corpus="$repo/integration-tests/src/test/resources/hostile-records"

args=("$@")
has() { local a; for a in "${args[@]}"; do [ "$a" = "$1" ] && return 0; done; return 1; }
if ! has --records; then
  args+=(--records "$corpus/behaviour-events.jsonl:behaviour" --records "$corpus/price-requests.jsonl:requests"
         --records "$corpus/catalog-updates.jsonl:catalog" --records "$corpus/competitor-prices.jsonl:competitors")
fi
mkdir -p "$work/tmp"
if ! has --bootstrap-servers; then
  kafka_state="$work/kafka"
  rm -rf "$kafka_state"
  stop_kafka() { "$repo/deploy/local/kafka.sh" stop --state-dir "$kafka_state" --port "$port" >/dev/null 2>&1 || true; }
  trap stop_kafka EXIT
  echo "== starting Kafka on 127.0.0.1:$port"
  "$repo/deploy/local/kafka.sh" start --state-dir "$kafka_state" --port "$port"
  args+=(--bootstrap-servers "127.0.0.1:$port")
fi
echo "== sending records and running the pricing job over them"
JAVA_HEAP=${JAVA_HEAP:-3g} JAVA_TMPDIR="$work/tmp" PRICING_LOG_FILE="$work/job.log" \
  "$repo/deploy/local/run-java.sh" org.pricingengine.tools.audit.HostileInputCheck "${args[@]}"
