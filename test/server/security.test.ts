/**
 * The refusals of `kinscan serve`, with real HTTP and WebSocket requests on 127.0.0.1: token
 * (401), token trade (HttpOnly, SameSite=Strict cookie), foreign Origin (403), foreign Host (403,
 * DNS rebinding), path traversal raw and encoded, symlinks out of the folder, the strict CSP and
 * the other headers, and the loopback-only bind.
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/serve.js';
import { tempDir } from '../helpers/tmp.js';
import { fakeRendererDir, httpRequest, openSocket, realEngine, tradeTokenForCookie, upgradeStatus } from './helpers.js';

let server: RunningServer;
let cookie: string;
let rendererDir: string;
const { dispatcher } = realEngine(tempDir('kinscan-serve-root-'));

beforeAll(async () => {
  rendererDir = fakeRendererDir();
  const outside = join(tempDir('kinscan-outside-'), 'secret.txt');
  writeFileSync(outside, 'secret outside the renderer\n');
  symlinkSync(outside, join(rendererDir, 'assets', 'leak.txt'));
  server = await startServer({ dispatcher, rendererDir, port: 0 });
  cookie = await tradeTokenForCookie(server);
});
afterAll(async () => {
  await server.close();
  await dispatcher.close();
});

describe('kinscan serve: where it listens and what it prints', () => {
  it('binds 127.0.0.1 only, on the port it prints, with a 128-bit token in the URL', async () => {
    const address = server.address();
    expect(address.address).toBe('127.0.0.1');
    expect(address.family).toBe('IPv4');
    expect(address.port).toBe(server.port);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[0-9a-f]{32}$/);
    // Nothing listens on the IPv6 loopback (nor, by the bind, on any other interface).
    const v6 = await new Promise<string>((resolve) => {
      const s = connect({ host: '::1', port: server.port });
      s.once('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(v6).not.toBe('connected');
  });

  it('a second server gets another token', async () => {
    const other = await startServer({ dispatcher, rendererDir, port: 0 });
    try {
      expect(other.token).not.toBe(server.token);
      expect(other.port).not.toBe(server.port);
    } finally {
      await other.close();
    }
  });
});

describe('kinscan serve: the token', () => {
  it('refuses a request without the token or cookie (401)', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/ws']) {
      const reply = await httpRequest(server.port, path);
      expect(reply.status, path).toBe(401);
      expect(reply.body).not.toContain('<div id="app">');
      expect(reply.body).toMatch(/link that `kinscan serve` printed/);
    }
  });

  it('refuses a wrong token, in the query or in the cookie (401)', async () => {
    const wrong = server.token.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    expect((await httpRequest(server.port, `/?token=${wrong}`)).status).toBe(401);
    expect((await httpRequest(server.port, '/?token=')).status).toBe(401);
    expect((await httpRequest(server.port, `/?token=${server.token}x`)).status).toBe(401);
    expect((await httpRequest(server.port, '/', { headers: { Cookie: `kinscan-token-${server.port}=${wrong}` } })).status).toBe(401);
    // The right cookie does not excuse a wrong token in the query.
    expect((await httpRequest(server.port, `/?token=${wrong}`, { headers: { Cookie: cookie } })).status).toBe(401);
    // A cookie of another port's server is not this one's.
    expect((await httpRequest(server.port, '/', { headers: { Cookie: `kinscan-token-1=${server.token}` } })).status).toBe(401);
  });

  it('trades the token for an HttpOnly, SameSite=Strict cookie and redirects to the URL without it', async () => {
    const reply = await httpRequest(server.port, `/?token=${server.token}`);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    expect(reply.headers['cache-control']).toBe('no-store');
    const setCookie = reply.headers['set-cookie'] ?? [];
    expect(setCookie).toHaveLength(1);
    const parts = (setCookie[0] ?? '').split(';').map((s) => s.trim());
    expect(parts[0]).toBe(`kinscan-token-${server.port}=${server.token}`);
    expect(parts).toContain('HttpOnly');
    expect(parts).toContain('SameSite=Strict');
    expect(parts).toContain('Path=/');
    const page = await httpRequest(server.port, '/', { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<div id="app">');
  });

  it('the redirect keeps the other query parameters and never leaves the site', async () => {
    expect((await httpRequest(server.port, `/index.html?a=1&token=${server.token}&b=2`)).headers.location).toBe('/index.html?a=1&b=2');
    expect((await httpRequest(server.port, `//evil.example/?token=${server.token}`)).headers.location).toBe('/evil.example/');
  });
});

describe('kinscan serve: Host and Origin', () => {
  it('refuses a Host other than 127.0.0.1:PORT or localhost:PORT (403), with or without the cookie', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`, '127.0.0.1', `0.0.0.0:${server.port}`, `[::1]:${server.port}`]) {
      const reply = await httpRequest(server.port, '/', { headers: { Host: host, Cookie: cookie } });
      expect(reply.status, host).toBe(403);
      expect(reply.body).not.toContain('<div id="app">');
      expect(reply.body).not.toContain('evil');
    }
    expect((await httpRequest(server.port, `/?token=${server.token}`, { headers: { Host: `rebound.example:${server.port}` } })).status).toBe(403);
    expect((await httpRequest(server.port, '/', { headers: { Host: `localhost:${server.port}`, Cookie: cookie } })).status).toBe(200);
    expect((await httpRequest(server.port, '/', { headers: { Host: `LOCALHOST:${server.port}`, Cookie: cookie } })).status).toBe(200);
  });

  it('refuses a request without a Host header', async () => {
    const status = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: server.port }, () => s.end(`GET / HTTP/1.1\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`));
      let text = '';
      s.on('data', (d: Buffer) => (text += d.toString()));
      s.on('end', () => resolve(text.split('\r\n', 1)[0] ?? ''));
      s.on('error', reject);
    });
    expect(status).toMatch(/^HTTP\/1\.1 40[03] /);
  });

  it('refuses a foreign Origin on a POST (403), and answers a same-origin POST 405', async () => {
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${server.port + 1}`, `https://127.0.0.1:${server.port}`, `http://localhost.evil.example:${server.port}`]) {
      const reply = await httpRequest(server.port, '/', { method: 'POST', headers: { Origin: origin, Cookie: cookie } });
      expect(reply.status, origin).toBe(403);
    }
    const same = await httpRequest(server.port, '/', { method: 'POST', headers: { Origin: `http://127.0.0.1:${server.port}`, Cookie: cookie } });
    expect(same.status).toBe(405);
    expect(same.headers.allow).toBe('GET, HEAD');
    expect((await httpRequest(server.port, '/', { method: 'PUT', headers: { Origin: 'http://evil.example', Cookie: cookie } })).status).toBe(403);
  });

  it('refuses a WebSocket upgrade from a foreign Origin (403), without the token (401), or with a foreign Host (403)', async () => {
    expect(await upgradeStatus(openSocket(server, { cookie, origin: 'http://evil.example' }))).toBe(403);
    expect(await upgradeStatus(openSocket(server, { cookie, origin: 'null' }))).toBe(403);
    expect(await upgradeStatus(openSocket(server, { cookie, origin: `http://127.0.0.1:${server.port + 1}` }))).toBe(403);
    expect(await upgradeStatus(openSocket(server, { path: '/ws', origin: `http://127.0.0.1:${server.port}` }))).toBe(401);
    expect(await upgradeStatus(openSocket(server, { path: '/ws?token=0123', origin: `http://127.0.0.1:${server.port}` }))).toBe(401);
    expect(await upgradeStatus(openSocket(server, { cookie: `kinscan-token-${server.port}=nope`, origin: `http://127.0.0.1:${server.port}` }))).toBe(401);
    expect(await upgradeStatus(openSocket(server, { cookie, host: `evil.example:${server.port}`, origin: `http://127.0.0.1:${server.port}` }))).toBe(403);
    expect(await upgradeStatus(openSocket(server, { cookie, path: '/elsewhere', origin: `http://127.0.0.1:${server.port}` }))).toBe(404);
    // This server's own pages, by either name, and a command-line client with the token.
    expect(await upgradeStatus(openSocket(server, { cookie, origin: `http://127.0.0.1:${server.port}` }))).toBe(101);
    expect(await upgradeStatus(openSocket(server, { cookie, origin: `http://localhost:${server.port}`, host: `localhost:${server.port}` }))).toBe(101);
    expect(await upgradeStatus(openSocket(server))).toBe(101);
  });
});

describe('kinscan serve: static files', () => {
  const get = (path: string) => httpRequest(server.port, path, { headers: { Cookie: cookie } });

  it('serves the renderer folder with its types', async () => {
    const js = await get('/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('export const app = 1;\n');
    expect(js.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    const head = await httpRequest(server.port, '/index.html', { method: 'HEAD', headers: { Cookie: cookie } });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await get('/nothere.js')).status).toBe(404);
    expect((await get('/assets')).status).toBe(404);
    expect((await get('/ws')).status).toBe(426);
    // The browser's icon request, when the build has none: no content rather than a 404.
    expect((await get('/favicon.ico')).status).toBe(204);
  });

  it('refuses path traversal, raw and encoded', async () => {
    const refused = [
      '/../../etc/passwd',
      '/assets/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/%2E%2E/%2E%2E/etc/passwd',
      '/.%2e/.%2e/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/assets/..%5c..%5c..%5cetc%5cpasswd',
      '/assets/%2e%2e%2f%2e%2e%2findex.html',
      '/./index.html',
      '/%00',
      '/index.html%00.js',
      '/%e0%a4%a',
    ];
    for (const path of refused) {
      const reply = await get(path);
      expect(reply.status, path).toBe(400);
      expect(reply.body).not.toMatch(/root:/);
    }
    // Double encoding names a file called '%2e%2e', which does not exist; absolute paths stay inside.
    for (const path of ['/%252e%252e/%252e%252e/etc/passwd', '/etc/passwd', '//etc/passwd']) {
      const reply = await get(path);
      expect(reply.status, path).toBe(404);
      expect(reply.body).not.toMatch(/root:/);
    }
  });

  it('refuses a symlink that leads out of the renderer folder', async () => {
    const reply = await get('/assets/leak.txt');
    expect(reply.status).toBe(404);
    expect(reply.body).not.toContain('secret');
  });
});

describe('kinscan serve: security headers', () => {
  it('sends a strict CSP, nosniff and no-referrer on pages, assets and refusals', async () => {
    const replies = [
      await httpRequest(server.port, '/', { headers: { Cookie: cookie } }),
      await httpRequest(server.port, '/assets/app.js', { headers: { Cookie: cookie } }),
      await httpRequest(server.port, '/'),
      await httpRequest(server.port, '/', { headers: { Cookie: cookie, Origin: 'http://evil.example' }, method: 'POST' }),
    ];
    for (const reply of replies) {
      const csp = String(reply.headers['content-security-policy']);
      const directives = new Map(csp.split(';').map((d) => { const [name, ...values] = d.trim().split(/\s+/); return [name ?? '', values]; }));
      expect(directives.get('default-src')).toEqual(["'self'"]);
      expect(directives.get('script-src')).toEqual(["'self'"]);
      expect(directives.get('style-src')).toEqual(["'self'"]);
      expect(directives.get('connect-src')).toEqual(["'self'", `ws://127.0.0.1:${server.port}`, `ws://localhost:${server.port}`]);
      expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
      expect(directives.get('object-src')).toEqual(["'none'"]);
      expect(directives.get('base-uri')).toEqual(["'none'"]);
      expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp).not.toMatch(/unsafe|\*|http:|https:/);
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['referrer-policy']).toBe('no-referrer');
      expect(reply.headers['cache-control']).toBeDefined();
    }
    expect(replies[0]?.headers['cache-control']).toBe('no-store');
  });
});

describe('kinscan serve: start-up refusals', () => {
  it('says how to build the renderer when it is not built', async () => {
    await expect(startServer({ dispatcher, rendererDir: join(tempDir(), 'out', 'renderer') })).rejects.toThrow(/npm run build:app/);
  });

  it('says the port is in use when it is', async () => {
    await expect(startServer({ dispatcher, rendererDir, port: server.port })).rejects.toThrow(/port \d+ on 127\.0\.0\.1 is in use.*--port/);
  });
});
