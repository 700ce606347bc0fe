#!/usr/bin/env bash
# newsidx export: JSON Lines equal to show --json, the OpenSearch bulk
# NDJSON against the _bulk format's rules, the index template, filters,
# revisions, the round trip export -> add -> identical show --json, usage
# errors, and memory that does not grow with the index.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
# a version manager's python3 shim costs seconds a start; this test starts it often
if [ -x /usr/bin/python3 ]; then PATH="/usr/bin:$PATH"; fi

nx add "$NX_SRC/corpus" >/dev/null 2>&1 || true
total=$(nx stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"])')

# --- JSON Lines: one object per article, each what show --json prints ---
expect_rc 0 nx export
cp "$TMP/out" "$TMP/all.jsonl"
if [ "$(wc -l <"$TMP/all.jsonl")" -eq "$total" ] && [ "$total" -gt 10 ]; then ok; else bad "export wrote $(wc -l <"$TMP/all.jsonl") lines for $total articles"; fi
python3 - "$NEWSIDX" "$DB" "$TMP/all.jsonl" <<'PY' && ok || bad "export lines differ from show --json"
import json, subprocess, sys
nx, db, path = sys.argv[1:4]
for line in open(path, encoding="utf-8"):
    d = json.loads(line)
    shown = json.loads(subprocess.run([nx, "--db", db, "show", "--json", d["id"]],
                                      capture_output=True, text=True, check=True).stdout)
    if d != shown:
        print("differs:", d["id"], file=sys.stderr)
        sys.exit(1)
PY

# --output FILE: the same bytes, and a note on stderr
expect_rc 0 nx export --output "$TMP/file.jsonl"
if cmp -s "$TMP/file.jsonl" "$TMP/all.jsonl"; then ok; else bad "--output differs from stdout"; fi
if grep -q "exported $total articles" "$TMP/err"; then ok; else bad "no summary on stderr"; cat "$TMP/err" >&2; fi

# --- the bulk NDJSON ---
expect_rc 0 nx export --format opensearch --index news-2024
cp "$TMP/out" "$TMP/bulk1.ndjson"
expect_rc 0 nx export --format=opensearch --index news-2024
cp "$TMP/out" "$TMP/bulk2.ndjson"
if cmp -s "$TMP/bulk1.ndjson" "$TMP/bulk2.ndjson"; then ok; else bad "two bulk exports of one index differ"; fi
python3 - "$TMP/bulk1.ndjson" "$TMP/all.jsonl" "$total" <<'PY' && ok || bad "bulk NDJSON breaks the _bulk rules"
import json, sys
raw = open(sys.argv[1], "rb").read()
docs = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
total = int(sys.argv[3])
def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)
if not raw.endswith(b"\n"):
    fail("the body does not end with a newline")
if b"\r" in raw:
    fail("a carriage return in the body")
lines = raw[:-1].split(b"\n")
if len(lines) != 2 * total:
    fail("%d lines for %d articles" % (len(lines), total))
