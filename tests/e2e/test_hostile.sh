#!/usr/bin/env bash
# End-to-end: hostile inputs through the real binary.  For each one: the
# expected outcome (refused with one clear error line naming the file and
# the reason, or indexed safely), the good file added beside it in the
# same batch is indexed, nothing outside the given files is read or
# fetched, time and memory stay bounded, and `newsidx check` passes.
#
# The reproductions of the safety review (issue 16), by number, and the
# test that runs each (the e2e scripts beside this one, and unit tests):
#   1  snapshot reads: a writer beside 1,000 searches and similar look-ups
#      -> tests/unit/search/test_search_snapshot.c
#   2  undated articles with one headline stay two; origin names the file
#      of the current text; reindex twice changes nothing
#      -> test_safety_index.sh (item 2), unit/index/test_store_safety.c
#   3  add commits in batches inside a big file; kill -9 inside it
#      -> test_safety_index.sh (item 3), unit/ingest/test_add.c
#   4  library errors (err NULL, next revision, note_lang, 40 dictionaries)
#      -> unit/index/test_store_safety.c
#   5  control characters and bidi overrides: stripped at ingest, neutral
#      in print, no fake <ins>/<del> -> test_safety_ingest.sh,
#      test_safety_cli.sh (item 5), unit/formats/test_emit.c
#   6  snippets of a 400,000-word body; 100k authors
#      -> test_safety_search.sh, test_safety_ingest.sh (item 6)
#   7  gzip bombs through WARC (Content-Encoding, .warc.gz member)
#      -> test_safety_ingest.sh (item 7), unit/formats/test_warc.c
#   8  an element with 100k attributes -> test_safety_ingest.sh (item 8),
#      unit/util/test_xml.c
#   9  query budget (prefixes, time): exit 4, HTTP 503
#      -> test_safety_search.sh, test_safety_cli.sh (item 9)
#  10  symlinks out of the folder, FIFOs in it, --db naming a FIFO
#      -> test_safety_ingest.sh, test_safety_index.sh (item 10)
#  11  the lock file as a symlink -> test_safety_index.sh (item 11),
#      unit/ingest/test_lock.c
#  12  Host check (421) -> test_safety_cli.sh (item 12)
#  13  slow clients, 1,000 arguments (414), %00 (400)
#      -> test_safety_cli.sh (item 13)
#  14  malformed dates in operators; a NUL line in --batch
#      -> test_safety_search.sh, test_safety_cli.sh (item 14)
#
# Every input is generated in $TMP.  Under AddressSanitizer (NX_SANITIZE
# builds) the 100 MB single-line file is skipped: ASan makes it minutes
# long; the release build runs it.  NX_HOSTILE_BIG=0 skips it too.
. "$(dirname "$0")/lib.sh"

H="$TMP/in"
G="$TMP/good"
mkdir -p "$H" "$G"
asan=0
if grep -qE "__asan_init|__tsan_init" "$NEWSIDX" 2>/dev/null; then asan=1; fi # any sanitizer: slower, more memory
have_time=0
if [ -x /usr/bin/time ]; then have_time=1; fi
limit_s=${NX_HOSTILE_TIMEOUT:-60}
[ "$asan" = 1 ] && limit_s=$((limit_s * 4))

# token NAME : a word only the good article of case NAME holds
token() { printf 'token%s' "$1" | tr -cd 'a-zA-Z0-9'; }

# total FILE : the "total" of a search --json output, or -1
total() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$1" 2>/dev/null || echo -1
}

# a fresh good article per case, with a token only it holds
good() {
	local f="$G/$1.txt"
	printf 'Harbour workers vote on a new contract %s\nJuly 8, 2021 1:42 AM EDT\nBy Jane Doe\nDock workers in the port voted on Thursday on the agreement, %s said.\nThe vote ends a dispute that lasted three months.\n' "$1" "$(token "$1")" >"$f"
	echo "$f"
}

