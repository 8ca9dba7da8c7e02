#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LoaderError } from './errors.ts';
import type { RuntimeLoader } from './loader.ts';
import { assertLanguage, assertVersion } from './names.ts';
import type { RuntimeLoaderOptions } from './options.ts';
import { createReporter } from './progress.ts';

const COMMON = `options:
  --source URL|DIR            a source (repeatable; default WASMHUB_SOURCES, else GitHub Releases then jsDelivr)
  --cache-dir DIR             cache folder (default WASMHUB_CACHE_DIR, else ~/.cache/wasmhub)
  --offline                   never use the network
  --allow-http                allow plain http:// to non-loopback hosts
  --deadline SECONDS          give up after this long in all (default 600)
  --json                      machine-readable output (errors too: one JSON line on stderr)
  --quiet                     no progress output
  -h, --help                  help (also: wasmhub <command> --help)
  -V, --version               the version of wasmhub`;

const USAGE = `usage: wasmhub <command> [options]
  get <lang>[@<version>]      fetch a runtime into the cache; prints its absolute path last
  run <lang>[@<version>] [--dir HOST[:GUEST]]... [--env KEY=VALUE]... [--env-inherit] [--] [args...]
                              fetch a runtime and run it under node:wasi
  list                        languages and versions the sources offer
  info <lang>                 versions, sizes and hashes of one language
  cache ls|clean|verify [<lang>[@<version>]]
${COMMON}`;

const HELP: Record<string, string> = {
  get: `usage: wasmhub get <lang>[@<version>] [options]
Fetch a runtime (default: the latest version) into the verified cache and print its absolute path as the
last stdout line (--json: {language, version, path, size, sha256}).
${COMMON}`,
  run: `usage: wasmhub run <lang>[@<version>] [--dir HOST[:GUEST]]... [--env KEY[=VALUE]]... [--env-inherit] [--] [args...]
Fetch a runtime as 'get' does, then run it under node:wasi (WASI preview 1). The guest sees argv
[<lang>, args...], the process's stdin, stdout and stderr byte for byte, and nothing else of the host
unless asked: no folder, no environment variable. Companion files a runtime needs (an interpreter's
standard library) are mounted for it. Its exit status is wasmhub's; a trap prints one line and exits 134.
Everything after the runtime's first argument (or after --) goes to the guest.
  --dir HOST[:GUEST]          show the host folder HOST to the guest at GUEST (default: HOST as given)
  --env KEY=VALUE             set a guest environment variable (KEY alone: the host's value of KEY)
  --env-inherit               give the guest the whole host environment
${COMMON}`,
  list: `usage: wasmhub list [options]
Languages, latest versions and versions the first answering source offers.
${COMMON}`,
  info: `usage: wasmhub info <lang> [options]
Every version of one language with its file, size, sha256 and WASI version.
${COMMON}`,
  cache: `usage: wasmhub cache ls|clean|verify [<lang>[@<version>]] [options]
  --online   (verify) also compare each entry with a source's manifest
  ls       cached runtimes
  clean    remove cached runtimes (all, one language or one version) and stale partial downloads
  verify   re-check the size and sha256 of every cached runtime (exit 1 when one fails)
${COMMON}`,
};

