#!/usr/bin/env bash
# newsidx serve over HTTP (curl): the API returns exactly what the CLI
# prints, pages escape every value, errors have clear 4xx codes, and the
# server stops cleanly.  Installs nothing: skips (77) without curl.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

command -v curl >/dev/null || { echo "skipped: curl is not installed"; exit 77; }
"$NEWSIDX" help serve >/dev/null 2>&1 || { echo "skipped: this newsidx has no serve command"; exit 77; }

serve_index
serve_start || exit 1

# get PATH: body in $TMP/body, headers in $TMP/head, status in $code
get() {
  code=$(curl -s --path-as-is -D "$TMP/head" -o "$TMP/body" -w '%{http_code}' "$@") || code=000
}
expect_status() {
  local want=$1; shift
  get "$@"
  if [ "$code" = "$want" ]; then ok; else bad "HTTP $code, want $want: $*"; head -c 300 "$TMP/body" >&2; echo >&2; fi
}
has_header() { grep -qi "^$1" "$TMP/head" && ok || bad "no '$1' header on $2"; }
body_has() { grep -qF -- "$1" "$TMP/body" && ok || bad "body of $2 lacks: $1"; }
body_lacks() { grep -qF -- "$1" "$TMP/body" && bad "body of $2 holds: $1" || ok; }

# --- /api/search is byte for byte what search --json prints
same_as_cli() { # QUERY-STRING CLI-ARGS...
  local qs=$1; shift
  expect_status 200 "${URL}api/search?$qs"
  nx search --json "$@" > "$TMP/cli.json" 2>/dev/null
  cmp -s "$TMP/body" "$TMP/cli.json" && ok || { bad "/api/search?$qs differs from search --json $*"; diff <(head -c 600 "$TMP/body") <(head -c 600 "$TMP/cli.json") >&2; }
}
same_as_cli 'q=cyberattack+RNC' 'cyberattack RNC'
same_as_cli 'q=harbour&limit=2&offset=1' --limit 2 --offset 1 harbour
same_as_cli 'q=harbour&facets=source,month,credit,author&sort=newest' --facets source,month,credit,author --sort newest harbour
same_as_cli 'q=harbour+OR+ferry&since=2023-01-01&until=2023-05-31' --since 2023-01-01 --until 2023-05-31 'harbour OR ferry'
same_as_cli 'q=ferries&source=example&strict=1' --source example --strict ferries
same_as_cli 'q=Sitdikov&credit=Sputnik&fragments=2' --credit Sputnik --fragments 2 Sitdikov
same_as_cli 'q=cyberattack&all-revisions=1&no-collapse=1&recent=1' --all-revisions --no-collapse --recent cyberattack
same_as_cli 'q=cyberatack' cyberatack
same_as_cli 'q=xylophonist' xylophonist
same_as_cli 'q=%22joe+biden%22+-vaccine' '"joe biden" -vaccine'
same_as_cli 'since=2023-05-01' --since 2023-05-01
json_check "$TMP/body" 'd["total"] >= 1 and all(h["published"] >= "2023-05-01" for h in d["hits"])'
expect_status 200 "${URL}api/search?q=cyberattack+RNC"
json_check "$TMP/body" 'd["hits"][0]["id"] == "87ec169ddd34b4ff" and len(d["hits"][0]["highlights"]) == 2'
has_header "Content-Type: application/json; charset=utf-8" /api/search
has_header "Content-Security-Policy: default-src 'none'" /api/search
has_header "X-Content-Type-Options: nosniff" /api/search
has_header "Cache-Control: no-store" /api/search

# --- /api/article/REF is byte for byte what show --json prints (id, prefix, URL)
same_show() { # PATH-REF CLI-REF
  expect_status 200 "${URL}api/article/$1"
  nx show --json "$2" > "$TMP/cli.json" 2>/dev/null
  cmp -s "$TMP/body" "$TMP/cli.json" && ok || bad "/api/article/$1 differs from show --json $2"
}
same_show 87ec169ddd34b4ff 87ec169ddd34b4ff
same_show 87ec169d 87ec169d
same_show 'https%3A%2F%2Fnews.example.org%2F2023%2F05%2F04%2Fharbour-bridge-reopens' \
  https://news.example.org/2023/05/04/harbour-bridge-reopens
