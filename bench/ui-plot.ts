/**
 * The interactive Manhattan plot in Chromium on a 358,000-SNP run: the real `kinscan serve`
 * (startServer with the real engine) and Debian's Chromium via playwright-core, on a project
 * generated once into .bench-cache/ by bench/store-queries.ts's generator (358,000 SNPs on 20
 * chromosomes, one run with three peaks).
 *
 * The page is the built app (out/renderer, `npm run build:app`) on the project's Results screen.
 * The numbers are the component's own, read from the data attributes it
 * keeps on its plot element (production code, no bench-only paths):
 *   data-draw-ms   scene build (manhattanScene over every SNP) + paint, the last time it drew
 *   data-index-ms  building the hover index (kdbush) after the paint
 *   data-hover-ms  the last pointer move's handler: index query + tooltip update (flushed)
 * Targets: draw < 200 ms; hover p95 < 16 ms over 500 pointer moves; redraw on zoom < 200 ms.
 *
 *   npm run build:engine && node dist/bench/ui-plot.js
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { createDispatcher, KinscanService } from '../engine/service/index.js';
import { startServer } from '../server/serve.js';
import { exampleDir, rendererDir } from '../server/package-root.js';
import { benchProject, type BenchProjectSpec } from './store-queries.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SNPS = 358_000;
const MOVES = 500;

const SPEC: BenchProjectSpec = { name: 'ui-358k', snps: SNPS, chromosomes: 20, samples: 16, peaks: [[40_000, 123_456, 300_000]] };

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface UiPlotTiming {
  name: string;
  ms: number;
  target: number | null;
}

const percentile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const median = (xs: number[]): number => percentile(xs, 0.5);

const PLOT = '[data-figure="manhattan"]';

/** Wait until the plot has drawn (again, when `previousDraw` is given) and built its hover index. Polls from here: the page's CSP forbids eval. */
async function waitReady(page: Page, previousDraw: string | null, timeout = 60_000): Promise<void> {
  const until = performance.now() + timeout;
  const probe = `(() => { const el = document.querySelector('${PLOT}'); return !!el && el.dataset.state === 'ready' && el.dataset.drawMs !== ${JSON.stringify(previousDraw ?? undefined) ?? 'undefined'}; })()`;
  while (!(await page.evaluate(probe))) {
    if (performance.now() > until) throw new Error(`the Manhattan plot did not draw within ${timeout / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const attr = (page: Page, name: string): Promise<string | null> => page.evaluate(`document.querySelector('${PLOT}')?.dataset.${name} ?? null`) as Promise<string | null>;

export async function benchUiPlot(): Promise<{ rows: UiPlotTiming[] }> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  const projectPath = benchProject(SPEC);
  const appDir = rendererDir();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
  const service = new KinscanService({
    exampleDir: exampleDir(),
    recentFile: join(root, '.bench-cache', 'ui-state', 'recent-projects.json'),
    filesRoot: dirname(projectPath),
    threads: 2,
    command: 'kinscan bench (ui-plot)',
    developer: false,
  });
  const dispatcher = createDispatcher(service, { developer: false });
  const errors: string[] = [];
  try {
    if (!existsSync(join(appDir, 'index.html'))) throw new Error(`the renderer is not built (no ${appDir}/index.html): run npm run build:app first`);
    const server = await startServer({ dispatcher, rendererDir: appDir, port: 0 });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url, { waitUntil: 'load' });
    while (!(await page.evaluate('typeof window.kinscan?.call === "function"'))) await new Promise((resolve) => setTimeout(resolve, 50));
    // The project opens on its Results screen (it has a finished run), which draws the plot.
    await page.evaluate(`window.kinscan.call('project.open', { path: ${JSON.stringify(projectPath)} })`);
    await page.reload({ waitUntil: 'load' });
    await waitReady(page, null);
    const rows: UiPlotTiming[] = [];
    const firstDraw = Number(await attr(page, 'drawMs'));
    const firstScene = Number(await attr(page, 'sceneMs'));
    rows.push({ name: `first draw, ${SNPS.toLocaleString('en')} SNPs (scene build + paint)`, ms: firstDraw, target: 200 });
    rows.push({ name: '  of which the scene build (manhattanScene)', ms: firstScene, target: null });
    rows.push({ name: 'hover index build (kdbush, after the paint)', ms: Number(await attr(page, 'indexMs')), target: null });

    // Hover: 500 pointer moves over the plot, the handler's own time read after each.
    await page.evaluate(
      `(() => { window.__hoverMs = []; const el = document.querySelector('${PLOT}'); window.addEventListener('pointermove', () => window.__hoverMs.push(Number(el.dataset.hoverMs))); })()`,
    );
    const box = await page.locator(`${PLOT} canvas`).first().boundingBox();
    if (!box) throw new Error('the plot canvas has no box');
    let seed = 7;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const t0 = performance.now();
    for (let i = 0; i < MOVES; i++) {
      // Over the plot area (not the axes), biased to the dense bottom where the points are.
      const x = box.x + box.width * (0.08 + 0.9 * next());
      const y = box.y + box.height * (0.08 + 0.75 * Math.sqrt(next()));
      await page.mouse.move(x, y);
    }
    const roundTrip = (performance.now() - t0) / MOVES;
    const hover = (await page.evaluate('window.__hoverMs')) as number[];
    rows.push({ name: `hover, p95 of ${hover.length} pointer moves (handler: query + tooltip)`, ms: percentile(hover, 0.95), target: 16 });
    rows.push({ name: 'hover, median', ms: median(hover), target: null });
    rows.push({ name: 'hover, max', ms: Math.max(...hover), target: null });
    rows.push({ name: 'pointer move round trip (CDP dispatch, for scale)', ms: roundTrip, target: null });

    // Zoom: a chromosome and back, three times each; then a dragged region.
    const chromosomeDraws: number[] = [];
    const genomeDraws: number[] = [];
    const genomeScenes: number[] = [];
    for (let r = 0; r < 3; r++) {
      for (const [value, into] of [
        ['2', chromosomeDraws],
        ['', genomeDraws],
      ] as const) {
        const before = await attr(page, 'drawMs');
        await page.locator('.manhattan select').first().selectOption(value);
        await waitReady(page, before);
        into.push(Number(await attr(page, 'drawMs')));
        if (value === '') genomeScenes.push(Number(await attr(page, 'sceneMs')));
      }
    }
    rows.push({ name: 'redraw on zoom to one chromosome (median of 3)', ms: median(chromosomeDraws), target: 200 });
    rows.push({ name: 'redraw on zoom out to the genome (median of 3)', ms: median(genomeDraws), target: 200 });
    rows.push({ name: '  of which the scene build', ms: median(genomeScenes), target: null });
    const before = await attr(page, 'drawMs');
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.32, box.y + box.height * 0.5, { steps: 4 });
    await page.mouse.up();
    await waitReady(page, before);
    rows.push({ name: 'redraw on a dragged region', ms: Number(await attr(page, 'drawMs')), target: 200 });
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    await server?.close();
    return { rows };
  } finally {
    await browser.close();
    await dispatcher.close();
  }
}

export function formatUiPlotTiming(r: UiPlotTiming): string {
  const verdict = r.target === null ? '' : `   (target < ${r.target} ms, ${(r.ms / r.target).toFixed(2)} of it) ${r.ms < r.target ? 'ok' : 'SLOW'}`;
  return `  ${r.name.padEnd(62)} ${r.ms.toFixed(r.ms < 10 ? 2 : 1).padStart(8)} ms${verdict}`;
}

// Run alone: node dist/bench/ui-plot.js
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows } = await benchUiPlot();
  process.stdout.write(`Interactive Manhattan plot in Chromium, ${SNPS.toLocaleString('en')} SNPs (the built app)\n`);
  for (const r of rows) process.stdout.write(formatUiPlotTiming(r) + '\n');
}
