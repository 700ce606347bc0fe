#!/usr/bin/env bash
# End-to-end: search stays safe on hostile articles and queries (issue 16):
# snippets of a huge body cost little (item 6), a query over budget ends
# with a clear error (item 9), malformed dates in operators are errors
# (item 14).
. "$(dirname "$0")/lib.sh"

# secs CMD...: run CMD, print its wall time in whole seconds to $TMP/secs
secs() {
  local t0 t1 rc=0
  t0=$(date +%s%N)
  "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000000 )) >"$TMP/secs"
  return $rc
}

# --- item 6: one word 400,000 times (62 s before: highlight() is quadratic)
python3 - "$TMP/big.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"id": "big-1", "url": "https://big.example/1", "title": "A long article",
                        "maintext": "zzrep " * 400000, "date_publish": "2023-01-01"}) + "\n")
PY
expect_rc 0 nx add "$TMP/big.jsonl"
for frag in 1 16; do
  rc=0
  secs nx search --json --fragments $frag zzrep || rc=$?
  if [ $rc -eq 0 ]; then ok; else bad "search zzrep --fragments $frag: exit $rc $(cat "$TMP/err")"; fi
  if [ "$(cat "$TMP/secs")" -lt 10 ]; then ok; else bad "search zzrep --fragments $frag took $(cat "$TMP/secs") s"; fi
  json_check "$TMP/out" "d['total'] == 1 and d['hits'][0]['snippet'].count('zzrep') >= 20 and len(d['hits'][0]['highlights']) >= 20"
done

# --- item 9: a query over its budget ends with a clear error (exit 4), at once
expect_rc 0 nx add "$NX_SRC/corpus"
q26="a* OR b* OR c* OR d* OR e* OR f* OR g* OR h* OR i* OR j* OR k* OR l* OR m*"
q26="$q26 OR n* OR o* OR p* OR q* OR r* OR s* OR t* OR u* OR v* OR w* OR x* OR y* OR z*"
rc=0
secs nx search --json --limit 100 --fragments 16 "$q26" || rc=$?
if [ $rc -eq 4 ]; then ok; else bad "26 prefixes: exit $rc, want 4"; fi
grep -q "prefix searches" "$TMP/err" && ok || bad "26 prefixes: $(cat "$TMP/err")"
if [ "$(cat "$TMP/secs")" -lt 5 ]; then ok; else bad "26 prefixes took $(cat "$TMP/secs") s"; fi
expect_rc 0 nx search --json "harb* OR bridg*"

# --- item 14: a malformed or out-of-range date in an operator is an error (exit 2), never dropped
for query in 'published:<9999' 'published:1000-01-01..9999-12-31' 'oil published:1987-3' 'changed:>3x'; do
  expect_rc 2 nx search --json "$query"
  grep -q "is not a" "$TMP/err" && ok || bad "$query: $(cat "$TMP/err")"
done
expect_rc 2 nx search --until 9999-12-31 oil            # the flags accept the same years
expect_rc 0 nx search --json 'published:1800-01-01..2200-12-31 harbour'
printf 'published:<9999\nharbour\n' | nx search --batch >"$TMP/batch.out" 2>"$TMP/err"
python3 - "$TMP/batch.out" <<'PY' && ok || bad "batch: $(cat "$TMP/batch.out")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 2 and "error" in lines[0] and "9999" in lines[0]["error"] and lines[1]["total"] >= 1
PY

finish
