#!/usr/bin/env bash
# End-to-end: every command takes its options before or after its operands,
# "--" ends the options, and a word that looks like an option but is not
# one is a usage error (exit 2), never an operand (issue 20).
. "$(dirname "$0")/lib.sh"

cat >"$TMP/a.jsonl" <<'J'
{"title":"Tony Blair speaks","text":"Tony Blair spoke about the harbour.","url":"http://x.example/1","published":"2024-01-01T10:00:00Z"}
{"title":"Harbour vote","text":"Dock workers voted on the harbour plan.","url":"http://x.example/2","published":"2024-01-02T10:00:00Z"}
{"title":"Minus five","text":"The temperature fell to -5 in the harbour.","url":"http://x.example/3","published":"2024-01-03T10:00:00Z"}
J
cp "$TMP/a.jsonl" "$TMP/b.jsonl"

# usage_error CMD...: exit 2, a message naming the option, the usage line
usage_error() {
  expect_rc 2 "$@"
  grep -q "unknown option\|needs a value" "$TMP/err" && ok || bad "$*: no option message: $(cat "$TMP/err")"
  grep -q '^usage: newsidx' "$TMP/err" && ok || bad "$*: no usage line: $(cat "$TMP/err")"
}

# add
expect_rc 0 nx add "$TMP/a.jsonl" --quiet
[ ! -s "$TMP/out" ] && ok || bad "add FILE --quiet printed: $(cat "$TMP/out")"
usage_error nx add "$TMP/b.jsonl" --bogus
usage_error nx add -z "$TMP/b.jsonl"
expect_rc 0 nx add -- "$TMP/b.jsonl"

# search: options after the query are options, not query words
expect_rc 0 nx search Tony Blair --limit 1 --json
json_check "$TMP/out" 'd["query"] == "Tony Blair" and d["limit"] == 1 and len(d["hits"]) == 1'
expect_rc 0 nx search blair --json
json_check "$TMP/out" 'd["query"] == "blair"'
expect_rc 0 nx search --json harbour --sort newest --limit 2
json_check "$TMP/out" 'd["query"] == "harbour" and len(d["hits"]) == 2 and d["hits"][0]["title"] == "Minus five"'
usage_error nx search blair --bogus
usage_error nx search blair -x
usage_error nx search blair --limit
expect_rc 1 nx search --json -- -5 temperature  # "-5" excludes the word 5
json_check "$TMP/out" 'd["query"] == "-5 temperature"'
expect_rc 0 nx search --json harbour -- --limit
json_check "$TMP/out" 'd["query"] == "harbour --limit"'
id=$(nx search --json blair | python3 -c 'import json,sys; print(json.load(sys.stdin)["hits"][0]["id"])')

# similar
rc=0; nx similar "$id" --limit 3 --json >"$TMP/out" 2>"$TMP/err" || rc=$?
[ $rc -le 1 ] && ok || bad "similar ID --limit 3 --json: exit $rc: $(cat "$TMP/err")"
json_check "$TMP/out" 'd["limit"] == 3'
usage_error nx similar "$id" --bogus
rc=0; nx similar --json -- "$id" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ $rc -le 1 ] && ok || bad "similar -- ID: exit $rc"

# show
expect_rc 0 nx show "$id" --json
json_check "$TMP/out" 'd["title"] == "Tony Blair speaks"'
expect_rc 0 nx show --revisions "$id" --json
json_check "$TMP/out" 'len(d) == 1'
usage_error nx show "$id" --bogus
expect_rc 0 nx show -- "$id"

# diff
expect_rc 1 nx diff "$id" --no-color
usage_error nx diff "$id" --bogus
expect_rc 1 nx diff -- "$id"

# stats
expect_rc 0 nx stats --json
usage_error nx stats --bogus
expect_rc 2 nx stats extra

# check, optimize, reindex
expect_rc 0 nx check --quiet
usage_error nx check --bogus
expect_rc 0 nx optimize --quiet
usage_error nx optimize -x
expect_rc 0 nx reindex --quiet
usage_error nx reindex --bogus

# sync
mkdir -p "$TMP/dir"; cp "$TMP/a.jsonl" "$TMP/dir/"
expect_rc 0 nx sync "$TMP/dir" --quiet
[ ! -s "$TMP/out" ] && ok || bad "sync DIR --quiet printed: $(cat "$TMP/out")"
usage_error nx sync "$TMP/dir" --bogus
usage_error nx sync "$TMP/dir" --batch

# serve: options only, and an unknown one is a usage error before listening
usage_error nx serve --bogus
usage_error nx serve --listen

# rm: no options at all; an id after -- is an id
usage_error nx rm "$id" -x
expect_rc 1 nx rm -- -5
expect_rc 0 nx rm "$id"

# global options still work after the command
expect_rc 0 "$NEWSIDX" search harbour --db "$DB" --json
json_check "$TMP/out" 'd["query"] == "harbour"'

# help: similar shows its own options, not the search query language
expect_rc 0 nx similar --help
grep -q 'Query language' "$TMP/out" && bad "similar --help prints the query language" || ok
grep -q -- '--limit' "$TMP/out" && ok || bad "similar --help lacks its options"
expect_rc 0 nx search --help
grep -q 'Query language' "$TMP/out" && ok || bad "search --help lacks the query language"

finish
