#!/usr/bin/env bash
# End-to-end: an article with a title and no body text is indexed and said
# (issue 19 item 8): a warning on stderr naming the file, "warning" in
# add --json, a count in the summary; an article with a body is not warned.
. "$(dirname "$0")/lib.sh"

story='<p>The harbour board voted on Tuesday to close the old ferry pier for good, ending ninety years of crossings to the island.</p><p>Repairs would have cost more than a new pier, the board said.</p>'
printf '<html><head><title>Only a headline</title></head><body><h1>Only a headline</h1></body></html>' >"$TMP/empty.html"
printf '<html><head><title>Pier closes</title></head><body><h1>Pier closes</h1>%s</body></html>' "$story" >"$TMP/full.html"

expect_rc 0 nx add "$TMP/empty.html" "$TMP/full.html"
grep -q "^added 2, updated 0, unchanged 0, failed 0 (1 without body text)$" "$TMP/out" && ok || bad "summary: $(cat "$TMP/out")"
grep -q "empty.html: 'Only a headline': no body text" "$TMP/err" && ok || bad "stderr: $(cat "$TMP/err")"
grep -q "full.html" "$TMP/err" && bad "a full article was warned: $(cat "$TMP/err")" || ok
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok || bad "one warning line: $(cat "$TMP/err")"

# --json: the warning on the article's line; a re-add (unchanged) is not warned again
rm -f "$DB"
expect_rc 0 nx add --json "$TMP/empty.html" "$TMP/full.html"
python3 - "$TMP/out" <<'PY' && ok || bad "json lines: $(cat "$TMP/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
by = {r["file"].rsplit("/", 1)[-1]: r for r in rows}
assert by["empty.html"]["warning"].startswith("no body text"), by
assert "warning" not in by["full.html"], by
PY
expect_rc 0 nx add --json "$TMP/empty.html"
grep -q '"warning"' "$TMP/out" && bad "unchanged article warned again" || ok
[ -s "$TMP/err" ] && bad "stderr on unchanged: $(cat "$TMP/err")" || ok

# --quiet: no warning, no summary
rm -f "$DB"
expect_rc 0 nx add --quiet "$TMP/empty.html"
[ -s "$TMP/err" ] && bad "--quiet printed: $(cat "$TMP/err")" || ok

finish