# run_add NAME FILE... : add the files and a good article; output in $TMP/out, $TMP/err
run_add() {
	local name=$1 g rc=0; shift
	g=$(good "$name")
	if [ "$have_time" = 1 ]; then
		timeout "$limit_s" /usr/bin/time -o "$TMP/time" -f '%e %M' "$NEWSIDX" --db "$DB" add "$@" "$g" \
			>"$TMP/out" 2>"$TMP/err" || rc=$?
	else
		timeout "$limit_s" "$NEWSIDX" --db "$DB" add "$@" "$g" >"$TMP/out" 2>"$TMP/err" || rc=$?
		echo "0 0" >"$TMP/time"
	fi
	echo "$rc" >"$TMP/rc"
	[ "$rc" = 124 ] && bad "$name: add did not finish within $limit_s s"
	# the good article beside the hostile input was indexed
	nx search --json "$(token "$name")" >"$TMP/good.json" 2>/dev/null
	if [ "$(total "$TMP/good.json")" = 1 ]; then ok; else
		bad "$name: the good file of the batch was not indexed"; cat "$TMP/err" >&2; fi
	# the index is whole afterwards
	if nx check --quiet >"$TMP/check" 2>&1; then ok; else bad "$name: check fails"; cat "$TMP/check" >&2; fi
}

# refused NAME REASON FILE : FILE fails with exit 3 and exactly one error
# line, "newsidx: <path>: <reason>", the reason matching the regex REASON
refused() {
	local name=$1 reason=$2 file=$3 rc lines
	run_add "$name" "$file"
	rc=$(cat "$TMP/rc")
	[ "$rc" = 3 ] && ok || bad "$name: exit $rc, want 3"
	lines=$(grep -c '' "$TMP/err")
	[ "$lines" = 1 ] && ok || { bad "$name: $lines error lines, want 1"; cat "$TMP/err" >&2; }
	if grep -qF "$(basename "$file" | head -n 1)" "$TMP/err" && grep -qE "^newsidx: .*: ($reason)" "$TMP/err"; then ok
	else bad "$name: error line does not name the file and the reason /$reason/"; cat "$TMP/err" >&2; fi
}

# indexed NAME FILE... : accepted, exit 0, nothing on stderr
indexed() {
	local name=$1 rc; shift
	run_add "$name" "$@"
	rc=$(cat "$TMP/rc")
	[ "$rc" = 0 ] && ok || { bad "$name: exit $rc, want 0"; cat "$TMP/err" >&2; }
	[ -s "$TMP/err" ] && { bad "$name: unexpected error output"; cat "$TMP/err" >&2; } || ok
}

# bounded NAME MAX_MB MAX_S : the last run stayed within MAX_MB of memory and MAX_S seconds
bounded() {
	local name=$1 mb=$2 s=$3 t m
	[ "$have_time" = 1 ] && [ "$asan" = 0 ] || return 0
	read -r t m < <(tail -1 "$TMP/time")
	if awk -v t="$t" -v s="$s" 'BEGIN { exit !(t <= s) }'; then ok; else bad "$name: took $t s, limit $s"; fi
	if [ "$m" -le $((mb * 1024)) ]; then ok; else bad "$name: peak memory $((m / 1024)) MB, limit $mb MB"; fi
}

# no_leak WORD : WORD (from /etc/passwd and the like) was not indexed
no_leak() {
	local rc=0
	nx search --json "$1" >"$TMP/leak" 2>/dev/null || rc=$?
	if [ "$(total "$TMP/leak")" = 0 ] && [ "$rc" = 1 ]; then ok; else bad "'$1' leaked into the index"; fi
}

# ---- a listener that records any connection: nothing may be fetched ----
PORT_FILE="$TMP/port"
HITS="$TMP/hits"
: >"$HITS"
python3 - "$PORT_FILE" "$HITS" <<'PY' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(120)
try:
    while True:
        c, _ = s.accept()
        open(sys.argv[2], "a").write("connection\n")
        c.close()
except Exception:
    pass
PY
listener=$!
trap 'kill $listener 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do [ -s "$PORT_FILE" ] && break; sleep 0.1; done
PORT=$(cat "$PORT_FILE")
URL="http://127.0.0.1:$PORT"

