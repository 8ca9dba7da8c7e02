#!/bin/sh
# Builds QuickJS's own command-line interpreter `qjs` (qjs.c + the engine + the std/os modules of
# quickjs-libc.c) for wasm32-wasi, as upstream's Makefile does, minus the REPL (see
# patches/0003-qjs-cli-wasi.patch). Run by the c-debian-source recipe
# (tools/pipeline/src/compile/c-debian-source.ts) in the extracted, patched upstream tree, with
# CC/CFLAGS/LDFLAGS/LIBS set for WASI (setjmp via exception handling, emulated signals and process
# clocks) and WASMHUB_VERSION = the label.
set -eu

# Upstream's defines (Makefile: DEFINES, CFLAGS += -fwrapv) with the version from its VERSION file;
# getpid() (os.getpid) comes from wasi-libc's emulation.
defines="-D_GNU_SOURCE -DCONFIG_VERSION=\"$(cat VERSION)\" -fwrapv -D_WASI_EMULATED_GETPID"

# The interpreter's recursion runs on the wasm shadow stack: 8 MiB instead of wasm-ld's 64 KiB
# default, so qjs --stack-size can be raised up to about that (the default limit is 128 KiB).
stack=8388608

objects=""
mkdir -p /tmp/obj
for name in qjs quickjs dtoa libregexp libunicode cutils quickjs-libc; do
  # shellcheck disable=SC2086 # CFLAGS and defines are lists of flags
  $CC $CFLAGS $defines -c "$name.c" -o "/tmp/obj/$name.o"
  objects="$objects /tmp/obj/$name.o"
done
# shellcheck disable=SC2086
$CC $LDFLAGS -Wl,-z,stack-size=$stack -o "$WASMHUB_OUTPUT_PATH" $objects $LIBS -lwasi-emulated-getpid -lm
