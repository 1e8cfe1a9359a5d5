#!/usr/bin/env bash
# Price fairness report: price relative to list by shopper segment (new vs returning, device, channel, the
# learning segment, the retailer's own segments), price dispersion per item and hour, and the share of
# shoppers quoted more than another shopper for the same item in the same hour; from the decisions and
# feedback-outcomes topics of a running or finished job. Writes fairness.md, fairness.json and PNG charts.
#
# Usage: deploy/fairness-report.sh (--bootstrap-servers HOST:PORT | --decisions-log FILE --feedback-log FILE) [options]; e.g.
#   deploy/fairness-report.sh --bootstrap-servers 127.0.0.1:19092 --out-dir .work/fairness
#   deploy/fairness-report.sh --bootstrap-servers 127.0.0.1:19092 --segments shoppers.csv   # CSV user_id,segment
#   deploy/fairness-report.sh --decisions-log decisions.jsonl --feedback-log outcomes.jsonl
# The last line is `fairness-report: {json}`; exit status 1 when there was no decision, 2 on bad options.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
[ $# -ge 1 ] || { sed -n 2,12p "$0" >&2; exit 2; }
PRICING_LOG_FILE=${PRICING_LOG_FILE:-$repo/.work/fairness-report.log} JAVA_HEAP=${JAVA_HEAP:-1g} \
  exec "$repo/deploy/local/run-java.sh" org.pricingengine.tools.fairness.FairnessReport "$@"