# ---- XML external entities: never resolved, never fetched ----
secret="$TMP/secret.txt"
echo "zanzibarsecret root:x:0:0" >"$secret"
cat >"$H/xxe-file.rss" <<X
<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file://$secret"> <!ENTITY pw SYSTEM "file:///etc/passwd"> ]>
<rss version="2.0"><channel><title>Feed</title>
<item><title>Entity &xxe; here</title><link>http://example.com/xxe</link>
<description>Body text of the item &pw; and more words.</description></item>
</channel></rss>
X
cat >"$H/xxe-net.rss" <<X
<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "$URL/rss.dtd" [ <!ENTITY % remote SYSTEM "$URL/evil.dtd"> %remote; <!ENTITY net SYSTEM "$URL/net"> ]>
<rss version="2.0"><channel><title>Feed</title>
<item><title>Network &net; entity</title><link>http://example.com/net</link>
<description>Item body <xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://$secret" parse="text"/> text.</description></item>
</channel></rss>
X
cat >"$H/xxe.nitf.xml" <<X
<?xml version="1.0"?>
<!DOCTYPE nitf SYSTEM "$URL/nitf.dtd" [ <!ENTITY xxe SYSTEM "file://$secret"> ]>
<nitf><body><body.head><hedline><hl1>Wire &xxe; story</hl1></hedline></body.head>
<body.content><p>Wire text &xxe; of the story.</p></body.content></body></nitf>
X
for f in xxe-file.rss xxe-net.rss xxe.nitf.xml; do
	run_add "${f%%.*}" "$H/$f"
	rc=$(cat "$TMP/rc")
	[ "$rc" = 0 ] || [ "$rc" = 3 ] && ok || bad "$f: exit $rc"
	[ "$(grep -c '' "$TMP/err")" -le 1 ] && ok || bad "$f: more than one error line"
done
no_leak zanzibarsecret
no_leak nologin
[ -s "$HITS" ] && bad "an external entity or DTD was fetched over the network" || ok

# ---- entity bombs: bounded time and memory ----
{
	echo '<?xml version="1.0"?>'
	echo '<!DOCTYPE rss ['
	echo ' <!ENTITY l0 "lol">'
	for i in $(seq 1 12); do
		printf ' <!ENTITY l%d "' "$i"
		for _ in $(seq 10); do printf '&l%d;' $((i - 1)); done
		printf '">\n'
	done
	echo ']>'
	echo '<rss version="2.0"><channel><title>Bomb</title><item><title>Laughs &l12;</title><link>http://example.com/lol</link><description>&l12;</description></item></channel></rss>'
} >"$H/billion-laughs.rss"
python3 - "$H/quadratic.rss" <<'PY'
import sys
big = "A" * 100000
open(sys.argv[1], "w").write('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "%s">]>\n'
    '<rss version="2.0"><channel><title>Q</title><item><title>Quadratic</title>'
    '<link>http://example.com/q</link><description>%s</description></item></channel></rss>\n'
    % (big, "&a;" * 100000))
PY
for f in billion-laughs.rss quadratic.rss; do
	run_add "${f%%.*}" "$H/$f"
	rc=$(cat "$TMP/rc")
	[ "$rc" = 0 ] || [ "$rc" = 3 ] && ok || bad "$f: exit $rc"
	bounded "$f" 512 20
done

# ---- 100,000-deep nesting in every tree-shaped format ----
python3 - "$H" <<'PY'
import sys
d = sys.argv[1]; n = 100000
open(d + "/deep.rss", "w").write('<?xml version="1.0"?><rss version="2.0"><channel><title>D</title><item><title>Deep</title><link>http://example.com/d</link><description>' + "<a>" * n + "x" + "</a>" * n + "</description></item></channel></rss>")
open(d + "/deep-elements.nitf.xml", "w").write('<?xml version="1.0"?><nitf><body><body.content>' + "<p>" * n + "x" + "</p>" * n + "</body.content></body></nitf>")
open(d + "/deep.html", "w").write("<html><head><title>Deep page</title></head><body>" + "<div>" * n + "<p>Deep text.</p>" + "</div>" * n + "</body></html>")
open(d + "/deep.jsonl", "w").write('{"title": "Deep", "text": ' + "[" * n + "1" + "]" * n + "}\n")
open(d + "/deep-object.jsonl", "w").write('{"title": "Deep object", "x": ' + '{"a":' * n + "1" + "}" * n + "}\n")
PY
for f in deep.rss deep-elements.nitf.xml deep.html deep.jsonl deep-object.jsonl; do
	run_add "deep-${f%%.*}" "$H/$f"
	rc=$(cat "$TMP/rc")
	[ "$rc" = 0 ] || [ "$rc" = 3 ] && ok || bad "$f: exit $rc (crash?)"
	[ "$(grep -c '' "$TMP/err")" -le 1 ] && ok || bad "$f: more than one error line"
	bounded "$f" 512 20
