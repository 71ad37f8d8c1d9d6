#!/usr/bin/env bash
# Parley, ejabberd and Prosody side by side: the same accounts, the same scenarios, one server
# after another on loopback, one report (report.json, report.html, comparison.md) with the
# ratios Parley/peer.
#
#   bench/bin/side-by-side.sh [--quick] [--servers "parley ejabberd prosody"] [--out DIR]
#
# Needs root for the peers (Debian packages, installed by bench/peers/install.sh when missing);
# without root it benches the servers it can. Everything binds to 127.0.0.1, every server is
# started fresh before its turn and stopped by pid after it.
#
# Environment:
#   STATE              server data and the client key cache kept between runs, so accounts are
#                      provisioned once (default ~/.cache/parley-bench)
#   PARLEY_JAVA_OPTS   JVM options of the Parley node (default -Xms64m -Xmx2g)
#   BENCH_JAVA_OPTS    JVM options of the load generator (default -Xmx4g)
#   SKIP_BUILD=1       use the jars already built
#   SCENARIOS          space-separated scenario specs instead of the built-in list
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
quick=0
servers="parley ejabberd prosody"
out=""
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=1 ;;
        --servers) servers=$2; shift ;;
        --out) out=$2; shift ;;
        *) echo "usage: $0 [--quick] [--servers \"parley ejabberd prosody\"] [--out DIR]" >&2; exit 2 ;;
    esac
    shift
done
STATE=${STATE:-$HOME/.cache/parley-bench}
out=${out:-$root/bench/results/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$STATE/run" "$out"
log() { printf '[side-by-side] %s\n' "$*" >&2; }

if [ "$quick" = 1 ]; then
    accounts=2600
    scenarios=(
        "idle:sessions=2000,rate=400,hold=3,settle=15,first=0"
        "login:rates=50/100,step=5,accounts=2000,warmup=5"
        "chat:pairs=200,rates=1000/2000,step=5,loginRate=300"
        "presence:users=200,contacts=10,changes=2,first=2400,loginRate=200,changeRate=200"
        "muc:users=1000,sizes=10/100/1000,deliveries=10000/25000/50000/100000,step=5,loginRate=300,joinRate=100,warmup=5"
    )
else
    accounts=21000
    scenarios=(
        # fresh server first: memory per idle session, and 19,000 held (the open-file limit here),
        # opened at 75/s, well under every server's login rate, so the count measures holding
        "idle:sessions=19000,rate=75,hold=5,settle=90,first=0"
        "login:rates=60/90/120/160/200/240/280/320/400/480,step=10,accounts=20000,warmup=20"
        "chat:pairs=1000,rates=500/1000/2000/3000/4000/5000/6000/7000/8000/10000/12000,step=10,loginRate=200"
        # 1000 status changes/s to 20 contacts each: 20,000 deliveries/s offered
        "presence:users=1000,contacts=20,changes=3,first=20000,loginRate=200,changeRate=1000"
        # group chat: 1,000 occupants in rooms of 10, 100 and 1,000; deliveries/s asked for per step
        "muc:users=1000,sizes=10/100/1000,deliveries=5000/10000/25000/50000/75000/100000/150000,step=10,loginRate=200,joinRate=100,warmup=10"
    )
fi
# SCENARIOS="muc:... chat:..." replaces the list (the accounts provisioned stay as above)
if [ -n "${SCENARIOS:-}" ]; then
    read -r -a scenarios <<< "$SCENARIOS"
fi

# ---- build ---------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building Parley and the load generator"
    (cd "$root" && mvn -B -q -Dstyle.color=never -pl engine,bench -am package -DskipTests)
    touch "$root/engine/target/classpath.txt"
fi
jar="$root/bench/target/parley-benchmarks.jar"
[ -f "$jar" ] || { log "missing $jar (build failed?)"; exit 1; }

# ---- peers ---------------------------------------------------------------------------------
wanted=()
for s in $servers; do
    case $s in
        parley) wanted+=(parley) ;;
        ejabberd|prosody)
            if ! command -v "$( [ "$s" = ejabberd ] && echo ejabberdctl || echo prosody )" >/dev/null 2>&1; then
                if [ "$(id -u)" -eq 0 ]; then
                    "$root/bench/peers/install.sh"
                else
                    log "skipping $s: not installed and not root (run bench/peers/install.sh as root)"
                    continue
                fi
            fi
            wanted+=("$s") ;;
        *) log "unknown server $s"; exit 2 ;;
    esac
done

