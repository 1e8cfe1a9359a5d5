#!/usr/bin/env bash
# Model rollouts through savepoints on a running Flink cluster: submit, validate, rollout (validate ->
# stop with savepoint -> resubmit with the new model -> verify health -> automatic rollback), canary,
# promote, rescale (the same path with a new parallelism instead of a new model; the rollback returns to
# the previous one), rollback, canary-report, status, history. See README "Rolling out models".
#
# Usage: deploy/rollout.sh COMMAND [--option value ...]; e.g.
#   deploy/rollout.sh submit --model v1 --kafka.bootstrap-servers 127.0.0.1:19092
#   deploy/rollout.sh rollout --model v2
#   deploy/rollout.sh canary --canary v2 --canary-share 0.1 ; deploy/rollout.sh canary-report ; deploy/rollout.sh promote
#   deploy/rollout.sh rescale --parallelism 4   # needs 4 task slots: flink-cluster.sh --task-managers N
#   deploy/rollout.sh rollback ; deploy/rollout.sh history
# The last line is `rollout-result: {json}`; exit status 0 when the command did what it was asked.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[ $# -ge 1 ] || { sed -n 2,13p "$0" >&2; exit 2; }
# The job jar the cluster runs (pricing-job/target/*-job.jar) is built by run-java.sh's install step.
PRICING_LOG_FILE=${PRICING_LOG_FILE:-$repo/.work/rollout.log} JAVA_HEAP=${JAVA_HEAP:-1g} \
  exec "$repo/deploy/local/run-java.sh" org.pricingengine.tools.rollout.RolloutTool "$@"
