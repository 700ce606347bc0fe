#!/bin/bash
# Folders of mixed files (issue 20 item 4): a README, licence or changelog
# inside a folder is skipped with a note; a word list, a licence text under
# another name and a title without text are refused with a line saying why;
# short real articles are still read.  The same for sync.  On the shared
# data, the BBC collection's README.TXT is skipped and its 2,225 files
# are all read.
. "$(dirname "$0")/lib.sh"

A="$TMP/archive"
mkdir -p "$A/2024"
printf 'Weather forecast\n\nSunshine for the south.\n' >"$A/2024/weather.txt"
printf 'Harbour reopens\nMay 1, 2024 10:00 AM EDT\nThe harbour reopened on Monday after two weeks of storms.\n' >"$A/2024/harbour.txt"
printf '# Our archive\n\nThese files are the stories we ran in 2024, one per file.\n' >"$A/README.md"
printf 'MIT License\n\nCopyright (c) 2024 Example\n\nPermission is hereby granted, free of charge, to any person.\n' >"$A/LICENSE"
printf 'Copying\n\nYou may copy these files as the agreement says.\n' >"$A/2024/COPYING.txt"
printf 'Changes\n\n2024-05-01: added the harbour story.\n' >"$A/ChangeLog.md"
printf 'acq\nalum\nbarley\ncocoa\ncoffee\ncopper\ncorn\n' >"$A/topics.txt"
printf 'Terms of use\n\nThis software is provided "as is", without warranty of any kind.\nLicensed to you alone.\n' >"$A/terms.txt"
printf 'Just a headline\n' >"$A/2024/headline-only.txt"

expect_rc 3 nx add "$A"
out=$(cat "$TMP/out")
err=$(cat "$TMP/err")
case "$out" in "added 2, updated 0, unchanged 0, failed 3") ok ;; *) bad "add: $out / $err" ;; esac
for f in README.md LICENSE 2024/COPYING.txt ChangeLog.md; do
	grep -qF "$A/$f: a README, licence or changelog, not an article: skipped" "$TMP/err" && ok || bad "no note for $f: $err"
done
grep -qF "$A/topics.txt: one short word per line: a word list, not an article" "$TMP/err" && ok || bad "word list: $err"
grep -qF "$A/terms.txt: a licence text, not an article" "$TMP/err" && ok || bad "licence text: $err"
grep -qF "$A/2024/headline-only.txt: a title and no text: not an article" "$TMP/err" && ok || bad "title only: $err"
expect_rc 0 nx show --json "$(nx search --json --fields id sunshine | python3 -c 'import json,sys; print(json.load(sys.stdin)["hits"][0]["id"])')"

# a README named on the command line is read: the user asked for it
expect_rc 0 nx add "$A/README.md"
grep -q "added 1" "$TMP/out" && ok || bad "README given by name: $(cat "$TMP/out" "$TMP/err")"

# sync walks the same way
rm -f "$DB"
expect_rc 3 nx sync "$A"
grep -q "added 2," "$TMP/out" && ok || bad "sync: $(cat "$TMP/out")"
grep -qF "$A/LICENSE: a README, licence or changelog, not an article: skipped" "$TMP/err" && ok || bad "sync note: $(cat "$TMP/err")"

# the BBC collection: its README is no article, every story is
BBC="${NX_SHARED_DATA:-}/collections/bbc"
if [ -n "${NX_SHARED_DATA:-}" ] && [ -f "$BBC/README.TXT" ]; then
	rm -f "$DB"
	expect_rc 0 nx add "$BBC"
	# 98 stories are in two topics: read twice, the second time "unchanged"
	awk '/^added/ { gsub(",", ""); exit !($2 + $6 == 2225 && $8 == 0) }' "$TMP/out" && ok || bad "bbc: $(cat "$TMP/out")"
	grep -q "README.TXT: a README, licence or changelog, not an article: skipped" "$TMP/err" && ok || bad "bbc README: $(cat "$TMP/err")"
else
	echo "shared data absent: the BBC check is skipped"
fi
finish
