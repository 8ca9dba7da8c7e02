// Build kind "c-debian-source": a C program (an interpreter) compiled for wasm32-wasi by clang from
// the upstream tarball of a Debian source package. The builder image (docker/wasi-c.Dockerfile)
// holds the tarballs in SOURCES_DIR; in the network-off compile container this script checks the
// tarball's SHA-256 against the pin in runtime.json, extracts it, applies the version's patches in
// name order and runs the runtime's build script in the tree with the toolchain environment below.
// Each kind of bad input exits with its own code and one `wasmhub: ...` line on stderr, which
// build-version.ts turns into a PipelineError with a stable code.
import type { PipelineErrorCode } from '../errors.ts';
import type { DebianSource, RuntimeVersion } from '../runtime/config.ts';

/** Where docker/wasi-c.Dockerfile puts the orig tarballs. */
export const SOURCES_DIR = '/opt/wasmhub/sources';
/** Where the tarball is extracted (its top folder stripped) and built. */
export const TREE_DIR = '/tmp/tree';
/** Where each extra source is extracted (top folder stripped), as <EXTRA_DIR>/<package>. */
export const EXTRA_DIR = '/tmp/extra';

/** Exit codes of the script for bad input, and the error each one becomes. */
export const SOURCE_FAILURES: Record<number, PipelineErrorCode> = {
  65: 'ERR_SOURCE_INTEGRITY',
  66: 'ERR_PATCH_FAILED',
  67: 'ERR_SOURCE_MISSING',
};

export const C_DEBIAN_SOURCE_SCRIPT = `set -eu
die() { code="$1"; shift; printf 'wasmhub: %s\\n' "$*" >&2; exit "$code"; }
# check_source <package> <tarball> <pinned sha256> <which pin>: the tarball is in the image and matches its pin.
check_source() {
  [ -f "$WASMHUB_SOURCES/$2" ] || die 67 "Debian source package $1: $2 is not in the builder image (in $WASMHUB_SOURCES: $(ls "$WASMHUB_SOURCES" | tr '\\n' ' '))"
  actual="$(sha256sum "$WASMHUB_SOURCES/$2" | cut -d ' ' -f 1)"
  [ "$actual" = "$3" ] || die 65 "Debian source package $1: $2 has SHA-256 $actual, expected $3 ($4 in runtimes/$WASMHUB_LANGUAGE/runtime.json)"
  echo "source $2 sha256 $actual (matches the pin)"
}
check_source "$WASMHUB_DEB_PACKAGE" "$WASMHUB_TARBALL" "$WASMHUB_TARBALL_SHA256" "the pin"
# Extra sources: "<package> <tarball> <sha256>" per line (names and hashes hold no blanks: runtime.schema.json).
set -f
set -- \${WASMHUB_EXTRA_SOURCES:-}
set +f
extra="$*"
while [ "$#" -ge 3 ]; do check_source "$1" "$2" "$3" "the extraSources pin"; shift 3; done
mkdir -p "$WASMHUB_TREE"
tar -xf "$WASMHUB_SOURCES/$WASMHUB_TARBALL" -C "$WASMHUB_TREE" --strip-components=1 --no-same-owner --no-same-permissions
set -f
set -- $extra
set +f
while [ "$#" -ge 3 ]; do
  mkdir -p "$WASMHUB_EXTRA_DIR/$1"
  tar -xf "$WASMHUB_SOURCES/$2" -C "$WASMHUB_EXTRA_DIR/$1" --strip-components=1 --no-same-owner --no-same-permissions
  echo "extracted $2 to $WASMHUB_EXTRA_DIR/$1"
  shift 3
done
cd "$WASMHUB_TREE"
if [ -d "$WASMHUB_SRC/$WASMHUB_PATCHES" ]; then
  for p in $(cd "$WASMHUB_SRC/$WASMHUB_PATCHES" && ls | LC_ALL=C sort); do
    case "$p" in *.patch) ;; *) continue ;; esac
    shown="runtimes/$WASMHUB_LANGUAGE/$WASMHUB_PATCHES/$p"
    if ! out="$(patch -p1 --forward --batch --no-backup-if-mismatch -r - < "$WASMHUB_SRC/$WASMHUB_PATCHES/$p" 2>&1)"; then
      printf '%s\\n' "$out" >&2
      die 66 "patch $shown does not apply to $WASMHUB_TARBALL"
    fi
    echo "applied $shown"
  done
fi
"$CC" --version | head -n 1 > "$WASMHUB_OUT/toolchain.txt"
cat "$WASMHUB_OUT/toolchain.txt"
WASMHUB_OUTPUT_PATH="$WASMHUB_OUT/$WASMHUB_OUTPUT" sh "$WASMHUB_SRC/$WASMHUB_BUILD_SCRIPT"
[ -s "$WASMHUB_OUT/$WASMHUB_OUTPUT" ] || die 1 "runtimes/$WASMHUB_LANGUAGE/$WASMHUB_BUILD_SCRIPT did not write \\$WASMHUB_OUTPUT_PATH"
echo "compiled $WASMHUB_OUTPUT ($(wc -c < "$WASMHUB_OUT/$WASMHUB_OUTPUT") bytes)"
`;

