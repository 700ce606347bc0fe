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

# --- the server ------------------------------------------------------------
if ! command -v curl >/dev/null; then
  echo "skipped the serve checks: curl is not installed"
  finish; exit $?
fi
. "$NX_SRC/tests/e2e/serve_lib.sh"
trap 'serve_stop; rm -rf "$TMP"' EXIT
# get URL [curl options...]: status code in $code, body in $TMP/body
get() {
  local u=$1; shift
  code=$(curl -s -m 20 --path-as-is -o "$TMP/body" -w '%{http_code}' "$@" "$u") || true
}

serve_start --max-connections 40 --allow-host news.example.org
port=${URL##*:}; port=${port%/}

# item 5: the diff page's <del>/<ins> come only from the real markers
get "${URL}a/$id"
[ "$code" = 200 ] && ok || bad "article page: $code"
grep -q 'FAKE' "$TMP/body" && ok || bad "the credit is missing from the diff page"
! grep -q '<ins>FAKE' "$TMP/body" && ok || bad "a credit faked an <ins> marker: $(grep -o '.\{40\}FAKE.\{40\}' "$TMP/body")"
no_raw "$TMP/body" "the article page"

# item 12: Host names the listen address, localhost or an --allow-host name
for h in "127.0.0.1:$port" 127.0.0.1 localhost "localhost:$port" LOCALHOST news.example.org "news.example.org:$port"; do
  get "${URL}api/search?q=harbour" -H "Host: $h"
  [ "$code" = 200 ] && ok || bad "Host: $h answered $code, want 200"
done
for h in attacker.example "attacker.example:$port" 127.0.0.2 "[::1]" "localhost:x" "localhost.attacker.example" "news.example.org.evil"; do
  get "${URL}api/search?q=x" -H "Host: $h"
  [ "$code" = 421 ] && ok || bad "Host: $h answered $code, want 421"
  ! grep -q '"hits"' "$TMP/body" && ok || bad "Host: $h got results"
done
get "${URL}" -H "Host: attacker.example"
[ "$code" = 421 ] && ok || bad "search page for a foreign Host: $code"

# item 9: a query over the budget (nine prefix words, eight allowed) is a 503 with a JSON error
get "${URL}api/search?q=a*+OR+b*+OR+c*+OR+d*+OR+e*+OR+f*+OR+g*+OR+h*+OR+i*"
[ "$code" = 503 ] && ok || bad "a query over the budget: $code, want 503"
grep -q '"error"' "$TMP/body" && ok || bad "no JSON error for a query over the budget: $(head -c 200 "$TMP/body")"
get "${URL}api/search?q=harbour"
[ "$code" = 200 ] && ok || bad "the next query after one over the budget: $code"
# item 14: a malformed date in an operator is a 400 with a JSON error, never a dropped filter
get "${URL}api/search?q=harbour+published:1987-3"
[ "$code" = 400 ] && ok || bad "published:1987-3: $code, want 400"
grep -q '"error"' "$TMP/body" && ok || bad "no JSON error for published:1987-3: $(head -c 200 "$TMP/body")"

# item 13: 1,000 arguments (10 KB) get 414; a NUL in the path 400
args=$(python3 -c 'print("&".join("arg%d=12" % i for i in range(1000)))')
get "${URL}api/search?q=x&$args"
[ "$code" = 414 ] && ok || bad "1,000 arguments: $code, want 414"
get "${URL}a/$id%00"
[ "$code" = 400 ] && ok || bad "/a/ID%00: $code, want 400"
get "${URL}api/article/$id%00x"
[ "$code" = 400 ] && ok || bad "/api/article/ID%00x: $code, want 400"
get "${URL}a/$id"
[ "$code" = 200 ] && ok || bad "the article without %00: $code"

# item 13: 45 clients sending a header byte every 2 s (the server allows 40
# connections, 10 per address).  35 are refused at once, not queued; the
# 10 it holds are cut at the 10 s header deadline; another address is
# answered at once, and this one as soon as the slow ones are cut.
python3 "$NX_SRC/tests/e2e/slow_clients.py" "$port" 127.0.0.1 45 2 20 >"$TMP/slow.out" 2>&1 &
slow_pid=$!
sleep 2
t0=$(date +%s%N)
get "${URL}api/search?q=harbour" --interface 127.0.0.2
t1=$(date +%s%N)
[ "$code" = 200 ] && ok || bad "another address under slow clients: $code"
[ $(( (t1 - t0) / 1000000 )) -lt 3000 ] && ok || bad "another address waited $(( (t1 - t0) / 1000000 )) ms"
answered=0
for i in $(seq 20); do
  get "${URL}api/search?q=harbour"
  if [ "$code" = 200 ]; then answered=1; break; fi
  sleep 1
done
t2=$(date +%s%N)
[ $answered = 1 ] && ok || bad "the slow clients' address was never answered again"
[ $(( (t2 - t0) / 1000000 )) -lt 15000 ] && ok || bad "the slow clients' address waited $(( (t2 - t0) / 1000000 )) ms"
wait "$slow_pid"
python3 - "$TMP/slow.out" <<'PY' && ok || bad "slow clients: $(cat "$TMP/slow.out")"
import sys
last = open(sys.argv[1]).read().split("\n")[-2].split()
d = dict(zip(last[0::2], map(int, last[1::2])))
assert d["opened"] == 45 and d["refused"] >= 35 and d["open"] == 0, d
PY
# the total cap: 5 addresses x 9 = 45 > 40; the rest refused at once
python3 "$NX_SRC/tests/e2e/slow_clients.py" "$port" 127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.6,127.0.0.7 9 2 1 >"$TMP/slow.out" 2>&1
python3 - "$TMP/slow.out" <<'PY' && ok || bad "total cap: $(cat "$TMP/slow.out")"
import sys
last = open(sys.argv[1]).read().split("\n")[-2].split()
d = dict(zip(last[0::2], map(int, last[1::2])))
assert d["opened"] == 45 and 5 <= d["refused"] <= 8, d
PY
serve_stop
[ "$SERVE_RC" = 0 ] && ok || bad "serve did not stop cleanly: $SERVE_RC"

# a busy port: our one message, not libmicrohttpd's "Failed to bind"
python3 -c 'import socket,time,sys; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(20)' >"$TMP/busy" &
busy_pid=$!
for i in $(seq 50); do [ -s "$TMP/busy" ] && break; sleep 0.1; done
expect_rc 2 nx serve --listen "127.0.0.1:$(cat "$TMP/busy")"
kill "$busy_pid" 2>/dev/null; wait "$busy_pid" 2>/dev/null
grep -q 'cannot listen on' "$TMP/err" && ok || bad "busy port: $(cat "$TMP/err")"
! grep -qi 'failed to bind' "$TMP/err" && ok || bad "busy port: libmicrohttpd's message shown: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok || bad "busy port: more than one line: $(cat "$TMP/err")"

finish
