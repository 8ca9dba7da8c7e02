// The help text of the Go and Rust runtime programs, generated from the contract's `usage` in
// runtimes/conformance.json: one home for the text, a Go and a Rust constant made from it. The build
// container sees only runtimes/<lang>/, so each program carries its generated copy; `npm run generate`
// writes both and scripts/generated-files.test.ts fails when either drifts from conformance.json.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const contractPath = here('../../../runtimes/conformance.json');

export const goUsagePath = here('../../../runtimes/go/usage.generated.go');
export const rustUsagePath = here('../../../runtimes/rust/src/usage.generated.rs');

function contractUsage(): string {
  const { usage } = JSON.parse(readFileSync(contractPath, 'utf8')) as { usage?: unknown };
  if (typeof usage !== 'string' || usage.includes('`') || usage.includes('"#')) {
    throw new Error(
      `${contractPath}: "usage" must be a string without \` or "# (it becomes a Go and a Rust raw string)`,
    );
  }
  return usage;
}

const header = (comment: string) =>
  `${comment} Code generated from runtimes/conformance.json ("usage") by npm run generate. DO NOT EDIT.\n`;

export function generateGoUsage(): string {
  return `${header('//')}\npackage main\n\n// usage is the help text: the contract's "usage".\nconst usage = \`${contractUsage()}\`\n`;
}

export function generateRustUsage(): string {
  return `${header('//')}\n/// The help text: the contract's "usage".\npub const USAGE: &str = r#"${contractUsage()}"#;\n`;
}
