// No orphaned processes: when the process running a module dies without a word (SIGKILL, a killed
// test worker), the node:wasi child it started must not outlive it, even with the module stuck in a
// loop that holds the child's main thread.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import binaryen from 'binaryen';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** _start writes "looping\n" to stdout, then loops forever without another call to the host. */
const loopingWat = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "looping\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 8))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (loop $forever (br $forever))))`;

let dir = '';
let wasm = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasmhub-orphans-'));
  wasm = join(dir, 'looping.wasm');
  const module = binaryen.parseText(loopingWat);
  try {
    await writeFile(wasm, module.emitBinary());
  } finally {
    module.dispose();
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Live (not zombie) processes whose command line mentions `text`: pid -> command line. */
async function processesMentioning(text: string): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').join(' ');
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (cmdline.includes(text) && state !== 'Z') found.set(Number(entry), cmdline);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Resolves once `check` returns true; gives up (returning false) after `limitMs`. */
async function waitFor(check: () => Promise<boolean>, limitMs: number): Promise<boolean> {
  for (const deadline = Date.now() + limitMs; Date.now() < deadline; await sleep(100)) {
    if (await check()) return true;
  }
  return check();
}

describe('runWasi leaves no process behind', () => {
  it('a child running a looping module exits when its parent is SIGKILLed', async () => {
    // The parent's temporary files (the child's config and the module's stdout) go under `scratch`,
    // which names every process of this run: the child's argv holds its config path.
    const scratch = await mkdtemp(join(dir, 'tmp-'));
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
    const parentScript = new URL('../testing/run-wasi-parent.ts', import.meta.url);
    const parent = spawn(process.execPath, ['--import', tsx, parentScript.pathname, wasm], {
      env: { ...process.env, TMPDIR: scratch },
      stdio: 'ignore',
    });
    const parentGone = new Promise((resolve) => parent.on('exit', resolve));
    try {
      // The module is in its loop once it has written its line.
      const looping = async () => {
        for (const out of (await readdir(scratch)).filter((name) => name.startsWith('wasmhub-wasi-out-'))) {
          const stdout = await readFile(join(scratch, out, 'stdout'), 'utf8').catch(() => '');
          if (stdout === 'looping\n') return true;
        }
        return false;
      };
      expect(await waitFor(looping, 120_000), 'the module started looping').toBe(true);
      const children = await processesMentioning(scratch);
      expect([...children.values()]).toEqual([expect.stringMatching(/wasi-child\.ts /)]);

      parent.kill('SIGKILL');
      await parentGone;
      const noneLeft = await waitFor(async () => (await processesMentioning(scratch)).size === 0, 30_000);
      expect(noneLeft ? [] : [...(await processesMentioning(scratch)).values()], 'processes left').toEqual([]);
    } finally {
      parent.kill('SIGKILL');
      for (const pid of (await processesMentioning(scratch)).keys()) process.kill(pid, 'SIGKILL');
    }
  });
});
