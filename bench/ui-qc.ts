/**
 * The Quality control screen in Chromium on the example (mouse HS1940, 1,940 x 12,226; trait 1,
 * 1,410 analysed individuals): the real `kinscan serve` (startServer with the real engine, on a
 * fresh temporary root and state folder) and Debian's Chromium via playwright-core, the built app
 * (out/renderer). The example is opened with the Start screen's button, the step chosen in the
 * navigation, then the MAF slider moved through 60 positions by keyboard (ArrowRight) and through
 * 60 by real mouse drags of its thumb.
 *
 * Per move: from the input event that set the new value (its Event.timeStamp, so time the event
 * waited in the page's queue counts) to the counts showing the answer for that value, read from
 * the data attributes the screen keeps on its counts element (production code, no bench-only
 * paths): data-maf (the threshold of the answer shown) and data-updated-ms (performance.now()
 * once the DOM holds it). Target: p95 < 100 ms.
 *
 *   npm run build:engine && npm run build:app && node dist/bench/ui-qc.js
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { createDispatcher, KinscanService } from '../engine/service/index.js';
import { startServer } from '../server/serve.js';
import { exampleDir, rendererDir } from '../server/package-root.js';
import { formatUiPlotTiming, type UiPlotTiming } from './ui-plot.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MOVES = 60;
const TARGET_MS = 100;
const SLIDER = '#qc-maf';
const COUNTS = '.qc .counts';

const percentile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll from here until `probe` (an expression) is true: the page's CSP forbids eval, so no waitForFunction. */
async function until(page: Page, probe: string, what: string, timeout = 30_000): Promise<void> {
  const end = performance.now() + timeout;
  while (!(await page.evaluate(probe))) {
    if (performance.now() > end) throw new Error(`${what} did not happen within ${timeout / 1000} s`);
    await sleep(5);
  }
}

/**
 * In the page: remember the timeStamp of the last key or pointer event (capture phase, before the
 * slider's default action), and on each input event of the slider the value it set and that time.
 */
const INSTRUMENT = `(() => {
  const el = document.querySelector('${SLIDER}');
  window.__qc = { cause: null, seq: 0, value: el.value, t: 0 };
  for (const type of ['keydown', 'pointerdown', 'pointermove']) window.addEventListener(type, (e) => { window.__qc.cause = e.timeStamp; }, true);
  el.addEventListener('input', (e) => { const q = window.__qc; q.seq += 1; q.value = el.value; q.t = q.cause ?? e.timeStamp; }, true);
})()`;

interface LastInput {
  seq: number;
  value: string;
  t: number;
}
const lastInput = (page: Page): Promise<LastInput> => page.evaluate('({ seq: window.__qc.seq, value: window.__qc.value, t: window.__qc.t })') as Promise<LastInput>;

/** After a move that fired input events: wait for the counts of the final value, return input -> counts in ms. */
async function timeMove(page: Page, before: number): Promise<number | null> {
  const last = await lastInput(page);
  if (last.seq === before) return null; // the move landed on the same step: nothing to answer
  await until(page, `(() => { const d = document.querySelector('${COUNTS}')?.dataset; return !!d && d.maf !== undefined && Number(d.maf) === Number(${JSON.stringify(last.value)}); })()`, `the counts for MAF ${last.value}`);
  const updated = Number(await page.evaluate(`document.querySelector('${COUNTS}').dataset.updatedMs`));
  return updated - last.t;
}

function rows(kind: string, ms: number[]): UiPlotTiming[] {
  return [
    { name: `${kind}: p95 of ${ms.length} moves, input -> counts`, ms: percentile(ms, 0.95), target: TARGET_MS },
    { name: `${kind}, median`, ms: percentile(ms, 0.5), target: null },
    { name: `${kind}, max`, ms: Math.max(...ms), target: null },
  ];
}