done

# ---- gzip: a bomb, a truncated file ----
python3 - "$H/bomb.txt.gz" <<'PY'
import sys, zlib
c = zlib.compressobj(9, zlib.DEFLATED, 31)
z = b"\0" * (1 << 20)
with open(sys.argv[1], "wb") as f:
    for _ in range(2048):
        f.write(c.compress(z))
    f.write(c.flush())
PY
refused gzip-bomb 'gzip bomb|inflates to more than' "$H/bomb.txt.gz"
bounded gzip-bomb 256 10
gzip -c "$NX_SRC/corpus/lavrov-cybercrime.txt" >"$TMP/whole.gz"
head -c $(($(wc -c <"$TMP/whole.gz") * 2 / 3)) "$TMP/whole.gz" >"$H/truncated.txt.gz"
refused truncated-gzip 'truncated gzip' "$H/truncated.txt.gz"
# the part that could be inflated was still indexed
nx search --json "Lavrov" >"$TMP/s.json"
[ "$(total "$TMP/s.json")" -ge 1 ] && ok || bad "truncated gzip: the readable part was not indexed"

# ---- truncated WARC: the complete records are kept ----
python3 - "$H" <<'PY'
import sys
recs = []
for i in range(3):
    body = ("<html><head><title>Warc page %d zebrafinch</title></head><body><p>Text of the page "
            "number %d about the harbour.</p></body></html>" % (i, i))
    http = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
    recs.append("WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://example.com/w%d\r\n"
                "WARC-Date: 2021-07-08T01:42:00Z\r\nWARC-Record-ID: <urn:uuid:%d>\r\n"
                "Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n"
                % (i, i, len(http), http))
data = "".join(recs).encode()
open(sys.argv[1] + "/truncated.warc", "wb").write(data[:len(data) - 60])
PY
refused truncated-warc 'truncated|WARC' "$H/truncated.warc"
nx search --json "zebrafinch" >"$TMP/s.json"
[ "$(total "$TMP/s.json")" = 2 ] && ok || bad "truncated WARC: the two complete records were not indexed"

# ---- invalid and overlong UTF-8: stored and printed as valid UTF-8 ----
printf 'Broken bytes \xc0\xaf title \xff\nJuly 8, 2021\nOverlong \xe0\x80\xaf slash, surrogate \xed\xa0\x80, lone \x80 continuation, \xf8\x88\x80\x80\x80 five bytes, cut \xe2\x82 here, quetzalbird.\n' >"$H/invalid-utf8.txt"
indexed invalid-utf8 "$H/invalid-utf8.txt"
id=$(nx search --json quetzalbird | python3 -c 'import json,sys; print(json.load(sys.stdin)["hits"][0]["id"])' 2>/dev/null)
nx show --json "$id" >"$TMP/show.json" 2>/dev/null
nx show "$id" >"$TMP/show.txt" 2>/dev/null
nx search quetzalbird >"$TMP/search.txt" 2>/dev/null
python3 - "$TMP/show.json" "$TMP/show.txt" "$TMP/search.txt" <<'PY' && ok || bad "invalid UTF-8 came out as invalid UTF-8"
import json, sys
raw = open(sys.argv[1], "rb").read()
d = json.loads(raw.decode("utf-8"))
assert "\ufffd" in d["body"] and "quetzalbird" in d["body"], d["body"]
for f in sys.argv[2:]:
    open(f, "rb").read().decode("utf-8")
PY

# ---- encodings: UTF-16 with a byte order mark, a feed that lies about Latin-1 ----
python3 - "$H" <<'PY'
import sys
d = sys.argv[1]
text = "Über die Brücke: Stadtrat stimmt zu\nJuly 8, 2021\nDer Stadtrat von Köln hat am Donnerstag zugestimmt, sagte wiedehopfvogel.\n"
open(d + "/utf16le.txt", "wb").write(b"\xff\xfe" + text.encode("utf-16-le"))
open(d + "/utf16be.html", "wb").write(b"\xfe\xff" + ("<html><head><title>Café crème à Paris</title></head><body><p>Le café est ouvert, dit pirolvogel, depuis le matin.</p></body></html>").encode("utf-16-be"))
open(d + "/lying-latin1.rss", "wb").write(('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>F</title>'
    '<item><title>Décès à Strasbourg</title><link>http://example.com/deces</link>'
    '<description>L\'opératrice a été condamnée, dit eisvogelfeder.</description></item></channel></rss>').encode("utf-8"))
