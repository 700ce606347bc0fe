#!/usr/bin/env bash
# End-to-end: the real binary on the seed article and the plain-text samples.
. "$(dirname "$0")/lib.sh"

seed="$NX_SRC/corpus/lavrov-cybercrime.txt"

# add, then the normalized form of the seed is exactly the expected one
expect_rc 0 nx add "$seed"
grep -q "^added 1, updated 0, unchanged 0, failed 0$" "$TMP/out" && ok || bad "add summary: $(cat "$TMP/out")"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$NX_SRC/tests/data/text/lavrov-cybercrime.expected.json")
expect_rc 0 nx show --json "$id"
cp "$TMP/out" "$TMP/show.json"
python3 - "$TMP/show.json" "$NX_SRC/tests/data/text/lavrov-cybercrime.expected.json" <<'PY' && ok || bad "show --json of the seed differs from the expected normalized form"
import json, sys
got = json.load(open(sys.argv[1])); want = json.load(open(sys.argv[2]))
origin = got.pop("origin")
assert origin["file"].endswith("corpus/lavrov-cybercrime.txt"), origin
assert origin["format"] == "text", origin
if got != want:
    for k in want:
        if got.get(k) != want[k]:
            print("key", k, "got", json.dumps(got.get(k))[:300], "want", json.dumps(want[k])[:300], file=sys.stderr)
    sys.exit(1)
PY
json_check "$TMP/show.json" 'list(d.keys())[:14] == ["id","url","source","title","authors","section","lang","published","published_local","updated","updated_local","body","photos","origin"][:14]'

# show by id prefix works, and the text form names both credits
expect_rc 0 nx show "${id:0:6}"
grep -q "Reuters / Evelyn Hockstein" "$TMP/out" && ok || bad "show text lacks the Reuters credit"

# search: the seed first, both words highlighted
expect_rc 0 nx search --json "cyberattack RNC"
cp "$TMP/out" "$TMP/search.json"
json_check "$TMP/search.json" 'd["query"] == "cyberattack RNC" and d["total"] == 1'
json_check "$TMP/search.json" "d['hits'][0]['id'] == '$id'"
json_check "$TMP/search.json" 'sorted(set(d["hits"][0]["snippet"].encode()[s:e].decode().lower() for s, e in d["hits"][0]["highlights"])) == ["cyberattack", "rnc"]'
json_check "$TMP/search.json" 'all(k in d["hits"][0] for k in ("id","title","url","source","published","updated","score","snippet","highlights"))'
json_check "$TMP/search.json" 'd["hits"][0]["published"] == "2021-07-08T01:42:00Z" and d["hits"][0]["updated"] == "2022-08-06T13:20:00Z" and d["hits"][0]["url"] is None'

# text output when piped: [..] highlights, no escape codes
expect_rc 0 nx search cyberattack RNC
grep -q "\[cyberattack\]" "$TMP/out" && grep -q "\[RNC\]" "$TMP/out" && ok || bad "piped search lacks [..] highlights"
grep -q $'\033' "$TMP/out" && bad "escape codes in piped output" || ok

# stemming: "cyberattacks" finds "cyberattack"; a caption-only word says photo:
expect_rc 0 nx search cyberattacks
expect_rc 0 nx search --json Bahrain
json_check "$TMP/out" 'd["total"] == 1 and d["hits"][0]["snippet_field"] == "caption"'
expect_rc 0 nx search Hockstein

# adding the same file again changes nothing
expect_rc 0 nx add "$seed"
grep -q "^added 0, updated 0, unchanged 1, failed 0$" "$TMP/out" && ok || bad "re-add: $(cat "$TMP/out")"
expect_rc 0 nx add --json "$seed"
json_check "$TMP/out" "d == {'id': '$id', 'file': '$seed', 'title': d['title'], 'status': 'unchanged'}"

# a newer version (later update time, new text) replaces the indexed text
sed -e 's/(Updated: 13:20 GMT 06.08.2022)/(Updated: 09:00 GMT 01.09.2022)/' \
    -e 's/contrary\./contrary. The talks resumed in Geneva in September./' "$seed" > "$TMP/seed-v2.txt"
expect_rc 0 nx add --json "$TMP/seed-v2.txt"
json_check "$TMP/out" "d['id'] == '$id' and d['status'] == 'updated'"
expect_rc 0 nx search --json Geneva
json_check "$TMP/out" "d['total'] == 1 and d['hits'][0]['updated'] == '2022-09-01T09:00:00Z'"
expect_rc 0 nx stats --json
json_check "$TMP/out" 'd["articles"] == 1 and d["revisions"] == 1 and d["photos"] == 2'
# the older version again: kept as a revision, not indexed over the newer one
expect_rc 0 nx add "$seed"
expect_rc 0 nx search --json Geneva

# exit codes
expect_rc 1 nx search zzyzxnotaword
expect_rc 2 nx search
expect_rc 2 nx bogus-command
expect_rc 2 nx search --limit abc word
expect_rc 1 nx show 0000000000000000
printf '\x00\x01\x02binary junk' > "$TMP/junk.html"
: > "$TMP/empty.txt"
expect_rc 3 nx add "$TMP/junk.html" "$TMP/empty.txt" "$seed" "$TMP/missing.txt"
grep -q "junk.html: binary data" "$TMP/err" && ok || bad "junk error line: $(cat "$TMP/err")"
grep -q "empty.txt: empty file" "$TMP/err" && ok || bad "empty error line"
grep -q "missing.txt: cannot read" "$TMP/err" && ok || bad "missing error line"
grep -q "unchanged 1, failed 3" "$TMP/out" && ok || bad "partial summary: $(cat "$TMP/out")"
expect_rc 4 "$NEWSIDX" --db "$TMP/no/such/dir/x.db" search word
echo "not a database, just text" > "$TMP/notdb.db"
expect_rc 4 "$NEWSIDX" --db "$TMP/notdb.db" search word
expect_rc 0 "$NEWSIDX" --help
grep -q "4  the index could not be opened" "$TMP/out" && ok || bad "--help lacks exit codes"

# hostile queries: never an SQLite error, exit 0 or 1
for q in 'U.S.' 'C++' '9/11' '"unbalanced' 'AND' '-' ':' 'OR' 'NOT' '*' '(' ')' 'NEAR(' '^x' 'title:' '"' "''" 'a:b:c' '--' '-cyberattack'; do
  rc=0; nx search -- "$q" >/dev/null 2>"$TMP/err" || rc=$?
  if [ $rc -le 1 ] && ! grep -qi "sqlite\|syntax\|fts5" "$TMP/err"; then ok; else bad "query '$q': exit $rc $(cat "$TMP/err")"; fi
done

# default index location follows XDG_DATA_HOME, folders created on first write
XDG_DATA_HOME="$TMP/xdg" NEWSIDX_DB= "$NEWSIDX" add "$seed" >/dev/null 2>&1 && [ -f "$TMP/xdg/newsidx/index.db" ] && ok || bad "XDG default index"
NEWSIDX_DB="$TMP/env.db" "$NEWSIDX" add "$seed" >/dev/null 2>&1 && [ -f "$TMP/env.db" ] && ok || bad "NEWSIDX_DB"

# rm
expect_rc 0 nx rm "$id"
expect_rc 1 nx search cyberattack
expect_rc 1 nx rm "$id"

finish
