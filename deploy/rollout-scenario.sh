#!/usr/bin/env bash
# The rollout scenario in one command, on a real standalone cluster it starts and stops itself: Kafka
# broker + Flink session cluster, job submitted with v1, real REES46 traffic, rollout to v2 through a
# savepoint, a corrupt candidate refused, a candidate that fails on real traffic rolled back
# automatically. Checks every request got a decision, decisions after the rollout carry v2, and user
# state carried over. Last line: `rollout: {json}`; exit status 0 when every check holds.
# Usage: deploy/rollout-scenario.sh [--rate ROWS_PER_S] [--work-dir DIR] [--kafka-port P] [--rest-port P]
# Needs Debian's python3-onnx for the faulty candidate (model-assets/training/install-deps.sh).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
PRICING_LOG_FILE=${PRICING_LOG_FILE:-$repo/.work/rollout-scenario.log} JAVA_HEAP=${JAVA_HEAP:-1g} \
  exec "$repo/deploy/local/run-java.sh" org.pricingengine.tools.rollout.RolloutScenario "$@"
