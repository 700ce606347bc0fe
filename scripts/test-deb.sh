#!/usr/bin/env bash
# Build the Debian packages from a temporary copy of the tree
# (dpkg-buildpackage -us -uc -b), check them with lintian (no errors
# allowed), install them (dpkg -i), and try what was installed: newsidx
# --version, a small add and search, the cron wrapper, units, completion,
# and a program built against libnewsidx-dev with pkg-config.  Removes the
# packages again unless they were installed before.  Slow (a full build):
# ctest runs it only when configured with -DNX_DEB_TEST=ON.
# Exit 77 (skipped) without root or without the Debian build tools.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
for tool in dpkg-buildpackage dh lintian; do
  if ! command -v "$tool" >/dev/null; then
    echo "skipped: $tool is missing (apt-get install devscripts debhelper lintian)"
    exit 77
  fi
done
if [ "$(id -u)" -ne 0 ]; then
  echo "skipped: installing the package needs root"
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/newsidx-deb.XXXXXX")
preinstalled=$(dpkg-query -W -f='${Status}' newsidx 2>/dev/null | grep -c 'ok installed')
cleanup() {
  if [ "$preinstalled" -eq 0 ]; then dpkg -r libnewsidx-dev newsidx >/dev/null 2>&1; fi
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# the tree as git sees it (tracked and new files, no build folders)
mkdir "$work/newsidx"
(cd "$src" && git ls-files -z --cached --others --exclude-standard | grep -zv '^build/' |
  xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' | tar --null -T - -cf -) |
  tar -xf - -C "$work/newsidx"

echo "building the packages in $work"
if ! (cd "$work/newsidx" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
  tail -40 "$work/build.log" >&2
  echo "FAIL: dpkg-buildpackage failed (log above)" >&2
  exit 1
fi
debs=$(ls "$work"/*.deb)
echo "built: $(cd "$work" && ls ./*.deb | tr '\n' ' ')"

lintian --fail-on error "$work"/*.changes >"$work/lintian.log" 2>&1
lrc=$?
cat "$work/lintian.log"
if [ "$lrc" -ne 0 ] || grep -q '^E: ' "$work/lintian.log"; then fail "lintian reports errors"; fi

if ! dpkg -i $debs >"$work/install.log" 2>&1; then
  cat "$work/install.log" >&2
  echo "FAIL: dpkg -i failed" >&2
  exit 1
fi

nx=/usr/bin/newsidx
"$nx" --version | grep -q '^newsidx 0\.' || fail "newsidx --version: $("$nx" --version 2>&1)"
db="$work/index.db"
"$nx" --db "$db" add "$src/corpus" >"$work/add.out" 2>&1 || [ $? -eq 3 ] || fail "add: $(cat "$work/add.out")"
grep -q '^added [1-9]' "$work/add.out" || fail "add: $(cat "$work/add.out")"
"$nx" --db "$db" search cyberattack RNC >"$work/search.out" 2>&1 || fail "search failed"
grep -qi lavrov "$work/search.out" || fail "search does not find the Lavrov article"
[ -x /usr/bin/newsidx-cron ] || fail "no /usr/bin/newsidx-cron"
grep -q '^ExecStart=/usr/bin/newsidx ' /usr/lib/systemd/user/newsidx-sync.service || fail "unit ExecStart"
[ -f /usr/lib/systemd/user/newsidx-sync.timer ] || fail "no timer unit"
[ -f /usr/share/bash-completion/completions/newsidx ] || fail "no bash completion"
[ -f /usr/share/zsh/vendor-completions/_newsidx ] || fail "no zsh completion"
man -w newsidx >/dev/null 2>&1 && man -w newsidx-cron >/dev/null 2>&1 || fail "no man pages"
cc -std=c11 -o "$work/count" "$src/examples/count.c" $(pkg-config --cflags --libs newsidx) || fail "cannot build against libnewsidx-dev"
[ "$("$work/count" "$db" 2>&1)" = "$("$nx" --db "$db" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"])')" ] ||
  fail "examples/count.c disagrees with stats"

if [ "$failures" -eq 0 ]; then echo "deb: all checks passed"; else echo "deb: $failures checks failed"; fi
[ "$failures" -eq 0 ]
