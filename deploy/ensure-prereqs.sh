#!/usr/bin/env bash
# What `make test` needs besides Python: Java and Maven (the Kafka broker), PostgreSQL's server
# binaries. Installs what is missing from Debian's packages when run as root, else says what to
# install and fails.
set -euo pipefail

pg_bin=/usr/lib/postgresql/15/bin
missing=()
command -v java >/dev/null || missing+=(default-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
[[ -x "$pg_bin/initdb" && -x "$pg_bin/pg_ctl" ]] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "Installing ${missing[*]} from Debian's packages..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    # The postgresql package starts a cluster of its own; the tests start their own servers.
    if command -v service >/dev/null; then service postgresql stop >/dev/null 2>&1 || true; fi
    exit 0
fi
echo "Missing: ${missing[*]}. Install them (Debian: sudo apt-get install ${missing[*]}) and run again." >&2
exit 1