same_show 'https://news.example.org/2023/05/04/harbour-bridge-reopens' \
  https://news.example.org/2023/05/04/harbour-bridge-reopens
json_check "$TMP/body" 'd["title"] == "Harbour bridge reopens after two-year repair" and "origin" in d'

# --- errors: clear codes, JSON bodies on the API
expect_status 400 "${URL}api/search"
json_check "$TMP/body" 'd["status"] == 400 and "nothing to search for" in d["error"]'
expect_status 400 "${URL}api/search?q="
expect_status 400 "${URL}api/search?q=a&limit=101"
expect_status 400 "${URL}api/search?q=a&limit=-1"
expect_status 400 "${URL}api/search?q=a&offset=x"
expect_status 400 "${URL}api/search?q=a&sort=sideways"
expect_status 400 "${URL}api/search?q=a&since=yesterdayish"
json_check "$TMP/body" 'd["status"] == 400 and len(d["error"]) > 0'
expect_status 400 "${URL}api/search?q=a&facets=colour"
expect_status 400 "${URL}api/search?q=a&strict=maybe"
expect_status 400 "${URL}api/search?q=%ff%fe"
json_check "$TMP/body" '"UTF-8" in d["error"]'
expect_status 400 "${URL}api/search?q=a%00b"
long=$(head -c 2100 /dev/zero | tr '\0' a)
expect_status 414 "${URL}api/search?q=$long"
json_check "$TMP/body" 'd["status"] == 414 and "too long" in d["error"]'
expect_status 414 "${URL}?q=$long"
grep -q "<h1>414 URI Too Long</h1>" "$TMP/body" && ok || bad "414 page lacks its title"
expect_status 404 "${URL}api/article/ffffffffffffffff"
json_check "$TMP/body" 'd == {"error": "no such article", "status": 404}'
expect_status 404 "${URL}api/article/not-an-id"
expect_status 404 "${URL}api/article/"
expect_status 404 "${URL}api/article/https%3A%2F%2Fnowhere.example%2Fx"
expect_status 404 "${URL}a/ffffffffffffffff"
grep -q "no such article" "$TMP/body" && ok || bad "404 page does not say why"
expect_status 404 "${URL}nope"
expect_status 404 "${URL}api/nope"
expect_status 404 "${URL}index.html"
expect_status 404 "${URL}static/other.js"
# no path reaches a file: traversal attempts, raw and encoded
expect_status 404 "${URL}../../../../etc/passwd"
expect_status 404 "${URL}static/../../../../etc/passwd"
expect_status 404 "${URL}a/../../../../etc/passwd"
expect_status 404 "${URL}%2e%2e/%2e%2e/etc/passwd"
expect_status 404 "${URL}a/%2e%2e%2f%2e%2e%2fetc%2fpasswd"
expect_status 404 "${URL}api/article/..%2f..%2fetc%2fpasswd"
body_lacks "root:" "a traversal attempt"
for m in POST PUT DELETE PATCH OPTIONS; do
  expect_status 405 -X "$m" "${URL}api/search?q=a"
done
has_header "Allow: GET, HEAD" "a 405"
json_check "$TMP/body" 'd["status"] == 405'
expect_status 405 -X POST --data 'q=a' "${URL}"
expect_status 400 "${URL}a/87ec169ddd34b4ff?rev=abc"
expect_status 404 "${URL}a/87ec169ddd34b4ff?rev=999"

# HEAD: headers, no body
code=$(curl -s -I -o "$TMP/head" -w '%{http_code}' "${URL}?q=harbour")
[ "$code" = 200 ] && grep -qi '^Content-Type: text/html' "$TMP/head" && ok || bad "HEAD / gives $code"

