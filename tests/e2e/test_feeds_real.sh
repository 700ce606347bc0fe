#!/usr/bin/env bash
# End-to-end: real RSS/Atom feeds from ../shared/data/feeds through the real
# binary.  The Guardian feed's photo credits, a few gofeed conformance cases
# checked against their expected parse, and whole folders (node-feedparser,
# rss-parser, gofeed): no crash, every file either indexed or one error line.
. "$(dirname "$0")/lib.sh"
skip_without_shared
FEEDS="$NX_SHARED_DATA/feeds"
[ -d "$FEEDS" ] || { echo "skipped: $FEEDS is absent"; exit 77; }

# ---- guardian.rss: 55 items, 110 media:credit (each image in two sizes) ----
guardian="$FEEDS/rss-parser/input/guardian.rss"
if [ -f "$guardian" ]; then
  rm -f "$DB"
  expect_rc 0 nx add --json "$guardian"
  cp "$TMP/out" "$TMP/guardian.add"
  : >"$TMP/guardian.show"
  for id in $(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if "id" in d: print(d["id"])' "$TMP/guardian.add"); do
    nx show --json "$id" >>"$TMP/guardian.show" || bad "show $id"
  done
  python3 - "$TMP/guardian.show" >"$TMP/guardian.count" <<'PY'
import json, sys
dec = json.JSONDecoder(); s = open(sys.argv[1]).read(); i = 0; arts = []
while i < len(s):
    while i < len(s) and s[i].isspace(): i += 1
    if i >= len(s): break
    o, i = dec.raw_decode(s, i); arts.append(o)
photos = [p for a in arts for p in a["photos"]]
credited = [p for p in photos if p.get("agency") or p.get("photographer")]
both = [p for p in photos if p.get("agency") and p.get("photographer")]
print(len(arts), len(photos), len(credited), len(both))
PY
  read -r narts nphotos ncredited nboth <"$TMP/guardian.count"
  echo "guardian.rss: $narts articles, $nphotos photos, $ncredited with photographer or agency ($nboth with both)"
  [ "$narts" -eq 55 ] && ok || bad "guardian.rss: $narts articles, want 55"
  # one photo per image: the 140 and 460 px copies are merged
  [ "$nphotos" -le 60 ] && ok || bad "guardian.rss: $nphotos photos, want <= 60 (sizes merged)"
  [ "$ncredited" -ge 50 ] && ok || bad "guardian.rss: only $ncredited credited photos, want >= 50"
  [ "$nboth" -ge 35 ] && ok || bad "guardian.rss: only $nboth photos with agency and photographer, want >= 35"
fi

# ---- gofeed cases: dates and authors against the expected parse ----
# Most cases hold an item with no title and no link (not an article here);
# a title is added to a copy so the item is indexed, nothing else changes.
GOFEED="$FEEDS/gofeed"
gofeed_case() {
  local rel=$1 check=$2 src="$GOFEED/$1" copy="$TMP/case.xml"
  [ -f "$src" ] || { bad "gofeed case missing: $rel"; return; }
  if grep -q "<title>Item Title</title>" "$src"; then
    cp "$src" "$copy"
  else
    sed -E 's#<(item|entry)>#<\1><title>Item Title</title>#' "$src" >"$copy"
  fi
  rm -f "$DB"
  "$NEWSIDX" --db "$DB" add --json "$copy" >"$TMP/case.add" 2>"$TMP/case.err"
  local id
  id=$(python3 -c 'import json,sys
ids = [json.loads(l).get("id") for l in open(sys.argv[1]) if l.strip()]
print(next((i for i in ids if i), ""))' "$TMP/case.add")
  if [ -z "$id" ]; then bad "gofeed $rel: no article ($(cat "$TMP/case.add" "$TMP/case.err"))"; return; fi
  nx show --json "$id" >"$TMP/case.show" || { bad "gofeed $rel: show"; return; }
  if python3 - "$TMP/case.show" "${src%.xml}.json" "$check" <<'PY'
import json, sys
got = json.load(open(sys.argv[1])); want = json.load(open(sys.argv[2]))["items"][0]
check = sys.argv[3]
def names(item):
    ns = [a.get("name") for a in item.get("authors", []) if a.get("name")]
    ns += [c for c in item.get("dcExt", {}).get("creator", []) if c not in ns]
    return ns
if check == "published":
    ok = got["published"] == want["publishedParsed"]
elif check == "updated-alone":
    # only an updated time: it is the publication time, updated stays unset
    ok = got["published"] == want["updatedParsed"] and got["updated"] is None
elif check == "authors":
    ok = got["authors"] == names(want)
else:
    ok = False
if not ok:
    print("got", json.dumps({k: got[k] for k in ("published", "updated", "authors")}),
          "want", json.dumps(want)[:400], file=sys.stderr)
sys.exit(0 if ok else 1)
PY
  then ok; else bad "gofeed $rel: $check differs from the expected parse"; fi
}
if [ -d "$GOFEED" ]; then
  gofeed_case translator/rss/feed_item_published_-_rss_channel_item_pubDate.xml published
  gofeed_case translator/rss/feed_item_published_-_rss_channel_item_published_atom.xml published
  gofeed_case translator/atom/feed_item_published_-_atom03_feed_entry_issued.xml published
  gofeed_case translator/atom/feed_item_updated_-_atom03_feed_entry_modified.xml updated-alone
  gofeed_case translator/rss/feed_item_author_-_rss_channel_item_author_emailAndName.xml authors
  gofeed_case translator/rss/feed_item_author_-_rss_channel_item_author_nameAndEmail.xml authors
  gofeed_case translator/rss/feed_item_author_-_rss_channel_item_author_name.xml authors
  gofeed_case translator/rss/feed_item_author_-_rss_channel_item_author_atom.xml authors
  gofeed_case translator/atom/feed_item_author_name_-_atom10_feed_entry_author_name.xml authors
  gofeed_case extensions/dublincore/dublincore_item_multiple_values.xml authors
fi

# ---- whole folders: no crash; each file indexed, empty, or one error line ----
# folder_run DIR NAME [xml]: add the folder as a whole (or, with "xml", only
# its .xml files: gofeed keeps each case's expected parse in a .json beside
# it); prints "files indexed empty failed badlines".
folder_run() {
  local dir=$1 name=$2 only=${3:-} rc=0
  local -a inputs=("$dir")
  if [ "$only" = xml ]; then
    mapfile -t inputs < <(find "$dir" -type f -name '*.xml' | sort)
  fi
  rm -f "$DB"
  "$NEWSIDX" --db "$DB" add --json "${inputs[@]}" >"$TMP/$name.add" 2>"$TMP/$name.err" || rc=$?
  # 0: all ingested; 3: some files failed (reported); anything else is wrong
  if [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]; then ok; else bad "$name: add exited $rc"; tail -5 "$TMP/$name.err" >&2; fi
  python3 - "$dir" "$TMP/$name.add" "$TMP/$name.err" "$name" <<'PY'
import json, os, sys
top, add, errf, name = sys.argv[1:5]
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs if f.endswith((".xml", ".rss", ".atom", ".html", ".rdf")))
arts, errs = {}, {}
for line in open(add):
    d = json.loads(line)
    if "error" in d:
        errs.setdefault(d["file"], []).append(d["error"])
    else:
        arts[d["file"]] = arts.get(d["file"], 0) + 1
bad = [f for f, e in errs.items() if len(e) != 1 or "\n" in e[0] or not e[0]]
if bad:
    print("more than one error line or a multi-line error:", bad[:5], file=sys.stderr)
indexed = sum(1 for f in files if arts.get(f, 0) > 0)
failed = sum(1 for f in files if f in errs)
empty = len(files) - indexed - failed + sum(1 for f in files if f in errs and arts.get(f, 0) > 0)
print(len(files), indexed, empty, failed, 1 if bad else 0)
for f in sorted(set(errs) & set(files)):
    print("  %s: %s (%d articles before)" % (os.path.relpath(f, top), errs[f][0], arts.get(f, 0)), file=sys.stderr)
PY
}

for spec in "node-feedparser:node-feedparser:25:" "rss-parser/input:rss-parser:28:" "gofeed:gofeed:40:xml"; do
  IFS=: read -r rel name floor only <<<"$spec"
  [ -d "$FEEDS/$rel" ] || continue
  counts=$(folder_run "$FEEDS/$rel" "$name" "$only" 2>"$TMP/$name.failures")
  read -r nfiles nindexed nempty nfailed nbad <<<"$counts"
  echo "$name: $nfiles files, $nindexed indexed, $nempty without articles, $nfailed failed"
  sed 's/^/  /' "$TMP/$name.failures"
  [ "$nbad" = 0 ] && ok || bad "$name: a file got more than one error line"
  [ "${nindexed:-0}" -ge "$floor" ] && ok || bad "$name: only ${nindexed:-0} files indexed, want >= $floor"
done

finish
