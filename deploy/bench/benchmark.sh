#!/usr/bin/env bash
# The benchmark, in one command: inference ceiling, the job end to end (flat out, then 25/50/75% load),
# the naive synchronous peer, and (without --quick) a 30-minute soak. Starts its own Kafka broker on
# loopback and stops it. Report: .work/bench/bench.json; last line `bench: {json}`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
# Usage: deploy/bench/benchmark.sh [--quick] [JOB OPTIONS, e.g. --checkpoint.interval 60s]
quick=false
if [ "${1:-}" = "--quick" ]; then quick=true; shift; fi
work=${PRICING_WORK_DIR:-$repo/.work}/bench
port=${BENCH_KAFKA_PORT:-19192}
rm -rf "$work"; mkdir -p "$work/tmp"
stop_kafka() { "$repo/deploy/local/kafka.sh" stop --state-dir "$work/kafka" --port "$port" >/dev/null 2>&1 || true; }
trap stop_kafka EXIT
"$repo/deploy/local/kafka.sh" start --state-dir "$work/kafka" --port "$port"
JAVA_HEAP=3g JAVA_TMPDIR="$work/tmp" PRICING_LOG_FILE="$work/job.log" \
  "$repo/deploy/local/run-java.sh" org.pricingengine.tools.benchmark.EndToEndBenchmark \
  --bootstrap-servers "127.0.0.1:$port" --work-dir "$work" --quick "$quick" "$@"
