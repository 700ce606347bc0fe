#!/usr/bin/env bash
# scripts/newsidx-cron: a sync that goes well prints nothing and logs its
# exit status; newsidx runs at niceness +10 (NEWSIDX_NICE, as the systemd
# unit's Nice=10), or at cron's own with NEWSIDX_NICE=0; a bad value is a
# usage error.
. "$(dirname "$0")/lib.sh"

cron="$NX_SRC/scripts/newsidx-cron"
mkdir -p "$TMP/archive"
printf 'Harbour ferry timetable changes\nMarch 3, 2024 9:00 AM EDT\n\nThe ferry leaves earlier from May.\n' \
  > "$TMP/archive/ferry.txt"
# the binary cron runs: notes its niceness, then runs newsidx
cat > "$TMP/nx-noting" <<EOF
#!/bin/sh
nice >> "$TMP/niceness"
exec "$NEWSIDX" "\$@"
EOF
chmod +x "$TMP/nx-noting"
base=$(nice)
want=$((base + 10 > 19 ? 19 : base + 10))

run_cron() { # ENV... : newsidx-cron on the archive; its output in $TMP/cron.out, exit in $rc
  rc=0
  env NEWSIDX="$TMP/nx-noting" NEWSIDX_DB="$DB" NEWSIDX_LOG="$TMP/cron.log" "$@" \
    sh "$cron" "$TMP/archive" > "$TMP/cron.out" 2>&1 || rc=$?
}

rm -f "$TMP/niceness"
run_cron
[ "$rc" -eq 0 ] && ok || bad "newsidx-cron exited $rc: $(cat "$TMP/cron.out")"
[ ! -s "$TMP/cron.out" ] && ok || bad "newsidx-cron printed on success: $(cat "$TMP/cron.out")"
grep -q 'sync (exit 0)' "$TMP/cron.log" && ok || bad "the log lacks the sync's exit status"
[ "$(nx stats | grep '^articles' | awk '{print $2}')" = 1 ] && ok || bad "the sync did not index the article"
[ "$(cat "$TMP/niceness")" = "$want" ] && ok || bad "newsidx ran at niceness $(cat "$TMP/niceness"), want $want"

rm -f "$TMP/niceness"
run_cron NEWSIDX_NICE=0
[ "$rc" -eq 0 ] && ok || bad "newsidx-cron with NEWSIDX_NICE=0 exited $rc"
[ "$(cat "$TMP/niceness")" = "$base" ] && ok || bad "NEWSIDX_NICE=0 ran newsidx at $(cat "$TMP/niceness"), want $base"

run_cron NEWSIDX_NICE=low
[ "$rc" -eq 2 ] && ok || bad "NEWSIDX_NICE=low exited $rc, want 2"
grep -q "NEWSIDX_NICE" "$TMP/cron.out" && ok || bad "NEWSIDX_NICE=low: no message naming it"

finish
