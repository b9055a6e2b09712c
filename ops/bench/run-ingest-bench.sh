#!/usr/bin/env bash
# End-to-end ingest benchmark: Lakemesh (bronze/silver/quarantine + gold) against raw Kafka -> Iceberg baselines
# measured in the same run. Builds the bench module with the reactor (package, never install), then runs it.
#   ops/bench/run-ingest-bench.sh                   300,000 events, 1 warm-up + 3 measured rounds
#   ops/bench/run-ingest-bench.sh --events 100000 --rounds 2 --no-profile
#   ops/bench/run-ingest-bench.sh --help            all options
# Extra JVM options: BENCH_JAVA_OPTS (default -Xmx3g -XX:+UseParallelGC). Skip the build: BENCH_SKIP_BUILD=1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ "${BENCH_SKIP_BUILD:-0}" != "1" ]; then
  echo "run-ingest-bench: building ops/bench and what it depends on (mvn package -DskipTests)..." >&2
  # offline first (other builds share ~/.m2); online only if a dependency is missing
  (cd "$root" && { mvn -B -q -o package -DskipTests -pl ops/bench -am \
      || mvn -B -q package -DskipTests -pl ops/bench -am; }) >&2 \
    || { echo "run-ingest-bench: build failed" >&2; exit 1; }
fi

cp_file="$here/target/runtime-classpath.txt"
[ -f "$cp_file" ] || { echo "run-ingest-bench: $cp_file missing; build ops/bench first" >&2; exit 1; }

exec java ${BENCH_JAVA_OPTS:--Xmx3g -XX:+UseParallelGC} -cp "$here/target/classes:$(cat "$cp_file")" \
  io.lakemesh.bench.IngestBenchmark "$@"
