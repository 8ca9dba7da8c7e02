// The few browser APIs the browser entry uses, typed here: the project compiles with lib ES2023 and Node's
// types, without the DOM lib (which would make Node code type-check against browser globals).

export interface WebResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly url: string;
  readonly redirected: boolean;
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | null;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}

export interface WebCache {
  match(key: string): Promise<WebResponse | undefined>;
  put(key: string, response: unknown): Promise<void>;
  delete(key: string): Promise<boolean>;
  keys(): Promise<{ url: string }[]>;
}

/** A compiled WebAssembly.Module (opaque: no DOM/WebAssembly lib typings). */
export type WasmModule = object;

interface Web {
  fetch(url: string, init: Record<string, unknown>): Promise<WebResponse>;
  Response: new (body: unknown, init?: { headers?: Record<string, string> }) => unknown;
  caches?: { open(name: string): Promise<WebCache>; delete(name: string): Promise<boolean> };
  crypto: { subtle: { digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer> } };
  DecompressionStream?: new (format: string) => TransformStream<Uint8Array, Uint8Array>;
  Blob: new (parts: Uint8Array[]) => { stream(): ReadableStream<Uint8Array> };
  WebAssembly: {
    compile(bytes: Uint8Array): Promise<WasmModule>;
    compileStreaming?(response: unknown): Promise<WasmModule>;
  };
}

export const web = (): Web => globalThis as unknown as Web;

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await web().crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** Whether this browser's DecompressionStream knows a format ('gzip', 'brotli'). */
export function canDecompress(format: string): boolean {
  const Stream = web().DecompressionStream;
  if (!Stream) return false;
  try {
    new Stream(format);
    return true;
  } catch {
    return false;
  }
}
