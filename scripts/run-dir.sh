# run-dir.sh - sourced: sets RUN_DIR, the project-local directory of the demo cluster.
# The server runs as the postgres OS user, which must be able to reach it.  When
# the checkout lives where postgres cannot go (e.g. under /root), the cluster
# lives in /var/tmp and .run points there.
project_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN_DIR="$project_root/.run"
if ! runuser -u postgres -- test -x "$project_root" 2>/dev/null; then
    real="/var/tmp/pg_kmersearch-$(printf '%s' "$project_root" | md5sum | cut -c1-12)"
    mkdir -p "$real"
    [ -L "$RUN_DIR" ] || { rm -rf "$RUN_DIR"; ln -s "$real" "$RUN_DIR"; }
    RUN_DIR="$real"
fi
mkdir -p "$RUN_DIR"
DEMO_PORT=${DEMO_PORT:-5432}
DEMO_DB=${DEMO_DB:-kmersearch_demo}
