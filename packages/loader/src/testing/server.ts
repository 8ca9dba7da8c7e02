import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** A fault the server injects on one request to a path. */
export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'reset' } // half the body, then a TCP reset
  | { kind: 'truncate' } // full Content-Length, half the body, then close
  | { kind: 'stall' } // headers and half the body, then nothing
  | { kind: 'body'; bytes: Buffer; contentLength?: boolean } // other bytes instead of the file
  | { kind: 'slow'; ms: number } // the right bytes, the second half after a pause
  | { kind: 'redirect'; location: string }
  /**
   * A body that drips `bytes` every `everyMs` until the client goes away: with status 200 the file's own
   * bytes (Content-Length set, a slow download); with any other status endless filler (an error page that
   * never ends).
   */
  | { kind: 'drip'; status?: number; everyMs: number; bytes?: number };

export interface RecordedRequest {
  method: string;
  path: string;
  /** The Authorization header, when one was sent. */
  authorization?: string;
}

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  /** Inject `fault` on the next `times` requests to `/name`. */
  fault(name: string, fault: Fault, times?: number): void;
  /** Requests the server saw for one file name. */
  count(name: string): number;
  /** Connections (or TLS handshakes, for an https server) opened so far, and those still open. */
  connections(): { opened: number; open: number };
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1:0 serving `files` flat, recording requests and injecting faults
 * (`tls`: an https server with that key and certificate; `cors`: every answer allows any origin).
 */
export async function startServer(
  files: Map<string, Buffer>,
  options: { tls?: { key: string; cert: string }; cors?: boolean } = {},
): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const faults = new Map<string, { fault: Fault; times: number }[]>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    // A CDN's answer to pages of other origins (the browser entry's tests).
    if (options.cors) res.setHeader('access-control-allow-origin', '*');
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push({
      method: req.method ?? 'GET',
      path,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const name = path.slice(1);
    const queue = faults.get(name);
    const next = queue?.[0];
    if (next) {
      next.times--;
      if (next.times <= 0) queue.shift();
    }
    const bytes = files.get(name);
    const fault = next?.fault;
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
      res.end(`status ${fault.status}`);
      return;
    }
    if (fault?.kind === 'redirect') {
      res.writeHead(302, { location: fault.location });
      res.end();
      return;
    }
    if (fault?.kind === 'drip') {
      const status = fault.status ?? 200;
      const source = status === 200 && bytes ? bytes : undefined;
      res.writeHead(status, source ? { 'content-length': source.length } : { 'content-type': 'text/html' });
      let sent = 0;
      const step = fault.bytes ?? 1024;
      const timer = setInterval(() => {
        if (res.destroyed || res.writableEnded) {
          clearInterval(timer);
          timers.delete(timer);
          return;
        }
        const chunk = source ? source.subarray(sent, sent + step) : Buffer.alloc(step, 0x78);
        sent += chunk.length;
        if (source && sent >= source.length) {
          clearInterval(timer);
          timers.delete(timer);
          res.end(chunk);
        } else res.write(chunk);
      }, fault.everyMs);
      timers.add(timer);
      return;
    }
    if (fault?.kind === 'body') {
      res.writeHead(200, fault.contentLength === false ? {} : { 'content-length': fault.bytes.length });
      res.end(fault.bytes);
      return;
    }
    if (!bytes) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    const half = bytes.subarray(0, Math.floor(bytes.length / 2));
    if (!fault) {
      res.writeHead(200, { 'content-length': bytes.length, 'content-type': 'application/octet-stream' });
      res.end(bytes);
      return;
    }
    res.writeHead(200, { 'content-length': bytes.length });
    res.write(half);
    const later = (ms: number, run: () => void) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        run();
      }, ms);
      timers.add(timer);
    };
    switch (fault.kind) {
      case 'reset':
        later(20, () => res.socket?.resetAndDestroy());
        return;
      case 'truncate':
        later(20, () => res.socket?.end());
        return;
      case 'stall':
        return; // never finishes; the client's stall timeout must fire
      case 'slow':
        later(fault.ms, () => res.end(bytes.subarray(half.length)));
        return;
    }
  };

  const server = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handle)
    : createServer(handle);
  let opened = 0;
  server.on('connection', (socket: Socket) => {
    opened++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    fault(name, fault, times = 1) {
      const queue = faults.get(name) ?? [];
      queue.push({ fault, times });
      faults.set(name, queue);
    },
    count: (name) => requests.filter((r) => r.path === `/${name}`).length,
    connections: () => ({ opened, open: sockets.size }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer); // clears intervals too
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
