#!/usr/bin/env bash
# The rollout scenario in one command, on a real standalone cluster it starts and stops itself: Kafka
# broker + Flink session cluster, job submitted with v1, real REES46 traffic, rollout to v2 through a
# savepoint, a corrupt candidate refused, a candidate that fails on real traffic rolled back
# automatically. Checks every request got a decision, decisions after the rollout carry v2, and user
# state carried over. Last line: `rollout: {json}`; exit status 0 when every check holds.
# It also measures what each savepoint restart costs the storefronts, from the requests and decisions
# topics (Kafka timestamps, matched by request_id): `steady_p99_ms` is the request->decision latency p99
# of steady serving before the first rollout; for the promotion to the new version (from the rollout
# command to the end of its health check) `savepoint_gap_s` is the longest stretch with requests
# waiting and no decision published, `savepoint_waiting_requests` the requests sent meanwhile that
# waited longer than `steady_p99_ms`, `savepoint_rollout_p99_ms` their latency p99; `savepoint_steps`
# has the same figures (window_s, gap_s, requests, waiting_requests, undecided_requests, p99_ms) for
# each step that restarts the job: canary, promotion, auto_rollback, on_demand_rollback. Measured,
# not checked: they do not change the exit status.
# Usage: deploy/rollout-scenario.sh [--rate ROWS_PER_S] [--work-dir DIR] [--kafka-port P] [--rest-port P]
# Needs Debian's python3-onnx for the faulty candidate (model-assets/training/install-deps.sh).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
PRICING_LOG_FILE=${PRICING_LOG_FILE:-$repo/.work/rollout-scenario.log} JAVA_HEAP=${JAVA_HEAP:-1g} \
  exec "$repo/deploy/local/run-java.sh" org.pricingengine.tools.rollout.RolloutScenario "$@"
