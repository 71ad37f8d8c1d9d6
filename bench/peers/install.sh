#!/usr/bin/env bash
# Install the Debian packages used as benchmark peers and by the storage tests
# (ejabberd, prosody, postgresql,
# openssl) if they are missing, and make sure the packages' own system
# services are NOT left running: the benchmark runs private instances
# through ejabberd.sh / prosody.sh instead.
#
# Idempotent: running it again installs nothing and only re-checks that the
# system services are stopped.
#
# Usage: sudo bench/peers/install.sh
set -euo pipefail

PKGS=(ejabberd prosody openssl postgresql)
# Ports the stock configurations of ejabberd/prosody listen on.
STOCK_PORTS=(5222 5223 5269 5270 5280 5281 5347 5443 5000 1883 3478 4369)

log() { printf '[install] %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
    echo "install.sh must run as root" >&2
    exit 1
fi

is_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for p in "${PKGS[@]}"; do
    is_installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
    log "installing: ${missing[*]}"
    # Keep Debian's maintainer scripts from starting the services at all
    # while installing (invoke-rc.d honours policy-rc.d; exit 101 = "action
    # forbidden"). Only add our own policy-rc.d if there is none already.
    added_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        added_policy=1
    fi
    cleanup_policy() { [ "$added_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d; true; }
    trap cleanup_policy EXIT
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q "${missing[@]}"; then
        log "apt-get install failed; running apt-get update and retrying"
        apt-get update -q
        apt-get install -y -q "${missing[@]}"
    fi
    cleanup_policy
    trap - EXIT
else
    log "already installed: ${PKGS[*]}"
fi

# ---------------------------------------------------------------------------
# Stop (and disable) the system services started by the packages.
# ---------------------------------------------------------------------------
have_systemd() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

# alive = exists and is not a zombie (PID 1 in a container may reap late)
pid_alive() {
    [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
    [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

kill_pidfile() {   # kill_pidfile FILE NAME
    local f=$1 name=$2 pid
    [ -r "$f" ] || return 0
    pid=$(tr -dc '0-9' < "$f")
    pid_alive "$pid" || return 0
    log "killing system $name (pid $pid from $f)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do pid_alive "$pid" || return 0; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
}

# Stock processes, told apart from the private benchmark instances started by
# ejabberd.sh/prosody.sh (those use their own node name / --config file).
stock_ejabberd_pids() {
    local pid
    for pid in $(pgrep -x beam.smp 2>/dev/null || true); do
        tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -qx 'ejabberd@localhost' && echo "$pid"
    done
    true
}
stock_prosody_pids() {
    local pid
    for pid in $(pgrep -f '/usr/bin/prosody' 2>/dev/null || true); do
        [ "$pid" = "$$" ] && continue
        tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -q '^lua' || continue
        tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -qx -- '--config' || echo "$pid"
    done
    true
}
kill_pids() {   # kill_pids NAME PID...
    local name=$1 pid; shift
    [ "$#" -gt 0 ] || return 0
    log "killing stock $name: $*"
    kill -TERM "$@" 2>/dev/null || true
    for _ in $(seq 1 50); do
        local alive=0
        for pid in "$@"; do pid_alive "$pid" && alive=1; done
        [ "$alive" = 0 ] && return 0
        sleep 0.2
    done
    kill -KILL "$@" 2>/dev/null || true
}

for svc in ejabberd prosody; do
    if have_systemd; then
        systemctl stop "$svc" >/dev/null 2>&1 || true
        systemctl disable "$svc" >/dev/null 2>&1 || true
    fi
    # SysV: keep it from starting at boot (no-op when the links are absent).
    if command -v update-rc.d >/dev/null 2>&1 && [ -e "/etc/init.d/$svc" ]; then
        update-rc.d "$svc" disable >/dev/null 2>&1 || true
    fi
done

# Without systemd, stop the stock ejabberd node the supported way
# (ejabberdctl stop) but only if it actually runs: calling ejabberdctl (or
# /etc/init.d/ejabberd stop) when it does not run would start an epmd.
if [ -n "$(stock_ejabberd_pids)" ] && [ -x /usr/sbin/ejabberdctl ]; then
    log "stopping stock ejabberd node via ejabberdctl"
    timeout 60 /usr/sbin/ejabberdctl stop >/dev/null 2>&1 || true
    for _ in $(seq 1 75); do [ -z "$(stock_ejabberd_pids)" ] && break; sleep 0.2; done
fi
kill_pidfile /run/ejabberd/ejabberd.pid ejabberd
kill_pids ejabberd $(stock_ejabberd_pids)
# Debian's /etc/init.d/prosody stops by "--name lua5.2" while bookworm runs
# lua5.4, so stop prosody by pid file / pid instead.
kill_pidfile /run/prosody/prosody.pid prosody
kill_pids prosody $(stock_prosody_pids)

# An epmd left behind by the system ejabberd: kill it only if no Erlang node
# is registered with it any more.
if command -v epmd >/dev/null 2>&1 && pgrep -x epmd >/dev/null 2>&1; then
    if ! epmd -names 2>/dev/null | grep -q '^name '; then
        log "stopping idle epmd"
        epmd -kill >/dev/null 2>&1 || true
    fi
fi

# ---------------------------------------------------------------------------
# Verify nothing from the stock services is listening.
# ---------------------------------------------------------------------------
bad=0
for port in "${STOCK_PORTS[@]}"; do
    line=$(ss -Hltnp "sport = :$port" 2>/dev/null || true)
    if [ -n "$line" ]; then
        echo "$line"
        if echo "$line" | grep -qE 'beam|prosody|lua|epmd'; then bad=1; fi
    fi
done
if [ "$bad" -ne 0 ]; then
    log "ERROR: a stock ejabberd/prosody/epmd is still listening (see above)"
    exit 1
fi

log "versions:"
for p in "${PKGS[@]}"; do
    printf '  %-10s %s\n' "$p" "$(dpkg-query -W -f='${Version}' "$p")"
done
log "ok: packages installed, system services stopped, no stock listeners"
