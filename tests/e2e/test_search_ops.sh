#!/usr/bin/env bash
# End-to-end: every query operator and search flag on a small corpus with
# known dates, sources, authors, credits and languages
# (tests/data/search/articles.jsonl).
. "$(dirname "$0")/lib.sh"

expect_rc 0 nx add "$NX_SRC/tests/data/search/articles.jsonl"
grep -q "^added 6, " "$TMP/out" && ok || bad "add: $(cat "$TMP/out")"

srcs='[h["source"] for h in d["hits"]]'

q 'harbour'                          "d['total'] == 2 and sorted($srcs) == ['ANSA', 'Reuters']"
q 'title:harbour'                    "d['total'] == 2"
q 'body:cranes'                      "$srcs == ['Reuters']"
q '"harbour wall"'                   "$srcs == ['ANSA']"
q '"wall harbour"'                   "d['total'] == 0"
q 'harbour OR Hafenarbeiter'         "d['total'] == 3"
q 'harbour -storm'                   "$srcs == ['Reuters']"
q 'harbour NOT storm'                "$srcs == ['Reuters']"
q 'harb*'                            "d['total'] == 2"
q 'NEAR(dock workers, 3)'            "$srcs == ['Reuters']"
q 'NEAR(dock quays, 3)'              "d['total'] == 0"
q '(storm OR strike) harbour'        "d['total'] == 2"
q 'published:2021-07'                "sorted($srcs) == ['ANSA', 'Reuters']"
q 'date:2021-07 harbour'             "d['total'] == 2"
q 'published:2021-07-10..2021-07-31' "$srcs == ['ANSA']"
q 'updated:>2021-08-01'              "$srcs == ['Reuters']"
q 'published:<2020'                  "$srcs == ['dpa']"
q 'changed:>30d'                     "$srcs == ['Reuters']"
q 'changed:>90d'                     "d['total'] == 0"
q 'source:reuters'                   "$srcs == ['Reuters']"
q 'source:"local gazette"'           "$srcs == ['Local Gazette']"
q 'author:"jane doe"'                "d['total'] == 2"
q 'lang:de Streiks'                  "$srcs == ['dpa']"
q 'Gewerkschaft'                     "$srcs == ['dpa']"
q 'credit:Jansen'                    "$srcs == ['Reuters'] and d['hits'][0]['snippet_field'] == 'credit'"
q 'caption:lighthouse'               "$srcs == ['Local Gazette'] and d['hits'][0]['snippet_field'] == 'caption'"
q 'lighthouse'                       "d['hits'][0]['snippet'].startswith('The restored lighthouse')"
q 'foo:harbour'                      "d['total'] == 0"   # a literal phrase "foo harbour", not a filter
q 'foo: harbour'                     "d['total'] == 0" --strict   # the word "foo" is required too
expect_rc 2 nx search --json 'published:soon'   # a malformed date is an error (issue 16 item 14)

# flags
q 'harbour'   "$srcs == ['ANSA']"              --source ansa
q 'harbour'   "$srcs == ['Reuters']"           --until 2021-07-10
q 'harbour'   "$srcs == ['ANSA']"              --since 2021-07-10
q 'harbour'   "$srcs == ['ANSA']"              --credit "Evan Vucci"
q 'harbour'   "$srcs == ['ANSA']"              --credit AP
q 'harbour'   "$srcs == ['Reuters']"           --author "de vries"
q 'Hafen'     "$srcs == ['dpa']"               --lang de
q 'harbour'   "$srcs == ['ANSA', 'Reuters']"   --sort newest
q 'harbour'   "$srcs == ['Reuters', 'ANSA']"   --sort oldest
q 'harbour'   "d['total'] == 2"                --recent
q 'harbour'   "len(d['hits']) == 1 and d['total'] == 2" --limit 1
q 'harbour'   "len(d['hits']) == 1" --limit 1 --offset 1
q 'harbour wall' "d['hits'][0]['snippet'].count('harbour') >= 1" --fragments 2
nx search --credit "Maria Santos" >/dev/null 2>&1 && ok || bad "search with only --credit"

# facets over the whole result set
q 'harbour' "{v['value']: v['count'] for v in d['facets']['source']} == {'ANSA': 1, 'Reuters': 1}" --facets source,month,credit,author --limit 1
json_check "$TMP/q.json" "{v['value']: v['count'] for v in d['facets']['month']} == {'2021-07': 2}"
json_check "$TMP/q.json" "{'Piet Jansen', 'Reuters', 'Evan Vucci', 'AP'} <= {v['value'] for v in d['facets']['credit']}"
json_check "$TMP/q.json" "{v['value'] for v in d['facets']['author']} == {'Anna de Vries', 'Marco Rossi'}"
expect_rc 0 nx search --facets source harbour
grep -q "^source: " "$TMP/out" && ok || bad "text facets missing"
expect_rc 2 nx search --facets colour harbour

# syndicated copies fold into one hit, unless asked not to
q 'cyberattack' "d['total'] == 2 and len(d['hits']) == 1 and len(d['hits'][0]['also_in']) == 1"
q 'cyberattack' "len(d['hits']) == 2 and all(h['also_in'] == [] for h in d['hits'])" --no-collapse

