#!/usr/bin/env bash
# Builds the project and runs one of its tools (deploy/tools: demo, evaluation, simulator, benchmarks,
# rollouts, scenarios) with their full classpath (the job, Flink, RocksDB and ONNX Runtime included) and
# Flink's Java 17 module opens.
# Usage: deploy/local/run-java.sh MAIN_CLASS [args...]; JAVA_HEAP (default 2g), JAVA_OPTS (extra JVM flags,
# e.g. a JFR recording), PRICING_LOG_FILE.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
main=$1; shift
mvn -B -q -DskipTests install >&2
cp_file="$repo/deploy/tools/target/tools.classpath"
# The tools module has Flink, RocksDB and ONNX Runtime in compile scope (a cluster supplies them to the job).
mvn -B -q -f deploy/tools/pom.xml dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file" >&2
mkdir -p "$repo/.work/tmp"
source "$repo/deploy/local/java-opens.sh"
exec java "${FLINK_JAVA_OPENS[@]}" ${JAVA_OPTS:-} -Xmx"${JAVA_HEAP:-2g}" -Djava.io.tmpdir="${JAVA_TMPDIR:-$repo/.work/tmp}" \
  -Dlog4j.configurationFile="$repo/deploy/local/log4j2-demo.properties" \
  -Dpricing.log.file="${PRICING_LOG_FILE:-$repo/.work/tools.log}" \
  -cp "$repo/deploy/tools/target/classes:$repo/pricing-job/target/classes:$repo/feature-functions/target/classes:$(cat "$cp_file")" "$main" "$@"
