// The runtime packages of a release, as data: one npm package per language, `@wasmhub/runtime-<lang>`,
// version = the release version, holding that language's flat release files exactly as staged
// (modules, .gz/.br variants, companions, <lang>-manifest.json), the global manifest.json and a
// SHA256SUMS of the package's own files. jsDelivr/unpkg then serve `/npm/<pkg>@<version>/<file>` as the
// release's bytes. Pure: the staged files in, the package files out (byte-identical for identical input).
import { PipelineError } from '../../errors.ts';
import { compareNames, formatSha256Sums, sha256Hex } from '../../kit/digest.ts';
import { SHA256SUMS } from '../assemble.ts';
import type { GlobalManifest } from '../manifest-shapes.ts';

export const NPM_SCOPE = '@wasmhub';
export const runtimePackageName = (lang: string, scope = NPM_SCOPE): string => `${scope}/runtime-${lang}`;

export interface PackageMeta {
  /** e.g. https://github.com/wasmhub/wasmhub */
  repositoryUrl: string;
  scope?: string;
}

export interface PackageSpec {
  name: string;
  version: string;
  /** File name -> bytes, package.json and README.md included; every name is flat. */
  files: Map<string, Buffer>;
}

interface FileRef {
  file: string;
  variants?: { br?: { file: string }; gz?: { file: string } };
}

/** Every release file of one language: its modules, their variants, companions and variants, per-language manifest. */
export function languageFiles(manifest: GlobalManifest, lang: string): string[] {
  const language = manifest.languages[lang];
  if (!language) throw new PipelineError('ERR_RELEASE', `manifest.json lists no language ${lang}`);
  const names = new Set<string>([`${lang}-manifest.json`]);
  const add = (ref: FileRef): void => {
    names.add(ref.file);
    if (ref.variants?.br) names.add(ref.variants.br.file);
    if (ref.variants?.gz) names.add(ref.variants.gz.file);
  };
  for (const entry of Object.values(language.files ?? {})) {
    add(entry as FileRef);
    for (const companion of ((entry as { companions?: FileRef[] }).companions ?? []) as FileRef[]) add(companion);
  }
  return [...names].sort(compareNames);
}

function readme(name: string, lang: string, version: string, manifest: GlobalManifest, files: string[]): string {
  const language = manifest.languages[lang];
  const latest = language?.latest ?? '';
  const example = language?.files?.[latest]?.file ?? `${lang}-<version>.wasm`;
  return [
    `# ${name}`,
    '',
    `The ${lang} runtimes (wasm32-wasip1 command modules) of WasmHub release v${version}:`,
    `versions ${(language?.versions ?? []).join(', ')} (latest ${latest}).`,
    '',
    'The files are the GitHub release assets, byte for byte; `manifest.json` (every language of the',
    `release) and \`${lang}-manifest.json\` give each file's size and SHA-256, and \`sha256sum -c SHA256SUMS\``,
    'checks this package.',
    '',
    '```sh',
    `npx @wasmhub/loader get ${lang}@${latest}      # the loader falls back to this package through jsDelivr`,
    `curl -LO https://cdn.jsdelivr.net/npm/${name}@${version}/${example}`,
    `npm install ${name}@${version}              # then e.g. new URL('${name}/${example}', import.meta.url) in a bundler`,
    '```',
    '',
    `Files: ${files.join(', ')}.`,
    '',
  ].join('\n');
}

/**
 * The npm packages of a staged release. `read(name)` returns a staged file's bytes; every file the global
 * manifest names for a language must be there, and its SHA-256 must match the manifest.
 */
export async function runtimePackages(
  read: (name: string) => Promise<Buffer>,
  meta: PackageMeta,
): Promise<PackageSpec[]> {
  const manifestBytes = await read('manifest.json');
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as GlobalManifest;
  const version = manifest.version;
  const packages: PackageSpec[] = [];
  for (const lang of Object.keys(manifest.languages).sort(compareNames)) {
    const name = runtimePackageName(lang, meta.scope);
    const fileNames = languageFiles(manifest, lang);
    const expected = expectedDigests(manifest, lang);
    const files = new Map<string, Buffer>();
    for (const file of fileNames) {
      const bytes = await read(file);
      const want = expected.get(file);
      if (want !== undefined && sha256Hex(bytes) !== want) {
        throw new PipelineError(
          'ERR_INTEGRITY',
          `${file}: sha256 differs from manifest.json; stage the release again`,
          {
            context: { file, package: name },
          },
        );
      }
      files.set(file, bytes);
    }
    files.set('manifest.json', manifestBytes);
    const listed = [...files.keys()].sort(compareNames);
    files.set(
      SHA256SUMS,
      Buffer.from(
        formatSha256Sums(listed.map((file) => ({ name: file, sha256: sha256Hex(files.get(file) as Buffer) }))),
      ),
    );
    const language = manifest.languages[lang];
    const packageJson = {
      name,
      version,
      description: `WasmHub ${lang} runtimes (wasm32-wasip1): ${(language?.versions ?? []).join(', ')}`,
      keywords: ['wasmhub', 'webassembly', 'wasm', 'wasi', lang],
      license: language?.license ?? 'MIT',
      homepage: `${meta.repositoryUrl}#readme`,
      repository: { type: 'git', url: `git+${meta.repositoryUrl}.git` },
      publishConfig: { access: 'public' },
      wasmhub: { language: lang, release: version, latest: language?.latest },
    };
    files.set('package.json', Buffer.from(`${JSON.stringify(packageJson, null, 2)}\n`));
    files.set('README.md', Buffer.from(readme(name, lang, version, manifest, listed)));
    packages.push({ name, version, files });
  }
  return packages;
}

function expectedDigests(manifest: GlobalManifest, lang: string): Map<string, string> {
  const out = new Map<string, string>();
  const add = (ref: { file: string; sha256?: string }) => {
    if (ref.sha256) out.set(ref.file, ref.sha256);
  };
  for (const entry of Object.values(manifest.languages[lang]?.files ?? {})) {
    const e = entry as { file: string; sha256: string; variants?: Record<string, { file: string; sha256: string }> };
    add(e);
    for (const variant of Object.values(e.variants ?? {})) add(variant);
    for (const companion of (entry as { companions?: { file: string; sha256: string }[] }).companions ?? []) {
      add(companion);
    }
  }
  return out;
}
