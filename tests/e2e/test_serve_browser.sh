#!/usr/bin/env bash
# newsidx serve in headless Chromium (tests/browser/serve.test.js): search,
# highlights, the article page with its credits and revisions, the date
# filter, the hostile title shown as text, a phone-sized screen, no
# JavaScript.  Screenshots go to <build dir>/test-artifacts/serve/.
# Installs nothing: skips (77) without /usr/bin/chromium, node or
# tests/browser/node_modules (npm ci --prefix tests/browser).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve_lib.sh"

chromium=${NX_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "skipped: $chromium is not installed"; exit 77; }
command -v node >/dev/null || { echo "skipped: node is not installed"; exit 77; }
[ -d "$NX_SRC/tests/browser/node_modules/playwright-core" ] ||
  { echo "skipped: run 'npm ci --prefix tests/browser' first"; exit 77; }
"$NEWSIDX" help serve >/dev/null 2>&1 || { echo "skipped: this newsidx has no serve command"; exit 77; }

artifacts=${NX_ARTIFACTS:-$(dirname "$NEWSIDX")/test-artifacts/serve}
mkdir -p "$artifacts"

serve_index
serve_start || exit 1
rc=0
NX_CHROMIUM=$chromium node "$NX_SRC/tests/browser/serve.test.js" "$URL" "$artifacts" || rc=$?
serve_stop TERM
echo "screenshots: $artifacts"
[ "$SERVE_RC" -eq 0 ] || { echo "FAIL: serve exited $SERVE_RC on SIGTERM" >&2; rc=1; }
exit "$rc"
