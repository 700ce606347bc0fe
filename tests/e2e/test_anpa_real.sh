#!/usr/bin/env bash
# Index the real ANPA 1312 stories of ../shared/data/wire/agency (AP, from
# Superdesk's test fixtures) and check each through `newsidx export`:
# headline, byline, the time and agency of the trailer, the text.
# Env: NEWSIDX (binary), NX_SHARED_DATA (real data, skipped when absent).
set -u

: "${NEWSIDX:?NEWSIDX must name the newsidx binary}"
DATA="${NX_SHARED_DATA:-}/wire/agency"
if [ -z "${NX_SHARED_DATA:-}" ] || ! ls "$DATA"/*.tst >/dev/null 2>&1; then
	echo "skip: $DATA/*.tst not found"
	exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "skip: python3 not found"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files=("$DATA"/*.tst)
if ! "$NEWSIDX" --db "$tmp/index.db" add "${files[@]}" >"$tmp/add.out" 2>"$tmp/add.err" || [ -s "$tmp/add.err" ]; then
	echo "FAIL: add:"
	cat "$tmp/add.out" "$tmp/add.err"
	exit 1
fi
"$NEWSIDX" --db "$tmp/index.db" export >"$tmp/all.jsonl" || { echo "FAIL: export"; exit 1; }
python3 - "$tmp/all.jsonl" "${#files[@]}" <<'PY'
import json, os, sys
arts = {os.path.basename(a["origin"]["file"]): a for a in map(json.loads, open(sys.argv[1], encoding="utf-8"))}
fail = 0
def check(name, label, cond):
    global fail
    a = arts.get(name)
    ok = a is not None and a["origin"]["format"] == "anpa" and a["source"] == "AP" and cond(a)
    print(("ok: " if ok else "FAIL: ") + name + ": " + label)
    if not ok:
        fail = 1
        print("  " + json.dumps(a, ensure_ascii=False)[:600])
if len(arts) != int(sys.argv[2]):
    print("FAIL: %s files, %d stories" % (sys.argv[2], len(arts)))
    fail = 1
check("anpa-2.tst", "headline, two authors, trailer time, notes left out",
      lambda a: a["title"] == "Prairies vanish in the US push for green energy" and a["authors"] == ["Chet Brokaw", "Jack Gillum"]
      and a["published"] == "2013-11-13T07:45:00Z" and a["body"].startswith("ROSCOE, South Dakota (AP) \u2014 Robert Malsam")
      and "Eds:" not in a["body"] and "AP Photo" not in a["body"] and "\u201cIt's not hard" in a["body"])
check("ap_anpa-4.tst", "AP exclusive with its byline",
      lambda a: a["title"] == "AP Exclusive: China lawyer's family says US helped them flee" and a["authors"] == ["Gerry Shih"]
      and a["published"] == "2017-05-09T00:56:00Z" and a["body"].startswith("BEIJING (AP)"))
check("ap_anpa-5.tst", "news alert without a heading: title from its text",
      lambda a: a["title"].startswith("HONOLULU (AP) \u2014 Hawaii files court challenge") and a["published"] == "2017-06-29T23:50:00Z")
check("anpa-4.tst", "list of headlines: a title and one paragraph each",
      lambda a: a["title"] == "AP Top Entertainment News at 11:23 p.m. EST" and a["body"].count("\n\n") == 9)
check("ap_anpa-2.tst", "table story: the first heading is the title",
      lambda a: a["title"] == "Baseball Expanded Standings" and "Baltimore;23;13;.639" in a["body"])
sys.exit(fail)
PY
