#!/usr/bin/env bash
# A local Parley cluster on this machine: N nodes (default 3) sharing one PostgreSQL store, all
# on loopback. Everything lives under DIR (default ./cluster): the PostgreSQL data, each node's
# config, data directory, log and pid.
#
#   cluster-config/bin/local-cluster.sh start [N]   start PostgreSQL and N nodes, return when all serve
#   cluster-config/bin/local-cluster.sh stop        stop the nodes (SIGTERM: they leave and hand over), then PostgreSQL
#   cluster-config/bin/local-cluster.sh status      what runs
#
# Node i (1..N): client ports 5222+10(i-1) (STARTTLS) and 5223+10(i-1) (Direct TLS), cluster
# (Artery) port 25520+i, admin API 5290+i; node 1 is the seed. PostgreSQL listens on
# 127.0.0.1:${PARLEY_CLUSTER_PG_PORT:-15432}. Domain: localhost. Environment: PARLEY_CLUSTER_DIR,
# PARLEY_JAVA_OPTS (per node, default -Xms64m -Xmx512m), PARLEY_CLUSTER_EXTRA_CONF (a HOCON file
# every node's config starts with, e.g. bench/conf/parley-bench.conf; the node's own ports win).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(realpath -m "${PARLEY_CLUSTER_DIR:-$PWD/cluster}")
pg_port=${PARLEY_CLUSTER_PG_PORT:-15432}
log() { printf '[cluster] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

pg_bin() {
    local b
    b=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$b" ] || die "no PostgreSQL server binaries (apt-get install postgresql, or bench/peers/install.sh)"
    echo "$b"
}
as_pg() { if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; else "$@"; fi; }
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

start_pg() {
    local bin data=$dir/pg/data
    bin=$(pg_bin)
    mkdir -p "$dir/pg"
    if [ ! -f "$data/PG_VERSION" ]; then
        mkdir -p "$data"; chmod 700 "$data"
        [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir/pg"
        as_pg "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-instructions >/dev/null
    fi
    if [ -f "$data/postmaster.pid" ] && alive "$(head -1 "$data/postmaster.pid")"; then
        log "PostgreSQL already running"
    else
        as_pg "$bin/pg_ctl" -D "$data" -l "$dir/pg/server.log" -w -t 60 \
            -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir/pg -c fsync=on" start >/dev/null
        log "PostgreSQL on 127.0.0.1:$pg_port (pid $(head -1 "$data/postmaster.pid"))"
    fi
    as_pg "$bin/psql" -h "$dir/pg" -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='parley'" | grep -q 1 \
        || as_pg "$bin/psql" -h "$dir/pg" -p "$pg_port" -U postgres -qc "CREATE USER parley" 
    as_pg "$bin/psql" -h "$dir/pg" -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='parley'" | grep -q 1 \
        || as_pg "$bin/psql" -h "$dir/pg" -p "$pg_port" -U postgres -qc "CREATE DATABASE parley OWNER parley"
}

stop_pg() {
    local data=$dir/pg/data
    [ -f "$data/postmaster.pid" ] || return 0
    as_pg "$(pg_bin)/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null && log "PostgreSQL stopped"
}

node_conf() {   # node_conf I N
    local i=$1 n=$2 off=$((10 * ($1 - 1)))
    # the extra file first: this node's own ports and addresses below override what it sets
    if [ -n "${PARLEY_CLUSTER_EXTRA_CONF:-}" ]; then cat "$PARLEY_CLUSTER_EXTRA_CONF" > "$dir/node$i/parley.conf"; else : > "$dir/node$i/parley.conf"; fi
    cat >> "$dir/node$i/parley.conf" <<CONF
parley {
  domain = "localhost"
  data-dir = "$dir/node$i/data"
  c2s { interface = "127.0.0.1", port = $((5222 + off)), direct-tls-port = $((5223 + off)) }
  admin.port = $((5290 + i))
  cluster { hostname = "127.0.0.1", port = $((25520 + i)), seed-nodes = ["akka://parley@127.0.0.1:25521"], remember-entities-store = "eventsourced" }
  store = "postgres"
  postgres { url = "jdbc:postgresql://127.0.0.1:$pg_port/parley", user = "parley" }
  # every node uses the certificate node 1 made, so a client trusts the whole cluster at once
  tls.key-store = "$dir/tls.p12"
}
CONF
}

start() {
    local n=${1:-3} i pid
    [[ $n =~ ^[1-9][0-9]?$ ]] || die "N must be 1..99"
    mkdir -p "$dir"
    start_pg
    # one build before N nodes start (bin/parley builds when sources changed)
    source "$root/bin/parley-common.sh"
    for i in $(seq 1 "$n"); do
        mkdir -p "$dir/node$i/data"
        if [ -f "$dir/node$i/pid" ] && alive "$(cat "$dir/node$i/pid")"; then log "node $i already running"; continue; fi
        node_conf "$i" "$n"
        PARLEY_JAVA_OPTS=${PARLEY_JAVA_OPTS:--Xms64m -Xmx512m} nohup "$root/bin/parley" --config "$dir/node$i/parley.conf" \
            > "$dir/node$i/node.log" 2>&1 < /dev/null &
        echo $! > "$dir/node$i/pid"
        # node 1 creates the schema and the certificate; the others wait for it
        if [ "$i" -eq 1 ]; then wait_serving 1; fi
    done
    for i in $(seq 2 "$n"); do wait_serving "$i"; done
    log "$n node(s) serving; stop with: $0 stop"
}

wait_serving() {
    local i=$1 t=0
    while ! grep -q "parley: serving" "$dir/node$i/node.log" 2>/dev/null; do
        alive "$(cat "$dir/node$i/pid")" || { tail -20 "$dir/node$i/node.log" >&2; die "node $i exited"; }
        [ $t -lt 600 ] || die "node $i did not start within 120 s"
        sleep 0.2; t=$((t + 1))
    done
    log "node $i: $(grep -m1 "parley: serving" "$dir/node$i/node.log")"
}

stop() {
    local f pid
    for f in $(ls -r "$dir"/node*/pid 2>/dev/null); do
        pid=$(cat "$f")
        if alive "$pid"; then
            kill -TERM "$pid"
            for _ in $(seq 1 300); do alive "$pid" || break; sleep 0.1; done
            alive "$pid" && { log "pid $pid did not stop in 30 s; killing"; kill -KILL "$pid"; }
            log "stopped $(basename "$(dirname "$f")") (pid $pid)"
        fi
        rm -f "$f"
    done
    stop_pg
}

status() {
    local f
    for f in "$dir"/node*/pid; do
        [ -f "$f" ] || continue
        if alive "$(cat "$f")"; then echo "$(basename "$(dirname "$f")"): running (pid $(cat "$f"))"; else echo "$(basename "$(dirname "$f")"): stopped"; fi
    done
    if [ -f "$dir/pg/data/postmaster.pid" ] && alive "$(head -1 "$dir/pg/data/postmaster.pid")"; then echo "postgresql: running"; else echo "postgresql: stopped"; fi
}

case "${1:-}" in
    start) start "${2:-3}" ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 {start [N]|stop|status}" >&2; exit 2 ;;
esac
