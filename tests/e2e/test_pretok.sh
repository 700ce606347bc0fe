#!/bin/bash
# Tokens made ahead: `add` tokenizes articles on its parsing thread while
# the writer is the slower one, and the writer replays those tokens into
# FTS5.  The index must be the same whichever thread tokenized: built with
# no article tokenized ahead (NX_PRETOK=0), with every one (NX_PRETOK=all)
# and as it comes (the default), the full-text index holds the same bytes,
# check passes, and searches answer alike.
. "$(dirname "$0")/lib.sh"

SRC="$TMP/src"
mkdir -p "$SRC"
cp "$NX_SRC"/corpus/* "$SRC"/
python3 "$NX_SRC/tests/e2e/gen_articles.py" "$SRC/gen" 300 7 >/dev/null
# other languages and scripts, through JSON Lines
python3 - "$SRC/langs.jsonl" <<'PY'
import json, sys
docs = [
    ("de", "Die Angriffe auf die Server der Partei", "Die Angriffe auf die Server wurden am Dienstag entdeckt."),
    ("fr", "Les attaques contre le serveur", "Les attaques ont \u00e9t\u00e9 d\u00e9couvertes mardi, selon le minist\u00e8re."),
    ("zh", "\u6771\u4eac\u90fd\u306e\u8b70\u4f1a", "\u6771\u4eac\u90fd\u306e\u8b70\u4f1a\u306f ABC\u6771\u4eac 2024 \u5e74\u306b\u958b\u304b\u308c\u305f\u3002"),
    ("en", "Caf\u00e9 owners and na\u00efve r\u00e9sum\u00e9s", "It's the 3rd caf\u00e9; pneumonoultramicroscopicsilicovolcanoconiosis."),
]
with open(sys.argv[1], "w") as f:
    for i, (lang, title, text) in enumerate(docs):
        f.write(json.dumps({"title": title, "text": text, "language": lang,
                            "url": "https://example.org/lang/%d" % i,
                            "date_publish": "2024-03-0%dT08:00:00Z" % (i + 1)}) + "\n")
PY

fts_digest() {
  python3 - "$1" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
h = hashlib.sha256()
for rid, block in db.execute("SELECT id, block FROM fts_data ORDER BY id"):
    h.update(str(rid).encode() + b":" + (block or b""))
n = db.execute("SELECT count(*) FROM article").fetchone()[0]
print(n, h.hexdigest())
PY
}

for way in 0 all default; do
  DB="$TMP/index-$way.db"
  if [ "$way" = default ]; then
    expect_rc 0 nx add --quiet "$SRC"
  else
    expect_rc 0 env NX_PRETOK=$way "$NEWSIDX" --db "$DB" add --quiet "$SRC"
  fi
  expect_rc 0 nx check
  fts_digest "$DB" >"$TMP/digest-$way"
  for q in cyberattack "harbour cranes" council "Angriffe" "attaques" "\u6771\u4eac" "caf\u00e9" "na\u00efve"; do
    nx search --json --limit 20 "$(printf "$q")" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["total"], [(h["id"], round(h["score"], 9)) for h in d["hits"]])'
  done >"$TMP/search-$way"
done

read -r n _ <"$TMP/digest-0"
[ "$n" -ge 300 ] && ok || bad "only $n articles"
cmp -s "$TMP/digest-0" "$TMP/digest-all" && ok || bad "index differs with every article tokenized ahead: $(cat "$TMP/digest-0") / $(cat "$TMP/digest-all")"
cmp -s "$TMP/digest-0" "$TMP/digest-default" && ok || bad "index differs as tokenized by default"
cmp -s "$TMP/search-0" "$TMP/search-all" && ok || bad "searches differ: $(diff "$TMP/search-0" "$TMP/search-all" | head -5)"
cmp -s "$TMP/search-0" "$TMP/search-default" && ok || bad "searches differ (default)"
# the searches found something: the comparison is not of empty answers
[ "$(awk '$1 > 0' "$TMP/search-0" | wc -l)" -ge 6 ] && ok || bad "few queries found anything: $(cat "$TMP/search-0")"
finish
