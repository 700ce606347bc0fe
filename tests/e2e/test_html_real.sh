#!/bin/bash
# test_html_real.sh - index real saved article pages (mozilla/readability's
# test pages in ../shared/data/readability) with the real binary and check
# title, date, outlet, body and photos of known ones through `show --json`.
# Skips (77) when the data folder is absent.
set -u

NEWSIDX=${NEWSIDX:-newsidx}
DATA=${NX_SHARED_DATA:-}/readability
if [ -z "${NX_SHARED_DATA:-}" ] || [ ! -d "$DATA" ]; then
	echo "skip: no readability pages in '${NX_SHARED_DATA:-}'"
	exit 77
fi
for p in bbc-1 guardian-1 lemonde-1 nytimes-1 seattletimes-1; do
	if [ ! -f "$DATA/$p/source.html" ]; then
		echo "skip: $DATA/$p/source.html missing"
		exit 77
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/index.db"
fail=0

# add one page; print its id
add() {
	"$NEWSIDX" --db "$db" add --json "$1" >"$tmp/add.out" 2>"$tmp/add.err" || {
		echo "FAIL: add $1: $(cat "$tmp/add.err")"
		return 1
	}
	python3 -c 'import json,sys
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        o = json.loads(line)
        if o.get("id"):
            print(o["id"]); break' "$tmp/add.out"
}

# check NAME ID PYTHON-EXPRESSION (a is the article, body its text)
check() {
	local name=$1 id=$2 expr=$3
	"$NEWSIDX" --db "$db" show --json "$id" >"$tmp/show.json" || {
		echo "FAIL: $name: show $id"
		fail=1
		return
	}
	if ! python3 -c 'import json,sys
a = json.load(open(sys.argv[1]))
body = a.get("body") or ""
ok = eval(sys.argv[2])
if not ok:
    print("  got:", json.dumps({k: a.get(k) for k in ("title", "source", "published", "published_local", "authors", "lang")}, ensure_ascii=False))
sys.exit(0 if ok else 1)' "$tmp/show.json" "$expr"; then
		echo "FAIL: $name: $expr"
		fail=1
	else
		echo "ok: $name: $expr"
	fi
}

id=$(add "$DATA/bbc-1/source.html") || exit 1
check bbc-1 "$id" "a['title'] == \"Obama admits US gun laws are his 'biggest frustration'\""
check bbc-1 "$id" "a['published_local'] == '2015-07-24T05:36:09+01:00'"
check bbc-1 "$id" "a['source'] == 'BBC News' and a['lang'] == 'en'"
check bbc-1 "$id" "'greatest frustration of his presidency' in body and 'Share this' not in body"

id=$(add "$DATA/guardian-1/source.html") || exit 1
check guardian-1 "$id" "a['title'].startswith(\"'What is the sea telling us?': Māori tribes fearful over whale strandings\")"
check guardian-1 "$id" "(a['published'] or '').startswith('2019-01-03')"
check guardian-1 "$id" "len(body) > 2000"
# captions never stay in the body
check guardian-1 "$id" "all(p['caption'] is None or p['caption'] not in body for p in a['photos'])"

id=$(add "$DATA/lemonde-1/source.html") || exit 1
check lemonde-1 "$id" "a['title'] == \"Le projet de loi sur le renseignement massivement approuvé à l'Assemblée\""
check lemonde-1 "$id" "a['lang'] == 'fr' and 'renseignement' in body"

id=$(add "$DATA/nytimes-1/source.html") || exit 1
check nytimes-1 "$id" "a['title'] == 'United States to Lift Sudan Sanctions'"
check nytimes-1 "$id" "'Sudan' in body and len(body) > 1500"

id=$(add "$DATA/seattletimes-1/source.html") || exit 1
check seattletimes-1 "$id" "(a['published_local'] or a['published'] or '').startswith('2019-04-28')"
check seattletimes-1 "$id" "'Benjamin Romano' in a['authors']"

# gzip is undone by newsidx itself, and a whole folder goes in one call
if [ -d "${NX_SHARED_DATA}/extraction/html" ]; then
	"$NEWSIDX" --db "$db" add --json "${NX_SHARED_DATA}/extraction/html" >"$tmp/all.out" 2>"$tmp/err" || {
		echo "FAIL: add extraction/html: $(head -3 "$tmp/err")"
		fail=1
	}
	n=$(grep -c '"id"' "$tmp/all.out")
	if [ "$n" -lt 80 ]; then
		echo "FAIL: extraction/html gave $n articles, want >= 80"
		fail=1
	else
		echo "ok: extraction/html gave $n articles"
	fi
fi

exit $fail
