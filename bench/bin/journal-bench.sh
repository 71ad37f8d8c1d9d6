#!/usr/bin/env bash
# The journal benchmark: events/s and write latency for the user entity's hot writes (offline
# message stored, roster item changed) on each store: embedded H2, PostgreSQL (this machine's
# Debian binaries) and Cassandra 5.0.9 (Maven Central's cassandra-all in its own JVM), each
# started on loopback in a temporary directory and stopped by PID afterwards.
#
#   bench/bin/journal-bench.sh [--stores h2,postgres,cassandra] [--users 500] [--writes 20000] [--in-flight 64] [--out DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
jar=bench/target/parley-benchmarks.jar
if [ ! -f "$jar" ] || [ ! -f cassandra-server/target/cassandra.classpath ]; then
    mvn -B -q install -DskipTests -pl bench -am
fi
out=${OUT:-docs/bench/$(date +%F)}
exec java ${BENCH_JAVA_OPTS:--Xmx2g} -cp "$jar" io.parley.bench.journal.JournalBench --out "$out" "$@"
