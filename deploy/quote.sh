#!/usr/bin/env bash
# Asks a running pricing job for one price, as a storefront would (deploy/client, no Flink on the
# classpath): sends a price request and prints the decision the job publishes for it, as one JSON line.
# Without a decision before the deadline it prints the list-price fallback ("client_fallback":"TIMEOUT")
# and exits 3.
#
# Usage: deploy/quote.sh --user USER --item ITEM [--list-price P] [--publish-catalog [--unit-cost C]]
#          [--channel C] [--device D] [--request-id ID] [--bootstrap-servers HOST:PORT] [--config FILE]
#          [--timeout-ms N] [--topic-prefix PREFIX] [--metrics]
#   --bootstrap-servers  default: bootstrap.servers of --config, else 127.0.0.1:$KAFKA_PORT (19092)
#   --config FILE        Kafka client properties (security.protocol, sasl.*, ssl.*, ...) for a secured broker
#   --publish-catalog    first publish a catalog entry for ITEM at --list-price (the job prices only items
#                        its catalog knows; a shop's catalog service does this)
#   --timeout-ms N       deadline for the decision (default 5000)
# The first run builds deploy/client (Maven, a few seconds); later runs start in about a second.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
client="$repo/deploy/client"
stamp="$client/target/quote.classpath"
if [ ! -s "$stamp" ] || [ -n "$(find "$client/src/main" "$client/pom.xml" "$repo/pom.xml" -newer "$stamp" -print -quit)" ]; then
  command -v mvn >/dev/null || { echo "quote.sh: mvn not found on PATH (needed once to build deploy/client)" >&2; exit 1; }
  log="$client/target/quote-build.log"
  mkdir -p "$client/target"
  if ! mvn -B -q -f "$client/pom.xml" compile dependency:build-classpath -Dmdep.includeScope=runtime \
      -Dmdep.outputFile="$stamp.tmp" >"$log" 2>&1; then
    echo "quote.sh: building deploy/client failed:" >&2; tail -n 20 "$log" >&2; exit 1
  fi
  mv "$stamp.tmp" "$stamp"
fi
# A one-shot JVM: C1 only and the serial collector start fastest; SLF4J has no binding here, keep it quiet.
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dslf4j.internal.verbosity=ERROR \
  -cp "$client/target/classes:$(cat "$stamp")" org.pricingengine.client.QuoteCommand "$@"
