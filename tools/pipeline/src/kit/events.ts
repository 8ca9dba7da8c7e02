// What the pipeline reports while it works, as data: every stage emits events, and formatEvent is the one place
// an event becomes a line for humans. Every line carries its task (`[go@1.24]`, `[image:trixie]`), so the
// interleaved output of parallel Nx tasks stays readable. The GitHub publisher and client have their own
// unions (release-events.ts); the release stage carries them here, so its output, too, goes
// through formatEvent.
import { formatPublishEvent, type GitHubEvent, type PublishEvent } from './release-events.ts';

export type Stream = 'stdout' | 'stderr';

export type PipelineEvent =
  /** A line a container or tool printed, passed through as is. */
  | { kind: 'output'; task: string; stream: Stream; line: string }
  | { kind: 'image.build'; task: string; tag: string; dockerfile: string }
  | { kind: 'image.built'; task: string; tag: string; seconds: number }
  | { kind: 'build.wrote'; task: string; path: string; size: number; toolchain: string; sha256: string }
  /** The build command's summary: `task` is the language. */
  | { kind: 'build.done'; task: string; versions: number; ms: number }
  | { kind: 'build.record'; task: string; file: string; size: number; toolchain: string }
  | { kind: 'verify.module'; task: string; file: string; size: number; sha256: string; cases?: number }
  | { kind: 'verify.record'; task: string; path: string }
  | { kind: 'metadata.record'; task: string; path: string; changed: boolean; released: string }
  | { kind: 'release.staged'; task: string; assets: number; dir: string; changed: number; dryRun: boolean }
  | { kind: 'release.publish'; task: string; event: PublishEvent }
  | { kind: 'release.github'; task: string; event: GitHubEvent }
  | { kind: 'release.github-done'; task: string; uploaded: number; replaced: number; skipped: number; bytes: number }
  | { kind: 'release.local-only'; task: string }
  | { kind: 'wasm-opt.fallback'; task: string; reason: string }
  | { kind: 'wasm-opt.start'; task: string; level: string; flags: string; engine: 'native' | 'js' }
  | {
      kind: 'wasm-opt.done';
      task: string;
      inputSize: number;
      outputSize: number;
      /** The builder image of native wasm-opt; absent for binaryen.js. */
      image?: string;
      ms: number;
    };

export type Emit = (event: PipelineEvent) => void;

/** The event as one line, `[task] what happened`. */
export function formatEvent(event: PipelineEvent): string {
  return `[${event.task}] ${describe(event)}`;
}

function describe(event: PipelineEvent): string {
  switch (event.kind) {
    case 'output':
      return event.line;
    case 'image.build':
      return `building ${event.tag} from ${event.dockerfile}`;
    case 'image.built':
      return `built ${event.tag} in ${event.seconds.toFixed(1)} s`;
    case 'build.wrote':
      return `wrote ${event.path} (${event.size} bytes, ${event.toolchain}, sha256 ${event.sha256.slice(0, 12)})`;
    case 'build.done':
      return `built ${event.versions} version(s) in ${seconds(event.ms)} s`;
    case 'build.record':
      return `${event.file} ${event.size} bytes ${event.toolchain}`;
    case 'verify.module':
      return `verify ${event.file}: ${event.size} bytes sha256 ${event.sha256.slice(0, 12)} ok${event.cases === undefined ? '' : `, ${event.cases} cases`}`;
    case 'verify.record':
      return `verification record ${event.path}`;
    case 'metadata.record':
      return `${event.path} ${event.changed ? 'written' : 'unchanged'}, released ${event.released}`;
    case 'release.staged':
      return event.dryRun
        ? `dry run: would stage ${event.assets} assets in ${event.dir} and update manifest.json, SHA256SUMS`
        : `staged ${event.assets} assets in ${event.dir}; working tree files changed: ${event.changed}`;
    case 'release.publish':
      return formatPublishEvent(event.event);
    case 'release.github': {
      const e = event.event;
      if (e.kind === 'log') return `github ${e.level}: ${e.message}`;
      return `${e.secondary ? 'secondary ' : ''}rate limit on ${e.method} ${e.url}: waiting ${e.retryAfterSeconds}s (retry ${e.retryCount + 1})`;
    }
    case 'release.github-done':
      return `github: ${event.uploaded} uploaded, ${event.replaced} replaced, ${event.skipped} skipped, ${event.bytes} bytes sent`;
    case 'release.local-only':
      return 'no GITHUB_TOKEN/GITHUB_REPOSITORY: local release only';
    case 'wasm-opt.fallback':
      return `no Docker engine (${event.reason}): falling back to binaryen.js wasm-opt (about 4x slower)`;
    case 'wasm-opt.start':
      return `wasm-opt ${event.level} ${event.flags} (${event.engine === 'native' ? 'native, builder image' : 'binaryen.js'})`;
    case 'wasm-opt.done': {
      const pct = ((100 * (event.outputSize - event.inputSize)) / event.inputSize).toFixed(1);
      const how = event.image ? `native wasm-opt in ${event.image}` : 'binaryen.js';
      return `optimized ${event.inputSize} -> ${event.outputSize} bytes (${pct}%) with ${how} in ${seconds(event.ms)} s`;
    }
  }
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** Where formatted lines go: a stage's `log` option; by default stdout (stderr for a tool's stderr). */
export type LineSink = (line: string, stream: Stream) => void;

const toConsole: LineSink = (line, stream) =>
  (stream === 'stderr' ? process.stderr : process.stdout).write(`${line}\n`);

/** Emits events as lines through `log` (default: the console). */
export function lineEmitter(log: LineSink = toConsole): Emit {
  return (event) => log(formatEvent(event), event.kind === 'output' ? event.stream : 'stdout');
}
