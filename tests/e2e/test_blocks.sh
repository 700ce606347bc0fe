#!/bin/bash
# Bodies in blocks (schema 4): `add` and `sync` compress the bodies of a
# few consecutive articles together, across the files of a folder of
# one-article pages too.  Every body reads back whole (show, snippets),
# a newer version leaves its block, and the last article of a block to
# go takes the block with it; check finds nothing wrong throughout.
. "$(dirname "$0")/lib.sh"

SRC="$TMP/pages"
mkdir -p "$SRC"
python3 - "$SRC" <<'PY'
import json, os, sys
words = ("harbour council ferry tariff drought vaccine senate rally orchard glacier "
         "pipeline museum striker verdict embargo festival").split()
for i in range(40):
    body = " ".join(f"Paragraph {p} of story {i} mentions {words[(i + p) % len(words)]} and marker{i}x."
                    for p in range(1 + i % 7))
    with open(os.path.join(sys.argv[1], f"page-{i:03d}.jsonl"), "w") as f:
        f.write(json.dumps({"title": f"Story {i} about {words[i % len(words)]}",
                            "text": body, "url": f"https://example.org/story/{i}",
                            "date_publish": "2024-05-%02dT10:00:00Z" % (1 + i % 28)}) + "\n")
PY
sqlq() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$DB" "$1"; }

expect_rc 0 nx add --quiet "$SRC"
[ "$(sqlq 'select count(*) from article')" = 40 ] && ok || bad "not 40 articles"
[ "$(sqlq 'select count(*) from body_block')" -ge 6 ] && ok || bad "few blocks: $(sqlq 'select count(*) from body_block')"
# a reference to a block has a 0 byte where a zlib stream has its header
[ "$(sqlq "select count(*) from article where substr(body_z, 5, 1) = x'00'")" -ge 30 ] && ok || bad "few bodies in blocks"
[ "$(sqlq 'select sum(refs) from body_block')" = "$(sqlq "select count(*) from article where substr(body_z, 5, 1) = x'00'")" ] \
  && ok || bad "block counts differ from the references"
expect_rc 0 nx check

# every body whole, from any place in its block
for i in 0 3 17 39; do
  nx show --json "https://example.org/story/$i" >"$TMP/show.json"
  json_check "$TMP/show.json" "d['body'].count('marker${i}x') == 1 + $i % 7 and 'marker$((i + 1))x' not in d['body']"
  nx search --json "marker${i}x" >"$TMP/s.json"
  json_check "$TMP/s.json" "d['total'] == 1 and 'marker${i}x' in json.dumps(d['hits'][0])"
done

# a newer version of one article: its body leaves the block, the old one is a revision
python3 - "$SRC/page-017.jsonl" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read())
d["text"] = "Corrected story 17 now mentions lighthouse and marker17x once."
d["date_modified"] = "2024-06-01T09:00:00Z"
open(sys.argv[1], "w").write(json.dumps(d) + "\n")
PY
expect_rc 0 nx sync --quiet "$SRC"
nx show --json https://example.org/story/17 >"$TMP/show.json"
json_check "$TMP/show.json" "'lighthouse' in d['body'] and d['body'].count('marker17x') == 1"
nx search --json --all-revisions "marker17x" >"$TMP/s.json"
json_check "$TMP/s.json" "d['total'] == 2"
expect_rc 0 nx check

# removing articles: a block goes with its last one
expect_rc 0 nx rm https://example.org/story/0 https://example.org/story/1
expect_rc 0 nx check
rm "$SRC"/page-*.jsonl
expect_rc 0 nx sync --quiet --prune "$SRC"
[ "$(sqlq 'select count(*) from article')" = 0 ] && ok || bad "articles left after prune"
[ "$(sqlq 'select count(*) from body_block')" = 0 ] && ok || bad "blocks left after every article went"
expect_rc 0 nx check

# sync packs a folder of new pages as add does
rm -f "$DB" "$DB-wal" "$DB-shm"
python3 - "$SRC" <<'PY'
import json, os, sys
for i in range(20):
    with open(os.path.join(sys.argv[1], f"new-{i:02d}.jsonl"), "w") as f:
        f.write(json.dumps({"title": f"New page {i}", "text": f"Fresh page {i} about tide{i}q and weather.",
                            "url": f"https://example.org/new/{i}"}) + "\n")
PY
expect_rc 0 nx sync --quiet "$SRC"
[ "$(sqlq 'select count(*) from body_block')" -ge 3 ] && ok || bad "sync made no blocks"
nx show --json https://example.org/new/13 >"$TMP/show.json"
json_check "$TMP/show.json" "d['body'] == 'Fresh page 13 about tide13q and weather.'"
expect_rc 0 nx check
finish