# did you mean, relaxed matching
q 'cyberatack'  "d['total'] == 0 and d['suggestion'] == 'cyberattack'"
q 'harbour strike rotterdam lighthouse' "d['relaxed'] is True and d['total'] == 0 and d['total_some'] == 3 and d['hits'][0]['source'] == 'Reuters' and d['hits'][0]['match'] == 'some'"
q 'harbour strike rotterdam lighthouse' "d['relaxed'] is False and d['total'] == 0" --strict
q 'harbour strike' "d['relaxed'] is False and d['total'] == 1" --limit 1
# total counts the articles holding every word whatever the limit; the closest matches follow
q 'harbour strike' "d['relaxed'] is True and d['total'] == 1 and d['total_some'] == 1 and d['hits'][0]['source'] == 'Reuters' and [h['match'] for h in d['hits']] == ['all', 'some']"

# similar articles: never the article itself nor its copies
ids=$(nx search --json --no-collapse cyberattack | python3 -c 'import json,sys; print(" ".join(h["id"] for h in json.load(sys.stdin)["hits"]))')
id=${ids%% *}
rc=0; nx similar --json "$id" >"$TMP/sim.json" 2>/dev/null || rc=$?
[ $rc -le 1 ] && ok || bad "similar exit $rc"
json_check "$TMP/sim.json" "not set(h['id'] for h in d['hits']) & set('$ids'.split())"
rid=$(nx search --json strike rotterdam | python3 -c 'import json,sys; print(json.load(sys.stdin)["hits"][0]["id"])')
rc=0; nx similar --json "$rid" >"$TMP/sim.json" 2>/dev/null || rc=$?
[ $rc -le 1 ] && ok || bad "similar exit $rc"
json_check "$TMP/sim.json" "all(h['id'] != '$rid' for h in d['hits'])"

# JSON shape
q 'harbour' "set(d) >= {'query', 'total', 'hits', 'relaxed', 'suggestion', 'facets'} and all(set(h) >= {'id', 'title', 'url', 'source', 'published', 'updated', 'score', 'snippet', 'highlights'} for h in d['hits'])"
json_check "$TMP/q.json" "all(isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(h['snippet'].encode()) for h in d['hits'] for s, e in h['highlights'])"

# --batch: a line of JSON per query, the same as search --json; blank lines
# get none; a query that cannot run gets {"query", "error"} and the batch
# goes on (exit 2 at the end); options apply to every query
printf 'harbour\n\n\xff\xfe broken\n"harbour wall"\n' >"$TMP/batch.in"
rc=0; nx search --batch --limit 5 <"$TMP/batch.in" >"$TMP/batch.out" 2>"$TMP/batch.err" || rc=$?
[ $rc -eq 2 ] && ok || bad "search --batch with a bad line: exit $rc, not 2"
[ "$(wc -l <"$TMP/batch.out")" -eq 3 ] && ok || bad "search --batch: $(wc -l <"$TMP/batch.out") lines, not 3"
nx search --json --limit 5 harbour >"$TMP/one.json"
nx search --json --limit 5 '"harbour wall"' >"$TMP/two.json"
python3 - "$TMP/batch.out" "$TMP/one.json" "$TMP/two.json" <<'PY' && ok || bad "search --batch differs from search --json"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[0] == json.load(open(sys.argv[2])), lines[0]
assert lines[1] == {"query": None, "error": "the query is not valid UTF-8 text"}, lines[1]
assert lines[2] == json.load(open(sys.argv[3])), lines[2]
PY
printf 'harbour\nharbour published:2021-07-10..2021-07-31\n' | nx search --batch --source reuters >"$TMP/batch.out" &&
	python3 -c 'import json,sys; a,b=[json.loads(l) for l in open(sys.argv[1])]; assert [h["source"] for h in a["hits"]]==["Reuters"] and b["total"]==0' "$TMP/batch.out" &&
	ok || bad "search --batch: options and date operators per line"
python3 -c 'print("harbour " * 20000)' | nx search --batch >"$TMP/batch.out" 2>/dev/null
python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).read()); assert o["query"] is None and "too long" in o["error"], o' "$TMP/batch.out" &&
	ok || bad "search --batch: a too long query gets an error object without the query echoed"
expect_rc 2 nx search --batch harbour
grep -q "standard input" "$TMP/err" && ok || bad "search --batch with a query argument: $(cat "$TMP/err")"

# --fields: only the keys asked for; without snippet or highlights the text is not read
printf 'harbour\n' | nx search --batch --fields url,score --limit 3 >"$TMP/fields.out" 2>"$TMP/err"
python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).read()); assert o["hits"] and all(set(h)=={"url","score"} for h in o["hits"]), o' "$TMP/fields.out" &&
	ok || bad "search --fields url,score: $(head -c 300 "$TMP/fields.out")"
expect_rc 0 nx search --fields id,snippet harbour
python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).read()); assert o["hits"] and all(set(h)=={"id","snippet"} and h["snippet"] for h in o["hits"]), o' "$TMP/out" &&
	ok || bad "search --fields id,snippet (implies --json, snippets kept): $(head -c 300 "$TMP/out")"
expect_rc 2 nx search --fields url,nope harbour
grep -q "fields" "$TMP/err" && ok || bad "search --fields with an unknown key: $(cat "$TMP/err")"

# help documents the language
expect_rc 0 nx help search
grep -q "changed:>30d" "$TMP/out" && grep -q "NEAR(a b, 10)" "$TMP/out" && ok || bad "help search lacks the query language"
grep -q "all capitals" "$TMP/out" && ok || bad "help search does not say that OR in an all-capitals query is a word"

finish