# --- the search page
expect_status 200 "${URL}"
body_has "articles from" "the start page"
has_header "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'" /
has_header "X-Frame-Options: DENY" /
[ "$(grep -o '<script' "$TMP/body" | wc -l)" -eq 1 ] && ok || bad "the start page has inline script"
grep -q ' style=' "$TMP/body" && bad "inline style on the start page" || ok
expect_status 200 "${URL}?q=cyberattack+RNC"
body_has '<mark>cyberattack</mark>' "the results page"
body_has '<mark>RNC</mark>' "the results page"
body_has 'updated 14 months later' "the results page"
body_has 'Sputnik / Ramil Sitdikov' "the results page"
body_has 'Reuters / Evelyn Hockstein' "the results page"
body_has 'data-total="1"' "the results page"
body_has 'data-facet="credit"' "the results page"
expect_status 200 "${URL}?q=harbour"
n_all=$(grep -o 'data-total="[0-9]*"' "$TMP/body" | grep -o '[0-9]*')
expect_status 200 "${URL}?q=harbour&since=2023-01-01"
n_since=$(grep -o 'data-total="[0-9]*"' "$TMP/body" | grep -o '[0-9]*')
[ -n "$n_all" ] && [ -n "$n_since" ] && [ "$n_since" -lt "$n_all" ] && [ "$n_since" -gt 0 ] && ok ||
  bad "a date filter does not change the count ($n_all -> $n_since)"
body_has 'value="2023-01-01"' "a filtered page"
expect_status 400 "${URL}?q=harbour&since=not-a-date"
body_has 'class="error"' "a page with a bad date"
expect_status 200 "${URL}?q=cyberatack"
body_has 'class="suggestion" href="/?q=cyberattack">cyberattack</a>' "a misspelled search"
expect_status 200 "${URL}?since=1900-01-01"
body_has 'class="next" href="/?since=1900-01-01&amp;offset=10"' "the first page of many"
expect_status 200 "${URL}?since=1900-01-01&offset=10"
body_has 'Page 2 of 2' "the second page"
body_has 'class="prev"' "the second page"
expect_status 400 "${URL}?q=a&offset=100001"

# every value escaped: the hostile article shows as text
expect_status 200 "${URL}?q=xylophonist"
body_has '&lt;script&gt;alert(1)&lt;/script&gt;' "the hostile search"
body_lacks '<script>alert' "the hostile search"
body_lacks '<img src=x' "the hostile search"
body_lacks '<b>bold' "the hostile search"
hid=$(nx search --json xylophonist | python3 -c 'import json,sys; print(json.load(sys.stdin)["hits"][0]["id"])')
expect_status 200 "${URL}a/$hid"
body_has '<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>' "the hostile article"
body_lacks '<script>alert' "the hostile article"
body_lacks '<img src=x' "the hostile article"
body_lacks 'href="javascript:' "the hostile article"
body_lacks '"><script' "the hostile article"
[ "$(grep -o '<script' "$TMP/body" | wc -l)" -eq 1 ] && ok || bad "the hostile article page holds a script element"

# --- the article page: photos, credits, source, revisions and the diff
expect_status 200 "${URL}a/87ec169d"
body_has 'Photo: Sputnik / Ramil Sitdikov' "the seed's page"
body_has 'Photo: Reuters / Evelyn Hockstein' "the seed's page"
body_has 'seed-v2.txt' "the seed's page" # origin: the file of the current text (the second version)
body_has '<dt>Format</dt><dd>text</dd>' "the seed's page"
body_has 'Revisions (2 versions)' "the seed's page"
body_has '<ins>' "the seed's page"
body_has 'Geneva' "the seed's page"
body_has '— 14 months later' "the seed's page"
rev1=$(nx show --json --revisions 87ec169d | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["rev"])')
expect_status 200 "${URL}a/87ec169d?rev=$rev1"
body_has 'An earlier version' "an earlier version"
sed -n '/<section class="body">/,/<\/section>/p' "$TMP/body" > "$TMP/section"
grep -q 'to the contrary.<' "$TMP/section" && ! grep -q 'Geneva' "$TMP/section" && ok || bad "the earlier version shows the current body"
expect_status 200 "${URL}a/87ec169d?from=$rev1&to=$rev1"
body_has 'No change in the text' "an empty diff"
expect_status 200 "${URL}a/https%3A%2F%2Fhostile.example%2F2021%2F07%2F09%2F%3Cscript%3Ealert(7)%3C%2Fscript%3E%3Fa%3D1%26b%3D%222%22"
body_has 'xylophonist' "an article found by its URL"

