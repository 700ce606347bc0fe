#!/usr/bin/env bash
# End-to-end: faults around the index.
#  - kill -9 at random moments of `add` (NX_FAULT_KILLS, default 20 runs):
#    `check` passes every time, no committed article is lost, and the next
#    run completes the job;
#  - disk full (a 3 MB tmpfs when mount works, else ulimit -f): a clear
#    error, exit 4, the index intact and usable;
#  - a read-only index (file and folder): a clear error, exit 4, reads work;
#  - a locked index: exit 5, naming the holder.
. "$(dirname "$0")/lib.sh"

KILLS=${NX_FAULT_KILLS:-20}
N=${NX_FAULT_ARTICLES:-5000}
A="$TMP/archive"
python3 "$NX_SRC/tests/e2e/gen_articles.py" "$A" "$N" 7
f() { find "$A" -name "$(printf '%06d.txt' "$1")" | head -1; }
count() {
	"$NEWSIDX" --db "$1" stats --json 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"])' 2>/dev/null || echo 0
}

# ---- kill -9 during add ----
# Each run is killed once the index, read from outside while add writes,
# holds a random number of committed articles, or after a random delay;
# every 5 runs start again from an empty index so that kills keep landing
# inside real insertion.  After each kill: check passes, and the count is
# at least what had been seen committed before the kill.
python3 - "$DB" "$KILLS" "$NEWSIDX" "$A" >"$TMP/kills" 2>&1 <<'PY'
import os, random, signal, sqlite3, subprocess, sys, time
db, kills, exe, archive = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def count():
    try:
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=1)
        v = c.execute("SELECT count(*) FROM article").fetchone()[0]
        c.close()
        return v
    except sqlite3.Error:
        return 0
rnd = random.Random(os.getpid())
fails = 0
for i in range(kills):
    if i % 5 == 0:
        for ext in ("", "-wal", "-shm", ".lock"):
            try: os.unlink(db + ext)
            except FileNotFoundError: pass
    seen = count()
    deadline = time.time() + rnd.uniform(0.05, 2.5)
    p = subprocess.Popen([exe, "--db", db, "add", "--quiet", archive],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while p.poll() is None and time.time() < deadline:
        seen = max(seen, count())
        time.sleep(0.01)
    finished = p.poll() is not None
    p.send_signal(signal.SIGKILL)
    p.wait()
    chk = subprocess.run([exe, "--db", db, "check", "--quiet"], capture_output=True, text=True)
    after = count()
    print("run %d: %s, %d seen committed, %d after, check exit %d %s" % (
        i + 1, "finished first" if finished else "killed", seen, after, chk.returncode, chk.stderr.strip()))
    if chk.returncode != 0 or after < seen:
        fails += 1
sys.exit(1 if fails else 0)
PY
if [ $? = 0 ]; then ok; else bad "kill -9 during add: check failed or committed articles were lost"; fi
cat "$TMP/kills"
grep -c killed "$TMP/kills" | { read -r k; [ "$k" -ge $((KILLS / 2)) ] && ok || bad "only $k of $KILLS runs were killed mid-way"; }
expect_rc 0 nx add --quiet "$A"
[ "$(count "$DB")" = "$N" ] && ok || bad "after the kills, the next add left $(count "$DB") articles, want $N"
expect_rc 0 nx check --quiet

# ---- disk full ----
small="$TMP/small"
mkdir -p "$small"
mounted=0
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=3m tmpfs "$small" 2>/dev/null; then
	mounted=1
	trap 'umount "$small" 2>/dev/null; rm -rf "$TMP"' EXIT
fi
FDB="$small/index.db"
"$NEWSIDX" --db "$FDB" add --quiet "$(f 0)" "$(f 1)" >/dev/null 2>&1
before=$(count "$FDB")
rc=0
if [ "$mounted" = 1 ]; then
	"$NEWSIDX" --db "$FDB" add --keep-originals "$A" >"$TMP/out" 2>"$TMP/err" || rc=$?
else
	# no mount: a 3 MB file size limit (SIGXFSZ ignored, so writes fail with EFBIG)
	( trap '' XFSZ; ulimit -f 6144; exec "$NEWSIDX" --db "$FDB" add --keep-originals "$A" ) \
		>"$TMP/out" 2>"$TMP/err" || rc=$?
fi
[ "$rc" = 4 ] && ok || { bad "disk full: exit $rc, want 4"; cat "$TMP/err" >&2; }
grep -qiE '^newsidx: .*(full|too large|space|EFBIG|disk)' "$TMP/err" && ok || { bad "disk full: unclear error"; cat "$TMP/err" >&2; }
[ "$(grep -c '' "$TMP/err")" -le 2 ] && ok || { bad "disk full: too many error lines"; cat "$TMP/err" >&2; }
"$NEWSIDX" --db "$FDB" check --quiet >"$TMP/check" 2>&1 && ok || { bad "disk full: check fails afterwards"; cat "$TMP/check" >&2; }
[ "$(count "$FDB")" -ge "$before" ] && ok || bad "disk full: committed articles lost"
"$NEWSIDX" --db "$FDB" search --json council >/dev/null 2>&1; rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] && ok || bad "disk full: search fails afterwards (exit $rc)"
# room again (a smaller batch): the index takes writes again
"$NEWSIDX" --db "$FDB" add --quiet "$(f 2)" >/dev/null 2>&1; rc=$?
[ "$rc" = 0 ] && ok || bad "disk full: the index does not take a small add afterwards (exit $rc)"
[ "$mounted" = 1 ] && { umount "$small"; trap 'rm -rf "$TMP"' EXIT; }

