#!/usr/bin/env bash
# End-to-end: photo credits of web pages (issue 19 item 12): "Photograph by
# Name/Agency/Agency" split, a caption sentence never a photographer,
# related-story thumbnails not the article's photos; search --facets
# credit lists names and agencies, never sentences.
. "$(dirname "$0")/lib.sh"

story='<p>The harbour board voted on Tuesday to close the old ferry pier for good, ending ninety years of crossings to the island.</p><p>Repairs would have cost more than a new pier, the board said, and the island council has agreed to a temporary landing stage until then.</p>'
cat >"$TMP/page.html" <<HTML
<html><head><title>Pier closes</title></head><body><article><h1>Pier closes</h1>
<figure><img src="/lead.jpg"><figcaption>The old pier at dawn. Photograph by Jane Roe/AFP/Getty Images</figcaption></figure>
<figure><img src="/two.jpg"><figcaption>The pier. Photo: Supporters wave flags as the motorcade passes</figcaption></figure>
$story
<div class="related-stories"><h3>Related</h3><ul>
<li><figure><a href="/news/other"><img src="/thumb.jpg"></a><figcaption>Ferry timetable changes. Photo: John Doe/Reuters</figcaption></figure></li>
</ul></div>
</article></body></html>
HTML

expect_rc 0 nx add "$TMP/page.html"
expect_rc 0 nx search --json --facets credit pier
json_check "$TMP/out" 'sorted(f["value"] for f in d["facets"]["credit"]) == ["AFP/Getty Images", "Jane Roe"]'
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hits"][0]["id"])' "$TMP/out")
expect_rc 0 nx show --json "$id"
json_check "$TMP/out" 'len(d["photos"]) == 2'
json_check "$TMP/out" 'd["photos"][1]["photographer"] is None and "Supporters wave flags" in d["photos"][1]["caption"]'

finish
