#!/usr/bin/env bash
# Start, stop and inspect Pusip's five real servers without Docker:
#   PostgreSQL 15 (Debian) · Redis (Debian) · Elasticsearch 8 (Maven Central integ-test-zip)
#   MinIO (built with `go install`) · Keycloak (Maven Central keycloak-quarkus-dist)
#
#   bash infra/dev/services.sh up     [name...]   # idempotent; fast when already up
#   bash infra/dev/services.sh down   [name...]
#   bash infra/dev/services.sh status [name...]
#
# names: postgres redis elasticsearch minio keycloak (default: all)
# Downloads and builds are cached in ${PUSIP_CACHE_DIR:-$HOME/.cache/pusip}; data, logs and pid
# files live in ${PUSIP_SERVICES_DIR:-$HOME/.local/share/pusip/services}. See infra/dev/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${PUSIP_CACHE_DIR:-$HOME/.cache/pusip}
RUN=${PUSIP_SERVICES_DIR:-$HOME/.local/share/pusip/services}

# ---------------------------------------------------------------- versions (pinned)
ES_VERSION=8.19.21          # newest 8.x integ-test-zip on Maven Central; runs on Java 17
KC_VERSION=26.7.3           # newest Keycloak; runs on Java 17 (also 21)
# what `go install github.com/minio/minio@latest` resolved to (2026-02-12 commit 7aac2a2c5b7c);
# builds with Go 1.26
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
PG_MAJOR=15

# ---------------------------------------------------------------- ports and credentials
# (tests read the same values from libs/pusip-kit/src/pusip_kit/testing/servers.py)
HOST=127.0.0.1
PG_PORT=55432
PG_USER=pusip
PG_PASSWORD=pusip
PG_DATABASES=(pusip_catalog pusip_circulation pusip_deposit pusip_archive pusip_accreditation)
REDIS_PORT=56379
ES_PORT=59200
ES_TRANSPORT_PORT=59300
MINIO_PORT=59000
MINIO_CONSOLE_PORT=59001
MINIO_USER=pusip
MINIO_PASSWORD=pusip-dev-minio-secret
KC_PORT=58080
KC_MANAGEMENT_PORT=58081
KC_ADMIN="admin"
KC_ADMIN_PASSWORD="admin"
KC_REALM_FILE=$ROOT/infra/keycloak/pusip-realm.json

# readiness timeouts (seconds)
PG_TIMEOUT=${PUSIP_PG_TIMEOUT:-60}
REDIS_TIMEOUT=${PUSIP_REDIS_TIMEOUT:-30}
ES_TIMEOUT=${PUSIP_ES_TIMEOUT:-180}
MINIO_TIMEOUT=${PUSIP_MINIO_TIMEOUT:-60}
KC_TIMEOUT=${PUSIP_KC_TIMEOUT:-300}

ALL=(postgres redis elasticsearch minio keycloak)
SERVICE_USER=pusip      # non-root user the servers run as when this script runs as root

PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
ES_HOME=$CACHE/elasticsearch-$ES_VERSION
KC_HOME=$CACHE/keycloak-$KC_VERSION
MINIO_BIN=$CACHE/minio/$MINIO_VERSION/minio

