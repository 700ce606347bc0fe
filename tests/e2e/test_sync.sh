#!/usr/bin/env bash
# End-to-end: newsidx sync -- incremental runs, revisions, feeds, prune,
# the writer lock, readers during a sync, check.
. "$(dirname "$0")/lib.sh"

gen() { python3 "$NX_SRC/tests/e2e/gen_articles.py" "$@"; }
count() { nx stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
summary_is() {  # summary_is WANT : the summary line without its time
  local got
  got=$(sed -n 's/ in [0-9.]* s$//p' "$TMP/out" | head -1)
  if [ "$got" = "$1" ]; then ok; else bad "summary '$got', want '$1'"; fi
}

A="$TMP/archive"
gen "$A" 200 7

# first run ingests everything; a second one reads nothing
expect_rc 0 nx sync "$A"
summary_is "added 200, updated 0, unchanged 0, removed 0, failed 0"
expect_rc 0 nx sync --verbose "$A"
summary_is "added 0, updated 0, unchanged 200, removed 0, failed 0"
grep -q "skipped 200, re-stamped 0, read 0" "$TMP/out" && ok || bad "no-change sync read files: $(cat "$TMP/out")"

# --quiet prints nothing when all went well
expect_rc 0 nx sync --quiet "$A"
[ -s "$TMP/out" ] && bad "sync --quiet printed: $(cat "$TMP/out")" || ok

# touched but unchanged: only re-stamped
touch -d '2001-01-01' "$A/01/000001.txt"
expect_rc 0 nx sync --verbose "$A"
summary_is "added 0, updated 0, unchanged 200, removed 0, failed 0"
grep -q "re-stamped 1, read 0" "$TMP/out" && ok || bad "touched file not just re-stamped: $(cat "$TMP/out")"

# one file changed: 1 updated, 1 revision, a word diff
f="$A/02/000002.txt"
sed -i '5s/^\([A-Za-z]*\) /\1 zanzibarian /' "$f"
expect_rc 0 nx sync "$A"
summary_is "added 0, updated 1, unchanged 199, removed 0, failed 0"
expect_rc 0 nx search --json zanzibarian
id=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["hits"][0]["id"] if d["total"] == 1 else "")' "$TMP/out")
[ -n "$id" ] && ok || bad "changed article not found by its new word"
[ "$(count revisions)" = 1 ] && ok || bad "revisions: $(count revisions), want 1"
expect_rc 0 nx show --revisions --json "$id"
json_check "$TMP/out" 'len(d) == 2 and d[-1]["current"] and not d[0]["current"]'
expect_rc 0 nx diff "$id"
grep -q '{+zanzibarian+}' "$TMP/out" && ok || bad "diff lacks the added word: $(cat "$TMP/out")"
grep -q '^+++ rev .*(current)' "$TMP/out" && ok || bad "diff header: $(head -2 "$TMP/out")"
expect_rc 0 nx show --revisions --json "$id"
rev0=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["rev"])' "$TMP/out")
expect_rc 0 nx diff "$id" "$rev0"
grep -q '{+zanzibarian+}' "$TMP/out" && ok || bad "diff with a revision number"
expect_rc 1 nx diff "$id" 999

# a feed re-downloaded with the same items: nothing updated, no revision
feed() {  # feed FILE BUILD-DATE THIRD-ITEM-TEXT
  cat >"$1" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Valley Gazette</title><link>https://gazette.example/</link>
<lastBuildDate>$2</lastBuildDate>
<item><title>Orchard harvest starts early</title><link>https://gazette.example/orchard</link>
<pubDate>Mon, 04 Sep 2023 08:00:00 GMT</pubDate><description>Growers in the valley began picking apples a week early this year.</description></item>
<item><title>Ferry timetable changes</title><link>https://gazette.example/ferry</link>
<pubDate>Tue, 05 Sep 2023 09:30:00 GMT</pubDate><description>The lake ferry will run every forty minutes from October.</description></item>
<item><title>Library reopens</title><link>https://gazette.example/library</link>
<pubDate>Wed, 06 Sep 2023 10:00:00 GMT</pubDate><description>$3</description></item>
</channel></rss>
XML
}
revs=$(count revisions)
feed "$A/feed.xml" "Wed, 06 Sep 2023 11:00:00 GMT" "The town library reopened after repairs to its roof."
expect_rc 0 nx sync "$A"
summary_is "added 3, updated 0, unchanged 200, removed 0, failed 0"
sleep 1
feed "$A/feed.xml" "Wed, 06 Sep 2023 12:00:00 GMT" "The town library reopened after repairs to its roof."
expect_rc 0 nx sync "$A"
summary_is "added 0, updated 0, unchanged 203, removed 0, failed 0"
[ "$(count revisions)" = "$revs" ] && ok || bad "re-downloaded feed made revisions"
feed "$A/feed.xml" "Wed, 06 Sep 2023 13:00:00 GMT" "The town library reopened after repairs to its roof and a new reading room."
expect_rc 0 nx sync "$A"
summary_is "added 0, updated 1, unchanged 202, removed 0, failed 0"
[ "$(count revisions)" = "$((revs + 1))" ] && ok || bad "changed feed item: no revision"

# a file that cannot be parsed fails once, exit 3; not again until it changes
printf '\0\1\2binary' >"$A/junk.bin"
expect_rc 3 nx sync --quiet "$A"
grep -q "junk.bin" "$TMP/err" && ok || bad "failed file not named on stderr"
grep -q "failed 1" "$TMP/out" && ok || bad "sync --quiet with a failure prints no summary"
expect_rc 0 nx sync --quiet "$A"
rm -f "$A/junk.bin"

