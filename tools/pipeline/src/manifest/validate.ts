// Validation helpers over manifest.schema.json (the contract's precompiled checks): every error carries the JSON path of the offending value.
import {
  detectManifestKind,
  type GlobalManifest,
  type LanguageManifest,
  type ManifestKind,
  manifestChecks,
} from '@wasmhub/contract';
import type { ErrorObject } from 'ajv';
import { PipelineError } from '../errors.ts';

export interface ManifestIssue {
  /** JSONPath of the offending value, e.g. `$.versions["1.24"].sha256`. */
  path: string;
  message: string;
}

/** JSON pointer (`/versions/1.24/sha256`) to JSONPath (`$.versions["1.24"].sha256`). */
export function pointerToJsonPath(pointer: string): string {
  if (pointer === '') return '$';
  return `$${pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((key) =>
      /^[0-9]+$/.test(key)
        ? `[${key}]`
        : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)
          ? `.${key}`
          : `[${JSON.stringify(key)}]`,
    )
    .join('')}`;
}

function toIssue(error: ErrorObject): ManifestIssue {
  let path = pointerToJsonPath(error.instancePath);
  let message = error.message ?? 'is invalid';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    path = pointerToJsonPath(`${error.instancePath}/${String(params.missingProperty)}`);
    message = 'is required';
  } else if (error.keyword === 'additionalProperties') {
    path = pointerToJsonPath(`${error.instancePath}/${String(params.additionalProperty)}`);
    message = 'is not allowed here';
  } else if (error.keyword === 'propertyNames') {
    message = `has an invalid key ${JSON.stringify(params.propertyName)}`;
  }
  return { path, message };
}

/** Validates a manifest; returns [] when valid. Errors of the same path are kept in schema order. */
export function validateManifest(doc: unknown, kind: ManifestKind = detectManifestKind(doc)): ManifestIssue[] {
  const fn = manifestChecks[kind];
  if (fn(doc)) return [];
  const seen = new Set<string>();
  const issues: ManifestIssue[] = [];
  for (const error of fn.errors ?? []) {
    // propertyNames reports both the name and the nested failure; keep one line per problem.
    if (error.propertyName !== undefined && error.keyword !== 'propertyNames') continue;
    const issue = toIssue(error);
    const key = `${issue.path} ${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

export function formatIssues(issues: ManifestIssue[]): string {
  return issues.map((i) => `${i.path} ${i.message}`).join('; ');
}

function assertKind<T>(doc: unknown, kind: ManifestKind, source: string): T {
  const issues = validateManifest(doc, kind);
  if (issues.length > 0) {
    throw new PipelineError(
      'ERR_MANIFEST_INVALID',
      `${source}: not a valid ${kind} manifest (manifest.schema.json): ${formatIssues(issues)}`,
      { context: { source, kind, issues } },
    );
  }
  return doc as T;
}

/** Throws ERR_MANIFEST_INVALID naming `source` and each error's JSON path; returns the typed document. */
export function assertLanguageManifest(doc: unknown, source: string): LanguageManifest {
  return assertKind<LanguageManifest>(doc, 'language', source);
}

export function assertGlobalManifest(doc: unknown, source: string): GlobalManifest {
  return assertKind<GlobalManifest>(doc, 'global', source);
}
