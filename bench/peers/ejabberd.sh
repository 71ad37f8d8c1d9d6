#!/usr/bin/env bash
# Run a private ejabberd (Debian package) instance as a benchmark peer.
#
#   ejabberd.sh start  BASEDIR PORT   start, return once PORT speaks XMPP
#   ejabberd.sh stop   BASEDIR [PORT] graceful stop, then kill by pid
#   ejabberd.sh status BASEDIR [PORT] print running/stopped (exit 0/3)
#
# Everything (config, mnesia database, logs, cert, pid, cookie) lives under
# BASEDIR. The only TCP listener is the c2s port on 127.0.0.1:PORT (STARTTLS
# required). Erlang distribution runs without epmd (ERL_DIST_PORT) on a
# loopback-only port, so no epmd is started and nothing listens on 4369.
#
# Environment:
#   EJABBERD_RUN_AS   auto (default) | ejabberd | root
#                     ejabberd: run as the package's `ejabberd` user (what
#                       ejabberdctl does by itself when called by root);
#                       BASEDIR is chown'ed to it.
#                     root: run as root (for a BASEDIR the ejabberd user
#                       cannot reach, e.g. under /root).
#                     auto: ejabberd if that user can reach BASEDIR, else root.
#   EJABBERD_START_TIMEOUT  seconds to wait for the port (default 60)
#   EJABBERD_LOGLEVEL       ejabberd loglevel (default warning)
set -euo pipefail

CTL=/usr/sbin/ejabberdctl
PROG=$(basename "$0")

usage() { echo "usage: $PROG {start|stop|status} BASEDIR [PORT]" >&2; exit 2; }
log() { printf '[ejabberd] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ $# -ge 2 ] || usage
CMD=$1
BASEDIR=$(realpath -m -- "$2")
PORT=${3:-}
START_TIMEOUT=${EJABBERD_START_TIMEOUT:-60}
LOGLEVEL=${EJABBERD_LOGLEVEL:-warning}
RUN_AS=${EJABBERD_RUN_AS:-auto}

PIDFILE=$BASEDIR/pid
CFG=$BASEDIR/ejabberd.yml
CTLCFG=$BASEDIR/ejabberdctl.cfg

# alive = exists and is not a zombie (PID 1 in a container may reap late)
pid_alive() {
    [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
    [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
# pid from BASEDIR/pid, else the beam.smp that carries this node's name
read_pid() {
    if [ -s "$PIDFILE" ]; then tr -dc '0-9' < "$PIDFILE"; return 0; fi
    local node p; node=$(cat "$BASEDIR/node" 2>/dev/null) || return 0
    for p in $(pgrep -x beam.smp 2>/dev/null || true); do
        tr '\0' '\n' 2>/dev/null < "/proc/$p/cmdline" | grep -qxF -- "$node" && { echo "$p"; return 0; }
    done
    true
}
# Running = the pid in BASEDIR/pid is alive, is a beam.smp and carries this
# instance's node name (guards against pid reuse).
is_running() {
    local pid node; pid=$(read_pid)
    pid_alive "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = beam.smp ] || return 1
    node=$(cat "$BASEDIR/node" 2>/dev/null) || return 1
    tr '\0' '\n' 2>/dev/null < "/proc/$pid/cmdline" | grep -qxF -- "$node"
}

port_in_use() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

free_port() {   # a free TCP port in 20000-59999
    local p
    for _ in $(seq 1 200); do
        p=$(( 20000 + RANDOM % 40000 ))
        port_in_use "$p" || { echo "$p"; return 0; }
    done
    return 1
}

# Open a TCP connection, send a stream header and wait for stream features
# that offer STARTTLS. Succeeds only when the server really speaks XMPP.
xmpp_probe() {   # xmpp_probe PORT
    local port=$1 buf="" chunk
    { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
    printf "<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>" >&3 || { exec 3<&-; return 1; }
    while IFS= read -r -d '>' -t 3 chunk <&3; do
        buf+="$chunk>"
        case $buf in *"</stream:features>"*) break ;; esac
    done
    printf '</stream:stream>' >&3 2>/dev/null || true
    exec 3<&- 3>&-
    case $buf in *"<stream:features"*starttls*) return 0 ;; esac
    return 1
}

ectl() {   # run ejabberdctl against this instance
    ${ECTL_TIMEOUT:+timeout "$ECTL_TIMEOUT"} "$CTL" --config-dir "$BASEDIR" --config "$CFG" --ctl-config "$CTLCFG" \
        --logs "$BASEDIR/log" --spool "$BASEDIR/db" "$@"
}

choose_user() {
    case $RUN_AS in
        root) echo root ;;
        ejabberd) echo ejabberd ;;
        auto)
            if [ "$(id -u)" -ne 0 ]; then id -un; return; fi
            # Can the ejabberd user reach BASEDIR's parent? (BASEDIR itself is
            # chown'ed to it below.)
            if runuser -u ejabberd -- test -x "$(dirname "$BASEDIR")" 2>/dev/null; then
                echo ejabberd
            else
                echo root
            fi ;;
        *) die "EJABBERD_RUN_AS must be auto, ejabberd or root" ;;
    esac
}

