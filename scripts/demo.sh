#!/usr/bin/env bash
# Install what is missing, build newsidx, index the sample corpus into a
# fresh index and search it.
# usage: scripts/demo.sh [QUERY...]     (default query: cyberattack RNC)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

scripts/deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNX_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc 2>/dev/null || echo 2)" >/dev/null

db=build/demo-index.db
rm -f "$db" "$db-wal" "$db-shm"
nx=build/release/newsidx
echo "\$ newsidx --db $db add corpus/" >&2
"$nx" --db "$db" add corpus/ || [ $? -eq 3 ]
if [ $# -eq 0 ]; then set -- "cyberattack RNC"; fi
echo "\$ newsidx --db $db search $*" >&2
"$nx" --db "$db" search "$@"
