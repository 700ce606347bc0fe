#!/usr/bin/env bash
# End-to-end: WARC, JSON Lines and Reuters-21578 SGML through the real binary.
# - corpus/sample.warc.gz, sample.jsonl, sample-reuters.sgm: indexed whole
# - every file of ../shared/data/warc/warcio (good and broken WARCs, ARCs):
#   no crash, exit 0 or 3 only, and on 3 one error line naming the file
# - reut2-000.sgm: 1000 records -> close to 1000 articles; BAHIA COCOA REVIEW
#   found by search with its title and date
. "$(dirname "$0")/lib.sh"

# ---- the corpus samples (no shared data needed) ----
rm -f "$DB"
expect_rc 0 nx add "$NX_SRC/corpus/sample.warc.gz" "$NX_SRC/corpus/sample.jsonl" \
  "$NX_SRC/corpus/sample-reuters.sgm"
nx stats --json >"$TMP/stats.json" || bad "stats"
json_check "$TMP/stats.json" 'd["articles"] == 7'
expect_rc 0 nx search --json harbour tram
json_check "$TMP/out" 'd["hits"][0]["url"] == "https://kestrel-daily.example/2023/06/12/tram-harbour"'
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hits"][0]["id"])' "$TMP/out")
expect_rc 0 nx show --json "$id"
json_check "$TMP/out" 'd["origin"]["record"] == "<urn:uuid:00000000-0000-4000-8000-000000000003>" and d["origin"]["format"] == "html"'
expect_rc 0 nx search --json kestrel barge
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hits"][0]["id"])' "$TMP/out")
expect_rc 0 nx show --json "$id"
json_check "$TMP/out" 'd["title"] == "KESTREL RIVER GRAIN BARGE TRAFFIC RESUMES" and d["published"] == "1987-03-03T09:12:44Z" and d["source"] == "Reuters" and d["origin"]["record"] == "90001"'
expect_rc 0 nx search --json library late fees
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hits"][0]["id"])' "$TMP/out")
expect_rc 0 nx show --json "$id"
json_check "$TMP/out" 'd["title"] == "City library drops late fees" and d["origin"]["record"] == "np-0002" and d["origin"]["format"] == "jsonl"'

skip_shared=0
if [ -z "${NX_SHARED_DATA:-}" ] || [ ! -d "$NX_SHARED_DATA" ]; then
  skip_shared=1
fi

# ---- warcio: good and broken files, one at a time ----
WARCIO="${NX_SHARED_DATA:-/nonexistent}/warc/warcio"
if [ "$skip_shared" -eq 0 ] && [ -d "$WARCIO" ]; then
  rm -f "$DB"
  total=0
  for f in "$WARCIO"/*; do
    got=0
    nx add "$f" >"$TMP/out" 2>"$TMP/err" || got=$?
    name=$(basename "$f")
    added=$(grep -o 'added [0-9]*' "$TMP/out" | grep -o '[0-9]*' || echo 0)
    total=$((total + ${added:-0}))
    if [ "$got" -ne 0 ] && [ "$got" -ne 3 ]; then
      bad "$name: exit $got (want 0 or 3)"; cat "$TMP/err" >&2; continue
    fi
    ok
    nerr=$(grep -c '^newsidx: ' "$TMP/err" || true)
    if [ "$got" -eq 3 ]; then
      if [ "$nerr" -eq 1 ] && grep -q "$name" "$TMP/err"; then ok; else
        bad "$name: exit 3 without one error line naming it"; cat "$TMP/err" >&2; fi
      echo "$name: $(grep '^newsidx: ' "$TMP/err" | sed "s|^newsidx: $f: ||")"
    else
      echo "$name: ok, $(cat "$TMP/out")"
    fi
  done
  echo "warcio: $total articles added"
  # the chunked iana.org response is read
  expect_rc 0 nx search --json '"Assigned Numbers Authority"'
  json_check "$TMP/out" 'd["total"] >= 1 and any(h["url"] == "http://iana.org/" for h in d["hits"])'
  # the whole folder in one go: exit 0 or 3
  got=0
  nx add "$WARCIO" >"$TMP/out" 2>"$TMP/err" || got=$?
  if [ "$got" -eq 0 ] || [ "$got" -eq 3 ]; then ok; else bad "warcio folder: exit $got"; fi
fi

# ---- Reuters-21578: reut2-000.sgm ----
REUT="${NX_SHARED_DATA:-/nonexistent}/collections/reuters21578/reut2-000.sgm"
if [ "$skip_shared" -eq 0 ] && [ -f "$REUT" ]; then
  rm -f "$DB"
  expect_rc 0 nx add "$REUT"
  nx stats --json >"$TMP/stats.json" || bad "stats"
  json_check "$TMP/stats.json" '990 <= d["articles"] <= 1000'
  python3 -c 'import json,sys; print("reut2-000.sgm:", json.load(open(sys.argv[1]))["articles"], "articles")' "$TMP/stats.json"
  expect_rc 0 nx search --json bahia cocoa review
  json_check "$TMP/out" 'd["hits"][0]["title"] == "BAHIA COCOA REVIEW"'
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hits"][0]["id"])' "$TMP/out")
  expect_rc 0 nx show --json "$id"
  json_check "$TMP/out" 'd["published"] == "1987-02-26T15:01:01Z" and d["source"] == "Reuters" and d["section"] == "cocoa" and d["origin"]["record"] == "1" and d["origin"]["offset"] == 36'
  json_check "$TMP/out" 'd["body"].startswith("Showers continued throughout the week") and not d["body"].rstrip().endswith("Reuter")'
fi

if [ "$skip_shared" -eq 1 ] && [ "$failures" -eq 0 ]; then
  echo "shared data absent: real-data checks skipped"
fi
finish