say() { printf '%s\n' "$*"; }
warn() { printf 'services.sh: %s\n' "$*" >&2; }
die() { printf 'services.sh: ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- running as a non-root user

if [[ $EUID -eq 0 ]]; then AS_ROOT=1; else AS_ROOT=0; fi

# Run a command as the service user (or as ourselves when not root). setpriv execs, so a pid
# written by the command is the server's own pid.
as_user() {
    if [[ $AS_ROOT -eq 1 ]]; then
        setpriv --reuid="$SERVICE_USER" --regid="$SERVICE_USER" --init-groups -- \
            env HOME="$RUN/home" USER="$SERVICE_USER" LOGNAME="$SERVICE_USER" "$@"
    else
        "$@"
    fi
}

own() {  # give paths to the service user
    if [[ $AS_ROOT -eq 1 ]]; then chown -R "$SERVICE_USER:$SERVICE_USER" "$@"; fi
}

apt_install() {
    [[ $AS_ROOT -eq 1 ]] || die "missing Debian packages ($*); install them: sudo apt-get install -y $*"
    say "installing Debian packages: $*"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$RUN/apt.log" 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$RUN/apt.log" 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$RUN/apt.log" 2>&1 ||
            { tail -n 30 "$RUN/apt.log" >&2; die "apt-get install $* failed (log: $RUN/apt.log)"; }
    fi
}

# The service user must be able to reach the cache and services dirs, which by default sit under
# root's home (mode 0700): grant it search permission (x only, by ACL) on each ancestor it lacks.
grant_traversal() {
    local path dir ancestors
    for path in "$@"; do
        ancestors=()
        dir=$(dirname "$path")
        while [[ "$dir" != "/" ]]; do
            ancestors=("$dir" "${ancestors[@]}")
            dir=$(dirname "$dir")
        done
        for dir in "${ancestors[@]}"; do  # from the top down
            if ! setpriv --reuid="$SERVICE_USER" --regid="$SERVICE_USER" --init-groups -- test -x "$dir" 2>/dev/null; then
                if ! command -v setfacl >/dev/null; then apt_install acl; fi
                setfacl -m "u:$SERVICE_USER:x" "$dir"
            fi
        done
    done
}

ensure_user() {
    [[ $AS_ROOT -eq 1 ]] || return 0
    if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
        useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
    fi
    mkdir -p "$RUN/home"
    own "$RUN/home"
    grant_traversal "$RUN/home" "$CACHE/."
}

# ---------------------------------------------------------------- helpers

java_home() {
    if [[ -n "${PUSIP_JAVA_HOME:-}" ]]; then echo "$PUSIP_JAVA_HOME"; return; fi
    local java
    java=$(command -v java) || die "java not found (Elasticsearch and Keycloak need Java 17+): apt-get install openjdk-17-jdk-headless"
    dirname "$(dirname "$(readlink -f "$java")")"
}

port_open() {  # port_open PORT
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

pid_alive() {  # pid_alive PIDFILE
    [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

http_ok() {  # http_ok URL
    curl -fsS -o /dev/null --max-time 3 "$1" 2>/dev/null
}

# wait_ready NAME PORT TIMEOUT LOG CHECK... : poll CHECK until it succeeds, else fail naming the
# server, its port and the last 30 lines of its log.
wait_ready() {
    local name=$1 port=$2 timeout=$3 log=$4
    shift 4
    local start=$SECONDS
    while ! "$@" >/dev/null 2>&1; do
        if (( SECONDS - start >= timeout )); then
            {
                echo "services.sh: ERROR: $name did not become ready on $HOST:$port within ${timeout}s."
                echo "--- last 30 lines of $log ---"
                tail -n 30 "$log" 2>/dev/null || echo "(no log file)"
                echo "---"
            } >&2
            return 1
        fi
        sleep 1
    done
}

stop_pidfile() {  # stop_pidfile NAME PIDFILE [TIMEOUT]
    local name=$1 pidfile=$2 timeout=${3:-60}
    if ! pid_alive "$pidfile"; then rm -f "$pidfile"; say "$name: not running"; return 0; fi
    local pid
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    local start=$SECONDS
    while kill -0 "$pid" 2>/dev/null; do
        if (( SECONDS - start >= timeout )); then
            warn "$name (pid $pid) did not stop within ${timeout}s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.5
    done
    rm -f "$pidfile"
    say "$name: stopped"
}

port_taken_error() {  # when a port answers but not our server
    die "$1: port $HOST:$2 is already in use by another process (not the one in $RUN/$1); stop it first"
}

checksum() {  # checksum FILE... : of the files' names and contents, independent of where the checkout is
    local f
    for f in "$@"; do printf '%s\n' "$(basename "$f")"; cat "$f"; done | sha256sum | cut -c1-16
}

mvn_fetch() {  # mvn_fetch GROUP:ARTIFACT:VERSION:zip DEST_DIR
    command -v mvn >/dev/null || apt_install maven
    mkdir -p "$2"
    say "downloading $1 with Maven"
    mvn -q -B dependency:copy -Dartifact="$1" -DoutputDirectory="$2" -Dmdep.overWriteIfNewer=true >"$CACHE/mvn.log" 2>&1 ||
        { tail -n 30 "$CACHE/mvn.log" >&2; die "mvn dependency:copy -Dartifact=$1 failed (log: $CACHE/mvn.log)"; }
}

# ================================================================= PostgreSQL

pg_dir() { echo "$RUN/postgres"; }

pg_prepare() {
    if [[ ! -x "$PG_BIN/initdb" ]]; then apt_install "postgresql-$PG_MAJOR"; fi
    # Debian starts a default cluster on 5432 when it installs the package; ours is separate.
    local dir
    dir=$(pg_dir)
    mkdir -p "$dir"
    own "$dir"
    if [[ ! -s "$dir/data/PG_VERSION" ]]; then
        say "postgres: initdb $dir/data"
        rm -rf "$dir/data"
        local pwfile="$dir/.pwfile"
        printf '%s\n' "$PG_PASSWORD" >"$pwfile"
        own "$pwfile"
        as_user "$PG_BIN/initdb" -D "$dir/data" -U "$PG_USER" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
            { rm -f "$pwfile"; tail -n 30 "$dir/initdb.log" >&2; die "postgres: initdb failed (log: $dir/initdb.log)"; }
        rm -f "$pwfile"
        echo "include_if_exists = 'pusip.conf'" >>"$dir/data/postgresql.conf"
    fi
    cat >"$dir/data/pusip.conf" <<EOF
# written by infra/dev/services.sh on every 'up'
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 128MB
work_mem = 8MB
maintenance_work_mem = 64MB
synchronous_commit = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 1GB
log_min_messages = warning
log_min_duration_statement = -1
EOF
    own "$dir/data/pusip.conf"
}

pg_running() { as_user "$PG_BIN/pg_ctl" -D "$(pg_dir)/data" status >/dev/null 2>&1; }

pg_sql() {  # pg_sql DB SQL  (as the superuser, over the unix socket)
    as_user "$PG_BIN/psql" -h "$(pg_dir)" -p "$PG_PORT" -U "$PG_USER" -d "$1" -v ON_ERROR_STOP=1 -qtA -c "$2"
}

pg_ready() {
    PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=2 "$PG_BIN/psql" "host=$HOST port=$PG_PORT user=$PG_USER dbname=postgres" \
        -qtA -c 'select 1' >/dev/null 2>&1
}

up_postgres() {
    local dir
    dir=$(pg_dir)
    if pg_running && pg_ready; then
        say "postgres: already running"
    else
        if ! pg_running; then
            if port_open "$PG_PORT"; then port_taken_error postgres "$PG_PORT"; fi
            as_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t "$PG_TIMEOUT" start >/dev/null 2>&1 || true
        fi
        wait_ready postgres "$PG_PORT" "$PG_TIMEOUT" "$dir/postgres.log" pg_ready || return 1
    fi
    pg_sql postgres "ALTER ROLE $PG_USER WITH SUPERUSER LOGIN PASSWORD '$PG_PASSWORD'" >/dev/null
    local db
    for db in "${PG_DATABASES[@]}"; do
        if [[ -z "$(pg_sql postgres "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]]; then
            pg_sql postgres "CREATE DATABASE $db OWNER $PG_USER" >/dev/null
        fi
    done
    say "postgres: ready (databases: ${PG_DATABASES[*]})"
}

down_postgres() {
    if pg_running; then
        as_user "$PG_BIN/pg_ctl" -D "$(pg_dir)/data" -m fast -w -t 60 stop >/dev/null
        say "postgres: stopped"
    else
        say "postgres: not running"
    fi
}

status_postgres() {
    if pg_running && pg_ready; then
        echo "postgres       running  postgresql+psycopg://$PG_USER:$PG_PASSWORD@$HOST:$PG_PORT/postgres"
    elif pg_running; then
        echo "postgres       starting (not accepting connections on $HOST:$PG_PORT)"
    else
        echo "postgres       stopped"
    fi
}

# ================================================================= Redis

redis_dir() { echo "$RUN/redis"; }

redis_prepare() {
    command -v redis-server >/dev/null || apt_install redis-server
    mkdir -p "$(redis_dir)"
    own "$(redis_dir)"
}

redis_ready() { [[ "$(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

up_redis() {
    local dir
    dir=$(redis_dir)
    if pid_alive "$dir/redis.pid" && redis_ready; then say "redis: already running"; return 0; fi
    if ! pid_alive "$dir/redis.pid"; then
        if port_open "$REDIS_PORT"; then port_taken_error redis "$REDIS_PORT"; fi
        as_user redis-server --port "$REDIS_PORT" --bind "$HOST" --daemonize yes \
            --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" \
            --save '' --appendonly no --protected-mode yes --databases 32 || true
    fi
    wait_ready redis "$REDIS_PORT" "$REDIS_TIMEOUT" "$dir/redis.log" redis_ready || return 1
    say "redis: ready"
}

down_redis() { stop_pidfile redis "$(redis_dir)/redis.pid" 30; }

status_redis() {
    if redis_ready; then echo "redis          running  redis://$HOST:$REDIS_PORT/0"
    elif pid_alive "$(redis_dir)/redis.pid"; then echo "redis          starting"
    else echo "redis          stopped"; fi
}

# ================================================================= Elasticsearch

es_dir() { echo "$RUN/elasticsearch"; }

es_prepare() {
    command -v unzip >/dev/null || apt_install unzip
    local jh
    jh=$(java_home)
    if [[ ! -x "$ES_HOME/bin/elasticsearch" ]]; then
        local zip="$CACHE/downloads/elasticsearch-$ES_VERSION.zip"
        [[ -s "$zip" ]] || mvn_fetch "org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" "$CACHE/downloads"
        rm -rf "$ES_HOME.tmp"
        mkdir -p "$ES_HOME.tmp"
        unzip -q "$zip" -d "$ES_HOME.tmp"
        rm -rf "$ES_HOME"
        mv "$ES_HOME.tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
        rm -rf "$ES_HOME.tmp"
    fi
    # The integ-test-zip lacks analysis-common, reindex and rest-root: build Pusip's compat module
    # (infra/elasticsearch/pusip-es-compat) against this distribution when its sources change.
    local src="$ROOT/infra/elasticsearch/pusip-es-compat"
    local module="$ES_HOME/modules/pusip-es-compat"
    local stamp
    local files
    mapfile -t files < <(cd "$src" && find . -type f ! -name '.*' | sort)
    stamp=$(cd "$src" && checksum "${files[@]}")
    if [[ "$(cat "$module/.stamp" 2>/dev/null)" != "$stamp" ]]; then
        [[ -x "$jh/bin/javac" ]] || die "elasticsearch: javac not found in $jh (the compat module is compiled here): apt-get install openjdk-17-jdk-headless"
        say "elasticsearch: compiling the pusip-es-compat module"
        local build
        build=$(mktemp -d)
        local cp
        cp=$(find "$ES_HOME/lib" -maxdepth 1 -name '*.jar' | sort | tr '\n' ':')
        local sources
        mapfile -t sources < <(find "$src/src" -name '*.java' | sort)
        "$jh/bin/javac" -nowarn -Xlint:none --release 17 -encoding UTF-8 -cp "$cp" -d "$build/classes" \
            "${sources[@]}" >"$build/javac.log" 2>&1 ||
            { cat "$build/javac.log" >&2; die "elasticsearch: compiling pusip-es-compat failed"; }
        rm -rf "$module"
        mkdir -p "$module"
        "$jh/bin/jar" cf "$module/pusip-es-compat.jar" -C "$build/classes" .
        sed "s/@ES_VERSION@/$ES_VERSION/g" "$src/plugin-descriptor.properties" >"$module/plugin-descriptor.properties"
        echo "$stamp" >"$module/.stamp"
        rm -rf "$build"
    fi
    local dir
    dir=$(es_dir)
    mkdir -p "$dir/data" "$dir/logs" "$dir/tmp" "$dir/config/jvm.options.d"
    # configuration: the distribution's defaults plus ours from infra/elasticsearch/
    cp "$ES_HOME/config/jvm.options" "$ES_HOME/config/log4j2.properties" "$dir/config/"
    cp "$ROOT/infra/elasticsearch/elasticsearch.yml" "$dir/config/elasticsearch.yml"
    rm -f "$dir/config/jvm.options.d/"*.options
    cp "$ROOT/infra/elasticsearch/jvm.options.d/"*.options "$dir/config/jvm.options.d/"
    own "$dir"
}

es_url() { echo "http://$HOST:$ES_PORT"; }

es_ready() { http_ok "$(es_url)/_cluster/health?wait_for_status=yellow&timeout=2s"; }

es_analyze() {  # prints the tokens of "perpustakaan" through the indonesian analyzer
    curl -fsS --max-time 10 -H 'Content-Type: application/json' -X POST "$(es_url)/_analyze" \
        -d '{"analyzer":"indonesian","text":"perpustakaan"}' 2>/dev/null |
        sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}

up_elasticsearch() {
    local dir
    dir=$(es_dir)
    local state=ready
    if pid_alive "$dir/es.pid" && es_ready; then state="already running"; else
        if ! pid_alive "$dir/es.pid"; then
            if port_open "$ES_PORT"; then port_taken_error elasticsearch "$ES_PORT"; fi
            rm -f "$dir/es.pid"
            as_user setsid env ES_JAVA_HOME="$(java_home)" ES_PATH_CONF="$dir/config" ES_TMPDIR="$dir/tmp" \
                "$ES_HOME/bin/elasticsearch" -d -p "$dir/es.pid" -Epath.data="$dir/data" -Epath.logs="$dir/logs" \
                -Ehttp.port="$ES_PORT" -Etransport.port="$ES_TRANSPORT_PORT" -Enetwork.host="$HOST" \
                </dev/null >"$dir/logs/startup.log" 2>&1 || true
        fi
        local log="$dir/logs/pusip-dev.log"
        [[ -s "$log" ]] || log="$dir/logs/startup.log"
        wait_ready elasticsearch "$ES_PORT" "$ES_TIMEOUT" "$log" es_ready || return 1
    fi
    local token
    token=$(es_analyze)
    if [[ "$token" != "pustaka" ]]; then
        echo "services.sh: ERROR: elasticsearch on $HOST:$ES_PORT: the indonesian analyzer gave [${token}] for 'perpustakaan', expected [pustaka]" >&2
        tail -n 30 "$dir/logs/pusip-dev.log" >&2 2>/dev/null || true
        return 1
    fi
    say "elasticsearch: $state (indonesian analyzer: perpustakaan -> $token)"
}

down_elasticsearch() { stop_pidfile elasticsearch "$(es_dir)/es.pid" 60; }

status_elasticsearch() {
    if es_ready; then
        local token
        token=$(es_analyze)
        echo "elasticsearch  running  $(es_url)  (indonesian analyzer: perpustakaan -> ${token:-FAILED})"
    elif pid_alive "$(es_dir)/es.pid"; then echo "elasticsearch  starting"
    else echo "elasticsearch  stopped"; fi
}

# ================================================================= MinIO

minio_dir() { echo "$RUN/minio"; }

minio_prepare() {
    if [[ ! -x "$MINIO_BIN" ]]; then
        local go
        go=$(command -v go || echo /usr/local/go/bin/go)
        [[ -x "$go" ]] || die "minio: Go is needed to build MinIO (go install github.com/minio/minio@$MINIO_VERSION)"
        say "minio: building github.com/minio/minio@$MINIO_VERSION with $("$go" version) (several minutes, once)"
        mkdir -p "$CACHE/go" "$(dirname "$MINIO_BIN")"
        GOBIN=$(dirname "$MINIO_BIN") GOPATH="$CACHE/go" GOFLAGS=-modcacherw GOTOOLCHAIN=local CGO_ENABLED=0 \
            "$go" install "github.com/minio/minio@$MINIO_VERSION" >"$CACHE/minio-build.log" 2>&1 ||
            { tail -n 30 "$CACHE/minio-build.log" >&2; die "minio: go install failed (log: $CACHE/minio-build.log)"; }
    fi
    mkdir -p "$(minio_dir)/data"
    own "$(minio_dir)"
}

minio_url() { echo "http://$HOST:$MINIO_PORT"; }

minio_ready() { http_ok "$(minio_url)/minio/health/live"; }

up_minio() {
    local dir
    dir=$(minio_dir)
    if pid_alive "$dir/minio.pid" && minio_ready; then say "minio: already running"; return 0; fi
    if ! pid_alive "$dir/minio.pid"; then
        if port_open "$MINIO_PORT"; then port_taken_error minio "$MINIO_PORT"; fi
        # shellcheck disable=SC2016
        as_user setsid bash -c 'echo $$ >"$0"; exec "$@"' "$dir/minio.pid" \
            env MINIO_ROOT_USER="$MINIO_USER" MINIO_ROOT_PASSWORD="$MINIO_PASSWORD" \
            MINIO_BROWSER_REDIRECT=off MINIO_UPDATE=off \
            "$MINIO_BIN" server --quiet --anonymous --address "$HOST:$MINIO_PORT" \
            --console-address "$HOST:$MINIO_CONSOLE_PORT" "$dir/data" \
            </dev/null >>"$dir/minio.log" 2>&1 &
    fi
    wait_ready minio "$MINIO_PORT" "$MINIO_TIMEOUT" "$dir/minio.log" minio_ready || return 1
    say "minio: ready"
}

down_minio() { stop_pidfile minio "$(minio_dir)/minio.pid" 30; }

status_minio() {
    if minio_ready; then echo "minio          running  $(minio_url)  (console http://$HOST:$MINIO_CONSOLE_PORT)"
    elif pid_alive "$(minio_dir)/minio.pid"; then echo "minio          starting"
    else echo "minio          stopped"; fi
}

# ================================================================= Keycloak

kc_dir() { echo "$RUN/keycloak"; }

kc_prepare() {
    command -v unzip >/dev/null || apt_install unzip
    if [[ ! -x "$KC_HOME/bin/kc.sh" ]]; then
        local zip="$CACHE/downloads/keycloak-quarkus-dist-$KC_VERSION.zip"
        [[ -s "$zip" ]] || mvn_fetch "org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" "$CACHE/downloads"
        rm -rf "$KC_HOME.tmp"
        mkdir -p "$KC_HOME.tmp"
        unzip -q "$zip" -d "$KC_HOME.tmp"
        rm -rf "$KC_HOME"
        mv "$KC_HOME.tmp/keycloak-$KC_VERSION" "$KC_HOME"
        rm -rf "$KC_HOME.tmp"
    fi
    local dir
    dir=$(kc_dir)
    mkdir -p "$dir/data"
    # A changed realm file is applied by starting from an empty database: --import-realm skips a
    # realm that already exists.
    local sum
    sum=$(checksum "$KC_REALM_FILE")
    if [[ "$(cat "$dir/realm.sha256" 2>/dev/null)" != "$sum" ]]; then
        if pid_alive "$dir/keycloak.pid"; then down_keycloak >/dev/null; fi
        [[ -f "$dir/realm.sha256" ]] && say "keycloak: realm file changed; resetting Keycloak's data"
        rm -rf "$dir/data"
        mkdir -p "$dir/data/import"
        cp "$KC_REALM_FILE" "$dir/data/import/pusip-realm.json"
        echo "$sum" >"$dir/realm.sha256"
    fi
    # Keycloak keeps its dev database (H2) and import folder in $KC_HOME/data: point it here.
    if [[ "$(readlink "$KC_HOME/data" 2>/dev/null)" != "$dir/data" ]]; then
        rm -rf "$KC_HOME/data"
        ln -s "$dir/data" "$KC_HOME/data"
    fi
    own "$dir"
    if [[ $AS_ROOT -eq 1 && "$(stat -c %U "$KC_HOME/lib")" != "$SERVICE_USER" ]]; then
        own "$KC_HOME"  # Keycloak writes its build (lib/quarkus) into its home
    fi
}

kc_url() { echo "http://$HOST:$KC_PORT"; }

kc_ready() { http_ok "$(kc_url)/realms/pusip/.well-known/openid-configuration"; }

up_keycloak() {
    local dir
    dir=$(kc_dir)
    if pid_alive "$dir/keycloak.pid" && kc_ready; then say "keycloak: already running"; return 0; fi
    if ! pid_alive "$dir/keycloak.pid"; then
        if port_open "$KC_PORT"; then port_taken_error keycloak "$KC_PORT"; fi
        : >"$dir/keycloak.log"
        own "$dir/keycloak.log"
        # kc.sh forwards TERM to its java child, so its pid is the one to stop
        # shellcheck disable=SC2016
        as_user setsid bash -c 'echo $$ >"$0"; exec "$@"' "$dir/keycloak.pid" \
            env JAVA_HOME="$(java_home)" KC_BOOTSTRAP_ADMIN_USERNAME="$KC_ADMIN" \
            KC_BOOTSTRAP_ADMIN_PASSWORD="$KC_ADMIN_PASSWORD" \
            "$KC_HOME/bin/kc.sh" start-dev --http-host="$HOST" --http-port="$KC_PORT" \
            --http-management-port="$KC_MANAGEMENT_PORT" --import-realm \
            </dev/null >>"$dir/keycloak.log" 2>&1 &
    fi
    wait_ready keycloak "$KC_PORT" "$KC_TIMEOUT" "$dir/keycloak.log" kc_ready || return 1
    say "keycloak: ready (realm pusip)"
}

down_keycloak() { stop_pidfile keycloak "$(kc_dir)/keycloak.pid" 60; }

status_keycloak() {
    if kc_ready; then echo "keycloak       running  $(kc_url)  (issuer $(kc_url)/realms/pusip; admin $KC_ADMIN/$KC_ADMIN_PASSWORD)"
    elif pid_alive "$(kc_dir)/keycloak.pid"; then echo "keycloak       starting"
    else echo "keycloak       stopped"; fi
}

# ================================================================= commands

prepare() {
    case $1 in
        postgres) pg_prepare ;;
        redis) redis_prepare ;;
        elasticsearch) es_prepare ;;
        minio) minio_prepare ;;
        keycloak) kc_prepare ;;
    esac
}

cmd_up() {
    local names=("$@") start=$SECONDS
    mkdir -p "$CACHE" "$RUN"
    ensure_user
    # downloads, builds and configuration: one at a time (Maven and Go share their caches)
    local n
    for n in "${names[@]}"; do prepare "$n"; done
    # start everything at once; Elasticsearch and Keycloak take the longest
    local tmp
    tmp=$(mktemp -d)
    local -A pids=()
    for n in "${names[@]}"; do
        ( "up_$n" ) >"$tmp/$n.out" 2>"$tmp/$n.err" &
        pids[$n]=$!
    done
    local failed=()
    for n in "${names[@]}"; do
        if wait "${pids[$n]}"; then
            cat "$tmp/$n.out"
            cat "$tmp/$n.err" >&2
        else
            cat "$tmp/$n.out"
            cat "$tmp/$n.err" >&2
            failed+=("$n")
        fi
    done
    rm -rf "$tmp"
    if ((${#failed[@]})); then
        die "not ready: ${failed[*]} (see the messages above; 'bash infra/dev/services.sh status' shows the rest)"
    fi
    say ""
    say "Pusip servers up in $((SECONDS - start))s:"
    for n in "${names[@]}"; do
        case $n in
            postgres) say "  postgres       postgresql+psycopg://$PG_USER:$PG_PASSWORD@$HOST:$PG_PORT/postgres" ;;
            redis) say "  redis          redis://$HOST:$REDIS_PORT/0" ;;
            elasticsearch) say "  elasticsearch  $(es_url)" ;;
            minio) say "  minio          $(minio_url)  ($MINIO_USER / $MINIO_PASSWORD)" ;;
            keycloak) say "  keycloak       $(kc_url)/realms/pusip  (admin: $KC_ADMIN / $KC_ADMIN_PASSWORD)" ;;
        esac
    done
}

cmd_down() {
    local n
    for n in "$@"; do "down_$n"; done
}

cmd_status() {
    local n
    for n in "$@"; do "status_$n"; done
}

main() {
    local cmd=${1:-}
    [[ -n "$cmd" ]] || die "usage: $0 up|down|status [${ALL[*]}]"
    shift
    local names=("$@")
    ((${#names[@]})) || names=("${ALL[@]}")
    local n ok
    for n in "${names[@]}"; do
        ok=0
        for a in "${ALL[@]}"; do [[ "$n" == "$a" ]] && ok=1; done
        ((ok)) || die "unknown server '$n' (known: ${ALL[*]})"
    done
    case $cmd in
        up) cmd_up "${names[@]}" ;;
        down)
            # reverse order: applications of the servers first, the database last
            local rev=() i
            for ((i = ${#names[@]} - 1; i >= 0; i--)); do rev+=("${names[$i]}"); done
            cmd_down "${rev[@]}"
            ;;
        status) cmd_status "${names[@]}" ;;
        *) die "unknown command '$cmd' (use up, down or status)" ;;
    esac
}

main "$@"
