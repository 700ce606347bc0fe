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

finish
