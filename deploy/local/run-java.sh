#!/usr/bin/env bash
# Builds the project and runs one of its Java tools (evaluation, simulator, benchmarks) with the job's full classpath (Flink, ONNX Runtime
# included). Usage: deploy/local/run-java.sh MAIN_CLASS [args...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
main=$1; shift
mvn -B -q -DskipTests install >&2
cp_file="$repo/pricing-job/target/demo.classpath"
mvn -B -q -f pricing-job/pom.xml dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile="$cp_file" >&2
mkdir -p "$repo/.work/tmp"
exec java -Xmx2g -Djava.io.tmpdir="$repo/.work/tmp" \
  -Dlog4j.configurationFile="$repo/deploy/local/log4j2-demo.properties" -Dpricing.log.file="$repo/.work/tools.log" \
  -cp "$repo/pricing-job/target/classes:$repo/feature-functions/target/classes:$(cat "$cp_file")" "$main" "$@"
