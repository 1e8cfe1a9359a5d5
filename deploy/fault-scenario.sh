#!/usr/bin/env bash
# Process faults on a real standalone cluster in one command: starts a Kafka broker and a Flink session
# cluster, submits the job, replays REES46 traffic, kills the TaskManager with SIGKILL mid-replay (and
# starts a new one), restarts the broker mid-replay, then stops the job with a draining savepoint and
# audits the topics: every valid request has a decision, repeated decisions are identical, each
# feedback outcome is committed once. Last line: `faults: {json}`; exit status 0 when every check holds.
# Usage: deploy/fault-scenario.sh [--rate ROWS_PER_S] [--rows N] [--work-dir DIR] [--kafka-port P] [--rest-port P]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
PRICING_LOG_FILE=${PRICING_LOG_FILE:-$repo/.work/fault-scenario.log} JAVA_HEAP=${JAVA_HEAP:-1g} \
  exec "$repo/deploy/local/run-java.sh" org.pricingengine.tools.audit.FaultScenario "$@"
