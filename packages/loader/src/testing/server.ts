import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A fault the server injects on one request to a path. */
export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'reset' } // half the body, then a TCP reset
  | { kind: 'truncate' } // full Content-Length, half the body, then close
  | { kind: 'stall' } // headers and half the body, then nothing
  | { kind: 'body'; bytes: Buffer; contentLength?: boolean } // other bytes instead of the file
  | { kind: 'slow'; ms: number } // the right bytes, the second half after a pause
  | { kind: 'redirect'; location: string };

export interface RecordedRequest {
  method: string;
  path: string;
}

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  /** Inject `fault` on the next `times` requests to `/name`. */
  fault(name: string, fault: Fault, times?: number): void;
  /** Requests the server saw for one file name. */
  count(name: string): number;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1:0 serving `files` flat, recording requests and injecting faults. */
export async function startServer(files: Map<string, Buffer>): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const faults = new Map<string, { fault: Fault; times: number }[]>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push({ method: req.method ?? 'GET', path });
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

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fault(name, fault, times = 1) {
      const queue = faults.get(name) ?? [];
      queue.push({ fault, times });
      faults.set(name, queue);
    },
    count: (name) => requests.filter((r) => r.path === `/${name}`).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
