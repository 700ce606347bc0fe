# Shared helpers for end-to-end tests (sourced, not run).
# Environment from ctest: NEWSIDX (binary), NX_SRC (source tree), NX_SHARED_DATA.
set -u
: "${NEWSIDX:?run through ctest, or set NEWSIDX to the newsidx binary}"
: "${NX_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/newsidx-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
DB="$TMP/index.db"
export NO_COLOR=1
# python3 found through a version manager's shim (pyenv's is a shell script
# that looks the version up) cost 0.39 s a call against 0.07 s for the
# interpreter itself on the CI machine, and the tests call it hundreds of
# times: the interpreter's own directory goes first on PATH, for the
# scripts' calls and for the tools' "#!/usr/bin/env python3" alike.
if nx_python=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) && [ -x "$nx_python" ]; then
  PATH="$(dirname "$nx_python"):$PATH"
  export PATH
fi
failures=0
checks=0

nx() { "$NEWSIDX" --db "$DB" "$@"; }

ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*" >&2; }

# expect_rc WANT CMD... : run CMD, compare its exit code
expect_rc() {
  local want=$1; shift
  local got=0
  "$@" >"$TMP/out" 2>"$TMP/err" || got=$?
  if [ "$got" -eq "$want" ]; then ok; else bad "exit $got, want $want: $*"; cat "$TMP/err" >&2; fi
}

# json_check FILE PYTHON-EXPR : the expression (over d = parsed JSON) must be true
json_check() {
  local file=$1 expr=$2
  if python3 - "$file" "$expr" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2])
sys.exit(0 if ok else 1)
PY
  then ok; else bad "json check failed: $expr"; head -c 2000 "$file" >&2; echo >&2; fi
}

# q QUERY PYTHON-EXPR [FLAGS...]: search --json, then check the expression (over d)
q() {
  local query=$1 expr=$2
  shift 2
  local rc=0
  nx search --json "$@" -- "$query" >"$TMP/q.json" 2>"$TMP/q.err" || rc=$?
  if [ $rc -gt 1 ]; then bad "search '$query' $*: exit $rc $(cat "$TMP/q.err")"; return; fi
  json_check "$TMP/q.json" "$expr"
}

finish() {
  echo "$((checks - failures)) passed, $failures failed"
  [ "$failures" -eq 0 ]
}

skip_without_shared() {
  if [ -z "${NX_SHARED_DATA:-}" ] || [ ! -d "$NX_SHARED_DATA" ]; then
    echo "skipped: ../shared/data is absent"
    exit 77
  fi
}
