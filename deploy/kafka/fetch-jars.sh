#!/usr/bin/env bash
# Gather the Kafka broker's jars (named in pom.xml next to this script) into DEST_DIR.
# Idempotent: a stamp file holding the pom's checksum marks a finished fetch, so a
# second run is a no-op unless pom.xml changed.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 DEST_DIR" >&2
    exit 2
fi
# Absolute, because mvn resolves a relative outputDirectory against the pom's folder.
dest=$(realpath -m "$1")
pom="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pom.xml"

stamp="$dest/.fetched"
want=$(sha256sum "$pom" | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0
fi

for tool in java mvn; do
    if ! command -v "$tool" >/dev/null; then
        echo "fetch-jars.sh: '$tool' not found; install it (Debian: apt-get install default-jre-headless maven)" >&2
        exit 1
    fi
done

# Fetch beside DEST_DIR and swap it in, so a failed or outdated fetch never leaves
# a mix of jar versions behind.
tmp="$dest.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"
mvn -q -B -f "$pom" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp"
echo "$want" >"$tmp/.fetched"
rm -rf "$dest"
mv "$tmp" "$dest"
