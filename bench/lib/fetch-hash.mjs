// The floor for `wasmhub get` (bench items 4 and 6): the least a Node program can do to get a file —
// `fetch` it, SHA-256 it, write it — with no retry, no fallback, no cache, no decompression, no lock.
// `node fetch-hash.mjs <url> <out-file>` prints the hex digest.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';

const [url, out] = process.argv.slice(2);
const response = await fetch(url);
if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
const bytes = new Uint8Array(await response.arrayBuffer());
const sha256 = createHash('sha256').update(bytes).digest('hex');
await writeFile(out, bytes);
process.stdout.write(`${sha256}\n`);
