import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from './generated-files.ts';

describe('generated files', () => {
  for (const file of generatedFiles) {
    it(`${file.path.split('/').slice(-3).join('/')} matches ${file.source} (run \`npm run generate\` on drift)`, async () => {
      expect(await readFile(file.path, 'utf8'), `${file.path} is stale: run npm run generate`).toBe(
        await file.generate(),
      );
    });
  }
});