port_free() { [ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
pick_port() {   # pick_port PREFERRED: the preferred port or the next free one
    local p=$1
    while ! port_free "$p"; do p=$((p + 1)); done
    echo "$p"
}

targets=()
for s in "${wanted[@]}"; do
    run="$STATE/run"
    case $s in
        parley)
            port=$(pick_port 15222)
            dtls=$(pick_port $((port + 1)))
            cport=$(pick_port 15520)
            mkdir -p "$STATE/parley"
            cat > "$run/parley.conf" <<EOF
include file("$root/bench/conf/parley-bench.conf")
parley {
  data-dir = "$STATE/parley"
  c2s.port = $port
  c2s.direct-tls-port = $dtls
  cluster.port = $cport
}
EOF
            cat > "$run/parley-start.sh" <<EOF
set -euo pipefail
cd "$STATE/parley"
: > "$run/parley.log"
PARLEY_JAVA_OPTS="${PARLEY_JAVA_OPTS:--Xms64m -Xmx2g}" setsid "$root/bin/parley" --config "$run/parley.conf" >> "$run/parley.log" 2>&1 < /dev/null &
echo \$! > "$run/parley.pid"
for i in \$(seq 1 600); do
    grep -q "parley: serving" "$run/parley.log" && exit 0
    kill -0 \$(cat "$run/parley.pid") 2>/dev/null || { tail -20 "$run/parley.log" >&2; exit 1; }
    sleep 0.5
done
echo "parley did not start within 300 s" >&2; exit 1
EOF
            cat > "$run/parley-stop.sh" <<EOF
pid=\$(cat "$run/parley.pid" 2>/dev/null || true)
[ -n "\$pid" ] || exit 0
kill -TERM "\$pid" 2>/dev/null || exit 0
for i in \$(seq 1 120); do kill -0 "\$pid" 2>/dev/null || exit 0; sleep 0.5; done
kill -KILL "\$pid" 2>/dev/null || true
EOF
            targets+=("name=parley,port=$port,jvm=true,start=$run/parley-start.sh,stop=$run/parley-stop.sh,pidfile=$run/parley.pid") ;;
        ejabberd|prosody)
            port=$(pick_port $([ "$s" = ejabberd ] && echo 15322 || echo 15422))
            echo "exec \"$root/bench/peers/$s.sh\" start \"$STATE/$s\" $port" > "$run/$s-start.sh"
            echo "exec \"$root/bench/peers/$s.sh\" stop \"$STATE/$s\"" > "$run/$s-stop.sh"
            targets+=("name=$s,port=$port,start=$run/$s-start.sh,stop=$run/$s-stop.sh,pidfile=$STATE/$s/pid") ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || { log "nothing to bench"; exit 1; }

bench() {
    # shellcheck disable=SC2086
    java ${BENCH_JAVA_OPTS:--Xmx4g} -cp "$jar" io.parley.bench.Bench --scram-cache "$STATE/scram-cache.tsv" "$@"
}

# ---- accounts, once per server and state directory -----------------------------------------
for i in "${!wanted[@]}"; do
    s=${wanted[$i]}
    marker="$STATE/$s.accounts"
    if [ "$(cat "$marker" 2>/dev/null || echo 0)" -lt "$accounts" ]; then
        log "$s: provisioning $accounts accounts (once; kept in $STATE)"
        bench --target "${targets[$i]}" --provision "$accounts" --out "$out/provisioning-$s"
        echo "$accounts" > "$marker"
    fi
done

# ---- the run -------------------------------------------------------------------------------
args=()
for t in "${targets[@]}"; do args+=(--target "$t"); done
for sc in "${scenarios[@]}"; do args+=(--scenario "$sc"); done
log "running ${scenarios[*]} against ${wanted[*]}; report in $out"
bench "${args[@]}" --out "$out" | tee "$out/run.log"
{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(java -version 2>&1 | head -1)"
    for s in "${wanted[@]}"; do
        case $s in
            ejabberd) echo "ejabberd $(dpkg-query -W -f='${Version}' ejabberd 2>/dev/null)" ;;
            prosody) echo "prosody $(dpkg-query -W -f='${Version}' prosody 2>/dev/null)" ;;
            parley) echo "parley $(cd "$root" && git describe --always --dirty 2>/dev/null)" ;;
        esac
    done
    echo "command: bench/bin/side-by-side.sh $([ "$quick" = 1 ] && echo --quick) --servers \"${wanted[*]}\""
} > "$out/versions.txt"
log "done: $out/report.html"
