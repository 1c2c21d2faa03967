/**
 * The served renderer in a real browser: Debian's Chromium, driven by playwright-core, opens the
 * URL `kinscan serve` prints; the page trades the token for its cookie, connects the WebSocket
 * client, calls app.ping through it and shows the engine as ready, with no CSP violation, no page
 * error and the token out of reach of scripts (HttpOnly). Needs the built renderer
 * (`npm run build:app`, out/renderer) and /usr/bin/chromium; skipped with a message otherwise.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../engine/version.js';
import { startServer } from '../../server/serve.js';
import { rendererDir as builtRendererDir } from '../../server/package-root.js';
import { tempDir } from '../helpers/tmp.js';
import { realEngine } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const rendererDir = builtRendererDir();
const built = existsSync(join(rendererDir, 'index.html'));
const skipReason = !built
  ? `skipped: the renderer is not built (no ${rendererDir}/index.html); run \`npm run build:app\` first`
  : !existsSync(CHROMIUM)
    ? `skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`
    : undefined;

describe('kinscan serve in Chromium', () => {
  it.skipIf(skipReason !== undefined)(
    skipReason ?? 'the served page pings the engine over the WebSocket, with no CSP violation',
    async () => {
      const { dispatcher } = realEngine(tempDir('kinscan-serve-root-'));
      const server = await startServer({ dispatcher, rendererDir, port: 0 });
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
      try {
        const page = await browser.newPage();
        const consoleLines: string[] = [];
        const pageErrors: string[] = [];
        const sentFrames: string[] = [];
        page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
        page.on('pageerror', (e) => pageErrors.push(e.message));
        page.on('websocket', (ws) => ws.on('framesent', (f) => sentFrames.push(String(f.payload))));
        // Page-side code as strings: this file is compiled without the DOM's types.
        await page.addInitScript(
          "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
        );
        const response = await page.goto(server.url, { waitUntil: 'load', timeout: 30_000 });
        expect(response?.status()).toBe(200);
        // The token left the address bar for an HttpOnly cookie.
        expect(page.url()).toBe(`http://127.0.0.1:${server.port}/`);
        await expect(page.evaluate('document.cookie')).resolves.toBe('');
        const footer = page.locator('footer');
        await footer.getByText(`Engine ready · Kinscan ${VERSION}`).waitFor({ timeout: 15_000 });
        expect(sentFrames.some((f) => (JSON.parse(f) as { method?: string }).method === 'app.ping')).toBe(true);
        await expect(page.evaluate('typeof window.kinscan.call')).resolves.toBe('function');
        expect(pageErrors).toEqual([]);
        expect(consoleLines.filter((l) => /Content Security Policy|CSP violation|Refused to/i.test(l))).toEqual([]);
        expect(consoleLines.filter((l) => l.startsWith('error'))).toEqual([]);
        // The header's CSP is in force: the page may not reach another origin.
        const violation = page.waitForEvent('console', { predicate: (m) => m.text().startsWith('CSP violation: connect-src'), timeout: 10_000 });
        const foreign = await page.evaluate("fetch('http://127.0.0.1:9/').then(() => 'reached', (e) => e.message)");
        expect(foreign).not.toBe('reached');
        expect((await violation).text()).toBe('CSP violation: connect-src http://127.0.0.1:9/');
      } finally {
        await browser.close();
        await server.close();
        await dispatcher.close();
      }
    },
    60_000,
  );
});
