#!/usr/bin/env bash
# Kafka's own console producer and consumer, from the same Maven Central jars as the local broker
# (deploy/local/kafka/pom.xml): type records in, watch records come out.
#
# Usage: deploy/local/kafka-console.sh producer|consumer [ARGS ...]
#   ARGS are the tool's own (org.apache.kafka.tools.ConsoleProducer / tools.consumer.ConsoleConsumer);
#   --bootstrap-server defaults to 127.0.0.1:$KAFKA_PORT (19092). Run with --help for all of them.
# Examples:
#   deploy/local/kafka-console.sh producer --topic pricing.catalog-updates \
#     --property parse.key=true --property 'key.separator=|'     # then type lines KEY|{json}
#   deploy/local/kafka-console.sh consumer --topic pricing.price-decisions --property print.key=true
# A secured broker: --producer.config / --consumer.config client.properties (security.protocol, sasl.*, ssl.*).
# The resolved classpath is cached in $PRICING_WORK_DIR/kafka-console/ (PRICING_WORK_DIR: <repo>/.work).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
tool=${1:-}; shift || true
case "$tool" in
  producer) main=org.apache.kafka.tools.ConsoleProducer ;;
  consumer) main=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  *) sed -n 2,13p "$0" >&2; exit 2 ;;
esac
state=${PRICING_WORK_DIR:-$repo/.work}/kafka-console
mkdir -p "$state"
cp_file="$state/classpath.txt"
pom="$repo/deploy/local/kafka/pom.xml"
if [ ! -s "$cp_file" ] || [ "$pom" -nt "$cp_file" ]; then
  command -v mvn >/dev/null || { echo "kafka-console.sh: mvn not found on PATH (needed once to resolve the Kafka jars)" >&2; exit 1; }
  if ! mvn -B -q -f "$pom" dependency:build-classpath -Dmdep.outputFile="$cp_file" >"$state/mvn.log" 2>&1; then
    echo "kafka-console.sh: resolving the Kafka jars with Maven failed:" >&2
    tail -n 20 "$state/mvn.log" >&2; rm -f "$cp_file"; exit 1
  fi
fi
cat > "$state/log4j2.properties" <<'LOG'
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = Err
appender.err.type = Console
appender.err.name = Err
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = %p %c{1}: %m%n
LOG
args=("$@")
has_bootstrap=false
for a in "$@"; do [ "$a" = --bootstrap-server ] && has_bootstrap=true; done
$has_bootstrap || args=(--bootstrap-server "127.0.0.1:${KAFKA_PORT:-19092}" "${args[@]}")
# Short-lived tool JVM: quick start (C1 only, serial GC).
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dlog4j2.configurationFile="$state/log4j2.properties" \
  -cp "$(cat "$cp_file")" "$main" "${args[@]}"
