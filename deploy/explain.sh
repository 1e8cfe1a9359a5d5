#!/usr/bin/env bash
# Explains one price decision for a shopper-support agent: the price against list, why (the decision's own
# explanation, else its reason codes and guardrails in plain words), model version and arm, whether chance
# chose the price to learn, the disclosure shown, and the feedback outcome once there is one.
#
# Usage: deploy/explain.sh --decision ID --bootstrap-servers HOST:PORT [--user USER_ID] [--json] [options]; e.g.
#   deploy/explain.sh --decision 3f0c...-... --bootstrap-servers 127.0.0.1:19092
#   deploy/explain.sh --decision 3f0c...-... --user 463240011 --bootstrap-servers 127.0.0.1:19092 --json
# --user reads only the partition that shopper's decisions go to (decisions are keyed by user id); the scan
# stops at the topic's end as of its start, or after --max-records. Exit status 1 when the decision is not
# found, 2 on bad options or an unreachable topic.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[ $# -ge 1 ] || { sed -n 2,11p "$0" >&2; exit 2; }
PRICING_LOG_FILE=${PRICING_LOG_FILE:-$repo/.work/explain.log} JAVA_HEAP=${JAVA_HEAP:-512m} \
  exec "$repo/deploy/local/run-java.sh" org.pricingengine.tools.fairness.ExplainDecision "$@"
