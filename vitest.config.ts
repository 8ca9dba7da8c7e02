import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript source in tests (as tsconfig.base.json `paths` does for
// tsc and tsx); the built dist/ is what npm publishes.
const alias = { '@wasmhub/contract': fileURLToPath(new URL('packages/contract/src/index.ts', import.meta.url)) };

// Two projects: fast unit tests run in parallel; tests that need the Docker engine
// (and the slow end-to-end tests) run one file at a time, since they share one engine.
const dockerTests = ['**/*.docker.test.ts', 'e2e/**/*.test.ts'];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tools/**/*.test.ts', 'packages/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: [...dockerTests, '**/node_modules/**', '**/dist/**', 'build/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'docker',
          include: dockerTests,
          exclude: ['**/node_modules/**', '**/dist/**', 'build/**'],
          fileParallelism: false,
          testTimeout: 1_800_000,
          hookTimeout: 1_800_000,
        },
      },
    ],
  },
});
