#!/bin/bash
# An index written by newsidx 0.1 (schema 1: title first in the full-text
# tables, hashes as hex text, bodies without a dictionary) is searched as
# it is, read-only, and upgraded to the current schema (4) by the first
# command that writes, with the same hits, order and snippets before and
# after.  Then the same for an index of schema 2 (body first, common words
# left out, hashes as bytes, bodies compressed with a dictionary), and
# for one of schema 3 (before blocks of bodies).
. "$(dirname "$0")/lib.sh"

cp "$NX_SRC/tests/data/store/index-v1.db" "$DB"
schema() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("pragma user_version").fetchone()[0])' "$DB"; }

[ "$(schema)" = 1 ] && ok || bad "fixture is not schema 1"

answers() { # $1: file prefix
  nx search --json "cyberattack RNC" >"$TMP/$1-a.json" &&
  nx search --json --limit 50 harbour >"$TMP/$1-b.json" &&
  nx search --json --all-revisions "two days" >"$TMP/$1-c.json" &&
  nx search --json "title:strike" >"$TMP/$1-d.json" &&
  nx show --json https://example.org/2024/harbour-strike >"$TMP/$1-show.json"
  nx stats --json >"$TMP/$1-stats.json"
}
answers v1
json_check "$TMP/v1-a.json" 'd["hits"][0]["title"].startswith("Lavrov") and any(h for h in d["hits"][0]["highlights"])'
json_check "$TMP/v1-c.json" 'any(h.get("revision", 0) for h in d["hits"])'
[ "$(schema)" = 1 ] && ok || bad "a search changed the index"

# a read-only index stays readable
chmod a-w "$DB"
expect_rc 0 nx search --json harbour
chmod u+w "$DB"

# the first write upgrades it
expect_rc 0 nx add --quiet "$NX_SRC/corpus/lavrov-cybercrime.txt"
[ "$(schema)" = 4 ] && ok || bad "not upgraded to schema 4: $(schema)"
answers v2
for k in a b c d; do
  if python3 - "$TMP/v1-$k.json" "$TMP/v2-$k.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
# the same hits in the same order with the same snippets; scores move a
# little, as schemas 2 and 3 leave "the", "of"... out of the lengths BM25 uses
key = lambda d: [(h["id"], h.get("revision"), h["title"], h.get("snippet")) for h in d["hits"]]
sys.exit(0 if key(a) == key(b) and a["total"] == b["total"] else 1)
PY
  then ok; else bad "answers to query $k changed with the upgrade"; fi
done
expect_rc 0 nx check
json_check "$TMP/v2-stats.json" 'd["articles"] == 18 and d["schema"] == 4'
# a URL is found without its index (schema 2 finds it through the id)
json_check "$TMP/v1-show.json" 'd["title"].startswith("Harbour strike")'
cmp -s "$TMP/v1-show.json" "$TMP/v2-show.json" && ok || bad "show URL differs after the upgrade"
expect_rc 1 nx show https://example.org/2024/no-such-page
# "the", "of"... are left out: a query of only those says so
expect_rc 1 nx search "the of"
grep -q "too common to be indexed" "$TMP/err" && ok || bad "no hint for a query of common words: $(cat "$TMP/err")"
# ... and a phrase across them still matches
nx search --json '"walked out on Monday"' >"$TMP/walked.json"
json_check "$TMP/walked.json" 'd["total"] == 1 and "Harbour" in d["hits"][0]["title"] and not d.get("relaxed")'

# new articles in the upgraded index: hashes as blobs, found and shown
expect_rc 0 nx add --quiet "$NX_SRC/corpus"
nx search --json "harbour bridge" >"$TMP/new.json"
json_check "$TMP/new.json" 'd["total"] >= 1'
expect_rc 0 nx check

