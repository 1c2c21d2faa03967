/**
 * The screen and the file are the same figure: the renderer's canvas painter (lib/paint-scene.ts,
 * in Debian's Chromium) against the engine's PNG painter (engine/export/paint/raster.ts: resvg),
 * on a QQ and a Manhattan scene built from the same data at the same size (5 px per mm, i.e. the
 * PNG at 127 dpi). Point and line pixels must match; text is anti-aliased and hinted differently
 * by the two engines, so the figures are compared pixel by pixel outside the text and as 4 x 4
 * block means over the whole image. A control (the Manhattan without its points) must fail the
 * same checks, so they can tell two figures apart.
 *
 * The page is built with vite from the renderer's sources (bench/ui-harness.ts) and served from a
 * plain static server; it builds the scene itself with the same engine/figures code.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildHarnessPage, rendererSource } from '../../bench/ui-harness.js';
import { manhattanScene } from '../../engine/figures/manhattan.js';
import { qqScene } from '../../engine/figures/qq.js';
import { leafItems, MM_PER_PT, type Scene } from '../../engine/figures/scene.js';
import { textBox } from '../../engine/figures/text.js';
import { renderScene } from '../../engine/export/paint/raster.js';
import { Rng } from '../helpers/random.js';
import { tempDir } from '../helpers/tmp.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const skipReason = existsSync(CHROMIUM) ? undefined : `skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`;

const PX_PER_MM = 5;
const repo = join(rendererSource('.'), '..', '..');

/** The test data, as plain arrays (they cross into the page as JSON). */
interface Inputs {
  chr: number[];
  pos: number[];
  negLog10P: number[];
}

function inputs(n: number): Inputs {
  const rng = new Rng(11);
  const perChr = Math.ceil(n / 6);
  const out: Inputs = { chr: [], pos: [], negLog10P: [] };
  for (let k = 0; k < n; k++) {
    const z = rng.normal();
    out.chr.push(Math.floor(k / perChr));
    out.pos.push(20_000 + 2_000 * (k % perChr));
    out.negLog10P.push((z * z) / 2 / Math.LN10 + (Math.abs(k - 4_321) < 40 ? 10 * rng.next() + 6 : 0));
  }
  return out;
}

/** What the page and this file both build: the same builders, options and data. */
const SCENES_SOURCE = `
export const CHR_NAMES = ['1', '2', '3', '4', '5', 'X'];
export function manhattanOf(manhattanScene, d, withPoints) {
  const n = d.negLog10P.length;
  const scene = manhattanScene(
    { chrNames: CHR_NAMES, chr: Int32Array.from(d.chr), pos: Float64Array.from(d.pos), negLog10P: Float64Array.from(d.negLog10P), snp: Int32Array.from({ length: n }, (_, k) => k), label: (k) => 'rs' + (k + 1) },
    { widthMm: 183, palette: 'okabe-ito', software: 'kinscan test', runId: 1 },
  );
  return withPoints ? scene : { ...scene, items: scene.items.filter((i) => i.type !== 'points') };
}
export function qqOf(qqScene, d) {
  return qqScene({ negLog10P: Float64Array.from(d.negLog10P), df: 1, lambdaGc: 1.02 }, { widthMm: 89, palette: 'okabe-ito', software: 'kinscan test' });
}
`;

const ENTRY = `
import { paintScene, canvasPixelSize } from ${JSON.stringify(rendererSource('lib/paint-scene.ts'))};
import { figureFontsReady } from ${JSON.stringify(rendererSource('lib/figure-fonts.ts'))};
import { manhattanScene } from ${JSON.stringify(join(repo, 'engine/figures/manhattan.ts'))};
import { qqScene } from ${JSON.stringify(join(repo, 'engine/figures/qq.ts'))};
import { manhattanOf, qqOf } from './scenes.js';
window.paintForTest = async (kind, d, pxPerMm) => {
  const fonts = await figureFontsReady();
  const scene = kind === 'qq' ? qqOf(qqScene, d) : manhattanOf(manhattanScene, d, kind === 'manhattan');
  const canvas = document.createElement('canvas');
  const scale = { pxPerMm, devicePixelRatio: 1 };
  const size = canvasPixelSize(scene, scale);
  canvas.width = size.width;
  canvas.height = size.height;
  document.body.append(canvas);
  const ctx = canvas.getContext('2d');
  paintScene(ctx, scene, scale);
  const rgba = ctx.getImageData(0, 0, size.width, size.height).data;
  let binary = '';
  for (let i = 0; i < rgba.length; i += 0x8000) binary += String.fromCharCode(...rgba.subarray(i, i + 0x8000));
  return { width: size.width, height: size.height, fonts, rgba: btoa(binary) };
};
window.harnessReady = true;
`;

