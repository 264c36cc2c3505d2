#!/usr/bin/env bash
# stop-demo.sh - stop the demo cluster started by scripts/demo.sh (its data stays in .run).
set -euo pipefail
source "$(dirname "$0")/run-dir.sh"
"$project_root/scripts/pg-cluster.sh" stop "$RUN_DIR"
echo "stopped the cluster in $RUN_DIR (remove that directory to start afresh)"
