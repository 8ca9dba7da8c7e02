// Regenerates packages/loader/src/manifest-types.ts from manifest.schema.json.
// Usage: npx tsx scripts/generate-manifest-types.ts [--check]
import { writeFileSync } from 'node:fs';
import {
  generateManifestTypes,
  manifestTypesPath,
  readManifestTypes,
} from '../tools/pipeline/src/manifest/generate-types.ts';

const check = process.argv.includes('--check');
const source = await generateManifestTypes();
if (check) {
  let current = '';
  try {
    current = readManifestTypes();
  } catch {}
  if (current !== source) {
    process.stderr.write(`${manifestTypesPath} is out of date: run npx tsx scripts/generate-manifest-types.ts\n`);
    process.exit(1);
  }
  process.stdout.write(`${manifestTypesPath} is up to date\n`);
} else {
  writeFileSync(manifestTypesPath, source);
  process.stdout.write(`wrote ${manifestTypesPath}\n`);
}
