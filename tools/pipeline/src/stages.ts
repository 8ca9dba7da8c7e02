// The pipeline's stages and the folder whose command.ts runs each one. cli.ts dispatches with it;
// the Nx plugin (tools/nx-plugin/index.ts) follows the imports of the same command.ts files to give
// each target exactly the sources it runs as inputs (tools/nx-plugin/index.test.ts keeps the two equal).
export const stageFolders = {
  // The build stage lives in compile/: a folder named build/ reads as build output to tools and people.
  build: 'compile',
  optimize: 'optimize',
  verify: 'verify',
  metadata: 'metadata',
  release: 'release',
  npm: 'release/npm',
} as const;

export type Stage = keyof typeof stageFolders;

export const stages = Object.keys(stageFolders) as Stage[];