const OPTIONS = {
  source: { type: 'string', multiple: true },
  'cache-dir': { type: 'string' },
  deadline: { type: 'string' },
  online: { type: 'boolean' },
  offline: { type: 'boolean' },
  'allow-http': { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  dir: { type: 'string', multiple: true },
  env: { type: 'string', multiple: true },
  'env-inherit': { type: 'boolean' },
} as const;

const RUN_ONLY = ['dir', 'env', 'env-inherit'] as const;

type Out = { stdout: (line: string) => void };

/** The package's version, from its package.json (beside src/ and dist/ alike). */
function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** Options that take a value (`--source X`): the splitter must skip the value too. */
const TAKES_VALUE = new Set(Object.entries(OPTIONS).flatMap(([name, o]) => (o.type === 'string' ? [`--${name}`] : [])));

/**
 * Split argv into wasmhub's part and, for `run`, the guest's arguments: after `run <spec>`, wasmhub's own
 * options may follow; the first `--` or the first argument that is not an option starts the guest's.
 */
export function splitArgv(argv: string[]): { own: string[]; guest: string[] | undefined } {
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      if (positionals[0] === 'run' && positionals.length >= 2) {
        return { own: argv.slice(0, i), guest: argv.slice(i + 1) };
      }
      return { own: argv, guest: undefined };
    }
    if (arg.startsWith('-') && arg !== '-') {
      if (TAKES_VALUE.has(arg)) i++;
      continue;
    }
    if (positionals[0] === 'run' && positionals.length >= 2) {
      return { own: argv.slice(0, i), guest: argv.slice(i) };
    }
    positionals.push(arg);
  }
  return { own: argv, guest: positionals[0] === 'run' ? [] : undefined };
}

type Parsed = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;

function parse(argv: string[]): Parsed {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const flag = /option '([^']+)'/i.exec(message)?.[1];
    throw new LoaderError(
      'ERR_USAGE',
      flag ? `unknown or malformed option ${flag}: see wasmhub --help` : `${message.split('\n')[0]}`,
    );
  }
}

/** What the top-level catch needs to know about the invocation. */
interface State {
  json: boolean;
  cacheDir?: string;
  endProgress?: () => void;
}

