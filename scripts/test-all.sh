#!/usr/bin/env bash
# test-all.sh - every test of the project against a throw-away PostgreSQL 15 cluster.
# Run through `make test`, which installs dependencies and builds first.
# The last line is the combined summary: "tests: N passed, N failed, N skipped".
set -uo pipefail
project_root=$(cd "$(dirname "$0")/.." && pwd)
cluster="$project_root/scripts/pg-cluster.sh"

passed=0 failed=0 skipped=0 status=0

# Throw-away cluster on a private socket; always stopped and removed.
test_dir=$(mktemp -d /tmp/kmer-test.XXXXXX)
chmod 755 "$test_dir"
cleanup() {
    "$cluster" stop "$test_dir/pg" || true
    rm -rf "$test_dir"
}
trap cleanup EXIT
# The bridge tests declare functions over the pool's diagnostics handlers; the
# pool that the server starts inherits this from the postmaster. Only the
# server gets it: the worker's own unit tests check the defaults.
KMER_Worker__EnableDiagnosticHandlers=true "$cluster" start "$test_dir/pg" 5433 || { echo "tests: could not start the test cluster" >&2; exit 1; }
eval "$("$cluster" env "$test_dir/pg")"
export PGDATABASE=postgres

echo "== pg_regress (tests/regress)"
regress_log="$test_dir/regress.log"
make -C "$project_root/bridge-ext" installcheck >"$regress_log" 2>&1
regress_rc=$?
grep -E '^(test |ok |not ok | *[0-9]+ of [0-9]+ tests| All [0-9]+ tests)' "$regress_log"
regress_total=$(grep -cE '^(test |ok |not ok )' "$regress_log")
regress_failed=$(grep -E '^(test |ok |not ok )' "$regress_log" | grep -cE 'FAILED|failed|^not ok')
if [ "$regress_rc" -ne 0 ]; then
    status=1
    [ -f "$project_root/bridge-ext/regression.diffs" ] && cat "$project_root/bridge-ext/regression.diffs"
    [ "$regress_failed" -eq 0 ] && { tail -n 20 "$regress_log"; regress_failed=1; }
fi
passed=$((passed + regress_total - regress_failed))
failed=$((failed + regress_failed))

echo "== dotnet test (hybrid.sln)"
dotnet_log="$test_dir/dotnet.log"
KMER_TEST_CONNECTION="Host=$PGHOST;Port=$PGPORT;Username=postgres;Database=postgres" \
    dotnet test "$project_root/hybrid.sln" -c Release --nologo 2>&1 | tee "$dotnet_log"
dotnet_rc=${PIPESTATUS[0]}
while read -r f p s; do
    failed=$((failed + f)); passed=$((passed + p)); skipped=$((skipped + s))
done < <(sed -nE 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+), Total.*/\1 \2 \3/p' "$dotnet_log")
if [ "$dotnet_rc" -ne 0 ]; then
    status=1
    grep -qE 'Failed: *[1-9]' "$dotnet_log" || failed=$((failed + 1))   # crashed or did not build
fi

[ "$failed" -gt 0 ] && status=1
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
