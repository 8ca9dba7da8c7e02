// `pipeline npm --from build/release/<tag> [--workspace packages/loader]... [--out DIR] [--publish]
//               [--dry-run] [--provenance] [--registry URL]`
// Packs @wasmhub/runtime-<lang> for every language of the staged release (and the given workspaces) into
// <release dir>-npm/; with --publish, publishes them (already-published identical versions are skipped).
// Registry: --registry, else WASMHUB_NPM_REGISTRY, else registry.npmjs.org. Token: NODE_AUTH_TOKEN
// (never on the command line); without one, npm's trusted publishing (OIDC in GitHub Actions) applies.
import { resolve } from 'node:path';
import { PipelineError } from '../../errors.ts';
import { runNpmRelease } from './npm-release.ts';

export async function run(argv: string[]): Promise<void> {
  const workspaces: string[] = [];
  let from: string | undefined;
  let out: string | undefined;
  let registry = process.env.WASMHUB_NPM_REGISTRY || undefined;
  let publish = false;
  let dryRun = false;
  let provenance = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v === '') throw new PipelineError('ERR_INVALID_OPTION', `${arg} needs a value`);
      return v;
    };
    if (arg === '--from') from = value();
    else if (arg === '--out') out = value();
    else if (arg === '--workspace') workspaces.push(value());
    else if (arg === '--registry') registry = value();
    else if (arg === '--publish') publish = true;
    else if (arg === '--dry-run') dryRun = true;
    else if (arg === '--provenance') provenance = true;
    else {
      throw new PipelineError(
        'ERR_INVALID_OPTION',
        `unknown npm option "${arg}"; usage: npm --from DIR [--workspace W]... [--out DIR] [--publish] [--dry-run] [--provenance] [--registry URL]`,
      );
    }
  }
  if (!from) throw new PipelineError('ERR_INVALID_OPTION', 'npm needs --from <staged release folder>');
  await runNpmRelease({
    releaseDir: resolve(from),
    ...(out ? { outDir: resolve(out) } : {}),
    workspaces,
    publish,
    dryRun,
    provenance,
    ...(registry ? { registry } : {}),
    ...(process.env.NODE_AUTH_TOKEN ? { token: process.env.NODE_AUTH_TOKEN } : {}),
  });
}