gen_cert() {
    [ -s "$BASEDIR/cert.pem" ] && [ -s "$BASEDIR/key.pem" ] && return 0
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
        -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
        -keyout "$BASEDIR/key.pem" -out "$BASEDIR/cert.pem" >/dev/null 2>&1 \
        || die "openssl failed to create the certificate"
    chmod 600 "$BASEDIR/key.pem"
}

write_config() {
    local user=$1 distport=$2
    # Node name and cookie are created once per BASEDIR: the mnesia database
    # is bound to the node name, so it must not change between runs.
    [ -s "$BASEDIR/node" ] || echo "ejbench$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')@localhost" > "$BASEDIR/node"
    [ -s "$BASEDIR/cookie" ] || { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F > "$BASEDIR/cookie"; }
    chmod 600 "$BASEDIR/cookie"
    local node cookie
    node=$(cat "$BASEDIR/node"); cookie=$(cat "$BASEDIR/cookie")

    cat > "$CTLCFG" <<EOF
# Generated by $PROG - private ejabberdctl settings for a benchmark peer.
ERLANG_NODE=$node
# epmd-less distribution: fixed distribution port, no epmd started;
# ejabberdctl then passes -erl_epmd_port/-start_epmd false itself.
ERL_DIST_PORT=$distport
ERL_EPMD_ADDRESS=127.0.0.1
# Private cookie (no dependency on \$HOME/.erlang.cookie) and distribution
# listener bound to loopback only.
ERL_OPTIONS="-setcookie $cookie -kernel inet_dist_use_interface {127,0,0,1} -env ERL_CRASH_DUMP_BYTES 0"
POLL=true
ERL_MAX_PORTS=250000
ERL_PROCESSES=2000000
ERL_MAX_ETS_TABLES=10000
EJABBERD_PID_PATH=$BASEDIR/ejabberd.pid
EJABBERD_BYPASS_WARNINGS=true
EOF
    if [ "$user" = root ] && [ "$(id -u)" -eq 0 ]; then
        # ejabberdctl decides "su to ejabberd" before it reads this file;
        # overriding EXEC_CMD here is how to run the node as root.
        echo 'EXEC_CMD=as_current_user' >> "$CTLCFG"
    fi
    # inetrc: resolve names from /etc/hosts first (copied from the package).
    cp /etc/ejabberd/inetrc "$BASEDIR/inetrc" 2>/dev/null || \
        printf '{lookup,["file","native"]}.\n{host,{127,0,0,1}, ["localhost"]}.\n{file, resolv, "/etc/resolv.conf"}.\n' > "$BASEDIR/inetrc"

    cat > "$CFG" <<EOF
# Generated by $PROG - ejabberd benchmark peer (private instance).
hosts:
  - localhost

loglevel: $LOGLEVEL
log_rotate_count: 0
hide_sensitive_log_data: true

certfiles:
  - "$BASEDIR/cert.pem"
  - "$BASEDIR/key.pem"

c2s_protocol_options:
  - "no_sslv3"
  - "no_tlsv1"
  - "no_tlsv1_1"
  - "cipher_server_preference"
  - "no_compression"

default_db: mnesia
auth_method: internal
auth_password_format: scram
disable_sasl_mechanisms:
  - "digest-md5"
  - "x-oauth2"

# Only one listener: c2s on loopback, STARTTLS required.
# No s2s, no http/bosh/websocket/api, no direct TLS, no stun, no mqtt.
listen:
  -
    port: $PORT
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls: true
    starttls_required: true
    shaper: none
    access: c2s
    max_stanza_size: 262144
    max_fsm_queue: 100000
    backlog: 4096

# No throttling for a load test.
max_fsm_queue: 100000
registration_timeout: infinity
s2s_access: s2s

acl:
  local:
    user_regexp: ""
  loopback:
    ip:
      - 127.0.0.0/8
      - ::1/128

access_rules:
  local:
    allow: local
  c2s:
    deny: blocked
    allow: all
  register:
    allow: all
  s2s:
    deny: all
  trusted_network:
    allow: loopback

api_permissions:
  "console commands":
    from:
      - ejabberd_ctl
    who: all
    what: "*"

shaper: {}

shaper_rules:
  max_user_offline_messages: 10000
  c2s_shaper: none
  s2s_shaper: none

modules:
  mod_blocking: {}
  mod_caps: {}
  mod_carboncopy: {}
  mod_disco: {}
  mod_last: {}
  mod_offline:
    access_max_user_messages: max_user_offline_messages
  mod_ping: {}
  mod_privacy: {}
  mod_private: {}
  mod_register:
    access: register
    ip_access: all
    password_strength: 0
    welcome_message:
      subject: ""
      body: ""
  mod_roster:
    versioning: true
  mod_stream_mgmt: {}
  mod_time: {}
  mod_vcard:
    search: false
  mod_version:
    show_os: false
EOF
    mkdir -p "$BASEDIR/db" "$BASEDIR/log"
    if [ "$user" = ejabberd ]; then
        chown -R ejabberd:ejabberd "$BASEDIR"
    fi
}

