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
opens=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
  --add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED)
exec java "${opens[@]}" ${JAVA_OPTS:-} -Xmx"${JAVA_HEAP:-2g}" -Djava.io.tmpdir="${JAVA_TMPDIR:-$repo/.work/tmp}" \
  -Dlog4j.configurationFile="$repo/deploy/local/log4j2-demo.properties" \
  -Dpricing.log.file="${PRICING_LOG_FILE:-$repo/.work/tools.log}" \
  -cp "$repo/pricing-job/target/classes:$repo/feature-functions/target/classes:$(cat "$cp_file")" "$main" "$@"
