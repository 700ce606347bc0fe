#!/bin/bash
# Free pages go back at the end of an add: a new index is made with
# auto_vacuum = INCREMENTAL, and add trims what FTS5's segment merges freed
# (a small archive was 3% larger than its live pages).  Indexes made before
# stay as they are and keep working.
. "$(dirname "$0")/lib.sh"

SRC="$TMP/in"
mkdir -p "$SRC"
sqlq() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$1" "$2"; }
batch() {
  python3 - "$SRC/batch-$1.jsonl" "$1" <<'PY'
import json, sys
words = "harbour council ferry tariff drought vaccine senate rally orchard glacier pipeline museum".split()
b = int(sys.argv[2])
with open(sys.argv[1], "w") as f:
    for i in range(300):
        n = b * 1000 + i
        text = " ".join("%s word%d tale%d" % (words[(n + k) % len(words)], (n * 7 + k) % 997, n) for k in range(40))
        f.write(json.dumps({"title": "Story %d" % n, "text": text, "url": "https://example.org/s/%d" % n}) + "\n")
PY
}

# one add committing every 300 articles (as every 8,000 in a large add):
# rows rewritten by later commits leave free pages behind
for b in 1 2 3 4 5 6 7 8 9 10; do batch $b; done
NX_ADD_BATCH=300 expect_rc 0 nx add --quiet "$SRC"
[ "$(sqlq "$DB" 'pragma auto_vacuum')" = 2 ] && ok || bad "a new index is not incremental: $(sqlq "$DB" 'pragma auto_vacuum')"
[ "$(sqlq "$DB" 'pragma freelist_count')" = 0 ] && ok || bad "free pages left after add: $(sqlq "$DB" 'pragma freelist_count')"
[ "$(sqlq "$DB" 'select count(*) from article')" = 3000 ] && ok || bad "not 3000 articles"
expect_rc 0 nx check
nx search --json tale3005 >"$TMP/s.json"
json_check "$TMP/s.json" "d['total'] == 1 and d['hits'][0]['title'] == 'Story 3005'"

# optimize merges the segments and makes the lists again: the pages that
# frees go back too, without rewriting the file (a few, under 5%)
for b in 11 12; do batch $b; done
NX_ADD_BATCH=300 expect_rc 0 nx add --quiet "$SRC"
expect_rc 0 nx rm https://example.org/s/1001 https://example.org/s/2002
expect_rc 0 nx optimize --quiet
[ "$(sqlq "$DB" 'pragma freelist_count')" = 0 ] && ok || bad "free pages left after optimize: $(sqlq "$DB" 'pragma freelist_count')"
[ "$(sqlq "$DB" 'select count(*) from article')" = 3598 ] && ok || bad "not 3598 articles after optimize"
expect_rc 0 nx check
nx search --json tale12005 >"$TMP/s.json"
json_check "$TMP/s.json" "d['total'] == 1 and d['hits'][0]['title'] == 'Story 12005'"

# a file made without auto_vacuum (as every index before this change): add works, the mode stays
OLD="$TMP/old.db"
python3 - "$OLD" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("PRAGMA page_size = 16384")
con.execute("CREATE TABLE seed(x)")
con.execute("DROP TABLE seed")
con.close()
PY
expect_rc 0 "$NEWSIDX" --db "$OLD" add --quiet "$SRC"
[ "$(sqlq "$OLD" 'pragma auto_vacuum')" = 0 ] && ok || bad "an old index changed its auto_vacuum"
[ "$(sqlq "$OLD" 'select count(*) from article')" = 3600 ] && ok || bad "old index: not the 3600 articles of the folder"
expect_rc 0 "$NEWSIDX" --db "$OLD" check
finish
