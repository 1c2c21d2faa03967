/**
 * Who may talk to `kinscan serve`, decided per HTTP request and WebSocket upgrade:
 *   - the Host header must name this server (127.0.0.1:PORT or localhost:PORT), else 403: a page
 *     on another domain that rebinds its DNS name to 127.0.0.1 still sends its own Host;
 *   - an Origin header, when present, must be this server's (http://127.0.0.1:PORT or
 *     http://localhost:PORT), else 403: browsers send it on every WebSocket handshake and on every
 *     non-GET request, so other sites' pages are refused. Requests without one (a command-line
 *     client) still need the token;
 *   - the token, from the query (?token=) or from the cookie it was traded for, else 401.
 */
import type { IncomingMessage } from 'node:http';
import { tokenMatches } from './token.js';

export type Verdict =
  | { ok: true; via: 'cookie' | 'query' }
  | { ok: false; status: 401 | 403; reason: string };

export interface GuardConfig {
  port: number;
  token: string;
  cookieName: string;
}

/** The cookie that carries the token: named for the port, as cookies are shared between ports. */
export function tokenCookieName(port: number): string {
  return `kinscan-token-${port}`;
}

/** Host header values naming this server. */
function allowedHosts(port: number): Set<string> {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (port === 80) hosts.push('127.0.0.1', 'localhost');
  return new Set(hosts);
}

/** Origins of this server's own pages. */
function allowedOrigins(port: number): Set<string> {
  const suffix = port === 80 ? '' : `:${port}`;
  return new Set([`http://127.0.0.1${suffix}`, `http://localhost${suffix}`]);
}

/** The value of one cookie in a Cookie header, if there. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The query's token, if the request URL has one. */
export function queryToken(url: URL): string | undefined {
  return url.searchParams.get('token') ?? undefined;
}

/** Host, then Origin, then the token; the first failure decides. */
export function checkRequest(req: IncomingMessage, url: URL, config: GuardConfig): Verdict {
  const host = req.headers.host?.toLowerCase();
  if (host === undefined || !allowedHosts(config.port).has(host)) {
    return { ok: false, status: 403, reason: 'the Host header does not name this server' };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins(config.port).has(origin.toLowerCase())) {
    return { ok: false, status: 403, reason: 'the request comes from another site' };
  }
  const fromQuery = queryToken(url);
  if (fromQuery !== undefined) {
    return tokenMatches(fromQuery, config.token) ? { ok: true, via: 'query' } : { ok: false, status: 401, reason: 'wrong token' };
  }
  const fromCookie = cookieValue(req.headers.cookie, config.cookieName);
  if (fromCookie !== undefined && tokenMatches(fromCookie, config.token)) return { ok: true, via: 'cookie' };
  return { ok: false, status: 401, reason: fromCookie === undefined ? 'no token' : 'wrong token' };
}
