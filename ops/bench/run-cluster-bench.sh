#!/usr/bin/env bash
# Scale-out benchmark: 1, 2 and 3 Lakemesh nodes (child JVMs, one shared SQLite catalog, Kafka in the bench JVM)
# turning a preloaded raw topic into committed silver; the 1-node run is the baseline of the same run.
# Builds the bench module with the reactor (package, never install), then runs it.
#   ops/bench/run-cluster-bench.sh                          200,000 events, 1, 2 and 3 nodes, one round
#   ops/bench/run-cluster-bench.sh --events 100000 --rounds 3
#   ops/bench/run-cluster-bench.sh --cpus-per-node 0.5      each node capped at half a core (a cgroup quota; root)
#   ops/bench/run-cluster-bench.sh --help                   all options
# JVM options of the bench JVM (broker + loader): BENCH_JAVA_OPTS (default -Xmx2g -XX:+UseParallelGC); of each
# node: --node-opts. Skip the build: BENCH_SKIP_BUILD=1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ "${BENCH_SKIP_BUILD:-0}" != "1" ]; then
  echo "run-cluster-bench: building ops/bench and what it depends on (mvn package -DskipTests)..." >&2
  # offline first (other builds share ~/.m2); online only if a dependency is missing
  (cd "$root" && { mvn -B -q -o package -DskipTests -pl ops/bench -am \
      || mvn -B -q package -DskipTests -pl ops/bench -am; }) >&2 \
    || { echo "run-cluster-bench: build failed" >&2; exit 1; }
fi

cp_file="$here/target/runtime-classpath.txt"
[ -f "$cp_file" ] || { echo "run-cluster-bench: $cp_file missing; build ops/bench first" >&2; exit 1; }

# the nodes run on this classpath too (the launcher main of mesh-runtime, the retail contracts)
exec java ${BENCH_JAVA_OPTS:--Xmx2g -XX:+UseParallelGC} -cp "$here/target/classes:$(cat "$cp_file")" \
  io.lakemesh.bench.ClusterIngestBenchmark "$@"
