#!/usr/bin/env bash
# Writes training examples from the job's logged feedback: feedback outcomes joined with the model input
# of their randomized decisions (decision-features topic), with propensities and inverse-propensity
# weights (class FeedbackExamples; layout in ../CONTRACT.md). Last line: `feedback-examples: {json}`.
# Usage: model-assets/training/export-feedback.sh --out DIR
#          (--bootstrap-servers HOST:PORT [--feedback-topic T] [--features-topic T] [--kafka-config FILE]
#           | --feedback-file F.jsonl --features-file F.jsonl) [--weight-clip 50]
set -euo pipefail
exec "$(dirname "$0")/../../deploy/local/run-java.sh" org.pricingengine.tools.evaluation.FeedbackExamples "$@"