PY
indexed encodings "$H/utf16le.txt" "$H/utf16be.html" "$H/lying-latin1.rss"
for pair in "wiedehopfvogel:Über die Brücke" "pirolvogel:Café crème à Paris" "eisvogelfeder:Décès à Strasbourg"; do
	nx search --json "${pair%%:*}" >"$TMP/e.json" 2>/dev/null
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["hits"][0]["title"].startswith(sys.argv[2]), d["hits"][0]["title"]' \
		"$TMP/e.json" "${pair#*:}" && ok || bad "encoding: '${pair#*:}' not read right"
done

# ---- NUL bytes ----
printf 'Nul bytes in \0 the title\nJuly 8, 2021\nA paragraph with \0 a NUL byte inside, kingfisherbird.\n' >"$H/nul.txt"
run_add nul "$H/nul.txt"
rc=$(cat "$TMP/rc")
if [ "$rc" = 3 ]; then
	grep -qE '^newsidx: .*nul\.txt: binary data' "$TMP/err" && ok || bad "nul: unclear error"; cat "$TMP/err" >&2
else
	[ "$rc" = 0 ] && ok || bad "nul: exit $rc"
fi
# NULs far into a text file (after the part detection samples)
python3 - "$H/late-nul.txt" <<'PY'
import sys
p = "A long paragraph of ordinary words about the harbour and the vote. " * 2
open(sys.argv[1], "wb").write(b"Late nul bytes\nJuly 8, 2021\n" + (p + "\n").encode() * 200 + b"Tail \0\0 with nul ospreybird.\n")
PY
run_add late-nul "$H/late-nul.txt"
rc=$(cat "$TMP/rc")
[ "$rc" = 0 ] || [ "$rc" = 3 ] && ok || bad "late-nul: exit $rc"
nx search --json ospreybird >"$TMP/o.json" 2>/dev/null
python3 -c 'import json,sys; json.loads(open(sys.argv[1],"rb").read().decode())' "$TMP/o.json" && ok || bad "late-nul: search output is not valid JSON"

# ---- a 100 MB single-line file ----
if [ "$asan" = 1 ] || [ "${NX_HOSTILE_BIG:-1}" = 0 ]; then
	echo "note: 100 MB single-line file skipped (sanitizer build or NX_HOSTILE_BIG=0)"
else
	python3 - "$H/one-line-100mb.txt" <<'PY'
import sys
words = b"alpha bravo charlie delta echo foxtrot golf hotel india juliet "
with open(sys.argv[1], "wb") as f:
    f.write(words * (100 * 1024 * 1024 // len(words) + 1))
PY
	refused one-line-100mb 'not a title|too long|larger than' "$H/one-line-100mb.txt"
	bounded one-line-100mb 1024 30
	rm -f "$H/one-line-100mb.txt"
fi

# ---- empty file, binary junk named .html ----
: >"$H/empty.txt"
refused empty 'empty file' "$H/empty.txt"
head -c 65536 /dev/urandom >"$H/junk.html"
refused junk-html 'binary data|not an article|unrecognised|no elements|neither' "$H/junk.html"

# ---- symbolic link loops ----
mkdir -p "$H/loops/sub"
ln -s .. "$H/loops/sub/up"
ln -s a "$H/loops/b"
ln -s b "$H/loops/a"
run_add symlinks "$H/loops"
rc=$(cat "$TMP/rc")
[ "$rc" = 3 ] && ok || bad "symlinks: exit $rc, want 3"
grep -q 'loops/sub/up: symbolic link loop' "$TMP/err" && ok || { bad "symlinks: folder loop not reported"; cat "$TMP/err" >&2; }
grep -qiE 'loops/a: .*(loop|too many levels)' "$TMP/err" && ok || { bad "symlinks: link loop not reported"; cat "$TMP/err" >&2; }
[ "$(grep -c '' "$TMP/err")" = 3 ] && ok || { bad "symlinks: want one line per loop"; cat "$TMP/err" >&2; }

# ---- an unreadable file ----
cp "$(good unreadable-src)" "$H/unreadable.txt"
chmod 000 "$H/unreadable.txt"
if [ "$(id -u)" != 0 ]; then
	refused unreadable 'cannot (open|read).*Permission denied' "$H/unreadable.txt"
elif command -v setpriv >/dev/null 2>&1; then
	# root reads everything: run this one as nobody in a world-writable folder
	U="$TMP/nobody"
	mkdir -p "$U"
	cp "$H/unreadable.txt" "$U/" && chmod 000 "$U/unreadable.txt"
	cp "$(good unreadable)" "$U/good.txt"
	chmod 777 "$U" && chmod 755 "$TMP"
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups "$NEWSIDX" --db "$U/index.db" add \
		"$U/unreadable.txt" "$U/good.txt" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ "$rc" = 3 ] && ok || bad "unreadable: exit $rc, want 3"
	grep -qE '^newsidx: .*unreadable\.txt: cannot (open|read).*Permission denied$' "$TMP/err" && ok ||
		{ bad "unreadable: unclear error"; cat "$TMP/err" >&2; }
	grep -q '^added 1,' "$TMP/out" && ok || bad "unreadable: the good file was not added"
else
	echo "note: unreadable file skipped (root without setpriv)"
fi

# ---- file names with a newline and with bytes that are not UTF-8 ----
cp "$(good newline-name-src)" "$H/new
line.txt"
cp "$(good bytes-name-src)" "$H/$(printf 'bad\xff\xfename.txt')"
indexed odd-names "$H/new
line.txt" "$H/$(printf 'bad\xff\xfename.txt')"
for t in "$(token newline-name-src)" "$(token bytes-name-src)"; do
	id=$(nx search --json "$t" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hits"][0]["id"])' 2>/dev/null)
	nx show --json "$id" >"$TMP/n.json" 2>/dev/null
	python3 -c 'import json,sys; d=json.loads(open(sys.argv[1],"rb").read().decode()); assert d["origin"]["file"].endswith(("line.txt", "name.txt"))' "$TMP/n.json" && ok ||
		bad "odd file name ($t): show --json is not valid JSON naming the file"
done
# an error about such a file is still one line
: >"$H/empty
name.txt"
refused newline-name-error 'empty file' "$H/empty
name.txt"

# ---- queries: 10,000 terms, only operators ----
python3 -c 'print(" ".join("w%d" % i for i in range(10000)))' >"$TMP/q10k"
rc=0
timeout "$limit_s" "$NEWSIDX" --db "$DB" search "$(cat "$TMP/q10k")" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] && ok || { bad "10,000-term query: exit $rc"; head -c 300 "$TMP/err" >&2; }
[ "$(grep -c '' "$TMP/err")" -le 1 ] && ok || bad "10,000-term query: more than one error line"
python3 -c 'print(" OR ".join("w%d" % i for i in range(10000)))' >"$TMP/q10kor"
rc=0
timeout "$limit_s" "$NEWSIDX" --db "$DB" search "$(cat "$TMP/q10kor")" >"$TMP/out" 2>"$TMP/err" || rc=$?
# past 64 KiB a query is refused as a usage error (documented in query.h)
[ "$rc" = 2 ] && grep -q 'query too long' "$TMP/err" && ok || { bad "10,000-term OR query: exit $rc"; head -c 300 "$TMP/err" >&2; }
python3 -c 'print(" OR ".join("w%d" % i for i in range(7000)))' >"$TMP/q7kor"
rc=0
timeout "$limit_s" "$NEWSIDX" --db "$DB" search "$(cat "$TMP/q7kor")" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] && ok || { bad "7,000-term OR query: exit $rc"; head -c 300 "$TMP/err" >&2; }
for q in 'AND OR NOT' '- - -' '"' '()' 'NEAR( , )' ': * ^ ( ) " -' 'OR' 'NOT NOT NOT' 'title:' 'published:'; do
	rc=0
	"$NEWSIDX" --db "$DB" search --json -- "$q" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 1 ] && ok || { bad "operator-only query '$q': exit $rc"; cat "$TMP/err" >&2; }
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/out" 2>/dev/null && ok ||
		bad "operator-only query '$q': no valid JSON"
done

nx check --quiet && ok || bad "check fails at the end"
finish
