#!/usr/bin/env bash
# End-to-end: kill -9 a sync at random moments; every time `check` passes,
# and the next sync finishes the job with no duplicate and no lost article.
. "$(dirname "$0")/lib.sh"

N=${NX_KILL_ARTICLES:-2000}
ROUNDS=${NX_KILL_ROUNDS:-4}
A="$TMP/archive"
python3 "$NX_SRC/tests/e2e/gen_articles.py" "$A" "$N" 5
count() { nx stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
sum_of() {  # sum_of FILE : added + updated + unchanged of a summary line
  sed -n 's/^added \([0-9]*\), updated \([0-9]*\), unchanged \([0-9]*\), .*/\1 \2 \3/p' "$1" |
    awk '{ print $1 + $2 + $3 }'
}

killed=0

# kill_runs LABEL SQL LOW HIGH ARGS... : ROUNDS times, start a sync and
# kill -9 it once SQL (a count read from the index while it runs) reaches a
# random value between LOW and HIGH, so kills land inside the run whatever
# the speed of the machine; then `check` must pass.
kill_runs() {
  local label=$1 sql=$2 low=$3 high=$4; shift 4
  local i r out
  for i in $(seq "$ROUNDS"); do
    out=$(python3 - "$DB" "$sql" "$low" "$high" "$NEWSIDX" --db "$DB" sync --batch 20 "$@" "$A" <<'PY'
import os, random, signal, sqlite3, subprocess, sys, time
db, sql, low, high, cmd = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
down = low > high  # counting down (prune)
def read():
    try:
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=1)
        v = c.execute(sql).fetchone()[0]
        c.close()
        return v
    except sqlite3.Error:
        return None
v0 = read() or (high if down else 0)
# somewhere in the first half of what is left to do, past the first batch
left = abs(high - v0)
target = v0 + (-1 if down else 1) * random.randint(min(left, 21), max(21, left // 2))
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
value = None
while p.poll() is None:
    value = read()
    if value is not None and ((not down and value >= target) or (down and value <= target)):
        p.send_signal(signal.SIGKILL)
        p.wait()
        print("killed at %s=%d (from %d, target %d)" % (sql.split()[1], value, v0, target))
        sys.exit(0)
    time.sleep(0.005)
print("done before the kill (from %d, target %d, last %s)" % (v0, target, value))
PY
)
    case "$out" in killed*) killed=$((killed + 1)) ;; esac
    echo "$label: $out"
    r=0; nx check --quiet >"$TMP/check" 2>&1 || r=$?
    if [ "$r" -eq 0 ]; then ok; else bad "$label: check after kill ($out) exited $r: $(head -5 "$TMP/check")"; fi
  done
}

# 1. the first, large sync killed again and again
kill_runs "first sync" "SELECT count(*) FROM article" 0 "$N"
expect_rc 0 nx sync "$A"
[ "$(sum_of "$TMP/out")" = "$N" ] && ok || bad "final sync counts: $(cat "$TMP/out"), want $N articles in all"
grep -q "updated 0, unchanged [0-9]*, removed 0, failed 0" "$TMP/out" && ok || bad "final sync: $(cat "$TMP/out")"
[ "$(count articles)" = "$N" ] && ok || bad "articles: $(count articles), want $N"
[ "$(count files)" = "$N" ] && ok || bad "files: $(count files), want $N"
expect_rc 0 nx sync --verbose "$A"
grep -q "^added 0, updated 0, unchanged $N, removed 0, failed 0" "$TMP/out" && ok || bad "no-change sync after kills: $(cat "$TMP/out")"
grep -q "skipped $N, re-stamped 0, read 0" "$TMP/out" && ok || bad "no-change sync read files: $(cat "$TMP/out")"

# 2. a tenth of the files changed, syncs killed while updating
M=$((N / 10))
python3 - "$A" "$M" <<'PY'
import os, sys
root, m = sys.argv[1], int(sys.argv[2])
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)
for p in files[:m]:
    with open(p, "a") as f:
        f.write("\nA late paragraph mentions quillwort in the valley.\n")
PY
kill_runs "update sync" "SELECT count(*) FROM revision" 0 "$M"
expect_rc 0 nx sync "$A"
[ "$(count articles)" = "$N" ] && ok || bad "articles after updates: $(count articles), want $N"
[ "$(count revisions)" = "$M" ] && ok || bad "revisions: $(count revisions), want $M (one per changed file)"
expect_rc 0 nx search --json --limit 1 quillwort
json_check "$TMP/out" "d['total'] == $M"

# 3. a fifth of the files deleted, prune killed midway
python3 - "$A" "$((N / 5))" <<'PY'
import os, sys
root, m = sys.argv[1], int(sys.argv[2])
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)
for p in files[-m:]:
    os.unlink(p)
PY
kill_runs "prune sync" "SELECT count(*) FROM article" "$N" $((N - N / 5)) --prune
expect_rc 0 nx sync --prune "$A"
want=$((N - N / 5))
[ "$(count articles)" = "$want" ] && ok || bad "articles after prune: $(count articles), want $want"
[ "$(count files)" = "$want" ] && ok || bad "files after prune: $(count files), want $want"
expect_rc 0 nx check
echo "syncs killed mid-run: $killed of $((ROUNDS * 3))"

finish
