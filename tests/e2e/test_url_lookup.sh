#!/bin/bash
# Look-up by URL as people paste it (issue 20 item 3): `show` and the
# server's /a/ and /api/article/ find an article whatever the scheme,
# "www.", trailing slash, fragment and tracking parameters; ingest stores
# the URL without tracking parameters; an index made before that (URL and
# id with utm_source) still finds its article, and adding the same file
# again does not make a copy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

cat >"$TMP/a.jsonl" <<'EOF'
{"title": "Harbour reopens after the storms", "text": "The harbour reopened on Monday after two weeks of storms.", "url": "https://www.example.com/news/harbour-reopens?utm_source=rss&utm_medium=feed&id=7#comments", "date_publish": "2024-05-01T10:00:00Z"}
{"title": "Bridge closes for repairs", "text": "The old bridge closed on Tuesday for repairs.", "url": "http://example.org/b/bridge/", "date_publish": "2024-05-02T10:00:00Z"}
EOF
expect_rc 0 nx add "$TMP/a.jsonl"

# the stored URL has no tracking parameters and no fragment
expect_rc 0 nx export --output "$TMP/all.jsonl"
python3 - "$TMP/all.jsonl" <<'PY' && ok || bad "stored URLs: $(cat "$TMP/all.jsonl")"
import json, sys
urls = sorted(json.loads(l)["url"] for l in open(sys.argv[1]))
sys.exit(0 if urls == ["http://example.org/b/bridge/", "https://www.example.com/news/harbour-reopens?id=7"] else 1)
PY

# the URL as the source gave it stays in origin (show --json); a URL ingest
# left alone has none
nx show --json "https://www.example.com/news/harbour-reopens?id=7" >"$TMP/h.json"
json_check "$TMP/h.json" 'd["origin"]["url"] == "https://www.example.com/news/harbour-reopens?utm_source=rss&utm_medium=feed&id=7#comments" and d["url"] == "https://www.example.com/news/harbour-reopens?id=7"' ||
	bad "origin.url of the cleaned URL: $(cat "$TMP/h.json")"
nx show --json "http://example.org/b/bridge/" >"$TMP/b.json"
json_check "$TMP/b.json" '"url" not in d["origin"]' || bad "origin.url of a URL left alone: $(cat "$TMP/b.json")"

title_of() { # ref -> prints the title show finds
  nx show --json "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["title"])' 2>/dev/null
}
expect_title() { # want ref
  local got
  got=$(title_of "$2")
  [ "$got" = "$1" ] && ok || bad "show '$2' found '$got', want '$1'"
}
for ref in \
	"https://www.example.com/news/harbour-reopens?utm_source=rss&utm_medium=feed&id=7#comments" \
	"https://www.example.com/news/harbour-reopens?id=7" \
	"http://example.com/news/harbour-reopens/?id=7&fbclid=IwAR0x&gclid=abc" \
	"example.com/news/harbour-reopens?utm_campaign=x&id=7#top" \
	"www.example.com/news/harbour-reopens?id=7&WT_MC=xx&mc_cid=1&mc_eid=2&igshid=3&ocid=4&cmpid=5"; do
	expect_title "Harbour reopens after the storms" "$ref"
done
for ref in "https://example.org/b/bridge" "www.example.org/b/bridge/#x" \
	"HTTPS://WWW.EXAMPLE.ORG/b/bridge?utm_campaign=z"; do
	expect_title "Bridge closes for repairs" "$ref"
done
# a real parameter is not ignored; nor another path
expect_rc 1 nx show "https://www.example.com/news/harbour-reopens"
expect_rc 1 nx show "https://www.example.com/news/harbour-reopens?id=8"
expect_rc 1 nx show "https://example.org/b/bridges"

# the server: the query of the pasted address reaches the path as arguments
serve_start
code() { curl -s -o "$TMP/page" -w '%{http_code}' "$URL$1"; }
[ "$(code 'a/https://www.example.com/news/harbour-reopens?utm_source=rss&id=7')" = 200 ] &&
	grep -q "Harbour reopens" "$TMP/page" && ok || bad "/a/ with a tracking parameter: $(head -c 300 "$TMP/page")"
[ "$(code 'a/example.org/b/bridge/')" = 200 ] && grep -q "Bridge closes" "$TMP/page" && ok ||
	bad "/a/ without scheme"
[ "$(code 'api/article/http://example.com/news/harbour-reopens/?id=7&fbclid=1')" = 200 ] &&
	json_check "$TMP/page" 'd["title"] == "Harbour reopens after the storms"' || bad "/api/article/ pasted"
[ "$(code 'a/https://www.example.com/news/harbour-reopens?id=8')" = 404 ] && ok || bad "/a/ with another id"
serve_stop

# An index made before ingest dropped tracking parameters: its article is
# stored under the URL as given and the id made from it.
python3 - "$DB" <<'PY' || bad "could not make the old-style index"
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
old = "https://www.example.com/news/harbour-reopens?utm_source=rss&utm_medium=feed&id=7#comments"
uid = bytes.fromhex(hashlib.sha256(("url\n" + old).encode()).hexdigest()[:16])
n = db.execute("UPDATE article SET url = ?, uid = ? WHERE url LIKE '%harbour%'", (old, uid)).rowcount
db.execute("DELETE FROM meta WHERE key = 'clean_urls'")
db.commit()
sys.exit(0 if n == 1 else 1)
PY
old_id=$(python3 -c 'import hashlib; print(hashlib.sha256(b"url\nhttps://www.example.com/news/harbour-reopens?utm_source=rss&utm_medium=feed&id=7#comments").hexdigest()[:16])')
for ref in "https://www.example.com/news/harbour-reopens?id=7" "example.com/news/harbour-reopens/?id=7&fbclid=1" \
	"https://www.example.com/news/harbour-reopens?utm_source=rss&utm_medium=feed&id=7"; do
	expect_title "Harbour reopens after the storms" "$ref"
done
expect_rc 0 nx add "$TMP/a.jsonl"
grep -q "added 0" "$TMP/out" && ok || bad "adding the file again to the old index: $(cat "$TMP/out")"
[ "$(nx export | wc -l)" -eq 2 ] && ok || bad "a copy was made: $(nx export | wc -l) articles"
# the article keeps the id users know it by
nx show --json "$old_id" >"$TMP/old.json" 2>&1 && json_check "$TMP/old.json" 'd["title"].startswith("Harbour")' ||
	bad "old id $old_id no longer found"
expect_title "Harbour reopens after the storms" "https://example.com/news/harbour-reopens?id=7"

finish