async function main(
  argv: string[],
  state: State,
  out: Out = { stdout: (line) => process.stdout.write(`${line}\n`) },
): Promise<number> {
  const { own, guest } = splitArgv(argv);
  // --json is known before anything can fail, so even a usage error is reported as JSON.
  state.json = own.includes('--json');
  const { values, positionals } = parse(own);
  const [command, ...rest] = positionals;
  if (values.version) {
    out.stdout(values.json ? JSON.stringify({ version: packageVersion() }) : `wasmhub ${packageVersion()}`);
    return 0;
  }
  if (values.help || command === 'help') {
    const topic = command === 'help' ? rest[0] : command;
    out.stdout((topic !== undefined && HELP[topic]) || USAGE);
    return 0;
  }
  if (command === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (command !== 'run') {
    const misplaced = RUN_ONLY.find((name) => values[name] !== undefined);
    if (misplaced) throw new LoaderError('ERR_USAGE', `--${misplaced} is an option of 'wasmhub run' only`);
  }
  const cacheDir = values['cache-dir'];
  if (cacheDir !== undefined && cacheDir.trim() === '') {
    throw new LoaderError(
      'ERR_USAGE',
      '--cache-dir needs a folder path, got an empty one: leave it out for the default',
    );
  }
  const deadline = values.deadline;
  if (deadline !== undefined && !/^\d+(\.\d+)?$/.test(deadline.trim())) {
    throw new LoaderError(
      'ERR_USAGE',
      `--deadline takes seconds (e.g. --deadline 120), got ${JSON.stringify(deadline)}`,
    );
  }
  // Loaded only past --help: the loader's modules are most of the CLI's start-up time.
  const { RuntimeLoader } = await import('./loader.ts');
  const reporter = createReporter(process.stderr, { quiet: Boolean(values.quiet) });
  state.endProgress = reporter.end;
  const options: RuntimeLoaderOptions = {
    ...(values.source ? { sources: values.source } : {}),
    ...(cacheDir !== undefined ? { cacheDir: resolve(cacheDir) } : {}),
    ...(deadline !== undefined ? { deadlineMs: Math.max(1, Math.round(Number(deadline) * 1000)) } : {}),
    offline: Boolean(values.offline),
    allowHttp: Boolean(values['allow-http']),
    onEvent: reporter,
  };
  const json = Boolean(values.json);
  const print = (value: unknown) => out.stdout(JSON.stringify(value));
  const loader = () => {
    const made = new RuntimeLoader(options);
    state.cacheDir = made.cacheDir;
    return made;
  };
  switch (command) {
    case 'get': {
      const [spec, ...extra] = rest;
      if (spec === undefined || extra.length > 0)
        throw new LoaderError('ERR_USAGE', 'usage: wasmhub get <lang>[@<version>]');
      const { language, version } = parseSpec(spec);
      const runtime = await loader().getRuntime(language, version ?? 'latest');
      if (json) print(runtime);
      else out.stdout(runtime.path);
      return 0;
    }
    case 'run': {
      const [spec] = rest;
      if (spec === undefined) throw new LoaderError('ERR_USAGE', HELP.run?.split('\n')[0] ?? 'usage: wasmhub run');
      const { language, version } = parseSpec(spec);
      const preopens = parseDirs(values.dir ?? []);
      const env = parseEnv(values.env ?? [], Boolean(values['env-inherit']));
      const instance = await loader().instantiate(language, version ?? 'latest', { args: guest ?? [], env, preopens });
      // While the guest runs, Ctrl-C ends the process at once (the guest runs synchronously).
      process.removeAllListeners('SIGINT');
      return instance.start();
    }
    case 'list': {
      noExtra(rest, 'list');
      const available = await loader().listAvailable();
      if (json) print(available);
      else
        for (const l of available) out.stdout(`${l.language}\tlatest ${l.latest}\tversions ${l.versions.join(', ')}`);
      return 0;
    }
    case 'info': {
      const [language, ...extra] = rest;
      if (language === undefined || extra.length > 0) throw new LoaderError('ERR_USAGE', 'usage: wasmhub info <lang>');
      const info = await loader().getLanguageInfo(assertLanguage(language));
      if (json) {
        print(info);
        return 0;
      }
      out.stdout(
        `${info.language}: latest ${info.latest}${info.license ? `, license ${info.license}` : ''}${info.source ? `, source ${info.source}` : ''}`,
      );
      for (const version of info.versions) {
        const e = info.entries[version];
        out.stdout(e ? `  ${version}\t${e.file}\t${e.size} bytes\tsha256 ${e.sha256}\t${e.wasi}` : `  ${version}`);
      }
      return 0;
    }
    case 'cache':
      return cacheCommand(rest, loader(), json, out, print, Boolean(values.online));
    default:
      throw new LoaderError(
        'ERR_USAGE',
        `unknown command ${JSON.stringify(command)}: use get, run, list, info or cache (wasmhub --help)`,
      );
  }
}

async function cacheCommand(
  rest: string[],
  loader: RuntimeLoader,
  json: boolean,
  out: Out,
  print: (v: unknown) => void,
  online: boolean,
): Promise<number> {
  const [sub, spec, ...extra] = rest;
  if (extra.length > 0) throw new LoaderError('ERR_USAGE', 'usage: wasmhub cache ls|clean|verify [<lang>[@<version>]]');
  const filter = spec === undefined ? undefined : parseSpec(spec);
  const matches = (c: { language: string; version: string }) =>
    !filter || (c.language === filter.language && (filter.version === undefined || c.version === filter.version));
  switch (sub) {
    case 'ls': {
      const cached = (await loader.listCached()).filter(matches);
      if (json) print(cached);
      else for (const c of cached) out.stdout(`${c.language}@${c.version}\t${c.size} bytes\t${c.path}`);
      return 0;
    }
    case 'clean': {
      await loader.clearCache(filter?.language, filter?.version);
      if (json) print({ cleaned: filter ?? 'all', cacheDir: loader.cacheDir });
      else
        out.stdout(
          `cleaned ${filter ? `${filter.language}${filter.version ? `@${filter.version}` : ''}` : 'everything'} in ${loader.cacheDir}`,
        );
      return 0;
    }
    case 'verify': {
      const results = (await loader.verifyCache({ online })).filter(matches);
      if (json) print(results);
      else
        for (const r of results)
          out.stdout(`${r.ok ? 'ok' : 'CORRUPT'}\t${r.language}@${r.version}${r.problem ? `\t${r.problem}` : ''}`);
      const bad = results.filter((r) => !r.ok);
      if (bad.length > 0) {
        if (!json)
          process.stderr.write(
            `wasmhub: ${bad.length} cached runtime(s) fail their integrity check; 'wasmhub get' fetches them again\n`,
          );
        return 1;
      }
      return 0;
    }
    default:
      throw new LoaderError('ERR_USAGE', `unknown cache command ${JSON.stringify(sub ?? '')}: use ls, clean or verify`);
  }
}

function noExtra(rest: string[], command: string): void {
  if (rest.length > 0)
    throw new LoaderError('ERR_USAGE', `wasmhub ${command} takes no argument, got ${JSON.stringify(rest[0])}`);
}

function parseSpec(spec: string): { language: string; version?: string } {
  const at = spec.indexOf('@');
  if (at < 0) return { language: assertLanguage(spec) };
  const version = spec.slice(at + 1);
  return {
    language: assertLanguage(spec.slice(0, at)),
    ...(version === 'latest' ? {} : { version: assertVersion(version) }),
  };
}

/** `--dir HOST[:GUEST]`: guest path -> absolute host path. The guest path defaults to HOST as written. */
function parseDirs(dirs: string[]): Record<string, string> {
  const preopens: Record<string, string> = {};
  for (const dir of dirs) {
    const colon = dir.indexOf(':');
    const host = colon < 0 ? dir : dir.slice(0, colon);
    const guest = colon < 0 ? dir : dir.slice(colon + 1);
    if (host === '' || guest === '') throw new LoaderError('ERR_USAGE', `--dir ${dir}: expected HOST[:GUEST]`);
    preopens[guest] = resolve(host);
  }
  return preopens;
}

/** `--env KEY=VALUE` (or `--env KEY`: the host's value) on top of nothing, or of the whole host environment. */
function parseEnv(entries: string[], inherit: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  if (inherit) for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const key = eq < 0 ? entry : entry.slice(0, eq);
    if (key === '') throw new LoaderError('ERR_USAGE', `--env ${entry}: expected KEY=VALUE or KEY`);
    if (eq >= 0) env[key] = entry.slice(eq + 1);
    else if (process.env[key] !== undefined) env[key] = process.env[key] as string;
  }
  return env;
}

