#!/usr/bin/env bash
# Off-policy evaluation: what a target pricing policy would earn per request (margin, revenue, conversion),
# estimated from the job's logged feedback outcomes (IPS, self-normalised IPS, doubly robust, bootstrap
# intervals by shopper). See README "Off-policy evaluation".
#
# Usage: deploy/ope.sh --policy list|uniform:D|greedy|model:VERSION (--feedback-log FILE | --bootstrap-servers HOST:PORT) [options]; e.g.
#   deploy/ope.sh --policy greedy --feedback-log .work/feedback.jsonl
#   deploy/ope.sh --policy model:v2 --bootstrap-servers 127.0.0.1:19092 --features-topic pricing.decision-features
#   deploy/ope.sh --policy uniform:0.05 --feedback-log feedback.jsonl --max-weight 20 --resamples 500 --confidence 0.95
# The last line is `ope: {json}`; exit status 1 when no logged outcome could be used, 2 on bad options.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[ $# -ge 1 ] || { sed -n 2,11p "$0" >&2; exit 2; }
PRICING_LOG_FILE=${PRICING_LOG_FILE:-$repo/.work/ope.log} JAVA_HEAP=${JAVA_HEAP:-1g} \
  exec "$repo/deploy/local/run-java.sh" org.pricingengine.tools.evaluation.OffPolicyEvaluation "$@"
