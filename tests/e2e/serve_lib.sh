# Helpers for the newsidx serve tests (sourced after lib.sh, not run).

# The index the serve tests use: the corpus, the hostile-title article, and
# a second version of the seed so that it has revisions.
serve_index() {
  "$NEWSIDX" --db "$DB" add "$NX_SRC/corpus" "$NX_SRC/tests/data/serve" >/dev/null 2>&1
  sed -e 's/(Updated: 13:20 GMT 06.08.2022)/(Updated: 09:00 GMT 01.09.2022)/' \
      -e 's/contrary\./contrary. The talks resumed in Geneva in September./' \
      "$NX_SRC/corpus/lavrov-cybercrime.txt" > "$TMP/seed-v2.txt"
  "$NEWSIDX" --db "$DB" add "$TMP/seed-v2.txt" >/dev/null 2>&1
}

SERVE_PID=
URL=

# serve_start [serve options...]: start newsidx serve on a free loopback
# port; sets SERVE_PID and URL (http://127.0.0.1:PORT/).
# The files of an earlier server go first: the background child truncates
# them only when it runs, and until then a poll would read the old URL.
serve_start() {
  rm -f "$TMP/serve.out" "$TMP/serve.err"
  "$NEWSIDX" --db "$DB" serve --listen 127.0.0.1:0 "$@" >"$TMP/serve.out" 2>"$TMP/serve.err" &
  SERVE_PID=$!
  local i
  for i in $(seq 100); do
    URL=$(sed -n 's|^newsidx: serving .* on \(http://[^ ]*/\) (read-only.*|\1|p' "$TMP/serve.out" 2>/dev/null || true)
    [ -n "$URL" ] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "newsidx serve did not start:" >&2
  cat "$TMP/serve.err" >&2
  return 1
}

# serve_stop [SIGNAL]: stop the server, leave its exit code in SERVE_RC
# (124 when it had not stopped 10 seconds later and was killed).
serve_stop() {
  SERVE_RC=0
  [ -n "$SERVE_PID" ] || return 0
  kill -"${1:-TERM}" "$SERVE_PID" 2>/dev/null
  local i
  for i in $(seq 100); do
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SERVE_PID" 2>/dev/null; then
    kill -KILL "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
    SERVE_RC=124
  else
    wait "$SERVE_PID" || SERVE_RC=$?
  fi
  SERVE_PID=
}

# serve_state: one line on the server, for a failed check's message
serve_state() {
  if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
    echo "server $SERVE_PID at $URL is running"
  else
    echo "server $SERVE_PID at $URL is gone; its stderr: $(tail -n 3 "$TMP/serve.err" 2>/dev/null | tr '\n' ' ')"
  fi
}

trap 'serve_stop KILL; rm -rf "$TMP"' EXIT
