// The browser entry as a page gets it, and the real Chromium that runs it (tests and bench).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { builtinModules } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.WASMHUB_CHROMIUM ?? '/usr/bin/chromium';

/** Where Chromium is, or a message saying how to get it (under CI a missing browser fails, never skips). */
export function chromiumPresent(): boolean {
  return existsSync(CHROMIUM);
}

const entry = fileURLToPath(new URL('../browser.ts', import.meta.url));
const contract = fileURLToPath(new URL('../../../contract/src/index.ts', import.meta.url));

/**
 * Bundle src/browser.ts for a page (one ES module, platform browser). esbuild refuses node: built-ins for the
 * browser platform; `nodeImports` lists any the bundle's inputs still name (expected: none).
 */
export async function bundleBrowserEntry(): Promise<{ code: string; nodeImports: string[]; inputs: string[] }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    alias: { '@wasmhub/contract': contract },
  });
  const builtins = new Set(builtinModules);
  const nodeImports = Object.values(result.metafile.inputs)
    .flatMap((input) => input.imports.map((i) => i.path))
    .filter((path) => path.startsWith('node:') || builtins.has(path));
  return {
    code: result.outputFiles[0]?.text ?? '',
    nodeImports,
    inputs: Object.keys(result.metafile.inputs),
  };
}

/** The page: it imports the bundle as a module and puts its exports on `globalThis.wasmhub`. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>wasmhub browser entry</title>
<script type="importmap">{ "imports": { "@wasmhub/loader/browser": "/loader.js" } }</script>
<script type="module">import * as wasmhub from '/loader.js'; globalThis.wasmhub = wasmhub;</script>`;

/** Open the page and wait until the entry is loaded. */
export async function openPage(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => 'wasmhub' in globalThis);
}

/**
 * A loopback server for the page: `/` (the page; `@wasmhub/loader/browser` maps to the bundle), `/loader.js`
 * (the bundle) and, same-origin, the files of `release` under `/wasmhub/`.
 */
export async function startPageServer(
  bundle: string,
  release: Map<string, Buffer> = new Map(),
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const file = req.url?.startsWith('/wasmhub/') ? release.get(req.url.slice('/wasmhub/'.length)) : undefined;
    if (file) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.length });
      res.end(file);
    } else if (req.url === '/loader.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(bundle);
    } else if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Real headless Chromium with a fresh profile (Cache Storage lives there, so it outlives page reloads). */
export async function launchChromium(): Promise<{ context: BrowserContext; page: Page; close: () => Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'wasmhub-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}
