#!/usr/bin/env bash
# Row-validation micro-benchmark (JMH): retail.transactions validated with its full contract, one thread, against
# Jackson readTree alone on the same bytes, measured in the same run. Builds the bench module with the reactor
# (package, never install), then runs it.
#   ops/bench/run-validation-bench.sh                          1 fork, 3 x 2 s warm-up, 5 x 2 s measured
#   ops/bench/run-validation-bench.sh -f 2 -i 10               any JMH option overrides the defaults
#   ops/bench/run-validation-bench.sh -prof stack              where the time goes (JMH's stack profiler)
#   ops/bench/run-validation-bench.sh -p events=50000 -p invalidShare=0.2
#   ops/bench/run-validation-bench.sh --cpu-time [rounds]   thread CPU time, validate and readTree alternating
# Skip the build: BENCH_SKIP_BUILD=1. JVM options of the harness itself: BENCH_JAVA_OPTS.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ "${BENCH_SKIP_BUILD:-0}" != "1" ]; then
  echo "run-validation-bench: building ops/bench and what it depends on (mvn package -DskipTests)..." >&2
  # offline first (other builds share ~/.m2); online only if a dependency is missing
  (cd "$root" && { mvn -B -q -o package -DskipTests -pl ops/bench -am \
      || mvn -B -q package -DskipTests -pl ops/bench -am; }) >&2 \
    || { echo "run-validation-bench: build failed" >&2; exit 1; }
fi

cp_file="$here/target/runtime-classpath.txt"
[ -f "$cp_file" ] || { echo "run-validation-bench: $cp_file missing; build ops/bench first" >&2; exit 1; }

# JMH forks its measuring JVM with this same class path
exec java ${BENCH_JAVA_OPTS:-} -cp "$here/target/classes:$(cat "$cp_file")" \
  io.lakemesh.bench.ValidationBenchmark "$@"
