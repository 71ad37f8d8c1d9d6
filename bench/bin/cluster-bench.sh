#!/usr/bin/env bash
# One node against three: one-to-one chat throughput, p99 latency and the server's CPU per
# message, on a local cluster (cluster-config/bin/local-cluster.sh) sharing one PostgreSQL store.
#
#   bench/bin/cluster-bench.sh [--quick] [--out DIR]
#
# Three targets, one after another, each started fresh and stopped by pid after its turn:
#   parley-1node          one node
#   parley-3nodes-spread  three nodes; client i on node i mod 3, so the two clients of a pair are
#                         always on different nodes
#   parley-3nodes-pairs   three nodes; both clients of a pair on the same node
# A message goes sender's node -> the receiver's user entity (wherever sharding put it) ->
# the receiver's node. With user entities spread evenly over three nodes both placements cross
# between nodes 4/3 times per message on average; one node never does. The steps report the
# CPU all server JVMs used per delivered message (idle CPU taken off), so
#   (ms per message on 3 nodes - ms per message on 1 node) / (4/3)
# is the CPU a cross-node hop costs. All three nodes and the load generator share this
# machine's cores: throughput on 3 nodes here is not what 3 machines would give.
#
# Environment: STATE (client key cache, default ~/.cache/parley-bench), CLUSTER_DIR (the
# cluster's data and PostgreSQL, kept between runs so accounts are provisioned once; default
# /var/tmp/parley-cluster-bench: PostgreSQL runs as the postgres user and must reach it), PARLEY_JAVA_OPTS (per node, default -Xms64m -Xmx512m),
# BENCH_JAVA_OPTS (load generator, default -Xmx2g), SKIP_BUILD=1. Uses the local cluster's fixed
# loopback ports (5222.., 25521.., 5291.., PostgreSQL 15432).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
quick=0
out=""
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=1 ;;
        --out) out=$2; shift ;;
        *) echo "usage: $0 [--quick] [--out DIR]" >&2; exit 2 ;;
    esac
    shift
done
STATE=${STATE:-$HOME/.cache/parley-bench}
out=${out:-$root/bench/results/cluster-$(date -u +%Y%m%d-%H%M%S)}
run="$STATE/cluster-run"
mkdir -p "$run" "$out"
log() { printf '[cluster-bench] %s\n' "$*" >&2; }

if [ "$quick" = 1 ]; then
    accounts=400
    chat="chat:pairs=200,rates=500/1000,step=5,loginRate=200"
else
    accounts=400
    # 400 clients logged in at 100/s: 1,000 at 200/s starved three nodes on two cores (entity
    # asks timed out while logins queued) before a message was sent
    chat="chat:pairs=200,rates=1000/2000/3000/4000/5000,step=10,loginRate=100"
fi

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building Parley and the load generator"
    (cd "$root" && mvn -B -q -Dstyle.color=never -pl engine,bench -am package -DskipTests)
    touch "$root/engine/target/classpath.txt"
fi
jar="$root/bench/target/parley-benchmarks.jar"
[ -f "$jar" ] || { log "missing $jar (build failed?)"; exit 1; }

cluster="$root/cluster-config/bin/local-cluster.sh"
export PARLEY_CLUSTER_DIR="${CLUSTER_DIR:-/var/tmp/parley-cluster-bench}"
export PARLEY_CLUSTER_EXTRA_CONF="$root/bench/conf/parley-bench.conf"
export PARLEY_JAVA_OPTS="${PARLEY_JAVA_OPTS:--Xms64m -Xmx512m}"
"$cluster" stop >/dev/null 2>&1 || true
trap '"$cluster" stop >/dev/null 2>&1 || true' EXIT

for n in 1 3; do
    cat > "$run/start-$n.sh" <<EOF
set -euo pipefail
"$cluster" start $n
# What is measured is a settled node set, not its boot: the remembered user entities of earlier
# runs (400) all recover at start, and logins meanwhile time out asking for credentials (SASL
# temporary-auth-failure); a freshly formed cluster's first sharding state writes time out once
# (5 s) while the nodes' replicators meet; and the remembered entities start on node 1 (the only
# region when the coordinator starts) and move to the others a few shards per 10 s round, logins
# timing out during those hand-offs. So: 20 s, then wait (at most 4 minutes) until a round moves
# nothing: two equal shard counts 10 s apart.
sleep 20
prev=""
for _ in \$(seq 1 24); do
    sleep 10
    now=\$("$root/bin/parleyctl" --config "$PARLEY_CLUSTER_DIR/node1/parley.conf" cluster 2>/dev/null | grep -o '[a-z-]* [0-9]*/' | tr '\n' ' ' || true)
    echo "[cluster-bench] shards per node: \$now" >&2
    [ -n "\$now" ] && [ "\$now" = "\$prev" ] && break
    prev=\$now
done
cat "$PARLEY_CLUSTER_DIR"/node*/pid | tr '\n' ' ' > "$run/pids-$n"
EOF
done
echo "exec \"$cluster\" stop" > "$run/stop.sh"

bench() {
    # shellcheck disable=SC2086
    java ${BENCH_JAVA_OPTS:--Xmx2g} -cp "$jar" io.parley.bench.Bench --scram-cache "$STATE/scram-cache-cluster.tsv" "$@"
}

one="name=parley-1node,port=5222,jvm=true,start=$run/start-1.sh,stop=$run/stop.sh,pidfile=$run/pids-1"
three="port=5222,ports=5222/5232/5242,jvm=true,start=$run/start-3.sh,stop=$run/stop.sh,pidfile=$run/pids-3"

marker="$PARLEY_CLUSTER_DIR/bench.accounts"
if [ "$(cat "$marker" 2>/dev/null || echo 0)" -lt "$accounts" ]; then
    log "provisioning $accounts accounts (once; kept in $PARLEY_CLUSTER_DIR)"
    bench --target "$one" --provision "$accounts" --out "$out/provisioning"
    echo "$accounts" > "$marker"
fi

log "running $chat against 1 node and 3 nodes; report in $out"
bench --target "$one" --target "name=parley-3nodes-spread,placement=spread,$three" \
    --target "name=parley-3nodes-pairs,placement=pairs,$three" --scenario "$chat" --out "$out" | tee "$out/run.log"
{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(java -version 2>&1 | head -1)"
    echo "parley $(cd "$root" && git describe --always --dirty 2>/dev/null), nodes: $PARLEY_JAVA_OPTS each, store: PostgreSQL $(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)"
    echo "command: bench/bin/cluster-bench.sh $([ "$quick" = 1 ] && echo --quick)"
} > "$out/versions.txt"
log "done: $out/report.html"
