#!/usr/bin/env bash
# Evaluates a shipped model version on any REES46-format log, scoring exactly as the job does
# (feature-functions + ONNX Runtime in Java), against the baselines fitted at training time.
# Usage: model-assets/training/evaluate.sh --data FILE --model VERSION [--from ISO-TIME] [--json-out FILE]
# Prints a table; the last line is `metrics: {json}`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
mvn -B -q -DskipTests install >&2
cp_file="$repo/pricing-job/target/demo.classpath"
mvn -B -q -f pricing-job/pom.xml dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile="$cp_file" >&2
mkdir -p "$repo/.work/tmp"
exec java -Xmx2g -Djava.io.tmpdir="$repo/.work/tmp" -Dlog4j2.level=WARN \
  -Dlog4j.configurationFile="$repo/deploy/local/log4j2-demo.properties" -Dpricing.log.file="$repo/.work/evaluate.log" \
  -cp "$repo/pricing-job/target/classes:$repo/feature-functions/target/classes:$(cat "$cp_file")" \
  org.pricingengine.job.evaluation.ModelEvaluation "$@"
