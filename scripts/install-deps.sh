#!/usr/bin/env bash
# install-deps.sh - install what the build, the demo and the tests need (Debian 12, as root).
# Idempotent: apt runs only when a package is missing.
set -euo pipefail

packages=(
    make gcc                         # C toolchain for PGXS
    postgresql-15                    # server (initdb, pg_ctl, postgres) and contrib modules
    postgresql-server-dev-15         # headers and PGXS
    libmsgpack-dev                   # msgpack-c for the bridge protocol
    bowtie2-examples                 # real sample data: lambda phage genome and reads
    systemd                          # systemd-analyze verify of deploy/systemd in the tests
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: missing packages: ${missing[*]}; run as root or install them with apt-get" >&2
        exit 1
    fi
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's postgresql-common creates a default cluster on install; the project
# never uses it (it runs its own clusters on private sockets), so leave it be.

if ! command -v dotnet >/dev/null 2>&1; then
    echo "install-deps: the .NET SDK (10.x) is required but 'dotnet' is not on PATH" >&2
    exit 1
fi
dotnet restore "$(dirname "$0")/../hybrid.sln" --nologo -v quiet