const TRAP_STATUS = 134;

function exitStatusOf(error: LoaderError): number {
  if (error.code === 'ERR_USAGE' || error.code === 'ERR_INVALID_NAME') return 2;
  if (error.code === 'ERR_TRAP') return TRAP_STATUS;
  return 1;
}

function report(state: State, error: unknown): number {
  state.endProgress?.();
  if (error instanceof LoaderError) {
    if (state.json) {
      const { failures, ...context } = error.context;
      process.stderr.write(
        `${JSON.stringify({ error: { code: error.code, message: error.message, ...context, ...(failures ? { failures } : {}) } })}\n`,
      );
    } else process.stderr.write(`wasmhub: ${error.code}: ${error.message}\n`);
    return exitStatusOf(error);
  }
  const stack = (error as Error)?.stack ?? String(error);
  if (state.json) {
    process.stderr.write(`${JSON.stringify({ error: { code: 'ERR_UNEXPECTED', message: String(error), stack } })}\n`);
  } else process.stderr.write(`wasmhub: unexpected error\n${stack}\n`);
  return 1;
}

const state: State = { json: false };

// Ctrl-C while fetching: this process's temp files go, the progress line ends, and the exit status is 130.
// `on`, not `once`: proper-lockfile's signal-exit re-raises the signal when it sees no other listener left.
process.on('SIGINT', () => {
  state.endProgress?.();
  if (state.cacheDir) {
    void import('./cache.ts').then(({ removeOwnPartialsSync }) => {
      removeOwnPartialsSync(state.cacheDir as string);
      process.exit(130);
    });
  } else process.exit(130);
});

main(process.argv.slice(2), state).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = report(state, error);
  },
);
