// How each kind of runtime is compiled inside its builder container. The shell scripts are
// constants; every value reaches them through the environment, never by interpolation.
import type { PipelineErrorCode } from '../errors.ts';
import type { RuntimeKind, RuntimeVersion } from '../runtime/config.ts';
import { C_DEBIAN_SOURCE_SCRIPT, cDebianSourceEnv, parseClangVersion, SOURCE_FAILURES } from './c-debian-source.ts';

/** Paths inside the container. */
export const SOURCE_MOUNT = '/src';
export const OUTPUT_MOUNT = '/out';
/** File (in the output mount) that receives the toolchain's version line. */
export const TOOLCHAIN_FILE = 'toolchain.txt';

export interface Recipe {
  cmd: string[];
  env: Record<string, string>;
  /** Turns the toolchain's version output into e.g. `go1.24.4` or `rustc 1.85.0`. */
  parseToolchain(output: string): string;
  /** Exit codes that mean bad input rather than a broken compile, and the error code each becomes. */
  failures?: Record<number, PipelineErrorCode>;
}

const GO_SCRIPT = `set -eu
"$WASMHUB_TOOLCHAIN" version > "$WASMHUB_OUT/${TOOLCHAIN_FILE}"
cat "$WASMHUB_OUT/${TOOLCHAIN_FILE}"
cd "$WASMHUB_SRC"
"$WASMHUB_TOOLCHAIN" build -trimpath -buildvcs=false -ldflags=-buildid= -o "$WASMHUB_OUT/$WASMHUB_OUTPUT" .
echo "compiled $WASMHUB_OUTPUT ($(wc -c < "$WASMHUB_OUT/$WASMHUB_OUTPUT") bytes)"
`;

const RUST_SCRIPT = `set -eu
rustc --version > "$WASMHUB_OUT/${TOOLCHAIN_FILE}"
cat "$WASMHUB_OUT/${TOOLCHAIN_FILE}"
cd "$WASMHUB_SRC"
"$WASMHUB_TOOLCHAIN" build --release --locked --offline --target wasm32-wasip1
set -- "$CARGO_TARGET_DIR"/wasm32-wasip1/release/*.wasm
if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then echo "expected exactly one .wasm in $CARGO_TARGET_DIR/wasm32-wasip1/release, found: $*" >&2; exit 1; fi
cp "$1" "$WASMHUB_OUT/$WASMHUB_OUTPUT"
echo "compiled $WASMHUB_OUTPUT ($(wc -c < "$WASMHUB_OUT/$WASMHUB_OUTPUT") bytes)"
`;

export interface RecipeInput {
  kind: RuntimeKind;
  language: string;
  version: RuntimeVersion;
  /** File name written into the output mount. */
  output: string;
  sourceDateEpoch: string;
}

/**
 * The kinds compiled by one script from the runtime's own sources: the script, its environment, and the
 * toolchain's version as it prints it.
 */
const COMPILED_KINDS: Record<
  Exclude<RuntimeKind, 'c-debian-source'>,
  { script: string; env: (input: RecipeInput) => Record<string, string>; toolchain: RegExp }
> = {
  go: {
    script: GO_SCRIPT,
    env: () => ({
      GOOS: 'wasip1',
      GOARCH: 'wasm',
      CGO_ENABLED: '0',
      GOFLAGS: '-trimpath -buildvcs=false -mod=readonly',
      GOCACHE: '/tmp/go-cache',
      GOPATH: '/tmp/go',
      GOMODCACHE: '/tmp/go/pkg/mod',
      GOTOOLCHAIN: 'local',
      GOPROXY: 'off',
      GOTELEMETRY: 'off',
      GOENV: 'off',
    }),
    toolchain: /\bgo\d+\.\d+(?:\.\d+)?(?:[a-z]+\d*)?\b/,
  },
  rust: {
    script: RUST_SCRIPT,
    env: (input) => ({
      CARGO_HOME: '/tmp/cargo-home',
      CARGO_TARGET_DIR: '/tmp/target',
      CARGO_INCREMENTAL: '0',
      CARGO_NET_OFFLINE: 'true',
      CARGO_TERM_COLOR: 'never',
      CARGO_PROFILE_RELEASE_CODEGEN_UNITS: '1',
      CARGO_TARGET_WASM32_WASIP1_LINKER: 'wasm-ld',
      RUSTFLAGS: `--remap-path-prefix=${SOURCE_MOUNT}=/wasmhub/${input.language} --remap-path-prefix=/tmp/cargo-home=/cargo`,
    }),
    toolchain: /rustc \d+\.\d+\.\d+(?:-[a-z0-9.]+)?/,
  },
};

export function recipeFor(input: RecipeInput): Recipe {
  const common = {
    WASMHUB_TOOLCHAIN: input.version.toolchain,
    WASMHUB_SRC: SOURCE_MOUNT,
    WASMHUB_OUT: OUTPUT_MOUNT,
    WASMHUB_OUTPUT: input.output,
    HOME: '/tmp/home',
    SOURCE_DATE_EPOCH: input.sourceDateEpoch,
    TZ: 'UTC',
    LC_ALL: 'C.UTF-8',
  };
  if (input.kind === 'c-debian-source') {
    const source = input.version.debianSource;
    if (!source) throw new Error(`${input.language}@${input.version.label}: kind c-debian-source needs debianSource`);
    return {
      cmd: ['sh', '-c', C_DEBIAN_SOURCE_SCRIPT],
      env: { ...common, ...cDebianSourceEnv(input.language, input.version, source) },
      parseToolchain: parseClangVersion,
      failures: SOURCE_FAILURES,
    };
  }
  const kind = COMPILED_KINDS[input.kind];
  return {
    cmd: ['sh', '-c', kind.script],
    env: { ...common, ...kind.env(input) },
    parseToolchain: (output) => kind.toolchain.exec(output)?.[0] ?? output.trim(),
  };
}
