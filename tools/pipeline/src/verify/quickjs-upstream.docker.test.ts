// QuickJS's own test suite (tests/ of the same Debian orig tarball the module is built from) run by
// the real javascript module, as built and as optimized by wasm-opt, under node:wasi. Upstream's `make test` runs these files with the
// native qjs; here each one runs with the wasm qjs in a WASI sandbox whose "/" is the extracted
// source tree. A file, or a test function of one, is left out only by name, with the reason.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildRuntime } from '../compile/build-runtime.ts';
import { ensureBuilderImage } from '../docker/image.ts';
import { containerOutputDir, containerUser, runContainer } from '../docker/run-container.ts';
import { optimizeModule } from '../optimize/optimize-module.ts';
import { loadRuntimeConfig } from '../runtime/config.ts';
import { describeDocker } from '../testing/require-docker.ts';
import { runWasi } from './run-wasi.ts';

const quiet = () => {};

/** Upstream's `make test` list (Makefile, target `test`), with the flags it passes. */
const UPSTREAM_FILES: { file: string; args: string[] }[] = [
  { file: 'test_closure.js', args: [] },
  { file: 'test_language.js', args: [] },
  { file: 'test_builtin.js', args: ['--std'] },
  { file: 'test_loop.js', args: [] },
  { file: 'test_bigint.js', args: [] },
  { file: 'test_std.js', args: [] },
  { file: 'test_worker.js', args: [] },
  { file: 'test_cyclic_import.js', args: [] },
  { file: 'test_bjson.js', args: [] },
];

/** Whole files that cannot apply to WASI. */
const EXCLUDED_FILES: Record<string, string> = {
  'test_worker.js': 'os.Worker needs threads; wasm32-wasip1 has none (new os.Worker() throws "not supported on WASI")',
  'test_bjson.js': 'imports the C module tests/bjson.so; WASI has no shared libraries (dlopen)',
};

/** Test functions of test_std.js (called one per line at its end) that cannot apply to WASI. */
const EXCLUDED_STD_TESTS: Record<string, string> = {
  test_popen: 'std.popen runs a shell; WASI has no processes',
  test_os:
    'its first statement runs /bin/sh through os.exec to learn whether stdin is a terminal; WASI has no processes',
  test_os_exec: 'os.exec, os.pipe, os.waitpid, os.kill, os.dup2: WASI has no processes or pipes',
};

/** test_std.js with the excluded calls commented out (each with its reason); fails if a name is missing. */
function withoutStdTests(source: string, excluded: Record<string, string>): string {
  let out = source;
  for (const [name, reason] of Object.entries(excluded)) {
    const call = new RegExp(`^${name}\\(\\);$`, 'm');
    if (!call.test(out)) throw new Error(`test_std.js has no top-level call ${name}();`);
    out = out.replace(call, `// ${name}(); excluded on WASI: ${reason}`);
  }
  return out;
}

await describeDocker("QuickJS's own tests/ under node:wasi (the javascript module)", (docker) => {
  let dir: string;
  const modules: Record<'raw' | 'optimized', string> = { raw: '', optimized: '' };
  let tree: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wasmhub-quickjs-upstream-'));
    const config = await loadRuntimeConfig('javascript');
    const version = config.versions[0];
    const source = version?.debianSource;
    if (!version || !source) throw new Error('runtimes/javascript/runtime.json has no Debian source');
    const [record] = await buildRuntime(docker, { lang: 'javascript', ver: version.label, outDir: dir, log: quiet });
    modules.raw = join(dir, record?.file ?? '');
    modules.optimized = join(dir, 'opt', record?.file ?? '');
    await optimizeModule({
      input: modules.raw,
      output: modules.optimized,
      level: version.wasmOpt,
      features: version.features,
      task: 'javascript',
      engine: 'native',
      connect: async () => docker,
      log: quiet,
    });
    // The tests come from the same pinned tarball, extracted in the builder image (network off).
    const image = await ensureBuilderImage(docker, 'wasi-c', { log: quiet });
    tree = await containerOutputDir(dir, 'tree-');
    const { exitCode, tail } = await runContainer(docker, {
      image: image.tag,
      cmd: [
        'sh',
        '-c',
        'set -eu; t="/opt/wasmhub/sources/$TARBALL"; [ "$(sha256sum "$t" | cut -d " " -f 1)" = "$SHA256" ]; tar -xf "$t" -C /out --strip-components=1 --no-same-owner --wildcards "*/tests/*"; mkdir /out/tmp',
      ],
      env: { TARBALL: source.tarball, SHA256: source.sha256 },
      user: containerUser().user,
      mounts: [{ host: tree, container: '/out' }],
      network: 'none',
      task: 'quickjs-tests',
      log: quiet,
    });
    expect(exitCode, tail.join('\n')).toBe(0);
    const std = await readFile(join(tree, 'tests/test_std.js'), 'utf8');
    await writeFile(join(tree, 'tests/test_std.wasi.js'), withoutStdTests(std, EXCLUDED_STD_TESTS));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const run = (wasm: string, file: string, args: string[]) =>
    // "/" is the source tree (the tests import ./assert.js and write tmp files next to
    // themselves); std.tmpfile() makes its files in $TMPDIR.
    runWasi(wasm, [...args, `tests/${file}`], { dir: tree, argv0: 'qjs', env: { TMPDIR: '/tmp' }, timeoutMs: 600_000 });

  for (const { file, args } of UPSTREAM_FILES) {
    const excluded = EXCLUDED_FILES[file];
    if (excluded) {
      it(`${file} is excluded: ${excluded}`, () => {
        expect(UPSTREAM_FILES.some((f) => f.file === file)).toBe(true);
      });
      continue;
    }
    const target = file === 'test_std.js' ? 'test_std.wasi.js' : file;
    const without = file === 'test_std.js' ? ` (without ${Object.keys(EXCLUDED_STD_TESTS).join(', ')})` : '';
    for (const kind of ['raw', 'optimized'] as const) {
      it(`${kind} module: qjs ${[...args, `tests/${file}`].join(' ')} passes${without}`, async () => {
        const result = await run(modules[kind], target, args);
        expect(result.stderr).toBe('');
        expect(result.exitCode).toBe(0);
      });
    }
  }

  it('the excluded upstream features fail with the clear WASI error, not a trap', async () => {
    const result = await runWasi(
      modules.optimized,
      [
        '--std',
        '-e',
        'for (const f of [() => os.exec(["sh"]), () => std.popen("ls", "r"), () => new os.Worker("w.js")]) { try { f() } catch (e) { console.log(String(e)) } }',
      ],
      { dir: tree, argv0: 'qjs' },
    );
    expect(result.stdout).toBe(
      [
        'TypeError: os.exec is not supported on WASI',
        'TypeError: std.popen is not supported on WASI',
        'TypeError: os.Worker is not supported on WASI',
        '',
      ].join('\n'),
    );
    expect(result.exitCode).toBe(0);
  });
});