# ---- read-only index ----
RDB="$TMP/ro/index.db"
mkdir -p "$TMP/ro"
"$NEWSIDX" --db "$RDB" add --quiet "$(f 0)" >/dev/null 2>&1
as_user() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null 2>&1; then
		# root writes anywhere: be nobody, for whom the index is not writable
		as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
		chmod 755 "$TMP" "$TMP/ro"
		chmod 644 "$RDB"
		chmod o+r "$A" -R 2>/dev/null
		chmod o+x "$A" "$A"/* 2>/dev/null
	else
		echo "note: read-only index skipped (root without setpriv)"
		as_user() { return 77; }
	fi
fi
rc=0
chmod 444 "$RDB"
as_user "$NEWSIDX" --db "$RDB" add "$(f 3)" >"$TMP/out" 2>"$TMP/err" || rc=$?
if [ "$rc" != 77 ]; then
	[ "$rc" = 4 ] && ok || { bad "read-only index file: exit $rc, want 4"; cat "$TMP/err" >&2; }
	grep -qiE '^newsidx: .*(read-only|readonly|permission|cannot)' "$TMP/err" && ok ||
		{ bad "read-only index file: unclear error"; cat "$TMP/err" >&2; }
	# reading an index one cannot write is a separate question (SQLite's
	# WAL needs a writable -shm): reported, not failed, here
	rc=0
	as_user "$NEWSIDX" --db "$RDB" search --json council >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 1 ] || echo "note: search on a read-only index exits $rc: $(cat "$TMP/err")"
	chmod 644 "$RDB"
	chmod 555 "$TMP/ro"
	rc=0
	as_user "$NEWSIDX" --db "$RDB" add "$(f 3)" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ "$rc" = 4 ] && ok || { bad "read-only index folder: exit $rc, want 4"; cat "$TMP/err" >&2; }
	[ "$(grep -c '' "$TMP/err")" -le 2 ] && ok || { bad "read-only index folder: too many error lines"; cat "$TMP/err" >&2; }
	chmod 755 "$TMP/ro"
fi
"$NEWSIDX" --db "$RDB" check --quiet && ok || bad "read-only index: check fails afterwards"

# ---- locked index: exit 5 ----
python3 - "$DB.lock" "$TMP/locked" <<'PY' &
import fcntl, os, sys, time
f = open(sys.argv[1], "a+")
fcntl.flock(f, fcntl.LOCK_EX)
f.seek(0); f.truncate(); f.write("%d %d\n" % (os.getpid(), int(time.time()))); f.flush()
open(sys.argv[2], "w").write("1")
time.sleep(30)
PY
holder=$!
for _ in $(seq 50); do [ -s "$TMP/locked" ] && break; sleep 0.1; done
expect_rc 5 nx add --wait 0 "$(f 4)"
grep -qiE '^newsidx: .*(lock|another newsidx|writing)' "$TMP/err" && ok || { bad "locked: unclear error"; cat "$TMP/err" >&2; }
expect_rc 5 nx check --wait 0
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
expect_rc 0 nx add --quiet "$(f 4)"
finish
