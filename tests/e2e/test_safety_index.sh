#!/usr/bin/env bash
# End-to-end safety of the index (issue 16): big containers commit as they
# go and survive kill -9; undated articles without URLs are not merged by
# headline; a symlinked lock file and a FIFO as --db are refused.
. "$(dirname "$0")/lib.sh"

count() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$DB" "$1"; }

# ---- item 3: one big file commits in batches; a kill -9 inside it leaves a
# consistent index and the next add completes it
N=4000
python3 - "$TMP/big.jsonl" "$N" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({"url": "https://news.example.org/story/%d" % i,
                            "title": "Story number %d about the harbour" % i,
                            "maintext": "Paragraph one of story %d, on the council and the river.\n\n"
                                        "Paragraph two of story %d, on the budget and the bridge." % (i, i),
                            "date_publish": "2023-05-04 09:30:00"}) + "\n")
PY
out=$(NX_ADD_BATCH=100 python3 - "$DB" "$NEWSIDX" --db "$DB" add --quiet "$TMP/big.jsonl" <<'PY'
import signal, sqlite3, subprocess, sys, time
db, cmd = sys.argv[1], sys.argv[2:]
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
seen = 0
while p.poll() is None:
    try:
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=1)
        seen = c.execute("SELECT count(*) FROM article").fetchone()[0]
        c.close()
    except sqlite3.Error:
        seen = 0
    if seen >= 300:
        p.send_signal(signal.SIGKILL)
        p.wait()
        print("killed %d" % seen)
        sys.exit(0)
    time.sleep(0.02)
print("finished %d" % seen)
PY
)
case $out in
  killed*) ok ;;
  *) bad "add of one big file committed nothing before its end ($out)" ;;
esac
expect_rc 0 nx check
got=$(count "SELECT count(*) FROM article")
if [ "$got" -gt 0 ] && [ "$got" -lt "$N" ]; then ok; else bad "after the kill: $got articles, want some of $N"; fi
expect_rc 0 nx add --quiet "$TMP/big.jsonl"
got=$(count "SELECT count(*) FROM article")
[ "$got" -eq "$N" ] && ok || bad "after the re-run: $got articles, want $N"
expect_rc 0 nx check
[ "$(count "SELECT count(*) FROM revision")" -eq 0 ] && ok || bad "the re-run made revisions"

# ---- item 2: undated articles without URLs that share a headline stay two
DB="$TMP/weather.db"
mkdir -p "$TMP/w"
printf 'Weather forecast\n\nRain is expected in the north.\n' >"$TMP/w/a.txt"
printf 'Weather forecast\n\nSunshine for the south.\n' >"$TMP/w/b.txt"
expect_rc 0 nx add --quiet "$TMP/w/a.txt" "$TMP/w/b.txt"
[ "$(count "SELECT count(*) FROM article")" -eq 2 ] && ok || bad "two undated texts with one headline were merged"
[ "$(count "SELECT count(*) FROM revision")" -eq 0 ] && ok || bad "one of them became a hidden revision"
nx search --json --limit 10 weather >"$TMP/hits.json"
for id in $(python3 -c 'import json,sys; print(" ".join(h["id"] for h in json.load(open(sys.argv[1]))["hits"]))' "$TMP/hits.json"); do
  nx show --json "$id" >"$TMP/show.json"
  # origin names the file whose text this is
  json_check "$TMP/show.json" '("Rain" in d["body"]) == d["origin"]["file"].endswith("/a.txt") and ("Sunshine" in d["body"]) == d["origin"]["file"].endswith("/b.txt")'
done
# reindex twice: the second run changes nothing
expect_rc 0 nx reindex
revs=$(count "SELECT coalesce(max(rev), 0) FROM article")
expect_rc 0 nx reindex
grep -q ' 0 renormalized' "$TMP/out" && ok || { bad "the second reindex renormalized again"; cat "$TMP/out" >&2; }
[ "$(count "SELECT coalesce(max(rev), 0) FROM article")" -eq "$revs" ] && ok || bad "revision numbers grew on a second reindex"
[ "$(count "SELECT count(*) FROM article")" -eq 2 ] && ok || bad "reindex merged them"

# ---- item 11: a lock file that is a symbolic link is refused, its target untouched
DB="$TMP/locked.db"
printf 'precious\n' >"$TMP/victim.txt"
ln -s "$TMP/victim.txt" "$DB.lock"
expect_rc 4 nx add --quiet "$TMP/w/a.txt"
grep -q 'symbolic link' "$TMP/err" && ok || { bad "no clear error for a symlinked lock file"; cat "$TMP/err" >&2; }
[ "$(cat "$TMP/victim.txt")" = precious ] && ok || bad "the symlinked lock file's target was changed"

# ---- item 10: --db naming a FIFO is refused at once (search used to hang)
mkfifo "$TMP/fifo.db"
DB="$TMP/fifo.db"
got=0
timeout 20 "$NEWSIDX" --db "$DB" search weather >"$TMP/out" 2>"$TMP/err" || got=$?
[ "$got" -ne 0 ] && [ "$got" -ne 124 ] && ok || bad "search on a FIFO: exit $got (124: it hung)"
grep -q 'not a regular file' "$TMP/err" && ok || { bad "no clear error for a FIFO as index"; cat "$TMP/err" >&2; }

finish
