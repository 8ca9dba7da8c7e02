import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests run in parallel; tests that need the Docker engine
// (and the slow end-to-end tests) run one file at a time, since they share one engine.
const dockerTests = ['**/*.docker.test.ts', 'e2e/**/*.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tools/**/*.test.ts', 'packages/**/*.test.ts', 'bench/**/*.test.ts'],
          exclude: [...dockerTests, '**/node_modules/**', '**/dist/**', 'build/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
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
