/**
 * The end-to-end harness: the real `kinscan serve` (startServer with the real engine, in this
 * process; or, with startE2EProcess, the built CLI's `kinscan serve` in a process of its own) on a
 * temporary files root holding copies of the bundled example and broken files made here, Debian's
 * Chromium driven by playwright-core on a page logged in through the printed URL,
 * every page error and console error collected (a test fails on any), full-page screenshots, and
 * axe-core checks of each screen. Needs the built renderer (`npm run build:app`) and
 * /usr/bin/chromium; `skipReason` says why not otherwise.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../server/serve.js';
import { exampleDir, packageRoot, rendererDir } from '../../server/package-root.js';
import type { Dispatcher } from '../../engine/service/index.js';
import { tempDir } from '../helpers/tmp.js';
import { realEngine } from '../server/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const VIEWPORT = { width: 1280, height: 860 };

/** Why the suite cannot run here, or undefined when it can. */
export const skipReason: string | undefined = !existsSync(join(rendererDir(), 'index.html'))
  ? `skipped: the renderer is not built (no ${rendererDir()}/index.html); run \`npm run build:app\` first`
  : !existsSync(CHROMIUM)
    ? `skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`
    : undefined;

/** The files under the root, by role (paths relative to the root, as a user sees them). */
export const FILES = {
  /** The example PLINK set and its sheet, copied into data/. */
  bed: 'data/mouse_hs1940.bed',
  pheno: 'data/mouse_hs1940.pheno.csv',
  /** A .bed whose first bytes are not PLINK's magic (its .bim/.fam are sound). */
  badMagicBed: 'broken/wrongmagic.bed',
  /** A .bed cut to half its length. */
  truncatedBed: 'broken/truncated.bed',
  /** A sheet of the right shape whose IDs are nobody in the .fam. */
  strangersSheet: 'broken/strangers.csv',
} as const;

/** Copy the example into `root`/data and write the broken files into `root`/broken. */
function fillRoot(root: string): void {
  const ex = exampleDir();
  mkdirSync(join(root, 'data'), { recursive: true });
  mkdirSync(join(root, 'broken'), { recursive: true });
  for (const ext of ['bed', 'bim', 'fam']) copyFileSync(join(ex, `mouse_hs1940.${ext}`), join(root, 'data', `mouse_hs1940.${ext}`));
  copyFileSync(join(ex, 'mouse_hs1940.pheno.csv'), join(root, FILES.pheno));
  const bed = readFileSync(join(ex, 'mouse_hs1940.bed'));
  for (const name of ['wrongmagic', 'truncated']) {
    copyFileSync(join(ex, 'mouse_hs1940.bim'), join(root, 'broken', `${name}.bim`));
    copyFileSync(join(ex, 'mouse_hs1940.fam'), join(root, 'broken', `${name}.fam`));
  }
  const wrong = Buffer.from(bed);
  wrong[0] = 0x00;
  wrong[1] = 0x00;
  writeFileSync(join(root, FILES.badMagicBed), wrong);
  writeFileSync(join(root, FILES.truncatedBed), bed.subarray(0, Math.floor(bed.length / 2)));
  // The example sheet with every ID renamed: numbers fine, nobody matches.
  const lines = readFileSync(join(ex, 'mouse_hs1940.pheno.csv'), 'utf8').split('\n');
  const renamed = lines.map((line, i) => (i === 0 || line === '' ? line : line.replace(/^[^,]*/, `STRANGER${i}`)));
  writeFileSync(join(root, FILES.strangersSheet), renamed.join('\n'));
}

export interface E2E {
  root: string;
  server: RunningServer;
  dispatcher: Dispatcher;
  browser: Browser;
  page: Page;
  /** Page errors and console errors since the start (or the last `takeErrors`). */
  errors: string[];
  /** The collected errors, emptied. */
  takeErrors(): string[];
  /** A full-page screenshot: test/e2e/screenshots/<name>.png with KINSCAN_SHOTS=1, else a temp folder. */
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Start the server (in this process), the browser and a logged-in page showing the Start screen. */
export async function startE2E(): Promise<E2E> {
  const root = tempDir('kinscan-e2e-root-');
  fillRoot(root);
  const { dispatcher } = realEngine(root);
  const server = await startServer({ dispatcher, rendererDir: rendererDir(), port: 0 });
  const shown = await openPage(server.url);
  return {
    ...shown,
    root,
    server,
    dispatcher,
    async close() {
      await shown.browser.close();
      await server.close();
      await dispatcher.close();
    },
  };
}

/**
 * The same with `kinscan serve` as a user starts it: the built CLI (bin/kinscan.js) in a process
 * of its own, so that this process (Playwright's) keeps running while the engine is busy (a
 * genotype import holds the engine's thread while it runs). Stopped with SIGTERM, as Ctrl-C would.
 */
export async function startE2EProcess(): Promise<Omit<E2E, 'server' | 'dispatcher'>> {
  const root = tempDir('kinscan-e2e-root-');
  fillRoot(root);
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'kinscan.js'), 'serve', '--root', root], {
    env: { ...process.env, KINSCAN_STATE_DIR: join(root, 'state') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`kinscan serve printed no URL within 20 s; got '${text}'`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /http:\/\/\S+/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.once('exit', (code) => reject(new Error(`kinscan serve exited with ${code} before printing its URL`)));
  });
  const shown = await openPage(url);
  return {
    ...shown,
    root,
    async close() {
      await shown.browser.close();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The browser and a page logged in through `url`, showing the Start screen. */
async function openPage(url: string): Promise<Omit<E2E, 'root' | 'server' | 'dispatcher' | 'close'>> {
  const shotsDir = process.env['KINSCAN_SHOTS'] === '1' ? join(packageRoot(), 'test', 'e2e', 'screenshots') : tempDir('kinscan-e2e-shots-');
  mkdirSync(shotsDir, { recursive: true });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
  // A context of its own: axe-core opens a blank page beside this one in the same context.
  // Reduced motion: the app then draws no transitions, so axe never samples a colour halfway through one.
  const context = await browser.newContext({ viewport: VIEWPORT, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console error: ${m.text()}`);
  });
  // Page-side code as a string: this file is compiled without the DOM's types.
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
  );
  await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  await page.locator('footer').getByText(/Engine ready/).waitFor({ timeout: 15_000 });
  return {
    browser,
    page,
    errors,
    takeErrors: () => errors.splice(0, errors.length),
    async shot(name) {
      const file = join(shotsDir, `${name}.png`);
      // The screens scroll inside <main> (the shell is one viewport high): a viewport as tall as
      // main's content shows all of it, then the usual size returns.
      const extra = Number(await page.evaluate("(() => { const m = document.querySelector('main'); return m ? m.scrollHeight - m.clientHeight : 0; })()"));
      if (extra > 0) await page.setViewportSize({ ...VIEWPORT, height: Math.min(VIEWPORT.height + extra, 6000) });
      await page.screenshot({ path: file, fullPage: true });
      if (extra > 0) await page.setViewportSize(VIEWPORT);
      return file;
    },
  };
}

/** Run axe-core on the page as it is; throws with a readable list on serious or critical violations. */
export async function axe(page: Page, screenName: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length === 0) return;
  const lines = bad.flatMap((v) => [
    `- ${v.id} (${v.impact}): ${v.help}`,
    ...v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`),
  ]);
  throw new Error(`accessibility problems on the ${screenName} screen:\n${lines.join('\n')}`);
}