ids = set()
for i in range(0, len(lines), 2):
    act = json.loads(lines[i])
    doc = json.loads(lines[i + 1])
    if list(act) != ["index"] or set(act["index"]) != {"_index", "_id"}:
        fail("line %d is not an index action: %r" % (i + 1, act))
    if act["index"]["_index"] != "news-2024":
        fail("wrong index name")
    if act["index"]["_id"] != doc["id"] or doc != docs[i // 2]:
        fail("pair %d: action and document disagree" % (i // 2))
    if not isinstance(doc, dict) or "index" in doc:
        fail("line %d is not a document" % (i + 2))
    ids.add(doc["id"])
if len(ids) != total:
    fail("ids are not unique")
PY
# the default index name
expect_rc 0 nx export --format opensearch
if head -1 "$TMP/out" | grep -q '^{"index":{"_index":"newsidx","_id":"[0-9a-f]\{16\}"}}$'; then ok; else bad "default action line: $(head -1 "$TMP/out")"; fi

# --- the index template ---
expect_rc 0 nx export --opensearch-template --index news
json_check "$TMP/out" 'd["index_patterns"] == ["news*"] and (lambda p: p["published"]["type"] == "date" and p["updated"]["type"] == "date" and p["photos"]["type"] == "nested" and p["photos"]["properties"]["agency"]["type"] == "keyword" and p["photos"]["properties"]["photographer"]["type"] == "keyword" and p["photos"]["properties"]["caption"]["type"] == "text" and p["source"]["type"] == "keyword" and p["title"] == {"type": "text", "analyzer": "english"} and p["body"] == {"type": "text", "analyzer": "english"})(d["template"]["mappings"]["properties"])'
expect_rc 0 nx export --opensearch-template --lang de
json_check "$TMP/out" 'd["template"]["mappings"]["properties"]["body"]["analyzer"] == "german" and d["index_patterns"] == ["newsidx*"]'
# every field export writes has a mapping
python3 - "$TMP/out" "$TMP/all.jsonl" <<'PY' && ok || bad "the template misses a field of the export"
import json, sys
props = json.load(open(sys.argv[1]))["template"]["mappings"]["properties"]
for line in open(sys.argv[2], encoding="utf-8"):
    missing = set(json.loads(line)) - set(props)
    if missing:
        print("unmapped:", missing, file=sys.stderr)
        sys.exit(1)
PY
# needs no index at all
expect_rc 0 "$NEWSIDX" --db "$TMP/none/index.db" export --opensearch-template
if [ ! -e "$TMP/none" ]; then ok; else bad "the template created an index"; fi

# --- filters: --since and a query select what search selects ---
python3 - "$TMP/all.jsonl" >"$TMP/since.want" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    if d["published"] is not None and d["published"] >= "2023-01-01":
        print(d["id"])
PY
expect_rc 0 nx export --since 2023
python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in open(sys.argv[1])]' "$TMP/out" >"$TMP/since.got"
if [ -s "$TMP/since.want" ] && cmp -s "$TMP/since.want" "$TMP/since.got" && [ "$(wc -l <"$TMP/since.got")" -lt "$total" ]; then ok; else bad "--since 2023 selected other articles"; diff "$TMP/since.want" "$TMP/since.got" >&2; fi
# options after the query too
expect_rc 0 nx export harbour --format opensearch
python3 -c 'import json,sys; ls=open(sys.argv[1]).read().splitlines(); [print(json.loads(l)["id"]) for l in ls[1::2]]' "$TMP/out" | sort >"$TMP/q.got"
expect_rc 0 nx search --json --strict --no-collapse --limit 1000 harbour
python3 -c 'import json,sys; [print(h["id"]) for h in json.load(open(sys.argv[1]))["hits"]]' "$TMP/out" | sort >"$TMP/q.want"
if [ -s "$TMP/q.want" ] && cmp -s "$TMP/q.want" "$TMP/q.got"; then ok; else bad "export harbour != search --strict harbour"; diff "$TMP/q.want" "$TMP/q.got" >&2; fi
expect_rc 0 nx export 'lang:en' 'source:"northern harbour"'
if [ "$(wc -l <"$TMP/out")" -ge 1 ] && python3 -c 'import json,sys; sys.exit(0 if all("harbour" in json.loads(l)["source"].lower() for l in open(sys.argv[1])) else 1)' "$TMP/out"; then ok; else bad "source: operator"; fi

# --- revisions ---
cat >"$TMP/v1.jsonl" <<'EOF'
{"url": "https://rev.example/story", "title": "Quillbridge to reopen", "text": "The Quillbridge reopens on Monday.", "published": "2024-05-01T08:00:00Z", "updated": "2024-05-01T08:00:00Z"}
EOF
cat >"$TMP/v2.jsonl" <<'EOF'
{"url": "https://rev.example/story", "title": "Quillbridge reopened", "text": "The Quillbridge reopened on Monday morning.", "published": "2024-05-01T08:00:00Z", "updated": "2024-05-02T09:00:00Z"}
EOF
nx add "$TMP/v1.jsonl" >/dev/null 2>&1
nx add "$TMP/v2.jsonl" >/dev/null 2>&1
expect_rc 0 nx export --revisions quillbridge
json_check "$TMP/out" 'd["title"] == "Quillbridge reopened" and len(d["revisions"]) == 1 and d["revisions"][0]["title"] == "Quillbridge to reopen" and d["revisions"][0]["rev"] >= 1 and d["revisions"][0]["id"] == d["id"]'
expect_rc 0 nx export quillbridge
json_check "$TMP/out" '"revisions" not in d'

# --- round trip: export -> add into a new index -> identical show --json ---
# a body with '<' in it (Reuters writes company names so) stays plain text
mkdir -p "$TMP/lt"
printf 'Acme orders planes\n\n<Acme Corp> said it ordered four <br> planes.\n\nA second paragraph.\n' >"$TMP/lt/acme.txt"
nx add "$TMP/lt/acme.txt" >/dev/null 2>&1
nx export >"$TMP/rt.jsonl" 2>/dev/null
DB2="$TMP/copy.db"
expect_rc 0 "$NEWSIDX" --db "$DB2" add "$TMP/rt.jsonl"
python3 - "$NEWSIDX" "$DB" "$DB2" "$TMP/rt.jsonl" <<'PY' && ok || bad "round trip changed articles"
import json, subprocess, sys
nx, db, db2, path = sys.argv[1:5]
def show(d, i):
    r = subprocess.run([nx, "--db", d, "show", "--json", i], capture_output=True, text=True)
    if r.returncode != 0:
        print(i, r.stderr, file=sys.stderr)
        sys.exit(1)
    return json.loads(r.stdout)
n = 0
for line in open(path, encoding="utf-8"):
    i = json.loads(line)["id"]
    a, b = show(db, i), show(db2, i)
    # origin names the file the copy was read from: the export, not the source
    assert b["origin"]["file"].endswith("rt.jsonl") and b["origin"]["format"] == "jsonl"
    del a["origin"], b["origin"]
    if a != b:
        print("differs:", i, [k for k in a if a[k] != b.get(k)], file=sys.stderr)
        sys.exit(1)
    n += 1
if n < 10:
    sys.exit(1)
PY
# exporting the copy gives the same documents (origin aside)
"$NEWSIDX" --db "$DB2" export >"$TMP/rt2.jsonl" 2>/dev/null
python3 - "$TMP/rt.jsonl" "$TMP/rt2.jsonl" <<'PY' && ok || bad "export of the copy differs"
import json, sys
def load(p):
    out = []
    for l in open(p, encoding="utf-8"):
        d = json.loads(l)
        del d["origin"]
        out.append(d)
    return out
sys.exit(0 if load(sys.argv[1]) == load(sys.argv[2]) else 1)
PY

# --- errors ---
expect_rc 2 nx export --format xml
expect_rc 2 nx export --format opensearch --index 'News Index'
expect_rc 2 nx export --bogus
expect_rc 2 nx export -- -onlyexcluded
expect_rc 2 nx export --opensearch-template harbour
expect_rc 1 nx export zzzqqqxxx
if grep -q "no article to export" "$TMP/err"; then ok; else bad "nothing-found message"; fi
expect_rc 4 nx export --output "$TMP/no/such/dir/x.jsonl"
if grep -q "cannot write '$TMP/no/such/dir/x.jsonl'" "$TMP/err"; then ok; else bad "unwritable output message"; cat "$TMP/err" >&2; fi
expect_rc 4 "$NEWSIDX" --db "$TMP/absent.db" export

# --- memory: peak RSS of an export must not grow with the index ---
# (not under AddressSanitizer: its quarantine keeps freed memory resident,
# nor ThreadSanitizer, whose allocator and shadow grow with the allocations,
# so RSS grows with the number of allocations whatever the code does)
if ldd "$NEWSIDX" 2>/dev/null | grep -qE "libasan|libtsan"; then
  echo "memory check skipped: sanitized build"
  finish
  exit
fi
peak_rss() { # DB: peak resident KB of an export to /dev/null
  python3 - "$NEWSIDX" "$1" <<'PY'
import resource, subprocess, sys
subprocess.run([sys.argv[1], "--db", sys.argv[2], "export", "--format", "opensearch"],
               stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}
python3 "$here/gen_articles.py" "$TMP/small" 500 7
python3 "$here/gen_articles.py" "$TMP/big" 6000 8
"$NEWSIDX" --db "$TMP/small.db" add "$TMP/small" >/dev/null 2>&1
"$NEWSIDX" --db "$TMP/big.db" add "$TMP/big" >/dev/null 2>&1
small=$(peak_rss "$TMP/small.db")
big=$(peak_rss "$TMP/big.db")
echo "peak RSS of export: 500 articles ${small} KB, 6000 articles ${big} KB"
if [ "$big" -le $((small + 4096)) ]; then ok; else bad "export memory grows with the index: $small KB -> $big KB"; fi

finish
