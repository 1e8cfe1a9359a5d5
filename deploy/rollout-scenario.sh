#!/usr/bin/env bash
# The rollout scenario in one command, on a real standalone cluster it starts and stops itself: Kafka
# broker + Flink session cluster of two TaskManagers (2 slots each), job submitted with v1 at parallelism
# 2, real REES46 traffic, a canary of v2 as a hot swap inside the running job and its promotion through a
# savepoint (both paths side by side), a corrupt candidate refused (by the tool, and by every scoring
# subtask when asked for straight on the control topic: `job_refused_ok`), a candidate that fails on
# real traffic hot swapped in and back automatically, a rollback on demand to the canary deployment (a
# hot swap), then that deployment rescaled to parallelism 4 and back to 2 (deploy/rollout.sh rescale:
# savepoint, resubmit at the new parallelism, health check). Checks every request got a decision,
# decisions after the rollout carry v2, and user state carried over. `paths` says which path each step
# took. Last line: `rollout: {json}`; exit status 0 when every check holds.
# The rescale figures: `rescale_up_outcome`/`rescale_down_outcome` (PROMOTED), `rescale_missing`
# (requests of the whole run without a decision), `rescale_differing_duplicates` (repeated decisions
# published during the rescales that differ from the copy published before them),
# `probe_history_after_rescale` (the probe shoppers' history, as before the rollouts), `rescale_wrong_arm`
# (decisions after the first rescale not on the canary split's model and arm),
# `reissued_requests`/`reissues_identical` (20 decided requests sent again after the rescales with their
# request_id: their decision must come back byte for byte), `rescale_gap_s` and `rescale_steps` (as the
# savepoint figures below, per rescale), `rescale_ok`.
# When the replayed log is through before the rescales, the cosmetics log's rows from 2019-10-31 on keep
# traffic flowing.
# It also measures what each switch costs the storefronts, from the requests and decisions topics (Kafka
# timestamps, matched by request_id): `steady_p99_ms` is the request->decision latency p99 of steady
# serving before the first rollout; for the savepoint promotion (from the rollout command to the end of
# its health check) `savepoint_gap_s` is the longest stretch with requests waiting and no decision
# published, `savepoint_waiting_requests` the requests sent meanwhile that waited longer than
# `steady_p99_ms`, `savepoint_rollout_p99_ms` their latency p99; `hot_swap_gap_s` (the longest),
# `hot_swap_waiting_requests` (together) and `hot_swap_p99_ms` the same for the hot swaps (canary,
# auto_rollback, on_demand_rollback); `savepoint_steps` and `hot_swap_steps` have the figures
# (window_s, gap_s, requests, waiting_requests, undecided_requests, p99_ms) per step, and
# `hot_swap_switches` per hot swap from its control record to the last subtask's SERVING report
# (`switch_ms`) plus 2 s. Measured, not checked: they do not change the exit status.
# Usage: deploy/rollout-scenario.sh [--rate ROWS_PER_S] [--work-dir DIR] [--kafka-port P] [--rest-port P]
# Needs Debian's python3-onnx for the faulty candidate (model-assets/training/install-deps.sh).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
PRICING_LOG_FILE=${PRICING_LOG_FILE:-$repo/.work/rollout-scenario.log} JAVA_HEAP=${JAVA_HEAP:-1g} \
  exec "$repo/deploy/local/run-java.sh" org.pricingengine.tools.rollout.RolloutScenario "$@"