# --- the index may be written while it is served (cron sync)
printf 'Quokka census finds record numbers\nMarch 3, 2024 9:00 AM EDT\n\nRangers counted more quokkas than ever.\n' > "$TMP/quokka.txt"
expect_rc 0 nx add "$TMP/quokka.txt"
expect_status 200 "${URL}api/search?q=quokka"
json_check "$TMP/body" 'd["total"] == 1'

# --- concurrent clients all get answers
seq 24 | xargs -P 12 -I{} curl -s -o /dev/null -w '%{http_code}\n' "${URL}api/search?q=harbour&offset={}" > "$TMP/codes"
[ "$(grep -c '^200$' "$TMP/codes")" -eq 24 ] && ok || bad "concurrent requests: $(sort "$TMP/codes" | uniq -c | tr '\n' ' ')"

# --- stops cleanly on SIGTERM and SIGINT
serve_stop TERM
[ "$SERVE_RC" -eq 0 ] && ok || bad "serve exited $SERVE_RC on SIGTERM"
grep -q "stopping" "$TMP/serve.err" && ok || bad "serve did not say it stops"
serve_start --threads 1 --max-connections 8 || exit 1
expect_status 200 "${URL}api/search?q=harbour"
serve_stop INT
[ "$SERVE_RC" -eq 0 ] && ok || bad "serve exited $SERVE_RC on SIGINT"

# --- stopped with searches waiting in the queue for its one worker: each is
# answered (or, once stopping, refused with 503), and serve exits cleanly
serve_start --threads 1 --max-connections 32 || exit 1
seq 16 | xargs -P 16 -I{} curl -s -m 20 -o /dev/null -w '%{http_code}\n' "${URL}api/search?q=harbour+OR+ferry&offset={}" > "$TMP/codes" &
CURLS=$!
sleep 0.05
serve_stop TERM
wait "$CURLS"
[ "$SERVE_RC" -eq 0 ] && ok || bad "serve stopped with searches queued exited $SERVE_RC"
[ "$(grep -cvE '^(200|503|000)$' "$TMP/codes")" -eq 0 ] && [ "$(wc -l < "$TMP/codes")" -eq 16 ] && ok ||
  bad "searches queued at the stop: $(sort "$TMP/codes" | uniq -c | tr '\n' ' ')"

# --- the connection limit: a third client waits while two hold their connections
serve_start --max-connections 2 || exit 1
python3 - "$URL" <<'PY' && ok || bad "--max-connections 2 does not hold off a third client"
import socket, subprocess, sys, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
def get():
    return subprocess.run(["curl", "-s", "-m", "1", "-o", "/dev/null", "-w", "%{http_code}",
                           sys.argv[1] + "api/search?q=harbour"], capture_output=True, text=True).stdout
held = [socket.create_connection((u.hostname, u.port)) for _ in range(2)]
time.sleep(0.2)
during = get()
for s in held:
    s.close()
time.sleep(0.2)
after = get()
sys.exit(0 if during == "000" and after == "200" else 1)
PY
serve_stop TERM
[ "$SERVE_RC" -eq 0 ] && ok || bad "serve with --max-connections 2 exited $SERVE_RC on SIGTERM"

# --- --listen: bad values are usage errors; loopback is the default
expect_rc 2 nx serve --listen 1.2.3.4.5:80
expect_rc 2 nx serve --listen ::1:8080
expect_rc 2 nx serve --listen 127.0.0.1:99999
expect_rc 2 nx serve --listen :8080
expect_rc 2 nx serve --threads 100
expect_rc 2 nx serve --threads 0
expect_rc 2 nx serve extra
grep -q "127.0.0.1:8080" <("$NEWSIDX" help serve) && ok || bad "help serve does not name the default address"

finish
