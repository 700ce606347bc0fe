#!/usr/bin/env bash
# Index the real ninjs items of ../shared/data/wire/agency (Superdesk's test
# fixtures: AAP, AP Media API answers, a BBC API list, IPTC's own example,
# pretty-printed and on one line) and check every one through
# `newsidx export`: title, body, dates, authors, photos with caption and
# credit.
# Env: NEWSIDX (binary), NX_SHARED_DATA (real data, skipped when absent).
set -u

: "${NEWSIDX:?NEWSIDX must name the newsidx binary}"
DATA="${NX_SHARED_DATA:-}/wire/agency"
if [ -z "${NX_SHARED_DATA:-}" ] || ! ls "$DATA"/*.json >/dev/null 2>&1; then
	echo "skip: $DATA/*.json not found"
	exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "skip: python3 not found"; exit 77; }
[ -x "$NEWSIDX" ] || { echo "FAIL: $NEWSIDX is not an executable"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/index.db"

files=("$DATA"/*.json)
if ! "$NEWSIDX" --db "$db" add "${files[@]}" >"$tmp/add.out" 2>"$tmp/add.err"; then
	echo "FAIL: add exited non-zero"
	cat "$tmp/add.out" "$tmp/add.err"
	exit 1
fi
cat "$tmp/add.out"
# One item (AP Media's text item) carries no text, only a link to its NITF
# rendition: add indexes it by its title and says so (issue 19 item 8).
# That is the only line stderr may hold.
if grep -v -E '/ap_media_text_item\.json: .*: no body text: indexed by its title only$' "$tmp/add.err" | grep -q .; then
	echo "FAIL: add reported errors:"
	cat "$tmp/add.err"
	exit 1
fi
if ! grep -q 'ap_media_text_item\.json: .*no body text' "$tmp/add.err"; then
	echo "FAIL: the text item without text was not said"
	exit 1
fi
"$NEWSIDX" --db "$db" export >"$tmp/all.jsonl" || { echo "FAIL: export"; exit 1; }

python3 - "$tmp/all.jsonl" "${#files[@]}" <<'PY'
import json, os, sys

arts = {}
for line in open(sys.argv[1], encoding="utf-8"):
    a = json.loads(line)
    arts[os.path.basename(a["origin"]["file"])] = a
nfiles = int(sys.argv[2])
fail = 0

def check(name, label, cond):
    global fail
    a = arts.get(name)
    ok = a is not None and a["origin"]["format"] == "ninjs" and cond(a)
    print(("ok: " if ok else "FAIL: ") + name + ": " + label)
    if not ok:
        fail = 1
        if a is not None:
            print("  " + json.dumps({k: a.get(k) for k in ("title", "authors", "published", "updated", "photos", "origin")}, ensure_ascii=False)[:900])

def photo(a, agency, photographer, caption_start):
    return any(p["agency"] == agency and p["photographer"] == photographer
               and (p["caption"] or "").startswith(caption_start) and p["url"] for p in a["photos"])

if len(arts) != nfiles:
    print("FAIL: %d files, %d articles" % (nfiles, len(arts)))
    fail = 1
check("ninjs1.json", "text item, HTML body, byline of two, first and version times",
      lambda a: a["title"] == "headline" and a["body"] == "The story so far." and a["authors"] == ["Peter", "Jane"]
      and a["published"].startswith("2017-08-24T04:37:19") and a["updated"].startswith("2017-08-24T04:38:34")
      and a["source"] == "AAP" and a["lang"] == "fr")
check("ninjs2.json", "Reuters story with its feature picture: caption and credit",
      lambda a: a["title"] == "Oil prices edge up on first drop in US drilling in months"
      and a["authors"] == ["Henning Gloystein"] and a["body"].startswith("Oil prices edged up on Monday")
      and "supported by the first autumn" in a["body"] and a["source"] == "Reuters"
      and a["published"].startswith("2017-07-03T01:38:13") and a["updated"].startswith("2017-08-24T01:58:40")
      and len(a["photos"]) == 1 and photo(a, "Australian Associated Press", "Bebeto Matthews", "Oil prices edged up"))
check("ninjs3.json", "picture item: the item is its own photo",
      lambda a: a["title"] == "German Air Force Museum" and a["body"] == "German Air Force Museum"
      and a["published"].startswith("2017-08-18T02:57:43")
      and len(a["photos"]) == 1 and a["photos"][0]["caption"].startswith("A Casa 2.111")
      and a["photos"][0]["agency"] == "Australian Associated Press")
check("ninjsExSimpleText1.json", "IPTC example: body_text, two authors, uri as URL",
      lambda a: a["title"] == "Captain of wrecked cruise ship on trial in Italy"
      and a["authors"] == ["Paulo Santalucia", "Frances d'Emilio"] and a["body"].startswith("GROSSETO, Italy (AP)")
      and a["published"].startswith("2013-07-09T10:37:00") and a["url"] == "http://ninjs.example.com/newsitems/20130709simp123")
check("ninjs_embargoed.json", "one-line item: HTML body, first published, picture caption",
      lambda a: a["title"] == "Trouble is brewing for the future of beer" and "torched earth" in a["body"]
      and "<p>" not in a["body"] and a["published"].startswith("2022-06-26T23:54:25") and a["source"] == "360info"
      and len(a["photos"]) == 1 and a["photos"][0]["caption"].startswith("There\u2019s nothing quite like a cold beer")
      and a["photos"][0]["agency"] is None)
check("bbc-ninjs-text-test.json", "API list of items: the item inside",
      lambda a: a["title"] == "advisory" and a["body"] == "body" and a["authors"] == ["John Doe"]
      and a["published"].startswith("2018-05-28T16:40:08"))
check("ap_media_text_item.json", "AP Media API answer: data.item, headline without body",
      lambda a: a["title"] == "BC-BBN--Top Ten" and a["source"] == "AP" and a["published"].startswith("2019-07-03T04:05:12")
      and a["origin"]["record"] == "5ee9b4b40ea5fe9c9ca60f890fb2e1d9")
check("ap_media_picture.json", "AP Media API picture: caption, credit line, photographer's spelling",
      lambda a: a["title"] == "US Paul Simon Poets Society" and a["authors"] == ["John Doe"]
      and a["published"].startswith("2018-09-23T06:23:19") and a["updated"].startswith("2019-06-19T10:22:14")
      and photo(a, "AP", "John Doe", "FILE - This Sept. 22, 2018 file photo"))
sys.exit(fail)
PY
