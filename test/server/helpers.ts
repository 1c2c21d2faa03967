/**
 * Helpers of the server tests: plain HTTP requests on loopback (node:http, which sends the path
 * exactly as given, so traversal attempts reach the server unnormalised), the WebSocket client of
 * the renderer over the `ws` package, a folder shaped like the built renderer, and the real engine
 * (KinscanService and its dispatcher) confined to a temporary folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createDispatcher, KinscanService, type Dispatcher } from '../../engine/service/index.js';
import { createWebSocketClient, type WebSocketClient } from '../../renderer/src/lib/ws-client.js';
import { exampleDir } from '../../server/package-root.js';
import type { RunningServer } from '../../server/serve.js';
import { tempDir } from '../helpers/tmp.js';

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request to 127.0.0.1:port; `path` is sent byte for byte. */
export function httpRequest(port: number, path: string, options: { method?: string; headers?: OutgoingHttpHeaders } = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** A folder shaped like out/renderer: index.html and one asset. */
export function fakeRendererDir(): string {
  const dir = join(tempDir('kinscan-renderer-'), 'renderer');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><script type="module" src="./assets/app.js"></script></head><body><div id="app"></div></body></html>\n');
  writeFileSync(join(dir, 'assets', 'app.js'), 'export const app = 1;\n');
  return dir;
}

/** The Cookie header a browser sends after trading the server's token. */
export async function tradeTokenForCookie(server: RunningServer): Promise<string> {
  const reply = await httpRequest(server.port, `/?token=${server.token}`);
  const setCookie = reply.headers['set-cookie']?.[0];
  if (reply.status !== 303 || setCookie === undefined) throw new Error(`token trade failed: ${reply.status}`);
  return setCookie.split(';', 1)[0] as string;
}

export interface SocketOptions {
  /** The Cookie header to send (else the token goes in the query). */
  cookie?: string;
  origin?: string;
  host?: string;
  path?: string;
}

/** A raw `ws` WebSocket to the server (authenticated by cookie, or by ?token= without one). */
export function openSocket(server: RunningServer, options: SocketOptions = {}): WebSocket {
  const path = options.path ?? (options.cookie === undefined ? `/ws?token=${server.token}` : '/ws');
  const headers: Record<string, string> = {};
  if (options.cookie !== undefined) headers['Cookie'] = options.cookie;
  if (options.host !== undefined) headers['Host'] = options.host;
  return new WebSocket(`ws://127.0.0.1:${server.port}${path}`, { headers, ...(options.origin !== undefined ? { origin: options.origin } : {}) });
}

/** The HTTP status with which the server refused a WebSocket upgrade (or 101 when it opened). */
export function upgradeStatus(socket: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      socket.terminate();
    });
    socket.on('error', reject);
  });
}

/** The renderer's client over a `ws` WebSocket, as the browser page uses it over the browser's. */
export function connectClient(server: RunningServer, options: SocketOptions = {}): WebSocketClient {
  return createWebSocketClient(openSocket(server, { origin: `http://127.0.0.1:${server.port}`, ...options }));
}

/** The real engine behind a host: a KinscanService confined to `dir`, and its dispatcher. */
export function realEngine(dir: string, options: { developer?: boolean } = {}): { service: KinscanService; dispatcher: Dispatcher } {
  const service = new KinscanService({
    exampleDir: exampleDir(),
    recentFile: join(dir, 'state', 'recent-projects.json'),
    filesRoot: dir,
    threads: 2,
    command: 'kinscan serve (test)',
    developer: options.developer ?? false,
  });
  return { service, dispatcher: createDispatcher(service, { developer: options.developer ?? false }) };
}
