#!/usr/bin/env bash
# Hostile input, ingest side (issue 16): what `add` stores and how much it
# costs, whatever the input holds.
. "$(dirname "$0")/lib.sh"

# id of the first hit of a search
first_id() { nx search "$@" 2>/dev/null | sed -n 's/.*id \([0-9a-f]\{16\}\).*/\1/p' | head -1; }

# no_controls FILE WHAT: FILE holds no C0/C1 control (but tab, newline) nor bidi override
no_controls() {
  if python3 - "$1" <<'PY'
import json, re, sys
raw = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
bad = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
def walk(v):
    if isinstance(v, str):
        return bad.search(v) is None
    if isinstance(v, list):
        return all(walk(x) for x in v)
    if isinstance(v, dict):
        return all(walk(x) for x in v.values())
    return True
try:
    ok = walk(json.loads(raw))
except ValueError:
    ok = bad.search(raw) is None
sys.exit(0 if ok else 1)
PY
  then ok; else bad "$2: control or bidi characters stored"; cat -v "$1" | head -c 2000 >&2; echo >&2; fi
}

# ---- item 5: control characters in credits, record ids ----
A="$TMP/ctl"
mkdir -p "$A"
printf '%s\n' '{"title":"Harbour vote","text":"Dock workers voted.","credit":"Reuters/\u001b]0;owned\u0007\u001b[2JJane Doe"}' >"$A/credit.jsonl"
printf 'Storm Closes Quay\n14:05 GMT 12.08.2023\nThe quay was closed on Saturday as the storm reached the coast.\nBoats are moored along it.\nPhoto: Maria \033[2JSantos/Reuters\033]0;owned\007\nOfficials said it would reopen on Monday.\n' >"$A/photo.txt"
page='HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><head><title>Lighthouse works</title></head><body><p>Work on the lighthouse began on Monday and will last a month.</p></body></html>'
body=$(printf "$page")
printf 'WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:\033]0;owned\007\342\200\256x>\r\nWARC-Target-URI: https://x.example/lh\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n' \
  "${#body}" "$body" >"$A/rec.warc"
expect_rc 0 nx add "$A"
for q in harbour quay lighthouse; do
  id=$(first_id "$q")
  [ -n "$id" ] && ok || { bad "$q: not indexed"; continue; }
  nx show --json "$id" >"$TMP/show.json" 2>"$TMP/err"
  no_controls "$TMP/show.json" "$q (show --json)"
  nx show "$id" >"$TMP/show.txt" 2>"$TMP/err"
  no_controls "$TMP/show.txt" "$q (show)"
done
grep -q 'Jane Doe' "$TMP/show.txt" 2>/dev/null || true
nx show --json "$(first_id harbour)" >"$TMP/show.json"
json_check "$TMP/show.json" "'Jane Doe' in json.dumps(d)"

