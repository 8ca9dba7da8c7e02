#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LoaderError } from './errors.ts';
import type { RuntimeLoader } from './loader.ts';
import { assertLanguage, assertVersion } from './names.ts';
import type { RuntimeLoaderOptions } from './options.ts';
import { createReporter } from './progress.ts';

const USAGE = `usage: wasmhub <command> [options]
  get <lang>[@<version>]      fetch a runtime into the cache; prints its absolute path last
  list                        languages and versions the sources offer
  info <lang>                 versions, sizes and hashes of one language
  cache ls|clean|verify [<lang>[@<version>]]
options:
  --source URL|DIR            a source (repeatable; default WASMHUB_SOURCES, else GitHub Releases then jsDelivr)
  --cache-dir DIR             cache folder (default WASMHUB_CACHE_DIR, else ~/.cache/wasmhub)
  --offline                   never use the network
  --deadline SECONDS          give up after this long in all (default 600)
  --online                    cache verify: also compare each entry with a source's manifest
  --allow-http                allow plain http:// to non-loopback hosts
  --json                      machine-readable output
  --quiet                     no progress output
  -h, --help                  this text`;

const OPTIONS = {
  source: { type: 'string', multiple: true },
  'cache-dir': { type: 'string' },
  offline: { type: 'boolean' },
  deadline: { type: 'string' },
  online: { type: 'boolean' },
  'allow-http': { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Out = { stdout: (line: string) => void };

async function main(
  argv: string[],
  out: Out = { stdout: (line) => process.stdout.write(`${line}\n`) },
): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const flag = /option '([^']+)'/i.exec(message)?.[1];
    throw new LoaderError(
      'ERR_USAGE',
      flag ? `unknown or malformed option ${flag}: see wasmhub --help` : `${message.split('\n')[0]}`,
    );
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    out.stdout(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  // Loaded only past --help: the loader's modules are most of the CLI's start-up time.
  const { RuntimeLoader } = await import('./loader.ts');
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
  const options: RuntimeLoaderOptions = {
    ...(values.source ? { sources: values.source } : {}),
    ...(cacheDir !== undefined ? { cacheDir: resolve(cacheDir) } : {}),
    ...(deadline !== undefined ? { deadlineMs: Math.max(1, Math.round(Number(deadline) * 1000)) } : {}),
    offline: Boolean(values.offline),
    allowHttp: Boolean(values['allow-http']),
    onEvent: createReporter(process.stderr, { quiet: Boolean(values.quiet) }),
  };
  const json = Boolean(values.json);
  const print = (value: unknown) => out.stdout(JSON.stringify(value));
  switch (command) {
    case 'get': {
      const [spec, ...extra] = rest;
      if (spec === undefined || extra.length > 0)
        throw new LoaderError('ERR_USAGE', 'usage: wasmhub get <lang>[@<version>]');
      const { language, version } = parseSpec(spec);
      const runtime = await new RuntimeLoader(options).getRuntime(language, version ?? 'latest');
      if (json) print(runtime);
      else out.stdout(runtime.path);
      return 0;
    }
    case 'list': {
      noExtra(rest, 'list');
      const available = await new RuntimeLoader(options).listAvailable();
      if (json) print(available);
      else
        for (const l of available) out.stdout(`${l.language}\tlatest ${l.latest}\tversions ${l.versions.join(', ')}`);
      return 0;
    }
    case 'info': {
      const [language, ...extra] = rest;
      if (language === undefined || extra.length > 0) throw new LoaderError('ERR_USAGE', 'usage: wasmhub info <lang>');
      const info = await new RuntimeLoader(options).getLanguageInfo(assertLanguage(language));
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
      return cacheCommand(rest, new RuntimeLoader(options), json, out, print, Boolean(values.online));
    default:
      throw new LoaderError('ERR_USAGE', `unknown command ${JSON.stringify(command)}: use get, list, info or cache`);
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof LoaderError) {
      process.stderr.write(`wasmhub: ${error.code}: ${error.message}\n`);
      process.exitCode = error.code === 'ERR_USAGE' || error.code === 'ERR_INVALID_NAME' ? 2 : 1;
    } else {
      process.stderr.write(`wasmhub: unexpected error\n${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
