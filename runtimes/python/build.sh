# Builds CPython for wasm32-wasip1 with upstream's Tools/wasm/wasi.py, using Debian's clang 19 and
# wasi-libc in place of a WASI SDK, and zlib from Debian's zlib source (so zlib, gzip and zipfile work).
# Runs in the network-off builder container (docker/wasi-python.Dockerfile) inside the extracted,
# patched python3.13 tree. Writes $WASMHUB_OUTPUT_PATH (python.wasm, debug info stripped) and, beside
# it, the standard library companion $WASMHUB_OUT/$WASMHUB_LANGUAGE-$WASMHUB_VERSION-stdlib.zip.
# Steps (about 6 min on 2 idle cores): zlib (10 s), the native "build Python" (~2-4 min), configure
# for WASI (~1-3 min: many checks run python.wasm under node), make (~1.5 min), the stdlib zip (2 s).
set -eu
tree="$(pwd)"
work=/tmp/wasi
sdk="$work/sdk"            # a WASI SDK lookalike: wrapper scripts around Debian's clang-19 / llvm-*-19
sysroot="$sdk/share/wasi-sysroot"
clang="$CC"                # the version's toolchain (runtime.json), e.g. /usr/bin/clang-19
# The recipe's generic C flags (setjmp/longjmp via exception handling, ...) are not CPython's: its
# configure chooses its own, and the native build Python must not see WASI flags at all.
unset CC CFLAGS LDFLAGS LIBS CPPFLAGS AR RANLIB

mkdir -p "$sdk/bin" "$sysroot/include" "$sysroot/lib" "$work/bin"
# A private sysroot: wasi-libc's headers and libraries, and zlib once built; host headers in /usr/include
# are not on the search path (clang's default /usr sysroot would add them).
ln -s /usr/include/wasm32-wasi "$sysroot/include/wasm32-wasi"
ln -s /usr/lib/wasm32-wasi "$sysroot/lib/wasm32-wasi"
for tool in clang clang++; do
  printf '#!/bin/sh\nexec %s --target=wasm32-wasi "$@"\n' "$(dirname "$clang")/$tool-19" > "$sdk/bin/$tool"
done
printf '#!/bin/sh\nexec %s --target=wasm32-wasi -E "$@"\n' "$clang" > "$sdk/bin/clang-cpp"
for tool in ar ranlib nm strip; do
  ln -s "/usr/bin/llvm-$tool-19" "$sdk/bin/$tool"
  ln -s "/usr/bin/llvm-$tool-19" "$sdk/bin/llvm-$tool"
done
chmod +x "$sdk/bin/clang" "$sdk/bin/clang++" "$sdk/bin/clang-cpp"
# wasi.py asks git for SOURCE_DATE_EPOCH; there is no repository here and the recipe sets it.
printf '#!/bin/sh\nexit 1\n' > "$work/bin/git"
chmod +x "$work/bin/git"
export PATH="$work/bin:$PATH" TERM=dumb

echo "== zlib"
zlib="$WASMHUB_EXTRA_DIR/zlib"
(
  cd "$zlib"
  CC="$sdk/bin/clang --sysroot=$sysroot" AR="$sdk/bin/ar" RANLIB="$sdk/bin/ranlib" CFLAGS=-O2 \
    ./configure --static --prefix=/usr > "$work/zlib-configure.log"
  make -j"$(nproc)" libz.a > "$work/zlib-make.log"
  make install DESTDIR="$sysroot" > "$work/zlib-install.log"
)

echo "== build Python (native)"
touch Modules/Setup.local
mkdir -p cross-build/build
# It only runs build tools (freezing, deepfreeze, the stdlib zip): -O1 without debug info compiles in a
# fraction of upstream's -O3 -g time, and the WASI module does not depend on it.
(cd cross-build/build && OPT='-DNDEBUG -O1' ../../configure -q && make -j"$(nproc)" all > "$work/native-make.log" 2>&1) \
  || { tail -n 40 "$work/native-make.log" >&2; exit 1; }

echo "== configure for wasm32-wasip1"
# zlib for the WASI host only (the native build Python above must not see it).
export ZLIB_CFLAGS="-I$sysroot/usr/include" ZLIB_LIBS="-L$sysroot/usr/lib -lz"
export WASI_SDK_PATH="$sdk"
runner="node $WASMHUB_SRC/host-runner.mjs --map {HOST_DIR}::{GUEST_DIR} --env {ENV_VAR_NAME}={ENV_VAR_VALUE}"
# - No debug info in the module: 16 MB of DWARF otherwise, and it would carry build paths.
# - No clock_nanosleep: CPython's time.sleep() then sleeps with TIMER_ABSTIME, which wasi-libc turns
#   into an absolute-time poll_oneoff that Node's node:wasi (uvwasi) never wakes from (time.sleep(0.1)
#   hangs forever under Node 20); nanosleep() sends a relative timeout, which every host honours.
#   (Both cache variables: configure looks in libc, then in -lrt, which wasi-libc also has.)
cross-build/build/python Tools/wasm/wasi.py configure-host --host-runner "$runner" -- -q \
  LDFLAGS=-Wl,--strip-debug ac_cv_func_clock_nanosleep=no ac_cv_lib_rt_clock_nanosleep=no

echo "== make for wasm32-wasip1"
cross-build/build/python Tools/wasm/wasi.py make-host > "$work/wasi-make.log" 2>&1 \
  || { tail -n 40 "$work/wasi-make.log" >&2; exit 1; }
sed -n '/^The necessary bits/,/^Checked/p' "$work/wasi-make.log"
host="cross-build/wasm32-wasip1"
cp "$host/python.wasm" "$WASMHUB_OUTPUT_PATH"

echo "== standard library"
short="$(echo "$WASMHUB_VERSION" | tr -d .)"
cross-build/build/python "$WASMHUB_SRC/stdlib-zip.py" Lib "$host/$(cat "$host/pybuilddir.txt")" \
  "$WASMHUB_OUT/$WASMHUB_LANGUAGE-$WASMHUB_VERSION-stdlib.zip" "/usr/local/lib/python$short.zip"
echo "tree $tree built"
