// Regenerates packages/loader/src/manifest-validator.generated.ts from the root manifest.schema.json.
// Usage: npx tsx packages/loader/scripts/generate-validator.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { generateManifestValidator, manifestValidatorPath } from './manifest-validator-source.ts';

const source = generateManifestValidator();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(manifestValidatorPath, 'utf8');
  } catch {}
  if (current !== source) {
    process.stderr.write(
      `${manifestValidatorPath} is out of date: run npx tsx packages/loader/scripts/generate-validator.ts\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`${manifestValidatorPath} is up to date\n`);
} else {
  writeFileSync(manifestValidatorPath, source);
  process.stdout.write(`wrote ${manifestValidatorPath}\n`);
}
