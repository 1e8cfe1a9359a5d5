#!/usr/bin/env bash
# Prices a semi-synthetic market (real shoppers and requests, known demand curves) with four policies:
# list price, the best uniform discount, the job's policy with the model, and the oracle.
# See MarketSimulator for the assumptions. Last line: `simulation: {json}`.
# Usage: model-assets/training/simulate.sh --model VERSION [--data FILE] [--from ISO-TIME] [--b-median 2.5]
#        [--user-noise 0.5] [--seed 7] [--json-out FILE]
set -euo pipefail
exec "$(dirname "$0")/../../deploy/local/run-java.sh" org.pricingengine.tools.evaluation.MarketSimulator "$@"
