#!/usr/bin/env bash
# Evaluates a shipped model version on any REES46-format log, scoring exactly as the job does
# (feature-functions + ONNX Runtime in Java), against the baselines fitted at training time.
# Usage: model-assets/training/evaluate.sh --data FILE --model VERSION [--from ISO-TIME] [--json-out FILE]
# Prints a table; the last line is `metrics: {json}`.
set -euo pipefail
exec "$(dirname "$0")/../../deploy/local/run-java.sh" org.pricingengine.tools.evaluation.ModelEvaluation "$@"
