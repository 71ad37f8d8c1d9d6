#!/usr/bin/env bash
# Fill a fresh private ejabberd (Debian's package, via ejabberd.sh) with sample users and their
# data, export it with ejabberd's own XEP-0227 tool (export_piefxis), and stop it by pid.
#
#   ejabberd-sample-export.sh BASEDIR PORT OUTDIR
#
# OUTDIR receives ejabberd's files: an index (<server-data> with xi:include) and one file per
# host; their names are printed, the index first. Used by Parley's migration test; handy to see
# what an ejabberd export looks like. Accounts (password): alice (secret), bob (b0b&<'"pw">),
# carol (Zoë-пароль), dave (davepw); frank (frankpw) on a second host, example.test.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 BASEDIR PORT OUTDIR" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
BASE=$(realpath -m -- "$1"); PORT=$2; OUT=$(realpath -m -- "$3")
export EJABBERD_PASSWORD_FORMAT=${EJABBERD_PASSWORD_FORMAT:-scram} EJABBERD_EXTRA_HOSTS=example.test
EJ="$HERE/ejabberd.sh"
trap '"$EJ" stop "$BASE" "$PORT" >/dev/null 2>&1 || true' EXIT
"$EJ" start "$BASE" "$PORT" >&2
E() { "$EJ" ctl "$BASE" "$@" >&2; }
E register alice localhost secret
E register bob localhost "b0b&<'\"pw\">"
E register carol localhost 'Zoë-пароль'
E register dave localhost davepw
E register frank example.test frankpw
E add_rosteritem alice localhost bob localhost Bobby 'Friends;Work' both
E add_rosteritem alice localhost carol localhost 'Carol Ö' Friends to
E add_rosteritem bob localhost alice localhost Alice Friends both
E send_stanza dave@localhost carol@localhost "<presence xmlns='jabber:client' type='subscribe'><status>add me</status></presence>"
E set_vcard alice localhost FN 'Alice Liddell'
E set_vcard2 alice localhost PHOTO TYPE image/png
E set_vcard2 alice localhost PHOTO BINVAL 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='
E private_set alice localhost "<storage xmlns='storage:bookmarks'><conference jid='room@conference.localhost' autojoin='true' name='The Room'><nick>alice</nick></conference></storage>"
E send_message chat bob@localhost dave@localhost '' 'first while you were out'
E send_message chat alice@localhost dave@localhost '' 'second & <escaped>'
# the node runs as the ejabberd user: it needs a directory it may write
rm -rf "$BASE/export"
install -d -o ejabberd -g ejabberd "$BASE/export" 2>/dev/null || mkdir -p "$BASE/export"
E export_piefxis "$BASE/export"
mkdir -p "$OUT"
index=""
for f in "$BASE"/export/*.xml; do
    cp "$f" "$OUT/"
    if grep -q "<server-data" "$f"; then index=$(basename "$f"); fi
done
[ -n "$index" ] || { echo "no index file in the export" >&2; exit 1; }
echo "$OUT/$index"
for f in "$OUT"/*.xml; do [ "$(basename "$f")" = "$index" ] || echo "$f"; done