# ---- item 7: gzip bombs inside WARC files (HTTP Content-Encoding, .warc.gz member) ----
B="$TMP/bomb"
mkdir -p "$B"
python3 - "$B" <<'PY'
import sys, zlib
d = sys.argv[1]
big = b"<html><body><p>x" + b" " * (64 * 1024 * 1024 - 16)
def gz(data):
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    return co.compress(data) + co.flush()
http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n" + gz(big)
open(d + "/http.warc", "wb").write(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: %d\r\n\r\n" % len(http) + http + b"\r\n\r\n")
rec = b"WARC/1.0\r\nWARC-Type: resource\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(big) + big + b"\r\n\r\n"
open(d + "/member.warc.gz", "wb").write(gz(rec))
PY
for f in http.warc member.warc.gz; do
  if [ -x /usr/bin/time ]; then
    expect_rc 3 /usr/bin/time -f 'maxrss %M' "$NEWSIDX" --db "$TMP/bomb.db" add "$B/$f"
    kb=$(sed -n 's/^maxrss \([0-9]*\)$/\1/p' "$TMP/err")
    [ -n "$kb" ] && [ "$kb" -lt 200000 ] && ok || bad "$f: peak memory ${kb:-?} KB, want under 200 MB"
  else
    expect_rc 3 "$NEWSIDX" --db "$TMP/bomb.db" add "$B/$f"
  fi
  grep -q 'gzip bomb' "$TMP/err" && ok || { bad "$f: bomb not reported"; cat "$TMP/err" >&2; }
done

# ---- item 10: the walk stays inside the folder given; FIFOs are not opened ----
W="$TMP/walk"
mkdir -p "$W/arch/sub" "$W/outside"
printf 'Outside Secret Memo\n\nThe zanzibarian memo must never be indexed from a link.\n' >"$W/outside/memo.txt"
printf 'Inside Story Here\n\nThe quokka census counted more animals this year.\n' >"$W/arch/story.txt"
ln -s "$W/outside/memo.txt" "$W/arch/memo.txt"
ln -s ../outside "$W/arch/outdir"
ln -s ../story.txt "$W/arch/sub/story-link.txt"
[ -r /etc/passwd ] && ln -s /etc/passwd "$W/arch/passwd"
mkfifo "$W/arch/pipe"
timeout 60 "$NEWSIDX" --db "$TMP/walk.db" add "$W/arch" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" != 124 ] && ok || bad "walk: add hung (FIFO opened?)"
"$NEWSIDX" --db "$TMP/walk.db" search quokka >/dev/null 2>&1 && ok || bad "walk: the file inside was not indexed"
"$NEWSIDX" --db "$TMP/walk.db" search zanzibarian >"$TMP/out" 2>&1 && bad "walk: a link out of the folder was followed" || ok
if [ -r /etc/passwd ]; then
  "$NEWSIDX" --db "$TMP/walk.db" search root >"$TMP/out" 2>&1 && bad "walk: /etc/passwd was indexed through a link" || ok
fi
grep -q 'memo.txt: symbolic link leads out' "$TMP/err" && ok || { bad "walk: link out not noted"; cat "$TMP/err" >&2; }
grep -q 'pipe: a FIFO' "$TMP/err" && ok || { bad "walk: FIFO not noted"; cat "$TMP/err" >&2; }
[ "$rc" = 0 ] && ok || bad "walk: notes made add exit $rc (a skipped link or FIFO is not a failure)"
# sync walks the same way: the link out is noted, not followed
timeout 60 "$NEWSIDX" --db "$TMP/walk-sync.db" sync "$W/arch" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" = 0 ] && ok || bad "walk: sync exit $rc"
"$NEWSIDX" --db "$TMP/walk-sync.db" search quokka >/dev/null 2>&1 && ok || bad "walk: sync did not index the file inside"
"$NEWSIDX" --db "$TMP/walk-sync.db" search zanzibarian >/dev/null 2>&1 && bad "walk: sync followed a link out of the folder" || ok
grep -q 'memo.txt: symbolic link leads out' "$TMP/err" && ok || { bad "walk: sync did not note the link out"; cat "$TMP/err" >&2; }
grep -q 'pipe: a FIFO' "$TMP/err" && ok || { bad "walk: sync did not note the FIFO"; cat "$TMP/err" >&2; }
# --follow-symlinks follows it, in add and in sync
timeout 60 "$NEWSIDX" --db "$TMP/walk-follow.db" add --follow-symlinks "$W/arch" >/dev/null 2>&1
"$NEWSIDX" --db "$TMP/walk-follow.db" search zanzibarian >/dev/null 2>&1 && ok || bad "walk: add --follow-symlinks did not follow"
timeout 60 "$NEWSIDX" --db "$TMP/walk-follow2.db" sync "$W/arch" --follow-symlinks >/dev/null 2>&1
"$NEWSIDX" --db "$TMP/walk-follow2.db" search zanzibarian >/dev/null 2>&1 && ok || bad "walk: sync --follow-symlinks did not follow"
# a FIFO given by name is not opened either
timeout 60 "$NEWSIDX" --db "$TMP/walk.db" add "$W/arch/pipe" >"$TMP/out" 2>"$TMP/err"
[ "$?" != 124 ] && ok || bad "walk: add of a FIFO hung"

# ---- item 6: 100k authors in one line are capped (at most 100 stored), quickly ----
python3 -c "
import json
print(json.dumps({'title': 'Many bylines', 'text': 'A story with far too many authors.',
                  'authors': ['Author Number %d' % i for i in range(100000)]}))" >"$TMP/authors.jsonl"
start=$(date +%s)
expect_rc 0 timeout 120 "$NEWSIDX" --db "$TMP/authors.db" add "$TMP/authors.jsonl"
id=$("$NEWSIDX" --db "$TMP/authors.db" search bylines 2>/dev/null | sed -n 's/.*id \([0-9a-f]\{16\}\).*/\1/p' | head -1)
timeout 120 "$NEWSIDX" --db "$TMP/authors.db" show --json "$id" >"$TMP/show.json" 2>"$TMP/err"
json_check "$TMP/show.json" "len(d['authors']) == 100"
timeout 120 "$NEWSIDX" --db "$TMP/authors.db" search bylines --facets author >/dev/null 2>&1 && ok || bad "authors: facets failed"
secs=$(( $(date +%s) - start ))
[ "$secs" -lt 30 ] && ok || bad "authors: add, show and facets took $secs s"

# ---- item 8: an element with 100k attributes is refused at once ----
python3 -c "
attrs = ' '.join('a%d=\"x\"' % i for i in range(100000))
print('<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><item %s><title>Attr bomb</title>'
      '<description>Body text here.</description></item></channel></rss>' % attrs)" >"$TMP/attrs.rss"
start=$(date +%s)
expect_rc 3 timeout 120 "$NEWSIDX" --db "$TMP/attrs.db" add "$TMP/attrs.rss"
grep -q 'attrs.rss: .*more than 1024 attributes' "$TMP/err" && ok || { bad "attrs: not refused clearly"; cat "$TMP/err" >&2; }
secs=$(( $(date +%s) - start ))
[ "$secs" -lt 10 ] && ok || bad "attrs: took $secs s"

finish