export async function benchUiQc(): Promise<UiPlotTiming[]> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  const appDir = rendererDir();
  if (!existsSync(join(appDir, 'index.html'))) throw new Error(`no built app in ${appDir} (npm run build:app)`);
  // A fresh root and state folder: the example project is built on its first opening, as for a new user.
  const temp = mkdtempSync(join(tmpdir(), 'kinscan-bench-qc-'));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
  const service = new KinscanService({
    exampleDir: exampleDir(),
    recentFile: join(temp, 'state', 'recent-projects.json'),
    filesRoot: temp,
    threads: 2,
    command: 'kinscan bench (ui-qc)',
    developer: false,
  });
  const dispatcher = createDispatcher(service, { developer: false });
  const server = await startServer({ dispatcher, rendererDir: appDir, port: 0 });
  const errors: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url, { waitUntil: 'load' });
    await page.getByRole('button', { name: 'Open the example project' }).click();
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'Quality control' }).click({ timeout: 60_000 });
    const slider = page.locator(SLIDER);
    await slider.waitFor();
    // The first answer (the default thresholds) is the one-pass count; the moves measure what follows.
    await until(page, `document.querySelector('${COUNTS}')?.dataset.maf !== undefined`, 'the first QC counts', 60_000);
    await page.evaluate(INSTRUMENT);

    const keyboard: number[] = [];
    await slider.focus();
    for (let i = 0; i < MOVES; i++) {
      const { seq } = await lastInput(page);
      await page.keyboard.press('ArrowRight');
      const ms = await timeMove(page, seq);
      if (ms !== null) keyboard.push(ms);
    }

    // Mouse: press on the thumb where it is, drag in a few steps to the next position, release.
    // Positions visit the left 60 % of the track (MAF 0.01-0.3) in a scrambled order.
    const box = await slider.boundingBox();
    if (!box) throw new Error('the MAF slider has no box');
    const thumb = 16; // Chromium's default range thumb width: its centre runs over width - thumb
    const xOf = (value: number): number => box.x + thumb / 2 + (value / 0.5) * (box.width - thumb);
    const y = box.y + box.height / 2;
    const mouse: number[] = [];
    let unchanged = 0;
    const set: number[] = [];
    for (let i = 0; i < MOVES; i++) {
      const { seq, value } = await lastInput(page);
      const to = 0.02 + 0.58 * (((i * 37) % MOVES) / MOVES);
      await page.mouse.move(xOf(Number(value)), y);
      await page.mouse.down();
      await page.mouse.move(box.x + thumb / 2 + to * (box.width - thumb), y, { steps: 4 });
      await page.mouse.up();
      const ms = await timeMove(page, seq);
      if (ms === null) unchanged += 1;
      else {
        mouse.push(ms);
        set.push(Number((await lastInput(page)).value));
      }
    }
    process.stderr.write(`bench: the mouse drags set the MAF to ${new Set(set).size} values from ${Math.min(...set)} to ${Math.max(...set)}\n`);
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    if (keyboard.length === 0 || mouse.length === 0) throw new Error(`the slider did not move (keyboard ${keyboard.length}, mouse ${mouse.length} of ${MOVES})`);
    if (unchanged > 0) process.stderr.write(`bench: ${unchanged} of ${MOVES} mouse drags left the MAF where it was (not counted)\n`);
    return [...rows('keyboard ArrowRight', keyboard), ...rows('mouse drag of the thumb', mouse), ...rows('both', [...keyboard, ...mouse])];
  } finally {
    await browser.close();
    await server.close();
    await dispatcher.close();
    rmSync(temp, { recursive: true, force: true });
  }
}

// Run alone: node dist/bench/ui-qc.js
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const res = await benchUiQc();
  process.stdout.write('QC screen in Chromium, mouse HS1940 trait 1: MAF slider -> counts (the built app)\n');
  for (const r of res) process.stdout.write(formatUiPlotTiming(r) + '\n');
}