interface Image {
  width: number;
  height: number;
  rgba: Uint8Array;
}

let server: Server | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
let port = 0;

/** A static file server for the built page (no engine needed). */
function serveStatic(dir: string): Promise<Server> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf' };
  const s = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

async function paintInPage(kind: 'qq' | 'manhattan' | 'manhattan-no-points', d: Inputs): Promise<Image & { fonts: boolean }> {
  const r = (await page!.evaluate(`window.paintForTest(${JSON.stringify(kind)}, ${JSON.stringify(d)}, ${PX_PER_MM})`)) as { width: number; height: number; fonts: boolean; rgba: string };
  return { width: r.width, height: r.height, fonts: r.fonts, rgba: new Uint8Array(Buffer.from(r.rgba, 'base64')) };
}

function paintInEngine(scene: Scene): Image {
  const { width, height, rgba } = renderScene(scene, { dpi: PX_PER_MM * 25.4 });
  return { width, height, rgba: new Uint8Array(rgba) };
}

/**
 * Pixels (of the common size) where the two rasterisers may legitimately differ: inside any text
 * item's box (grown by 2 px: glyph overshoot), and within 1.5 px of a line (Skia and resvg's tiny-skia spread a
 * 1-px line's anti-aliasing over neighbouring rows differently). Excluded from the strict checks;
 * 1 marks text, 2 a line's neighbourhood.
 */
function softMask(scene: Scene, width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  const k = PX_PER_MM;
  for (const { item } of leafItems(scene.items)) {
    if (item.type === 'text') {
      const b = textBox(item);
      const x0 = Math.max(0, Math.floor(b.x * k) - 2);
      const x1 = Math.min(width, Math.ceil((b.x + b.w) * k) + 2);
      const y0 = Math.max(0, Math.floor(b.y * k) - 2);
      const y1 = Math.min(height, Math.ceil((b.y + b.h) * k) + 2);
      for (let y = y0; y < y1; y++) mask.fill(1, y * width + x0, y * width + x1);
    } else if (item.type === 'line') {
      const reach = (item.widthPt * MM_PER_PT * k) / 2 + 1.5;
      const [ax, ay, bx, by] = [item.x1 * k, item.y1 * k, item.x2 * k, item.y2 * k];
      const len2 = (bx - ax) ** 2 + (by - ay) ** 2 || 1;
      const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - reach));
      const x1 = Math.min(width, Math.ceil(Math.max(ax, bx) + reach));
      const y0 = Math.max(0, Math.floor(Math.min(ay, by) - reach));
      const y1 = Math.min(height, Math.ceil(Math.max(ay, by) + reach));
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) {
          const t = Math.max(0, Math.min(1, ((x + 0.5 - ax) * (bx - ax) + (y + 0.5 - ay) * (by - ay)) / len2));
          if (Math.hypot(x + 0.5 - (ax + t * (bx - ax)), y + 0.5 - (ay + t * (by - ay))) <= reach && mask[y * width + x] === 0) mask[y * width + x] = 2;
        }
    }
  }
  return mask;
}

interface Agreement {
  /** Outside the soft mask: pixels whose largest channel difference passes 48 (of 255), as a fraction. */
  differing: number;
  /** Inked (non-white) pixels outside the soft mask in either image: intersection over union. */
  inkIoU: number;
  /** Largest mean absolute difference of a 4 x 4 block without text (lines included: their anti-aliasing averages out). */
  worstBlock: number;
  /** Mean absolute difference per channel over the whole image. */
  mean: number;
}

/** With KINSCAN_PAINT_DUMP=dir: both images and their difference as PNGs, to look at. */
async function dump(name: string, a: Image, b: Image): Promise<void> {
  const dir = process.env.KINSCAN_PAINT_DUMP;
  if (!dir) return;
  const sharp = (await import('sharp')).default;
  const diff = new Uint8Array(a.width * a.height * 4);
  for (let y = 0; y < Math.min(a.height, b.height); y++)
    for (let x = 0; x < a.width; x++) {
      const i = 4 * (y * a.width + x);
      for (let c = 0; c < 3; c++) diff[i + c] = 255 - Math.abs(a.rgba[i + c]! - b.rgba[i + c]!);
      diff[i + 3] = 255;
    }
  for (const [suffix, img] of [['screen', a], ['file', b], ['diff', { ...a, rgba: diff }]] as const)
    await sharp(Buffer.from(img.rgba), { raw: { width: img.width, height: img.height, channels: 4 } }).png().toFile(join(dir, `${name}-${suffix}.png`));
}