# a deleted file: kept without --prune, removed with it
gone_title=$(head -1 "$A/03/000003.txt")
rm "$A/03/000003.txt"
expect_rc 0 nx sync "$A"
summary_is "added 0, updated 0, unchanged 202, removed 0, failed 0"
expect_rc 0 nx sync --prune "$A"
summary_is "added 0, updated 0, unchanged 202, removed 1, failed 0"
[ "$(count articles)" = 202 ] && ok || bad "articles after prune: $(count articles)"
expect_rc 1 nx search "\"$gone_title\""
# prune never touches what lies outside the folders synced
gen "$TMP/other" 3 99
expect_rc 0 nx add "$TMP/other"
rm -rf "$TMP/other"
expect_rc 0 nx sync --prune "$A"
[ "$(count articles)" = 205 ] && ok || bad "prune removed articles outside the synced folder"

# the writer lock: a held lock makes a writer exit 5 naming the holder
python3 - "$DB.lock" <<'PY' &
import fcntl, os, sys, time
f = open(sys.argv[1], "w"); fcntl.flock(f, fcntl.LOCK_EX)
f.write("4242 1700000000\n"); f.flush()
open(sys.argv[1] + ".ready", "w").close()
time.sleep(120)
PY
holder=$!
for _ in $(seq 50); do [ -e "$DB.lock.ready" ] && break; sleep 0.1; done
expect_rc 5 nx sync --wait 0.3 "$A"
grep -q "is locked by pid 4242 (running since 2023-11-14T22:13:20Z); try again later or use --wait" "$TMP/err" \
  && ok || bad "lock message: $(cat "$TMP/err")"
expect_rc 5 nx add --wait=0 "$A/01/000001.txt"
# readers do not take the lock
expect_rc 0 nx search zanzibarian
# a writer that waits long enough gets it (the holder lets go a second later;
# it holds the lock until told, so a slow machine cannot end the checks above early)
(sleep 1; kill "$holder" 2>/dev/null) &
expect_rc 0 nx sync --quiet --wait 20 "$A"
wait "$holder" 2>/dev/null
# a lock file left by a dead process is taken over
echo "999999 1600000000" >"$DB.lock"
expect_rc 0 nx sync --quiet --wait 0 "$A"
expect_rc 2 nx sync --wait soon "$A"

# two syncs started together: each succeeds or exits 5, and nothing is counted twice
gen "$A/more" 300 11
rc1=0; rc2=0
nx sync --wait 0 "$A" >"$TMP/s1" 2>&1 & p1=$!
nx sync --wait 0 "$A" >"$TMP/s2" 2>&1 & p2=$!
wait $p1 || rc1=$?
wait $p2 || rc2=$?
case "$rc1$rc2" in 00|05|50) ok ;; *) bad "concurrent syncs exited $rc1 and $rc2: $(cat "$TMP/s1" "$TMP/s2")" ;; esac
if [ "$rc1$rc2" != 00 ]; then
  grep -q "is locked by pid [0-9]* (running since" "$TMP/s1" "$TMP/s2" && ok || bad "locked sync lacks the holder"
fi
expect_rc 0 nx sync "$A"
[ "$(count articles)" = 505 ] && ok || bad "articles after concurrent syncs: $(count articles), want 505"

# readers during a large sync: no error, no failed search
gen "$A/big" 1500 13
nx sync --batch 200 "$A" >"$TMP/bigsync" 2>&1 & syncpid=$!
errors=0; searches=0
while kill -0 "$syncpid" 2>/dev/null; do
  r=0; nx search --limit 3 harbour minister >/dev/null 2>>"$TMP/searcherr" || r=$?
  searches=$((searches + 1))
  [ "$r" -le 1 ] || errors=$((errors + 1))
done
wait "$syncpid" && ok || bad "large sync failed: $(cat "$TMP/bigsync")"
[ "$errors" -eq 0 ] && ok || bad "$errors of $searches searches failed during sync: $(head -3 "$TMP/searcherr")"
echo "searches during sync: $searches, errors: $errors"
[ "$(count articles)" = 2005 ] && ok || bad "articles after large sync: $(count articles)"

# check passes on a sound index and fails on a damaged one
expect_rc 0 nx check
grep -q "^ok: 2005 articles" "$TMP/out" && ok || bad "check summary: $(cat "$TMP/out")"
if command -v sqlite3 >/dev/null; then
  cp "$DB" "$TMP/bad.db"
  sqlite3 "$TMP/bad.db" "UPDATE article SET body_z = X'0500000000' WHERE id = 5; UPDATE revision SET hash = 'x';"
  r=0; "$NEWSIDX" --db "$TMP/bad.db" check >"$TMP/out" 2>"$TMP/err" || r=$?
  [ "$r" -eq 4 ] && ok || bad "check of a damaged index exited $r"
  grep -q "does not inflate\|does not match" "$TMP/err" && ok || bad "check did not name the damage: $(cat "$TMP/err")"
fi

# optimize and reindex keep every article and leave a sound index
expect_rc 0 nx optimize
# (the 3 articles of the deleted folder "other" have neither file nor original)
expect_rc 3 nx reindex
grep -q "reindexed 2005 articles: 0 renormalized, 2002 unchanged, 0 new; .* 3 gone, failed 0" "$TMP/out" \
  && ok || bad "reindex: $(cat "$TMP/out")"
grep -q "other/00/000000.txt' is gone or changed and no original was kept" "$TMP/err" \
  && ok || bad "reindex did not report the gone source: $(cat "$TMP/err")"
[ "$(count revisions)" = "$((revs + 1))" ] && ok || bad "reindex added revisions"
expect_rc 0 nx check
[ "$(count articles)" = 2005 ] && ok || bad "articles after maintenance: $(count articles)"

finish
