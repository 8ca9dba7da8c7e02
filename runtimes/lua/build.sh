#!/bin/sh
# Builds Lua's own command-line interpreter (src/lua.c + the core and standard libraries) for
# wasm32-wasi. Run by the c-debian-source recipe (tools/pipeline/src/compile/c-debian-source.ts)
# in the extracted, patched upstream tree, with CC/CFLAGS/LDFLAGS/LIBS set for WASI (setjmp via
# exception handling, emulated signals and process clocks) and WASMHUB_VERSION = the label.
set -eu

# What upstream's own Makefile compiles (minus luac), with its compatibility defines.
case "$WASMHUB_VERSION" in
  5.1) defines="-DLUA_USE_ISATTY"; skip="luac.c print.c" ;;
  5.2) defines="-DLUA_USE_ISATTY -DLUA_COMPAT_ALL"; skip="luac.c" ;;
  5.3) defines="-DLUA_COMPAT_5_2"; skip="luac.c" ;;
  5.4) defines="-DLUA_COMPAT_5_3"; skip="luac.c onelua.c" ;;
  *) echo "build.sh: no build rule for Lua $WASMHUB_VERSION" >&2; exit 1 ;;
esac

# A user's ordinary recursion through C (pcall, metamethods, gsub callbacks, the parser on deep
# nesting) runs on the wasm shadow stack: 8 MiB instead of wasm-ld's 64 KiB default.
stack=8388608

objects=""
mkdir -p /tmp/obj
for c in $(cd src && ls ./*.c | LC_ALL=C sort); do
  name="$(basename "$c" .c)"
  case " $skip " in *" $name.c "*) continue ;; esac
  # shellcheck disable=SC2086 # CFLAGS and defines are lists of flags
  $CC $CFLAGS $defines -Wall -c "src/$name.c" -o "/tmp/obj/$name.o"
  objects="$objects /tmp/obj/$name.o"
done
# shellcheck disable=SC2086
$CC $LDFLAGS -Wl,-z,stack-size=$stack -o "$WASMHUB_OUTPUT_PATH" $objects $LIBS -lm