# ejabberdctl switches to the ejabberd user with su, and su's pam_limits session resets the
# soft open-file limit to 1024: at about a thousand connections accept() fails (emfile) and the
# listener takes the node down. A limits.d entry gives that user the same limit as this shell.
ensure_nofile() {
    local hard want f=/etc/security/limits.d/90-parley-bench-ejabberd.conf
    hard=$(ulimit -Hn)
    want=$(su -s /bin/sh -c 'ulimit -n' ejabberd 2>/dev/null || echo 0)
    [ "$want" = unlimited ] && return 0
    if [ "$want" -lt "$hard" ] && [ "$(id -u)" -eq 0 ]; then
        printf 'ejabberd soft nofile %s\nejabberd hard nofile %s\n' "$hard" "$hard" > "$f"
        log "raised the ejabberd user's open-file limit to $hard ($f)"
    fi
}

do_start() {
    [ -n "$PORT" ] || usage
    [[ $PORT =~ ^[0-9]+$ ]] || die "PORT must be a number"
    [ -x "$CTL" ] || die "$CTL not found: run install.sh first"
    if is_running; then
        log "already running (pid $(read_pid))"
        xmpp_probe "$PORT" || die "running, but port $PORT does not answer XMPP"
        return 0
    fi
    port_in_use "$PORT" && die "port $PORT is already in use"

    mkdir -p "$BASEDIR"
    local user distport
    user=$(choose_user)
    distport=$(free_port) || die "no free port for Erlang distribution"
    gen_cert
    write_config "$user" "$distport"
    rm -f "$PIDFILE" "$BASEDIR/ejabberd.pid"

    # More file descriptors for many connections (as the systemd unit does).
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    [ "$user" = ejabberd ] && ensure_nofile

    local epmd_before=0
    pgrep -x epmd >/dev/null 2>&1 && epmd_before=1

    log "starting node $(cat "$BASEDIR/node") as $user on 127.0.0.1:$PORT (dist port $distport)"
    ( cd "$BASEDIR" && ectl start ) >> "$BASEDIR/log/start.out" 2>&1 \
        || { tail -20 "$BASEDIR/log/start.out" >&2; die "ejabberdctl start failed"; }

    local deadline=$(( SECONDS + START_TIMEOUT )) pid=""
    while [ $SECONDS -lt $deadline ]; do
        pid=$(tr -dc '0-9' 2>/dev/null < "$BASEDIR/ejabberd.pid" || true)
        if [ -n "$pid" ] && xmpp_probe "$PORT"; then
            break
        fi
        sleep 0.5
    done
    if [ -z "$pid" ] || ! xmpp_probe "$PORT"; then
        log "did not come up within ${START_TIMEOUT}s; last log lines:"
        tail -30 "$BASEDIR/log/ejabberd.log" "$BASEDIR/log/error.log" "$BASEDIR/log/start.out" 2>/dev/null >&2 || true
        [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
        die "start failed"
    fi
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = beam.smp ] || die "pid $pid is not beam.smp"
    echo "$pid" > "$PIDFILE"
    local soft; soft=$(awk '/Max open files/ {print $4}' "/proc/$pid/limits" 2>/dev/null)
    log "open files limit of the node: $soft"
    if [ -n "$soft" ] && [ "$soft" -lt "$(ulimit -Hn)" ]; then
        log "warning: the node may open only $soft files (connections); see ensure_nofile"
    fi
    if [ "$epmd_before" = 0 ] && pgrep -x epmd >/dev/null 2>&1; then
        echo 1 > "$BASEDIR/epmd_started"   # should not happen with ERL_DIST_PORT
    fi
    log "running, pid $pid, listening on 127.0.0.1:$PORT"
}

