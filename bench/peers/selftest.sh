#!/usr/bin/env bash
# End-to-end self test of the benchmark peers:
#   install.sh; for ejabberd and prosody: start on a free loopback port,
#   smoke.py (IBR x2, SCRAM-SHA-1 login, live chat, offline store+deliver),
#   stop; then check nothing is left listening or running.
#
# Usage: bench/peers/selftest.sh [ejabberd] [prosody]   (default: both)
#   KEEP=1 keeps the temporary BASEDIRs (under /tmp) for inspection.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SERVERS=("$@")
[ ${#SERVERS[@]} -gt 0 ] || SERVERS=(ejabberd prosody)
PY=$(command -v python3 || echo /usr/bin/python3)

pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok   - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }

# shellcheck source=common.sh
source "$HERE/common.sh"

"$HERE/install.sh" && ok "install.sh" || bad "install.sh"

epmd_before=0
pgrep -x epmd >/dev/null 2>&1 && epmd_before=1

for srv in "${SERVERS[@]}"; do
    base=$(mktemp -d "/tmp/peer-$srv.XXXXXX")
    chmod 755 "$base"
    port=$(free_port)
    echo "== $srv: BASEDIR=$base PORT=$port"
    if "$HERE/$srv.sh" start "$base" "$port"; then
        ok "$srv start"
    else
        bad "$srv start"; continue
    fi
    [ "$("$HERE/$srv.sh" status "$base")" = running ] && ok "$srv status=running" || bad "$srv status"
    pid=$(cat "$base/pid")
    echo "   pid $pid: $(ps -o user=,comm= -p "$pid")"
    echo "   listeners of pid $pid:"
    ss -Hltnp | grep "pid=$pid," | sed 's/^/     /'
    # only loopback listeners, and the c2s port among them
    if ss -Hltnp | grep "pid=$pid," | awk '{print $4}' | grep -qv '^127\.0\.0\.1:'; then
        bad "$srv listens on a non-loopback address"
    else
        ok "$srv listens on 127.0.0.1 only"
    fi
    n=$(ss -Hltnp | grep -c "pid=$pid,")
    echo "   $n listening socket(s) (ejabberd: c2s + epmd-less distribution port; prosody: c2s)"

    if "$PY" "$HERE/smoke.py" "$port"; then ok "$srv smoke"; else bad "$srv smoke"; fi

    # start is idempotent
    "$HERE/$srv.sh" start "$base" "$port" >/dev/null 2>&1 && ok "$srv start again = no-op" || bad "$srv second start"

    "$HERE/$srv.sh" stop "$base" && ok "$srv stop" || bad "$srv stop"
    [ "$("$HERE/$srv.sh" status "$base")" = stopped ] && ok "$srv status=stopped" || bad "$srv status after stop"
    if kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then bad "$srv pid $pid still alive"; else ok "$srv pid $pid gone"; fi
    if port_in_use "$port"; then bad "$srv port $port still listening"; else ok "$srv port $port closed"; fi
    if pgrep -f -- "$base" >/dev/null; then
        bad "$srv: processes referencing $base remain: $(pgrep -af -- "$base")"
    else
        ok "$srv: no process references $base"
    fi
    [ "${KEEP:-0}" = 1 ] || rm -rf "$base"
done

if [ "$epmd_before" = 0 ]; then
    if pgrep -x epmd >/dev/null 2>&1; then bad "an epmd was left running"; else ok "no epmd running"; fi
fi
echo "== ss -ltnp after the test:"
ss -ltnp
echo "== beam.smp / epmd / prosody processes after the test:"
ps -eo pid,user,args | grep -E '[b]eam\.smp|[e]pmd|[/]usr/bin/prosody' || echo "   (none)"

echo "selftest: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