/**
 * The environment a build script sees. CC is the version's toolchain with the WASI target; the
 * flags are what every interpreter here needs (ENVIRONMENT.md, "Interpreters for WASI"):
 * setjmp/longjmp through the exception-handling instructions (-mllvm -wasm-enable-sjlj + -lsetjmp),
 * wasi-libc's emulated signals and process clocks, and paths mapped out of the output so the
 * bytes do not depend on where the tree was extracted. Scripts add their own -D/-I and stack size.
 */
export function cDebianSourceEnv(
  language: string,
  version: RuntimeVersion,
  source: DebianSource,
): Record<string, string> {
  return {
    WASMHUB_LANGUAGE: language,
    WASMHUB_VERSION: version.label,
    WASMHUB_SOURCES: SOURCES_DIR,
    WASMHUB_TREE: TREE_DIR,
    WASMHUB_DEB_PACKAGE: source.package,
    WASMHUB_TARBALL: source.tarball,
    WASMHUB_TARBALL_SHA256: source.sha256,
    WASMHUB_EXTRA_DIR: EXTRA_DIR,
    WASMHUB_EXTRA_SOURCES: (version.extraSources ?? []).map((x) => `${x.package} ${x.tarball} ${x.sha256}\n`).join(''),
    WASMHUB_PATCHES: version.patches ?? 'patches',
    WASMHUB_BUILD_SCRIPT: version.buildScript ?? 'build.sh',
    CC: version.toolchain,
    AR: 'llvm-ar-19',
    RANLIB: 'llvm-ranlib-19',
    WASI_TARGET: 'wasm32-wasi',
    CFLAGS: [
      '--target=wasm32-wasi',
      '-O2',
      '-mllvm',
      '-wasm-enable-sjlj',
      '-D_WASI_EMULATED_SIGNAL',
      '-D_WASI_EMULATED_PROCESS_CLOCKS',
      `-ffile-prefix-map=${TREE_DIR}=/wasmhub/${language}-${version.label}`,
    ].join(' '),
    LDFLAGS: ['--target=wasm32-wasi', '-mllvm', '-wasm-enable-sjlj', '-Wl,--strip-debug'].join(' '),
    LIBS: '-lsetjmp -lwasi-emulated-signal -lwasi-emulated-process-clocks',
  };
}

/** `Debian clang version 19.1.7 (3+b1)` -> `clang 19.1.7` */
export function parseClangVersion(output: string): string {
  const m = /clang version (\d+\.\d+\.\d+)/.exec(output);
  return m ? `clang ${m[1]}` : output.trim();
}