function compare(a: Image, b: Image, mask: Uint8Array): Agreement {
  const width = Math.min(a.width, b.width);
  const height = Math.min(a.height, b.height);
  let outside = 0;
  let differing = 0;
  let inkBoth = 0;
  let inkAny = 0;
  let total = 0;
  const bw = Math.floor(width / 4);
  const bh = Math.floor(height / 4);
  const blocks = new Float64Array(bw * bh);
  const hasText = new Uint8Array(bw * bh);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * a.width + x);
      const j = 4 * (y * b.width + x);
      let worst = 0;
      let sum = 0;
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(a.rgba[i + c]! - b.rgba[j + c]!);
        worst = Math.max(worst, d);
        sum += d;
      }
      total += sum / 3;
      if (x < bw * 4 && y < bh * 4) {
        blocks[(y >> 2) * bw + (x >> 2)]! += sum / 3 / 16;
        if (mask[y * width + x] === 1) hasText[(y >> 2) * bw + (x >> 2)] = 1;
      }
      if (mask[y * width + x]) continue;
      outside++;
      if (worst > 48) differing++;
      const inkA = a.rgba[i]! + a.rgba[i + 1]! + a.rgba[i + 2]! < 3 * 235;
      const inkB = b.rgba[j]! + b.rgba[j + 1]! + b.rgba[j + 2]! < 3 * 235;
      if (inkA || inkB) inkAny++;
      if (inkA && inkB) inkBoth++;
    }
  }
  let worstBlock = 0;
  blocks.forEach((v, i) => {
    if (!hasText[i]) worstBlock = Math.max(worstBlock, v);
  });
  return { differing: differing / outside, inkIoU: inkBoth / Math.max(1, inkAny), worstBlock, mean: total / (width * height) };
}

// The shared scene code, for this file (the same file the page's bundle imports).
const harnessDir = tempDir('kinscan-paint-harness-');
writeFileSync(join(harnessDir, 'scenes.js'), SCENES_SOURCE);
const scenes = (await import(pathToFileURL(join(harnessDir, 'scenes.js')).href)) as {
  manhattanOf: (builder: typeof manhattanScene, d: Inputs, withPoints: boolean) => Scene;
  qqOf: (builder: typeof qqScene, d: Inputs) => Scene;
};

describe.skipIf(skipReason !== undefined)(skipReason ?? 'the canvas painter against the PNG export', () => {
  beforeAll(async () => {
    const out = await buildHarnessPage(harnessDir, ENTRY, 'paint-scene test');
    server = await serveStatic(out);
    port = (server.address() as { port: number }).port;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
    page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
    // Polled from here: the page's CSP forbids the eval waitForFunction uses.
    for (let i = 0; i < 400 && !(await page.evaluate('window.harnessReady === true')); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  const data = inputs(30_000);

  it('paints the Manhattan plot as the PNG export does', async () => {
    const scene = scenes.manhattanOf(manhattanScene, data, true);
    const screen = await paintInPage('manhattan', data);
    const file = paintInEngine(scene);
    expect(screen.fonts).toBe(true);
    expect(screen.width).toBe(file.width);
    expect(Math.abs(screen.height - file.height)).toBeLessThanOrEqual(1);
    const mask = softMask(scene, screen.width, Math.min(screen.height, file.height));
    const same = compare(screen, file, mask);
    await dump('manhattan', screen, file);
    expect(same.differing).toBeLessThan(0.002);
    expect(same.inkIoU).toBeGreaterThan(0.98);
    // Measured 38 (Manhattan) and 13 (QQ): where a 1-px line sits, Skia and tiny-skia differ by up to ~0.4 px.
    expect(same.worstBlock).toBeLessThan(48);
    expect(same.mean).toBeLessThan(1);

    // Control: without its 30,000 points it is another figure, and the checks say so.
    const other = compare(await paintInPage('manhattan-no-points', data), file, mask);
    expect(other.differing).toBeGreaterThan(0.01);
    expect(other.inkIoU).toBeLessThan(0.8);
    expect(other.worstBlock).toBeGreaterThan(80);
  }, 60_000);

  it('paints the QQ plot (band, diagonal, points, text) as the PNG export does', async () => {
    const scene = scenes.qqOf(qqScene, data);
    const screen = await paintInPage('qq', data);
    const file = paintInEngine(scene);
    expect(screen.width).toBe(file.width);
    expect(Math.abs(screen.height - file.height)).toBeLessThanOrEqual(1);
    const mask = softMask(scene, screen.width, Math.min(screen.height, file.height));
    const same = compare(screen, file, mask);
    await dump('qq', screen, file);
    expect(same.differing).toBeLessThan(0.002);
    expect(same.inkIoU).toBeGreaterThan(0.98);
    // Measured 38 (Manhattan) and 13 (QQ): where a 1-px line sits, Skia and tiny-skia differ by up to ~0.4 px.
    expect(same.worstBlock).toBeLessThan(48);
    expect(same.mean).toBeLessThan(1);
  }, 60_000);
});