# Schema 2: 160 made-up stories (the later ones compressed with the
# index's dictionary) on top of the upgraded schema-1 fixture.
cp "$NX_SRC/tests/data/store/index-v2.db" "$DB"
[ "$(schema)" = 2 ] && ok || bad "fixture is not schema 2"
answers2() { # $1: file prefix
  nx search --json "cyberattack RNC" >"$TMP/$1-a.json" &&
  nx search --json --limit 50 "harbour bridge" >"$TMP/$1-b.json" &&
  nx search --json --all-revisions "two days" >"$TMP/$1-c.json" &&
  nx search --json --limit 50 '"flood rescue"' >"$TMP/$1-d.json" &&
  nx show --json https://example.net/synth/150 >"$TMP/$1-show.json" &&
  nx show --json "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hits"][0]["id"][:8])' "$TMP/$1-a.json")" >"$TMP/$1-id.json"
}
answers2 s2
json_check "$TMP/s2-b.json" 'd["total"] > 20'
json_check "$TMP/s2-show.json" 'd["title"].startswith("Synthetic story 150")'
json_check "$TMP/s2-id.json" 'd["title"].startswith("Lavrov")'
chmod a-w "$DB"
expect_rc 0 nx search --json "harbour bridge"
chmod u+w "$DB"
[ "$(schema)" = 2 ] && ok || bad "a search changed the schema-2 index"
expect_rc 0 nx add --quiet "$NX_SRC/corpus/lavrov-cybercrime.txt"
[ "$(schema)" = 4 ] && ok || bad "schema 2 not upgraded to 4: $(schema)"
answers2 s3
for k in a b c d; do
  if python3 - "$TMP/s2-$k.json" "$TMP/s3-$k.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
# the same hits with the same snippets; the longer stop list changes the
# lengths BM25 uses ("about" is in every made-up title), so hits whose
# scores were within 1% of each other may swap, no others
key = lambda h: (h["id"], h.get("revision"), h["title"], h.get("snippet"))
same = sorted(map(key, a["hits"])) == sorted(map(key, b["hits"])) and a["total"] == b["total"]
pos = {key(h): i for i, h in enumerate(b["hits"])}
for i, x in enumerate(a["hits"]):
    for y in a["hits"][i + 1:]:
        if x["score"] > y["score"] * 1.01 and pos.get(key(x), 0) > pos.get(key(y), 0):
            same = False
sys.exit(0 if same else 1)
PY
  then ok; else bad "answers to query $k changed with the upgrade from schema 2"; fi
done
cmp -s "$TMP/s2-show.json" "$TMP/s3-show.json" && ok || bad "show URL differs after the upgrade from schema 2"
cmp -s "$TMP/s2-id.json" "$TMP/s3-id.json" && ok || bad "show ID differs after the upgrade from schema 2"
# ids are 8 bytes now, shown as 16 hex digits
python3 -c 'import sqlite3,sys; sys.exit(0 if sqlite3.connect(sys.argv[1]).execute("select count(*) from article where typeof(uid) != \"blob\" or length(uid) != 8").fetchone()[0] == 0 else 1)' "$DB" && ok || bad "ids not converted to bytes"
json_check "$TMP/s3-a.json" 'len(d["hits"][0]["id"]) == 16 and all(c in "0123456789abcdef" for c in d["hits"][0]["id"])'
expect_rc 0 nx check

# Schema 3 (no blocks of bodies): made here from a new index of single
# articles, whose bodies are all their own streams, minus the table of
# blocks.  Read as it is; the first write upgrades it, and the bodies of
# a file of several articles go in blocks.
rm -f "$DB" "$DB-wal" "$DB-shm"
for f in "$NX_SRC"/corpus/*.txt "$NX_SRC"/corpus/*.html; do expect_rc 0 nx add --quiet "$f"; done
blocks() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from body_block").fetchone()[0])' "$DB"; }
[ "$(blocks)" = 0 ] && ok || bad "single articles went into blocks: $(blocks)"
python3 -c 'import sqlite3,sys; c = sqlite3.connect(sys.argv[1]); c.execute("drop table body_block"); c.execute("pragma user_version = 3"); c.commit()' "$DB"
[ "$(schema)" = 3 ] && ok || bad "not made schema 3"
nx search --json "cyberattack RNC" >"$TMP/s3only-a.json"
json_check "$TMP/s3only-a.json" 'd["hits"][0]["title"].startswith("Lavrov")'
[ "$(schema)" = 3 ] && ok || bad "a search changed the schema-3 index"
expect_rc 0 nx add --quiet "$NX_SRC/corpus"
[ "$(schema)" = 4 ] && ok || bad "schema 3 not upgraded to 4: $(schema)"
[ "$(blocks)" -gt 0 ] && ok || bad "no blocks of bodies after adding the corpus"
nx search --json "cyberattack RNC" >"$TMP/s4-a.json"
cmp -s <(python3 -c 'import json,sys; print([(h["id"], h.get("snippet")) for h in json.load(open(sys.argv[1]))["hits"]])' "$TMP/s3only-a.json") \
       <(python3 -c 'import json,sys; print([(h["id"], h.get("snippet")) for h in json.load(open(sys.argv[1]))["hits"]])' "$TMP/s4-a.json") \
  && ok || bad "answers changed with the upgrade from schema 3"
expect_rc 0 nx check
finish
