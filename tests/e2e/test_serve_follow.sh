#!/bin/bash
# newsidx serve keeps its index open while cron syncs write to it: it must
# follow what a writer changes under it.  (1) A writer upgrades a schema-1
# index (full-text columns in another order) and a schema-2 index (ids
# stored as bytes, a longer stop list) to schema 4 while serve runs:
# serve's answers stay those of the CLI.  (2) The first writer of a young
# index makes the body compression dictionary after serve opened it:
# serve still reads the new bodies (snippets, the article page).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"
command -v curl >/dev/null || { echo "skipped: curl is not installed"; exit 77; }

# same hits, titles, snippets and highlights from serve and from the CLI
same_as_cli() { # $1: query (URL-safe)
  local rc=0
  curl -s "${URL}api/search?q=$1" >"$TMP/api.json" || rc=$?
  [ "$rc" = 0 ] || { bad "curl failed for '$1' (exit $rc): $(serve_state)"; return; }
  nx search --json "$1" >"$TMP/cli.json" 2>/dev/null
  if python3 - "$TMP/api.json" "$TMP/cli.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
key = lambda d: (d.get("total"), [(h["id"], h["title"], h.get("snippet"), h.get("highlights"),
                                    h.get("title_highlights")) for h in d["hits"]])
sys.exit(0 if key(a) == key(b) and a["total"] > 0 else 1)
PY
  then ok; else bad "serve and the CLI differ for '$1'"; head -c 600 "$TMP/api.json" >&2; echo >&2; fi
}

# one worker thread: every request goes to the same open index
# (1) upgrade under a running server
cp "$NX_SRC/tests/data/store/index-v1.db" "$DB"
serve_start --threads 1 || exit 1
# nothing on stderr at start (libmicrohttpd warns of a thread pool of 0)
[ ! -s "$TMP/serve.err" ] && ok || bad "serve --threads 1 printed: $(head -c 300 "$TMP/serve.err")"
same_as_cli strike
nx add --quiet "$NX_SRC/corpus/lavrov-cybercrime.txt" && ok || bad "add (upgrade) failed"
python3 -c 'import sqlite3,sys; sys.exit(0 if sqlite3.connect(sys.argv[1]).execute("pragma user_version").fetchone()[0] == 4 else 1)' "$DB" \
  && ok || bad "not upgraded"
same_as_cli strike
same_as_cli harbour
serve_stop

cp "$NX_SRC/tests/data/store/index-v2.db" "$DB"
serve_start --threads 1 || exit 1
same_as_cli harbour
nx add --quiet "$NX_SRC/corpus/lavrov-cybercrime.txt" && ok || bad "add (upgrade from schema 2) failed"
python3 -c 'import sqlite3,sys; sys.exit(0 if sqlite3.connect(sys.argv[1]).execute("pragma user_version").fetchone()[0] == 4 else 1)' "$DB" \
  && ok || bad "schema 2 not upgraded"
same_as_cli harbour
same_as_cli flood
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hits"][0]["id"])' "$TMP/cli.json")
code=$(curl -s -o "$TMP/art.json" -w '%{http_code}' "${URL}api/article/$id")
[ "$code" = 200 ] && ok || bad "article $id after the upgrade: HTTP $code: $(serve_state)"
serve_stop

# (2) a dictionary made after serve opened the index
rm -f "$DB" "$DB"-wal "$DB"-shm
nx add --quiet "$NX_SRC/corpus/lavrov-cybercrime.txt" && ok || bad "first add failed"
serve_start --threads 1 || exit 1
same_as_cli cyberattack # serve opens the index now, before the dictionary exists
python3 "$NX_SRC/tests/e2e/gen_articles.py" "$TMP/many" 400 3
nx add --quiet "$TMP/many" && ok || bad "add of 400 articles failed"
python3 -c 'import sqlite3,sys; sys.exit(0 if sqlite3.connect(sys.argv[1]).execute("select count(*) from zdict").fetchone()[0] >= 1 else 1)' "$DB" \
  && ok || bad "no compression dictionary was made"
same_as_cli harbour
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hits"][0]["id"])' "$TMP/cli.json")
code=$(curl -s -o "$TMP/art.json" -w '%{http_code}' "${URL}api/article/$id")
[ "$code" = 200 ] && ok || bad "article $id: HTTP $code: $(serve_state)"
nx show --json "$id" >"$TMP/show.json"
cmp -s "$TMP/art.json" "$TMP/show.json" && ok || bad "serve's article differs from show --json"
serve_stop
finish
