/**
 * Synthetic scenes for the painter tests: every item type (dashed lines, a path with fill
 * opacity, rects, rotated and anchored text in regular and bold, a point set of which half is
 * raster-flagged, marker shapes with outlines, a cells grid in a clipped group), and a
 * Manhattan-like million-point scene for sizes and speed.
 */
import { Rng } from '../helpers/random.js';
import type { Box, PointsItem, Scene, SceneItem, TextItem } from '../../engine/figures/scene.js';

/** A filled rect of a colour nothing else uses, at a known place (mm). */
export const MARK_RECT: Box = { x: 160, y: 8, w: 16, h: 10 };
export const MARK_COLOUR = '#e0109a';
export const MARK_RGB: [number, number, number] = [0xe0, 0x10, 0x9a];

/** The plot area the points are clipped to. */
export const PLOT: Box = { x: 20, y: 22, w: 120, h: 50 };
/** The heatmap's box (right of the plot). */
export const CELLS_BOX: Box = { x: 150, y: 30, w: 24, h: 24 };
export const CELLS_COLS = 12;
export const CELLS_ROWS = 12;

/** A large text item whose ink the tests look for (start anchor, alphabetic baseline). */
export const INK_TEXT: TextItem = { type: 'text', x: 24, y: 14, text: 'Kinship HgE', sizePt: 14, anchor: 'start', baseline: 'alphabetic', weight: 'bold', fill: '#000000' };

/** Number of vector marker shapes (4 shapes x 3) drawn beside the main point set. */
export const SHAPE_MARKS = 12;

export function text(x: number, y: number, s: string, extra: Partial<TextItem> = {}): TextItem {
  return { type: 'text', x, y, text: s, sizePt: 7, anchor: 'start', baseline: 'alphabetic', weight: 'normal', fill: '#000000', ...extra };
}

/** The synthetic scene: `points` in the main set (half raster-flagged); `withRaster` false drops the raster-flagged half and the cells. */
export function syntheticScene(points = 100_000, withRaster = true): Scene {
  const rng = new Rng(7);
  const x = new Float64Array(points);
  const y = new Float64Array(points);
  const colorIndex = new Uint8Array(points);
  const raster = new Uint8Array(points);
  for (let i = 0; i < points; i++) {
    x[i] = PLOT.x + (i / points) * PLOT.w;
    const p = rng.next();
    y[i] = PLOT.y + PLOT.h - Math.min(PLOT.h - 2, -Math.log10(p + 1e-300) * 8);
    colorIndex[i] = Math.floor((i / points) * 8) % 2;
    raster[i] = withRaster && i % 2 === 0 ? 1 : 0;
  }
  const main: PointsItem = { type: 'points', x, y, colorIndex, palette: ['#0072B2', '#56B4E9'], shape: 'circle', radiusMm: 0.35, raster, clip: PLOT };
  const shapes: PointsItem = {
    type: 'points',
    x: Float64Array.from({ length: SHAPE_MARKS }, (_, i) => 30 + (i % 4) * 8),
    y: Float64Array.from({ length: SHAPE_MARKS }, (_, i) => 30 + Math.floor(i / 4) * 6),
    colorIndex: Uint8Array.from({ length: SHAPE_MARKS }, (_, i) => i % 3),
    palette: ['#D55E00', '#009E73', '#F0E442'],
    shape: 'square',
    radiusMm: 1.2,
    stroke: '#000000',
    strokePt: 0.5,
    clip: PLOT,
  };
  const shapeSets: SceneItem[] = (['circle', 'square', 'triangle', 'diamond'] as const).map((shape, s) => ({
    ...shapes,
    shape,
    x: Float64Array.from({ length: 3 }, (_, i) => 30 + s * 8 + i * 0.01),
    y: Float64Array.from({ length: 3 }, (_, i) => 30 + i * 6),
    colorIndex: Uint8Array.of(0, 1, 2),
    fillOpacity: s === 3 ? 0.6 : undefined,
  }));
  const rgb = new Uint8Array(CELLS_COLS * CELLS_ROWS * 3);
  for (let r = 0; r < CELLS_ROWS; r++)
    for (let c = 0; c < CELLS_COLS; c++) {
      const o = 3 * (r * CELLS_COLS + c);
      rgb[o] = 40 + r * 17;
      rgb[o + 1] = 60;
      rgb[o + 2] = 240 - c * 17;
    }
  const band = new Float64Array([PLOT.x, PLOT.y + PLOT.h, PLOT.x + PLOT.w, PLOT.y + 10, PLOT.x + PLOT.w, PLOT.y + 25]);
  const items: SceneItem[] = [
    { type: 'rect', x: PLOT.x, y: PLOT.y, w: PLOT.w, h: PLOT.h, fill: '#f4f4f4' },
    { type: 'path', points: band, closed: true, fill: '#999999', fillOpacity: 0.35 },
    { type: 'group', clip: { x: CELLS_BOX.x, y: CELLS_BOX.y, w: CELLS_BOX.w, h: CELLS_BOX.h - 4 }, items: [{ type: 'cells', box: CELLS_BOX, cols: CELLS_COLS, rows: CELLS_ROWS, rgb }] },
    { type: 'rect', x: CELLS_BOX.x, y: CELLS_BOX.y, w: CELLS_BOX.w, h: CELLS_BOX.h, stroke: '#000000', widthPt: 0.5 },
    main,
    ...shapeSets,
    { type: 'line', x1: PLOT.x, y1: PLOT.y + PLOT.h, x2: PLOT.x + PLOT.w, y2: PLOT.y + PLOT.h, stroke: '#000000', widthPt: 0.6 },
    { type: 'line', x1: PLOT.x, y1: PLOT.y, x2: PLOT.x, y2: PLOT.y + PLOT.h, stroke: '#000000', widthPt: 0.6 },
    { type: 'line', x1: PLOT.x, y1: PLOT.y + 15, x2: PLOT.x + PLOT.w, y2: PLOT.y + 15, stroke: '#D55E00', widthPt: 0.8, dashPt: [4, 2] },
    { type: 'line', x1: PLOT.x, y1: PLOT.y + 25, x2: PLOT.x + PLOT.w, y2: PLOT.y + 25, stroke: '#555555', widthPt: 0.6, dashPt: [1, 1.5] },
    { type: 'path', points: new Float64Array([60, 40, 70, 28, 80, 36, 90, 26]), closed: false, stroke: '#009E73', widthPt: 1 },
    { type: 'rect', x: MARK_RECT.x, y: MARK_RECT.y, w: MARK_RECT.w, h: MARK_RECT.h, fill: MARK_COLOUR },
    INK_TEXT,
    text(PLOT.x + PLOT.w / 2, 86, 'Chromosome (natural order)', { sizePt: 8, anchor: 'middle' }),
    text(8, PLOT.y + PLOT.h / 2, '\u2212log10 p', { sizePt: 8, anchor: 'middle', rotate: 90 }),
    text(PLOT.x - 2, PLOT.y + PLOT.h, '0', { anchor: 'end', baseline: 'middle' }),
    text(PLOT.x - 2, PLOT.y, '10', { anchor: 'end', baseline: 'middle' }),
    text(PLOT.x + 10, PLOT.y + PLOT.h + 2, 'top-anchored 1', { anchor: 'middle', baseline: 'top' }),
    text(PLOT.x + PLOT.w, PLOT.y + PLOT.h + 2, 'X', { anchor: 'middle', baseline: 'top' }),
    text(100, 80, 'rs12345 (30\u00b0)', { sizePt: 6.5, rotate: 30, italic: true }),
    text(176, 86, 'bold end', { anchor: 'end', weight: 'bold' }),
  ];
  const scene: Scene = {
    kind: 'manhattan',
    widthMm: 183,
    heightMm: 90,
    background: '#ffffff',
    items,
    meta: { title: 'Synthetic scene', description: 'Every item type for the painter tests.', runId: 42, software: 'kinscan 0.1.0' },
  };
  if (!withRaster) scene.items = items.filter((i) => i.type !== 'group');
  return scene;
}

