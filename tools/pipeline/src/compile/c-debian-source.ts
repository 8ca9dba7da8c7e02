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

/** Exit codes of the script for bad input, and the error each one becomes. */
export const SOURCE_FAILURES: Record<number, PipelineErrorCode> = {
  65: 'ERR_SOURCE_INTEGRITY',
  66: 'ERR_PATCH_FAILED',
  67: 'ERR_SOURCE_MISSING',
};

export const C_DEBIAN_SOURCE_SCRIPT = `set -eu
die() { code="$1"; shift; printf 'wasmhub: %s\\n' "$*" >&2; exit "$code"; }
tarball="$WASMHUB_SOURCES/$WASMHUB_TARBALL"
[ -f "$tarball" ] || die 67 "Debian source package $WASMHUB_DEB_PACKAGE: $WASMHUB_TARBALL is not in the builder image (in $WASMHUB_SOURCES: $(ls "$WASMHUB_SOURCES" | tr '\\n' ' '))"
actual="$(sha256sum "$tarball" | cut -d ' ' -f 1)"
[ "$actual" = "$WASMHUB_TARBALL_SHA256" ] || die 65 "Debian source package $WASMHUB_DEB_PACKAGE: $WASMHUB_TARBALL has SHA-256 $actual, expected $WASMHUB_TARBALL_SHA256 (the pin in runtimes/$WASMHUB_LANGUAGE/runtime.json)"
echo "source $WASMHUB_TARBALL sha256 $actual (matches the pin)"
mkdir -p "$WASMHUB_TREE"
tar -xf "$tarball" -C "$WASMHUB_TREE" --strip-components=1 --no-same-owner --no-same-permissions
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
