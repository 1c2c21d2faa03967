/**
 * The HTTP and WebSocket server of `kinscan serve`: bound to 127.0.0.1 only, it serves the built
 * renderer with strict security headers and speaks the protocol at /ws. Every request and upgrade
 * passes request-guard.ts (Host, Origin, token); the first page load with ?token= trades the token
 * for an HttpOnly, SameSite=Strict cookie and redirects to the same URL without it.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { InputError } from '../engine/io/errors.js';
import { checkRequest, tokenCookieName, type GuardConfig } from './request-guard.js';
import { securityHeaders } from './security-headers.js';
import { createSocketHost, type EngineDispatcher } from './socket-host.js';
import { cacheControlOf, contentTypeOf, lookupStatic } from './static-files.js';
import { newToken } from './token.js';

/** The only address the server listens on. */
export const LOOPBACK = '127.0.0.1';
export const SOCKET_PATH = '/ws';

export interface ServeOptions {
  dispatcher: EngineDispatcher;
  /** The built renderer (out/renderer); must hold index.html. */
  rendererDir: string;
  /** 0 (default): a free port. */
  port?: number;
  /** Largest message a client may send (default 16 MiB); a larger one closes its connection. */
  maxMessageBytes?: number;
  /** Requests in flight per connection (default 64). */
  maxPendingPerConnection?: number;
  /** Open WebSocket connections at most (default 32); more are refused with 503. */
  maxConnections?: number;
}

export interface RunningServer {
  /** The URL to open: http://127.0.0.1:PORT/?token=... */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** The bound address (always 127.0.0.1). */
  address(): AddressInfo;
  /** Stop: refuse new connections, close every socket (within about a second). Idempotent. */
  close(): Promise<void>;
}

const MiB = 1024 * 1024;
const CLOSE_GRACE_MS = 500;

/** The start of a path: what follows the first `?` is the query. */
const pathOf = (rawUrl: string): string => rawUrl.split('?', 1)[0] ?? '';

/** The request URL parsed for its query; the path used for files is the raw one. */
function parseRequestUrl(req: IncomingMessage, port: number): URL {
  try {
    return new URL(req.url ?? '/', `http://${LOOPBACK}:${port}`);
  } catch {
    return new URL(`http://${LOOPBACK}:${port}/`);
  }
}

/** Where the token trade redirects: the same path and query without the token, never off-site. */
function withoutToken(rawPath: string, url: URL): string {
  const query = new URLSearchParams(url.searchParams);
  query.delete('token');
  const rest = query.toString();
  return `${rawPath.replace(/^\/+/, '/')}${rest ? `?${rest}` : ''}`;
}

function refusalText(status: number, reason: string): string {
  if (status === 401) {
    return 'Kinscan: this page needs the link that `kinscan serve` printed (http://127.0.0.1:PORT/?token=...). Copy it from the terminal where the server runs.\n';
  }
  return `Kinscan: refused (${reason}).\n`;
}

/** Start serving; rejects with an InputError when the renderer is not built or the port is taken. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  if (!existsSync(join(options.rendererDir, 'index.html'))) {
    throw new InputError(
      'the browser app is not built (no index.html)',
      { file: options.rendererDir },
      'Build it once with `npm run build:app` in the kinscan folder, then run kinscan serve again',
    );
  }
  const rendererRoot = realpathSync(options.rendererDir);
  const maxConnections = options.maxConnections ?? 32;
  const socketHost = createSocketHost(options.dispatcher, {
    maxPending: options.maxPendingPerConnection ?? 64,
    maxBufferedBytes: 256 * MiB,
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? 16 * MiB, perMessageDeflate: false, clientTracking: false });
  const token = newToken();
  // Filled in once listening (the port may be chosen by the system).
  const guard: GuardConfig = { port: 0, token, cookieName: '' };
  let headers: Record<string, string> = {};
  let closing: Promise<void> | undefined;

  const respond = (res: ServerResponse, status: number, extra: Record<string, string>, body?: Buffer | string): void => {
    res.writeHead(status, { ...headers, ...extra });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  };
  const refuse = (res: ServerResponse, status: number, reason: string): void =>
    respond(res, status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, refusalText(status, reason));

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = parseRequestUrl(req, guard.port);
    const rawPath = pathOf(req.url ?? '/');
    const verdict = checkRequest(req, url, guard);
    if (!verdict.ok) return refuse(res, verdict.status, verdict.reason);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return respond(res, 405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, 'Kinscan: only GET here.\n');
    }
    if (verdict.via === 'query') {
      return respond(res, 303, {
        Location: withoutToken(rawPath, url),
        'Set-Cookie': `${guard.cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        'Cache-Control': 'no-store',
      });
    }
    if (rawPath === SOCKET_PATH) return refuse(res, 426, 'the protocol at /ws needs a WebSocket');
    const found = await lookupStatic(rendererRoot, rawPath);
    // Browsers ask for an icon the build may not have; no content, rather than a 404 in the console.
    if (!found.ok && rawPath === '/favicon.ico') return respond(res, 204, { 'Cache-Control': 'private, max-age=86400' });
    if (!found.ok) return refuse(res, found.status, found.status === 400 ? 'that path is not allowed' : 'no such file');
    const body = await readFile(found.file);
    respond(res, 200, { 'Content-Type': contentTypeOf(found.file), 'Content-Length': String(body.length), 'Cache-Control': cacheControlOf(rendererRoot, found.file) }, body);
  };

  const rejectUpgrade = (socket: Duplex, status: number, reason: string): void => {
    const body = refusalText(status, reason);
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  const server = createServer((req, res) => {
    onRequest(req, res).catch((e: unknown) => {
      if (!res.headersSent) refuse(res, 500, `internal error: ${e instanceof Error ? e.message : String(e)}`);
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const verdict = checkRequest(req, parseRequestUrl(req, guard.port), guard);
    if (!verdict.ok) return rejectUpgrade(socket, verdict.status, verdict.reason);
    if (pathOf(req.url ?? '/') !== SOCKET_PATH) return rejectUpgrade(socket, 404, 'no WebSocket here');
    if (closing !== undefined) return rejectUpgrade(socket, 503, 'kinscan serve is shutting down');
    if (socketHost.size >= maxConnections) return rejectUpgrade(socket, 503, `already ${maxConnections} connections`);
    wss.handleUpgrade(req, socket, head, (ws) => socketHost.accept(ws));
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(
        e.code === 'EADDRINUSE'
          ? new InputError(`port ${options.port ?? 0} on ${LOOPBACK} is in use`, {}, 'Choose another with --port N, or leave --port out for a free one')
          : e,
      );
    };
    server.once('error', onError);
    server.listen({ port: options.port ?? 0, host: LOOPBACK, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  guard.port = address.port;
  guard.cookieName = tokenCookieName(address.port);
  headers = securityHeaders(address.port);

  return {
    url: `http://${LOOPBACK}:${address.port}/?token=${token}`,
    port: address.port,
    token,
    address: () => server.address() as AddressInfo,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await socketHost.close(CLOSE_GRACE_MS);
        wss.close();
        server.closeAllConnections();
        await stopped;
      })();
      return closing;
    },
  };
}
