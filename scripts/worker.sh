#!/usr/bin/env bash
# worker.sh - start or stop the installed worker pool for a project-local cluster directory.
#
#   worker.sh start DIR   run /usr/local/lib/kmer-worker/Kmer.Worker as the postgres OS user,
#                         socket DIR/kmer-worker.sock, log DIR/kmer-worker.log; waits until it listens
#   worker.sh stop DIR    stop it (SIGTERM; the worker removes its socket)
set -euo pipefail

WORKER=${KMER_WORKER_BIN:-/usr/local/lib/kmer-worker/Kmer.Worker}
cmd=${1:?usage: worker.sh start|stop DIR}
dir=${2:?usage: worker.sh start|stop DIR}
socket="$dir/kmer-worker.sock"
pidfile="$dir/kmer-worker.pid"

stop() {
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        kill -TERM "$(cat "$pidfile")"
        for _ in $(seq 1 50); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$pidfile"
}

case "$cmd" in
start)
    [ -x "$WORKER" ] || { echo "worker.sh: $WORKER not found; run make install" >&2; exit 1; }
    stop
    # exec: the background job is runuser itself (it passes SIGTERM on), holding none of our fds.
    (cd / && exec runuser -u postgres -- "$WORKER" --Worker:SocketPath="$socket" \
        </dev/null >"$dir/kmer-worker.log" 2>&1) &
    echo $! >"$pidfile"
    for _ in $(seq 1 100); do
        [ -S "$socket" ] && exit 0
        kill -0 "$(cat "$pidfile")" 2>/dev/null || break
        sleep 0.1
    done
    echo "worker.sh: the worker did not start; see $dir/kmer-worker.log" >&2
    tail -n 20 "$dir/kmer-worker.log" >&2
    exit 1
    ;;
stop)
    stop
    ;;
*)
    echo "usage: worker.sh start|stop DIR" >&2
    exit 2
    ;;
esac
