#!/usr/bin/env bash
# Writes training examples by replaying REES46-format logs through the job's own feature code
# (feature-functions), so training and serving features cannot drift.
# Usage: model-assets/training/extract.sh OUT_DIR FILE [FILE ...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 OUT_DIR FILE [FILE ...]" >&2; exit 2; }
out=$1; shift
mvn -B -q -f "$repo/pom.xml" -pl feature-functions -am -DskipTests install >&2
cp_file="$repo/feature-functions/target/runtime.classpath"
mvn -B -q -f "$repo/feature-functions/pom.xml" dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$cp_file" >&2
data_args=()
for f in "$@"; do data_args+=(--data "$f"); done
exec java -cp "$repo/feature-functions/target/classes:$(cat "$cp_file")" \
  org.pricingengine.features.offline.TrainingExampleExtractor --out "$out" "${data_args[@]}"
