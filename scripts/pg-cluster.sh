#!/usr/bin/env bash
# pg-cluster.sh - start or stop a private PostgreSQL 15 cluster with pg_kmersearch preloaded.
#
#   pg-cluster.sh start DIR [PORT]   initdb DIR/data (if new) and start it; socket in DIR.
#                                    A running cluster is restarted, so that a newly
#                                    installed (preloaded) library is picked up.
#   pg-cluster.sh stop DIR           stop it (fast shutdown)
#   pg-cluster.sh env DIR            print PGHOST/PGPORT/PGUSER exports for a started cluster
#
# The server runs as the 'postgres' OS user, listens only on a Unix socket in
# DIR (no TCP), and writes its log to DIR/server.log.  DIR must be reachable by
# the postgres user; the caller decides whether it is throw-away or kept.
set -euo pipefail

PG_BINDIR=${PG_BINDIR:-$(pg_config --bindir)}
PG_OS_USER=${PG_OS_USER:-postgres}
# Empty KMER_CLUSTER_PRELOAD starts a server without the preloaded library (for the tests of that case).
PRELOAD=${KMER_CLUSTER_PRELOAD-pg_kmersearch}

as_pg() { (cd / && runuser -u "$PG_OS_USER" -- "$@"); }

cmd=${1:?usage: pg-cluster.sh start|stop|env DIR [PORT]}
dir=${2:?usage: pg-cluster.sh start|stop|env DIR [PORT]}

case "$cmd" in
start)
    port=${3:-5433}
    mkdir -p "$dir"
    chown "$PG_OS_USER" "$dir"
    chmod 700 "$dir"
    if [ ! -s "$dir/data/PG_VERSION" ]; then
        as_pg "$PG_BINDIR/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
        cat >>"$dir/data/postgresql.conf" <<CONF

# --- pg_kmersearch private cluster ---
listen_addresses = ''
port = $port
unix_socket_directories = '$dir'
shared_preload_libraries = '$PRELOAD'
max_parallel_maintenance_workers = 2
CONF
    fi
    action=start
    as_pg "$PG_BINDIR/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 && action=restart
    as_pg "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 "$action" >/dev/null \
        || { tail -n 30 "$dir/server.log" >&2; exit 1; }
    ;;
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_pg "$PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
    fi
    ;;
env)
    port=$(sed -n 's/^port = \([0-9]*\)$/\1/p' "$dir/data/postgresql.conf" | tail -n 1)
    printf 'export PGHOST=%q PGPORT=%q PGUSER=postgres\n' "$dir" "$port"
    ;;
*)
    echo "usage: pg-cluster.sh start|stop|env DIR [PORT]" >&2
    exit 2
    ;;
esac
