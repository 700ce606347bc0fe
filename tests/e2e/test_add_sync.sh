#!/usr/bin/env bash
# End-to-end: `add` records each file's state as sync does (size, mtime,
# inode, content hash), so the first sync after a bulk add reads nothing
# again; a touched file is only re-stamped, a changed one read; a file
# that failed to parse is not read again until it changes; standard
# input is not recorded.
. "$(dirname "$0")/lib.sh"

gen() { python3 "$NX_SRC/tests/e2e/gen_articles.py" "$@"; }

A="$TMP/archive"
gen "$A" 120 5
printf '\x00\x01binary junk\xff\xfe' >"$A/junk.txt"
nfiles=$(find "$A" -type f | wc -l)

expect_rc 3 nx add "$A"
grep -q "added 120" "$TMP/out" && ok || bad "add: $(cat "$TMP/out")"

# nothing read again: every file, the junk one too, is as add recorded it
expect_rc 0 nx sync --verbose "$A"
grep -q "skipped $nfiles, re-stamped 0, read 0" "$TMP/out" && ok ||
  bad "first sync after add read files: $(cat "$TMP/out")"
grep -q "added 0, updated 0, unchanged 120" "$TMP/out" && ok || bad "sync counts: $(cat "$TMP/out")"

# touched but unchanged: re-stamped only; changed: read
f=$(find "$A" -name '*.txt' ! -name junk.txt | sort | head -1)
touch -d '2001-01-01' "$f"
expect_rc 0 nx sync --verbose "$A"
grep -q "re-stamped 1, read 0" "$TMP/out" && ok || bad "touched file: $(cat "$TMP/out")"
printf '\nOne more paragraph about the harbour cranes, added later.\n' >>"$f"
expect_rc 0 nx sync --verbose "$A"
grep -q "re-stamped 0, read 1" "$TMP/out" && ok || bad "changed file: $(cat "$TMP/out")"

# standard input has no state to record
: >"$TMP/stdin.db"
rm -f "$TMP/stdin.db"
NEWSIDX_DB="$TMP/stdin.db" "$NEWSIDX" add - <"$f" >/dev/null 2>&1 && ok || bad "add - failed"
python3 -c 'import sqlite3,sys; sys.exit(0 if sqlite3.connect(sys.argv[1]).execute("select count(*) from file where size is not null").fetchone()[0] == 0 else 1)' "$TMP/stdin.db" \
  && ok || bad "standard input was stamped"
finish