do_stop() {
    local pid; pid=$(read_pid)
    if is_running; then
        log "stopping pid $pid"
        ( cd "$BASEDIR" && ECTL_TIMEOUT=30 ectl stop ) >> "$BASEDIR/log/start.out" 2>&1 || true
        for _ in $(seq 1 100); do pid_alive "$pid" || break; sleep 0.2; done
        if pid_alive "$pid"; then
            log "graceful stop timed out, SIGTERM"
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do pid_alive "$pid" || break; sleep 0.2; done
        fi
        if pid_alive "$pid"; then
            log "still alive, SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            for _ in $(seq 1 25); do pid_alive "$pid" || break; sleep 0.2; done
        fi
    fi
    # epmd: we run epmd-less, but if an epmd appeared because of this
    # instance and no node uses it any more, stop it.
    if [ -f "$BASEDIR/epmd_started" ]; then
        if pgrep -x epmd >/dev/null 2>&1 && ! ERL_EPMD_ADDRESS=127.0.0.1 epmd -names 2>/dev/null | grep -q '^name '; then
            epmd -kill >/dev/null 2>&1 || true
        fi
        rm -f "$BASEDIR/epmd_started"
    fi
    rm -f "$PIDFILE" "$BASEDIR/ejabberd.pid"
    log "stopped"
}

case $CMD in
    start) do_start ;;
    stop) do_stop ;;
    status)
        if is_running; then echo running; exit 0; else echo stopped; exit 3; fi ;;
    *) usage ;;
esac
