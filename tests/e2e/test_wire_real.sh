#!/usr/bin/env bash
# Index the real agency wire files (NITF, NewsML-G2, NewsML 1.2) and the
# official IPTC NewsML-G2 examples, then check the title, dates and credit
# of a few known items through `newsidx show --json`.
# Env: NEWSIDX (binary), NX_SHARED_DATA (real data, skipped when absent).
set -u

: "${NEWSIDX:?NEWSIDX must name the newsidx binary}"
DATA="${NX_SHARED_DATA:-}/wire"
if [ -z "${NX_SHARED_DATA:-}" ] || [ ! -d "$DATA/agency" ] || [ ! -d "$DATA/iptc-examples" ]; then
	echo "skip: $DATA not found"
	exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "skip: python3 not found"; exit 77; }
[ -x "$NEWSIDX" ] || { echo "FAIL: $NEWSIDX is not an executable"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/index.db"
fail=0

# Only the XML wire formats: ninjs JSON, ANPA, e-mails and schemas are
# other parsers' business.
files=()
while IFS= read -r -d '' f; do
	head -c 4096 "$f" | grep -q -E '<(nitf|newsItem|newsMessage|packageItem|NewsML)([[:space:]>]|$)' && files+=("$f")
done < <(find "$DATA/agency" "$DATA/iptc-examples" -type f -print0 | sort -z)

"$NEWSIDX" --db "$db" add "${files[@]}" >"$tmp/add.out" 2>"$tmp/add.err"
echo "wire files tried: ${#files[@]}"
cat "$tmp/add.out"
echo "files that gave no article (expected: packages of references, items with no headline or text):"
sed 's/^/  /' "$tmp/add.err"

# The known items must index; any other kind of failure is a bug.
if grep -v -E 'package holds only references|no headline and no text|no news item in <knowledgeItem>|LISTING_25_.*no article found|no body text: indexed by its title only' "$tmp/add.err" | grep -q .; then
	echo "FAIL: unexpected errors"
	fail=1
fi

# find ID by searching for words of its title
show() { # words...
	local id
	id=$("$NEWSIDX" --db "$db" search --json "$@" | python3 -c '
import json, sys
d = json.load(sys.stdin)
hits = d if isinstance(d, list) else d.get("results", d.get("hits", []))
print(hits[0]["id"] if hits else "")')
	[ -n "$id" ] || { echo "FAIL: nothing found for: $*"; return 1; }
	"$NEWSIDX" --db "$db" show --json "$id"
}

check() { # label python-expression (a = article JSON) words...
	local label="$1" expr="$2"
	shift 2
	if show "$@" >"$tmp/a.json" && python3 - "$expr" "$tmp/a.json" <<'PY'
import json, sys
expr, path = sys.argv[1], sys.argv[2]
a = json.load(open(path))
if isinstance(a, list):
    a = a[0]
ok = eval(expr, {"a": a})
if not ok:
    print(json.dumps({k: a.get(k) for k in ("title", "source", "authors", "published", "updated", "lang", "photos")}, ensure_ascii=False)[:800])
sys.exit(0 if ok else 1)
PY
	then
		echo "ok: $label"
	else
		echo "FAIL: $label"
		fail=1
	fi
}

check "AP NITF: title, byline, date" \
	'a["title"] == "Can trading pollution like stocks help fight climate change?" and a["authors"] == ["Bernard Condon"] and a["published"].startswith("2015-12-10T19:10:44") and a["source"] == "AP"' \
	trading pollution stocks climate
check "CP NITF: two persons, invalid date.release ignored" \
	'a["authors"] == ["Mia Rabson", "Jordan Press"] and a["published"].startswith("2020-07-03T20:51:36")' \
	Rideau Hall truck charges
check "AFP NewsML 1.2: mislabelled Latin-1 read as UTF-8" \
	'a["title"].startswith("D\u00e9c\u00e8s de Naomi Musenga") and a["published"].startswith("2024-07-10T12:59:02") and a["lang"] == "fr" and a["source"] == "AFP"' \
	Naomi Musenga
check "Reuters picture: caption and credit" \
	'len(a["photos"]) == 1 and a["photos"][0]["agency"] == "Reuters" and a["photos"][0]["photographer"] == "Marko Djurica" and "REUTERS/" not in (a["photos"][0]["caption"] or "") and a["published"].startswith("2013-03-04T11:14:13")' \
	woman casts ballot Gatundu
check "Getty picture (IPTC example): credit from creditline + creator" \
	'a["photos"] and a["photos"][0]["agency"] == "Getty Images" and a["photos"][0]["photographer"] == "Spencer Platt"' \
	Recessionary Forces Las Vegas
check "dpa NewsML-G2 with XHTML body" \
	'a["source"] == "dpa" and a["lang"] == "de" and "Stamford Bridge" in (a["body"] or "") and "Notizblock" not in (a["body"] or "")' \
	Hintereggers Reporter
check "BusinessDesk NITF inside newsMessage" \
	'a["title"].startswith("Dick Smith receivers") and "Jonathan Underhill" in a["authors"] and "By Jonathan Underhill" not in (a["body"] or "")' \
	Dick Smith receivers Grover

exit $fail