/** A Manhattan-like scene: `n` points over 22 chromosomes, about 1% of them (p < 0.01) vector marks. */
export function manhattanLikeScene(n = 1_000_000, widthMm = 183, heightMm = 90): Scene {
  const rng = new Rng(11);
  const plot: Box = { x: 12, y: 6, w: widthMm - 16, h: heightMm - 18 };
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const colorIndex = new Uint8Array(n);
  const raster = new Uint8Array(n);
  const maxY = 12;
  for (let i = 0; i < n; i++) {
    x[i] = plot.x + (i / n) * plot.w;
    const p = rng.next();
    const score = Math.min(maxY, -Math.log10(p + 1e-300));
    y[i] = plot.y + plot.h - (score / maxY) * plot.h;
    colorIndex[i] = Math.floor((i / n) * 22) % 2;
    raster[i] = p > 0.01 ? 1 : 0;
  }
  const items: SceneItem[] = [
    { type: 'points', x, y, colorIndex, palette: ['#0072B2', '#56B4E9'], shape: 'circle', radiusMm: 0.4, raster, clip: plot },
    { type: 'line', x1: plot.x, y1: plot.y + plot.h, x2: plot.x + plot.w, y2: plot.y + plot.h, stroke: '#000000', widthPt: 0.6 },
    { type: 'line', x1: plot.x, y1: plot.y, x2: plot.x, y2: plot.y + plot.h, stroke: '#000000', widthPt: 0.6 },
    { type: 'line', x1: plot.x, y1: plot.y + plot.h * (1 - 7.3 / maxY), x2: plot.x + plot.w, y2: plot.y + plot.h * (1 - 7.3 / maxY), stroke: '#D55E00', widthPt: 0.6, dashPt: [3, 2] },
  ];
  for (let c = 1; c <= 22; c++) items.push(text(plot.x + ((c - 0.5) / 22) * plot.w, plot.y + plot.h + 2.5, String(c), { anchor: 'middle', baseline: 'top', sizePt: 6 }));
  items.push(text(4, plot.y + plot.h / 2, '\u2212log10 p', { anchor: 'middle', rotate: 90, sizePt: 8 }));
  return {
    kind: 'manhattan',
    widthMm,
    heightMm,
    background: '#ffffff',
    items,
    meta: { title: 'Manhattan (synthetic)', description: `${n} SNPs.`, runId: 1, software: 'kinscan 0.1.0' },
  };
}
