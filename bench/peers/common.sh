# Shared by ejabberd.sh, prosody.sh and selftest.sh (sourced, not run). The sourcing script
# defines log and die, and sets BASEDIR and RUN_AS where it uses choose_user and gen_cert.

# alive = exists and is not a zombie (PID 1 in a container may reap late)
pid_alive() {
    [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
    [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
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

# The user the server runs as: RUN_AS (auto|SERVICE_USER|root); auto picks the package's
# service user when it can reach BASEDIR's parent (BASEDIR itself is chown'ed to it).
choose_user() {   # choose_user SERVICE_USER SETTING_NAME
    local service=$1 setting=$2
    case $RUN_AS in
        root) echo root ;;
        "$service") echo "$service" ;;
        auto)
            if [ "$(id -u)" -ne 0 ]; then id -un; return; fi
            if runuser -u "$service" -- test -x "$(dirname "$BASEDIR")" 2>/dev/null; then
                echo "$service"
            else
                echo root
            fi ;;
        *) die "$setting must be auto, $service or root" ;;
    esac
}

gen_cert() {   # a self-signed certificate for localhost in BASEDIR, once
    [ -s "$BASEDIR/cert.pem" ] && [ -s "$BASEDIR/key.pem" ] && return 0
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
        -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
        -keyout "$BASEDIR/key.pem" -out "$BASEDIR/cert.pem" >/dev/null 2>&1 \
        || die "openssl failed to create the certificate"
    chmod 600 "$BASEDIR/key.pem"
}
