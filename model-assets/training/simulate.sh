#!/usr/bin/env bash
# Prices a semi-synthetic market (real shoppers and requests, known demand curves) with four policies:
# list price, the best uniform discount, the job's policy with the model, and the oracle.
# See MarketSimulator for the assumptions. Last line: `simulation: {json}`.
# Usage: model-assets/training/simulate.sh --model VERSION [--data FILE] [--from ISO-TIME] [--b-median 2.5]
#        [--user-noise 0.5] [--seed 7] [--json-out FILE]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
mvn -B -q -DskipTests install >&2
cp_file="$repo/pricing-job/target/demo.classpath"
mvn -B -q -f pricing-job/pom.xml dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile="$cp_file" >&2
mkdir -p "$repo/.work/tmp"
exec java -Xmx2g -Djava.io.tmpdir="$repo/.work/tmp" \
  -Dlog4j.configurationFile="$repo/deploy/local/log4j2-demo.properties" -Dpricing.log.file="$repo/.work/simulate.log" \
  -cp "$repo/pricing-job/target/classes:$repo/feature-functions/target/classes:$(cat "$cp_file")" \
  org.pricingengine.job.evaluation.MarketSimulator "$@"
