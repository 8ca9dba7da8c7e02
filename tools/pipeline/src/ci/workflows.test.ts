// The GitHub Actions workflows, checked two ways:
// 1. @action-validator/core (the validator installed from npm, runs offline as WebAssembly) finds no error;
// 2. release.yml, parsed with `yaml`, is wired to the pipeline: its matrix comes from the script, each
//    build runs exactly pipelineCommand(lang, ver), and every job has only the permissions it needs.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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

  it('pins every action to a major version tag', async () => {
    const { doc } = await loadWorkflow(name);
    const uses = allSteps(doc).flatMap((s) => (s.uses === undefined ? [] : [s.uses]));
    expect(uses.length).toBeGreaterThan(0);
    for (const ref of uses) expect(ref).toMatch(/^actions\/[a-z-]+(\/[a-z-]+)?@v[0-9]+$/);
  });

  it('reads the repository only, unless a job says otherwise', async () => {
    const { doc } = await loadWorkflow(name);
    expect(doc.permissions).toEqual({ contents: 'read' });
    expect(doc.concurrency?.group).toContain(expr('github.ref'));
  });
});

describe('ci.yml', () => {
  it('runs on push and pull request: npm ci, lint, type-check, docker:up, npm test', async () => {
    const { doc } = await loadWorkflow('ci.yml');
    expect(Object.keys(doc.on).sort()).toEqual(['pull_request', 'push']);
    const [job, ...others] = Object.values(doc.jobs);
    expect(others).toEqual([]);
    expect(job?.permissions).toBeUndefined();
    const setupNode = stepUsing(job as Job, 'actions/setup-node');
    expect(setupNode?.with).toMatchObject({ 'node-version': 20, cache: 'npm' });
    const runs = (job as Job).steps.flatMap((s) => (s.run === undefined ? [] : [s.run.trim()]));
    expect(runs).toEqual(['npm ci', 'npm run lint', 'npm run typecheck', 'npm run docker:up', 'npm test']);
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

  it('has a matrix job, a build job per version, a release job and an attest job, in that order', () => {
    const jobs = release.jobs;
    expect(Object.keys(jobs)).toEqual(['matrix', 'build', 'release', 'attest']);
    expect(asList(jobs.build?.needs)).toEqual(['matrix']);
    expect(asList(jobs.release?.needs)).toEqual(['build']);
    expect(asList(jobs.attest?.needs)).toEqual(['release']);
    expect(jobs.build?.strategy?.matrix).toBe(expr('fromJSON(needs.matrix.outputs.matrix)'));
  });

  it('builds exactly pipelineCommand(lang, ver) for every version of every runtime.json', async () => {
    const build = release.jobs.build as Job;
    const commandSteps = build.steps.filter((s) => s.run?.includes('matrix.command'));
    expect(commandSteps.map((s) => s.run?.trim())).toEqual([expr('matrix.command')]);

    const expected: string[] = [];
    for (const lang of await listRuntimes()) {
      for (const { label } of (await loadRuntimeConfig(lang)).versions) expected.push(pipelineCommand(lang, label));
    }
    expect(expected.length).toBeGreaterThan(1);
    const commands = matrix.include.map((entry) =>
      String(commandSteps[0]?.run).trim().replace(expr('matrix.command'), entry.command),
    );
    expect(commands).toEqual(expected);
    for (const entry of matrix.include) expect(entry.command).toBe(pipelineCommand(entry.language, entry.version));
  });

  it('prepares Docker and caches builder images and Nx between runs', () => {
    const build = release.jobs.build as Job;
    const index = (pred: (s: Step) => boolean) => build.steps.findIndex(pred);
    const command = index((s) => s.run?.trim() === expr('matrix.command'));
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
      expect(entry.paths.split('\n')).toContain(`runtimes/${entry.language}/manifest.json`);
      expect(entry.paths).toContain(`build/${entry.language}/opt/${entry.language}-${entry.version}.wasm`);
    }

    const job = release.jobs.release as Job;
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

  it('stages and checks the release without credentials, then publishes it (--dry-run on a dry run), then commits back', () => {
    const job = release.jobs.release as Job;
    expect(job.env?.DRY_RUN).toBe(expr("github.event_name == 'workflow_dispatch' && inputs.dry_run"));
    const at = (pred: (s: Step) => boolean) => job.steps.findIndex(pred);
    const releases = job.steps.filter((s) => s.run?.includes('tools/pipeline/src/cli.ts'));
    expect(releases).toHaveLength(2);
    const [stage, publish] = releases as [Step, Step];
    expect(stage.run?.trim()).toBe('npx tsx tools/pipeline/src/cli.ts release --tag "$TAG"');
    expect(stage.env?.GITHUB_TOKEN).toBe('');
    expect(publish.run).toContain('args=(release --tag "$TAG")');
    expect(publish.run).toMatch(/if \[\[ "\$DRY_RUN" == true \]\]; then args\+=\(--dry-run\); fi/);
    expect(publish.env?.GITHUB_TOKEN).toBe(expr('github.token'));
    for (const step of [stage, publish]) expect(step.env?.TAG).toBe(expr('steps.tag.outputs.tag'));

    const check = at((s) => s.run?.includes('sha256sum --check') === true);
    const upload = at((s) => s.uses?.startsWith('actions/upload-artifact@') === true);
    const commit = at((s) => s.run?.includes('git push') === true);
    expect(job.steps[check]?.['working-directory']).toBe(`build/release/${expr('steps.tag.outputs.tag')}`);
    // stage -> check -> upload -> publish -> commit back
    const order = [at((s) => s === stage), check, upload, at((s) => s === publish), commit];
    expect(order[0]).toBeGreaterThan(0);
    for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThan(order[i - 1] as number);

    const commitStep = job.steps[commit] as Step;
    expect(commitStep.if).toBe("env.DRY_RUN != 'true'");
    expect(commitStep.run).toContain('files=(manifest.json SHA256SUMS runtimes/*/manifest.json)');
    expect(commitStep.env?.BRANCH).toBe(expr('github.event.repository.default_branch'));
  });

  it('attests build provenance for the released .wasm files, never on a dry run', () => {
    const job = release.jobs.attest as Job;
    expect(job.if).toBe(expr("!(github.event_name == 'workflow_dispatch' && inputs.dry_run)"));
    const attest = stepUsing(job, 'actions/attest-build-provenance');
    expect(attest?.with?.['subject-path']).toBe(`build/release/${expr('needs.release.outputs.tag')}/*.wasm`);
    expect(stepUsing(job, 'actions/download-artifact')?.with?.name).toBe(
      `release-${expr('needs.release.outputs.tag')}`,
    );
  });

  it('grants write permissions per job: contents only to release, id-token and attestations only to attest', () => {
    const granted = Object.fromEntries(Object.entries(release.jobs).map(([name, job]) => [name, job.permissions]));
    expect(granted).toEqual({
      matrix: undefined,
      build: undefined,
      release: { contents: 'write' },
      attest: { contents: 'read', 'id-token': 'write', attestations: 'write' },
    });
    // Only the release job's checkout keeps a token for `git push`.
    for (const [name, job] of Object.entries(release.jobs)) {
      const checkout = stepUsing(job, 'actions/checkout');
      if (checkout === undefined) continue;
      expect(checkout.with?.['persist-credentials'] ?? true, name).toBe(name === 'release');
    }
  });
});
