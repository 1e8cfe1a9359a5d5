#!/usr/bin/env bash
# Builds the project and runs one of its Java programs (demo, evaluation, simulator, benchmarks) with the
# job's full classpath (Flink, RocksDB and ONNX Runtime included) and Flink's Java 17 module opens.
# Usage: deploy/local/run-java.sh MAIN_CLASS [args...]; JAVA_HEAP (default 2g), JAVA_OPTS (extra JVM flags,
# e.g. a JFR recording), PRICING_LOG_FILE.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
main=$1; shift
mvn -B -q -DskipTests install >&2
cp_file="$repo/pricing-job/target/demo.classpath"
# compile scope here includes 'provided': Flink, RocksDB and ONNX Runtime, which a cluster supplies.
mvn -B -q -f pricing-job/pom.xml dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile="$cp_file" >&2
mkdir -p "$repo/.work/tmp"
source "$repo/deploy/local/java-opens.sh"
exec java "${FLINK_JAVA_OPENS[@]}" ${JAVA_OPTS:-} -Xmx"${JAVA_HEAP:-2g}" -Djava.io.tmpdir="${JAVA_TMPDIR:-$repo/.work/tmp}" \
  -Dlog4j.configurationFile="$repo/deploy/local/log4j2-demo.properties" \
  -Dpricing.log.file="${PRICING_LOG_FILE:-$repo/.work/tools.log}" \
  -cp "$repo/pricing-job/target/classes:$repo/feature-functions/target/classes:$(cat "$cp_file")" "$main" "$@"
