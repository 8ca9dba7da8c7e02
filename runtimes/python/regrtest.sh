# Runs modules of CPython's own test suite (python -m test) against a built python.wasm under node:wasi,
# in the builder image (docker/wasi-python.Dockerfile: node + the python3.13 tarball holding Lib/test).
# usage: sh regrtest.sh PYTHON_WASM STDLIB_ZIP TEST_MODULE[:IGNORE_PATTERN,...]...
# Each module runs in its own interpreter (WASI has no subprocesses, so regrtest cannot isolate them),
# so a crash (or a hang, after WASMHUB_REGRTEST_TIMEOUT seconds, default 900) stops one module, not the run. Prints one line per module and the regrtest summary line:
#   module <name> exit=<code> run=<n> failures=<n> skipped=<n> ignored=<patterns>
set -eu
wasm="$1"; zip="$2"; shift 2
work=/tmp/regrtest
rm -rf "$work"
mkdir -p "$work/lib" "$work/tests" "$work/tmp"
cp "$zip" "$work/lib/python313.zip"
tarball="$(ls /opt/wasmhub/sources/python3.13_*.orig.tar.xz)"
tar -xf "$tarball" -C "$work/tests" --strip-components=2 --wildcards '*/Lib/test'
for spec in "$@"; do
  module="${spec%%:*}"
  ignores=""
  [ "$spec" != "$module" ] && ignores="${spec#*:}"
  set -- --tempdir /tmp/regr -q
  if [ -n "$ignores" ]; then
    printf '%s\n' "$ignores" | tr ',' '\n' > "$work/tmp/ignore-$module.txt"
    set -- "$@" --ignorefile "/tmp/ignore-$module.txt"
  fi
  set +e
  timeout "${WASMHUB_REGRTEST_TIMEOUT:-900}" node "$(dirname "$0")/host-runner.mjs" --map "$work/lib::/usr/local/lib" --map "$work/tests::/tests" \
    --map "$work/tmp::/tmp" --env PYTHONHOME=/usr/local --env PYTHONPATH=/tests --env HOME=/tmp --env TMPDIR=/tmp \
    "$wasm" -m test "$@" "$module" > "$work/$module.log" 2>&1
  code=$?
  set -e
  totals="$(grep -E '^Total tests: ' "$work/$module.log" | tail -n 1 | sed 's/^Total tests: //')"
  echo "module $module exit=$code ${totals:-no-summary} ignored=${ignores:-none}"
  [ "$code" -eq 0 ] || tail -n 30 "$work/$module.log" | sed "s/^/  [$module] /"
done
