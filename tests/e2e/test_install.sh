#!/usr/bin/env bash
# cmake --install puts everything the README promises in place (command,
# cron wrapper, systemd user units naming the installed binary, man page,
# bash and zsh completion, library, headers, pkg-config file, CMake
# package), and a program is built against the installed tree both ways:
# pkg-config and find_package(newsidx).  Also the completions themselves.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
if [ -x /usr/bin/python3 ]; then PATH="/usr/bin:$PATH"; fi

build=$(dirname "$NEWSIDX")
if [ ! -f "$build/CMakeCache.txt" ] || ! command -v cmake >/dev/null || ! command -v pkg-config >/dev/null; then
  echo "skipped: needs cmake, pkg-config and the build tree of $NEWSIDX"
  exit 77
fi
# a sanitized library needs the sanitizer runtime in whatever links it
xflags=
if grep -q '^NX_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then xflags="-fsanitize=address,undefined"; fi
if grep -q '^NX_TSAN:BOOL=ON' "$build/CMakeCache.txt"; then xflags="-fsanitize=thread"; fi

inst="$TMP/inst"
expect_rc 0 cmake --install "$build" --prefix "$inst"
for f in bin/newsidx bin/newsidx-cron share/man/man1/newsidx.1 share/man/man1/newsidx-cron.1 \
         lib/systemd/user/newsidx-sync.service lib/systemd/user/newsidx-sync.timer \
         share/bash-completion/completions/newsidx share/zsh/site-functions/_newsidx \
         include/newsidx/newsidx.h include/newsidx/cursor.h; do
  if [ -f "$inst/$f" ]; then ok; else bad "not installed: $f"; fi
done
for f in libnewsidx.a pkgconfig/newsidx.pc cmake/newsidx/newsidxConfig.cmake cmake/newsidx/newsidxTargets.cmake; do
  if compgen -G "$inst/lib*/$f" >/dev/null || compgen -G "$inst/lib/*/$f" >/dev/null; then ok; else bad "not installed: lib/$f"; fi
done
if [ -x "$inst/bin/newsidx-cron" ]; then ok; else bad "newsidx-cron is not executable"; fi
if grep -q "^ExecStart=$inst/bin/newsidx sync" "$inst/lib/systemd/user/newsidx-sync.service"; then ok; else
  bad "the service does not run the installed newsidx: $(grep ExecStart "$inst/lib/systemd/user/newsidx-sync.service")"; fi
expect_rc 0 "$inst/bin/newsidx" --version
if grep -q '^newsidx [0-9]' "$TMP/out"; then ok; else bad "--version: $(cat "$TMP/out")"; fi
if command -v man >/dev/null; then
  expect_rc 0 man -l "$inst/share/man/man1/newsidx.1"
  if grep -q "export" "$TMP/out"; then ok; else bad "the man page lacks export"; fi
fi

NEWSIDX="$inst/bin/newsidx" nx add "$NX_SRC/corpus" >/dev/null 2>&1 || true
want=$("$inst/bin/newsidx" --db "$DB" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"])')

# the example through find_package(newsidx)
expect_rc 0 cmake -S "$NX_SRC/examples" -B "$TMP/ex-cmake" -DCMAKE_PREFIX_PATH="$inst" -DCMAKE_C_FLAGS="$xflags"
expect_rc 0 cmake --build "$TMP/ex-cmake"
expect_rc 0 "$TMP/ex-cmake/count" "$DB"
if [ "$(cat "$TMP/out")" = "$want" ] && [ "$want" -gt 0 ]; then ok; else bad "find_package count: $(cat "$TMP/out"), want $want"; fi
# and through pkg-config
pcdir=$(dirname "$(compgen -G "$inst/lib*/pkgconfig/newsidx.pc" || compgen -G "$inst/lib/*/pkgconfig/newsidx.pc")")
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs newsidx)
expect_rc 0 cc -std=c11 $xflags -o "$TMP/count-pc" "$NX_SRC/examples/count.c" $flags
expect_rc 0 "$TMP/count-pc" "$DB"
if [ "$(cat "$TMP/out")" = "$want" ]; then ok; else bad "pkg-config count: $(cat "$TMP/out"), want $want"; fi
if [ "$(PKG_CONFIG_PATH="$pcdir" pkg-config --modversion newsidx)" = "$("$inst/bin/newsidx" --version | awk '{print $2}')" ]; then ok; else bad "newsidx.pc version"; fi
expect_rc 1 "$TMP/count-pc" "$TMP/absent.db"

# complete-ids: the hidden command the completions call
expect_rc 0 nx complete-ids 87ec
if [ "$(cut -f1 "$TMP/out")" = "87ec169ddd34b4ff" ] && grep -q "Lavrov" "$TMP/out"; then ok; else bad "complete-ids 87ec: $(cat "$TMP/out")"; fi
expect_rc 0 nx complete-ids
if [ "$(wc -l <"$TMP/out")" -eq "$want" ]; then ok; else bad "complete-ids with no prefix"; fi
expect_rc 0 nx complete-ids "zz'; --"
if [ ! -s "$TMP/out" ]; then ok; else bad "a non-hex prefix completed"; fi
expect_rc 0 "$NEWSIDX" --db "$TMP/absent.db" complete-ids 8
if [ ! -s "$TMP/out" ] && [ ! -s "$TMP/err" ]; then ok; else bad "complete-ids on no index printed something"; fi
if ! "$NEWSIDX" --help | grep -q complete-ids; then ok; else bad "complete-ids is listed in --help"; fi

# bash completion, as bash calls it
comp() {
  NXDB="$DB" bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _newsidx; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$inst/share/bash-completion/completions/newsidx" "$@"
}
check_comp() { # WANT WORDS... : WANT is among the completions
  local want=$1; shift
  if comp "$@" | grep -qx -- "$want"; then ok; else bad "completing '$*' does not offer '$want': $(comp "$@" | tr '\n' ' ')"; fi
}
check_comp export "$inst/bin/newsidx" ex
check_comp search "$inst/bin/newsidx" --db "$DB" s
check_comp --limit "$inst/bin/newsidx" search --li
check_comp --opensearch-template "$inst/bin/newsidx" export --opens
check_comp opensearch "$inst/bin/newsidx" export --format o
check_comp newest "$inst/bin/newsidx" search --sort n
check_comp 87ec169ddd34b4ff "$inst/bin/newsidx" --db "$DB" show 87
check_comp 87ec169ddd34b4ff "$inst/bin/newsidx" rm --db "$DB" 87e
check_comp "$NX_SRC/corpus" "$inst/bin/newsidx" add "$NX_SRC/cor"
if [ -z "$(comp "$inst/bin/newsidx" --db "$DB" show zz)" ]; then ok; else bad "ids offered for a non-hex prefix"; fi
if [ "$(comp "$inst/bin/newsidx" se | sort | tr '\n' ' ')" = "search serve " ]; then ok; else bad "commands: $(comp "$inst/bin/newsidx" se)"; fi

# zsh completion: at least it parses and declares itself for newsidx
if command -v zsh >/dev/null; then
  expect_rc 0 zsh -n "$inst/share/zsh/site-functions/_newsidx"
  if head -1 "$inst/share/zsh/site-functions/_newsidx" | grep -qx '#compdef newsidx'; then ok; else bad "_newsidx lacks #compdef"; fi
fi

finish
