#!/usr/bin/env bash
# End-to-end: what the CLI and the server print is safe (issue 16).
# Control characters and bidi overrides in article fields and file names
# never reach the terminal raw; a credit cannot fake the diff markers;
# search --batch answers a NUL line; serve checks Host, bounds slow
# clients and odd request lines.  Loopback only, every wait bounded.
. "$(dirname "$0")/lib.sh"

ESC=$(printf '\033')
BEL=$(printf '\007')
RLO=$(printf '\342\200\256')  # U+202E RIGHT-TO-LEFT OVERRIDE
LRI=$(printf '\342\201\246')  # U+2066 LEFT-TO-RIGHT ISOLATE

# no_raw FILE WHAT: FILE holds no ESC, BEL, other C0 control but newline
# and tab, no C1 control and no bidi override or isolate
no_raw() {
  if python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1], 'rb').read().decode('utf-8', 'replace')
sys.exit(1 if re.search('[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]', t) else 0)
PY
  then ok; else bad "$2 printed a raw control character: $(cat -v "$1" | head -5)"; fi
}

# --- item 5: article fields (show, search --facets, diff) ---------------
cat >"$TMP/v1.jsonl" <<'J'
{"title":"Harbour vote \u202eetov","text":"Dock workers voted.\u001b[2J","credit":"Reuters/\u001b]0;owned\u0007\u001b[2JJane Doe","url":"http://x.example/a","published":"2024-01-01T10:00:00Z"}
J
cat >"$TMP/v2.jsonl" <<'J'
{"title":"Harbour vote \u202eetov","text":"Dock workers voted again.","credit":"AP/\u001b[32m{+FAKE+}\u001b[0m\u2066John","url":"http://x.example/a","published":"2024-01-01T10:00:00Z","updated":"2024-01-02T10:00:00Z"}
J
expect_rc 0 nx add "$TMP/v1.jsonl"
expect_rc 0 nx search --json harbour
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hits"][0]["id"])' "$TMP/out")
expect_rc 0 nx show "$id"
no_raw "$TMP/out" "show"
grep -q 'Jane Doe' "$TMP/out" && ok || bad "show lost the credit: $(cat -v "$TMP/out")"
expect_rc 0 nx search --facets credit harbour
no_raw "$TMP/out" "search --facets credit"
grep -q '^credit: .*Jane Doe (1)' "$TMP/out" && ok || bad "facet line: $(cat -v "$TMP/out")"
expect_rc 0 nx search harbour
no_raw "$TMP/out" "search"
expect_rc 0 nx add "$TMP/v2.jsonl"
expect_rc 0 nx diff "$id"
no_raw "$TMP/out" "diff"
grep -q '{+voted again.+}' "$TMP/out" && ok || bad "diff lost its change: $(cat -v "$TMP/out")"
expect_rc 0 nx diff --color "$id"
# with colour the only escapes are the markers' own: ESC[31m / ESC[32m / ESC[0m
python3 - "$TMP/out" <<'PY' && ok || bad "diff --color: an escape that is not a marker: $(cat -v "$TMP/out")"
import re, sys
t = open(sys.argv[1], 'rb').read().decode()
rest = re.sub('\x1b\\[3[12]m(\\[-|\\{\\+)|(-\\]|\\+\\})\x1b\\[0m', '', t)
sys.exit(1 if re.search('[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]', rest) else 0)
PY

# --- item 5: file names printed by add and sync ---------------------------
mkdir -p "$TMP/names"
bad_name="$TMP/names/x${ESC}]0;owned${BEL}${RLO}y.json"
printf '{"broken' >"$bad_name"
expect_rc 3 nx add "$bad_name"
no_raw "$TMP/err" "add's error for a hostile file name"
grep -q 'names/x?]0;owned??y.json' "$TMP/err" && ok || bad "add: file name not shown safely: $(cat -v "$TMP/err")"
expect_rc 3 "$NEWSIDX" --db "$TMP/sync.db" sync "$TMP/names"
no_raw "$TMP/err" "sync's error for a hostile file name"
grep -q 'names/x?' "$TMP/err" && ok || bad "sync: file name not shown: $(cat -v "$TMP/err")"
# a query echoed in a message
expect_rc 1 nx search "zzqx${ESC}[2J${LRI}"
no_raw "$TMP/err" "search's no-match message"

# --- item 14: search --batch answers every non-blank line ---------------
printf 'harbour\n\000evil\n\n\000\nvote\n' >"$TMP/batch.in"
rc=0; nx search --batch <"$TMP/batch.in" >"$TMP/batch.out" 2>"$TMP/batch.err" || rc=$?
[ $rc -eq 2 ] && ok || bad "search --batch with a NUL line: exit $rc, not 2"
python3 - "$TMP/batch.out" <<'PY' && ok || bad "search --batch: NUL lines not answered: $(cat "$TMP/batch.out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 4, len(rows)
assert rows[0]["query"] == "harbour" and rows[0]["total"] == 1
assert rows[1]["query"] is None and "NUL" in rows[1]["error"]
assert rows[2]["query"] is None and "error" in rows[2]
assert rows[3]["query"] == "vote"
PY

finish
