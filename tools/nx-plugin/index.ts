import { dirname } from 'node:path';
import type { CreateNodesV2 } from '@nx/devkit';

export const createNodesV2: CreateNodesV2 = [
  'runtimes/*/runtime.json',
  async (files) =>
    files.map((file) => {
      const root = dirname(file);
      const name = root.split('/').pop() as string;
      return [file, { projects: { [root]: { name, root, targets: { hello: { command: `echo hi ${name}` } } } } }];
    }),
];
