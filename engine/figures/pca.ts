/**
 * The PCA figure: two principal components of the kinship, one point per individual, the share of
 * variance on each axis title, points coloured by a sheet column. A categorical column gets a
 * legend (past 8 categories the colours cycle and the marker shape changes too), a continuous one a
 * colour bar; individuals without a value are hollow grey markers, listed as 'missing'.
 */
import { STYLE, layoutFrame, type FigureOptions, type Frame, type FrameSpec } from './frame.js';
import type { PcaData, SampleColouring } from './data.js';
import { categoricalLegend, colourBar, stackBlocks, type Block, type LegendEntry } from './legend.js';
import { categoricalColours, sequentialColour, toHex, type PaletteName } from './palette.js';
import type { MarkerShape, PointsItem, Scene, SceneItem } from './scene.js';
import { textWidthMm } from './text.js';
import { niceTicks } from './ticks.js';

export interface PcaOptions extends FigureOptions {
  /** PC on the x axis, from 1 (default 1). */
  x?: number;
  /** PC on the y axis, from 1 (default 2). */
  y?: number;
}

/** Fill and outline of individuals without a value. */
export const MISSING_FILL = '#ffffff';
export const MISSING_STROKE = '#8c8c8c';
const SHAPES: MarkerShape[] = ['circle', 'square', 'triangle', 'diamond'];
const COLOURS_PER_CYCLE = 8;
const CONTINUOUS_STEPS = 256;

/** 'PC1 (12.3%)' */
export function pcAxisTitle(pc: number, fraction: number | undefined): string {
  if (fraction === undefined || !Number.isFinite(fraction)) return `PC${pc}`;
  const pct = fraction * 100;
  return `PC${pc} (${pct < 0.1 ? pct.toFixed(2) : pct.toFixed(1)}%)`;
}

/** Colour and shape of the i-th category: colours cycle every 8 and the shape changes each cycle (in grey, every step). */
export function categoryStyle(palette: PaletteName, i: number): { colour: string; shape: MarkerShape } {
  const colour = categoricalColours(palette, COLOURS_PER_CYCLE)[i % COLOURS_PER_CYCLE]!;
  const cycle = Math.floor(i / COLOURS_PER_CYCLE);
  const shape = palette === 'grey' ? SHAPES[(i + cycle) % SHAPES.length]! : SHAPES[cycle % SHAPES.length]!;
  return { colour, shape };
}

export function isMissingCategory(v: string | undefined): boolean {
  return v === undefined || v.trim() === '' || v.trim().toUpperCase() === 'NA';
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** The distinct non-missing categories in natural order ('2' before '10'). */
export function categoriesOf(values: string[]): string[] {
  return [...new Set(values.filter((v) => !isMissingCategory(v)))].sort((a, b) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
}

function pointRadius(n: number): number {
  return n <= 300 ? 0.75 : n <= 1500 ? 0.6 : n <= 5000 ? 0.5 : 0.4;
}

interface PointGroup {
  indices: number[];
  colourIndex: number[];
  palette: string[];
  shape: MarkerShape;
  hollow: boolean;
}

interface Colouring {
  groups: PointGroup[];
  legend?: Block;
}

function finiteRange(values: Float64Array): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

function missingEntry(radiusMm: number): LegendEntry {
  return { label: 'missing', colour: MISSING_FILL, stroke: MISSING_STROKE, shape: 'circle', radiusMm };
}

function colouring(n: number, colour: SampleColouring | undefined, palette: PaletteName, legendMaxW: number, legendMaxH: number, radius: number): Colouring {
  const swatchR = Math.max(radius, 0.7);
  if (!colour) {
    return { groups: [{ indices: Array.from({ length: n }, (_, i) => i), colourIndex: new Array<number>(n).fill(0), palette: [categoricalColours(palette, 1)[0]!], shape: 'circle', hollow: false }] };
  }
  const missing: number[] = [];
  const groups: PointGroup[] = [];
  const entries: LegendEntry[] = [];
  let legend: Block;
  if (colour.kind === 'categorical') {
    const categories = categoriesOf(colour.values);
    const indexOf = new Map(categories.map((c, i) => [c, i]));
    const styles = categories.map((_, i) => categoryStyle(palette, i));
    const byShape = new Map<MarkerShape, PointGroup>();
    for (let i = 0; i < n; i++) {
      const v = colour.values[i];
      const c = isMissingCategory(v) ? undefined : indexOf.get(v!);
      if (c === undefined) {
        missing.push(i);
        continue;
      }
      const style = styles[c]!;
      let group = byShape.get(style.shape);
      if (!group) {
        group = { indices: [], colourIndex: [], palette: [], shape: style.shape, hollow: false };
        byShape.set(style.shape, group);
      }
      let pi = group.palette.indexOf(style.colour);
      if (pi < 0) pi = group.palette.push(style.colour) - 1;
      group.indices.push(i);
      group.colourIndex.push(pi);
    }
    groups.push(...byShape.values());
    categories.forEach((c, i) => entries.push({ label: c, colour: styles[i]!.colour, shape: styles[i]!.shape, radiusMm: swatchR }));
    if (missing.length) entries.push(missingEntry(swatchR));
    legend = categoricalLegend({ entries, title: colour.name, flow: 'column', maxWidthMm: legendMaxW, maxHeightMm: legendMaxH });
  } else {
    const range = finiteRange(colour.values) ?? [0, 1];
    const [lo, hi] = range[1] > range[0] ? range : [range[0] - 0.5, range[0] + 0.5];
    const rampPalette = Array.from({ length: CONTINUOUS_STEPS }, (_, k) => {
      const [r, g, b] = sequentialColour(palette, k / (CONTINUOUS_STEPS - 1));
      return toHex(r, g, b);
    });
    const group: PointGroup = { indices: [], colourIndex: [], palette: rampPalette, shape: 'circle', hollow: false };
    for (let i = 0; i < n; i++) {
      const v = colour.values[i]!;
      if (!Number.isFinite(v)) {
        missing.push(i);
        continue;
      }
      group.indices.push(i);
      group.colourIndex.push(Math.round(((v - lo) / (hi - lo)) * (CONTINUOUS_STEPS - 1)));
    }
    groups.push(group);
    const ticks = niceTicks(lo, hi, 4);
    const bar = colourBar({
      title: colour.name,
      domain: [lo, hi],
      ticks,
      colourAt: (v) => sequentialColour(palette, (v - lo) / (hi - lo)),
      lengthMm: Math.max(12, Math.min(40, legendMaxH * 0.6)),
      maxWidthMm: legendMaxW,
    });
    legend = missing.length ? stackBlocks([bar, categoricalLegend({ entries: [missingEntry(swatchR)], flow: 'column', maxWidthMm: legendMaxW })], 1.5) : bar;
  }
  if (missing.length) groups.unshift({ indices: missing, colourIndex: new Array<number>(missing.length).fill(0), palette: [MISSING_FILL], shape: 'circle', hollow: true });
  return { groups, legend };
}

const LEGEND_GAP_MM = 2.5;
/** Largest default side of the square plot (a double-column PCA would otherwise be page-high). */
const MAX_SIDE_MM = 120;

export function pcaScene(data: PcaData, opts: PcaOptions): Scene {
  const pcX = opts.x ?? 1;
  const pcY = opts.y ?? 2;
  const xs = data.pcs[pcX - 1];
  const ys = data.pcs[pcY - 1];
  if (!xs || !ys) throw new RangeError(`PC${!xs ? pcX : pcY} is not in the data (${data.pcs.length} PCs)`);
  const n = xs.length;
  const radius = pointRadius(n);

  const axis = (values: Float64Array, label: string): FrameSpec['x'] => {
    const range = finiteRange(values) ?? [-1, 1];
    const pad = (range[1] - range[0]) * 0.04 || 0.5;
    const domain: [number, number] = [range[0] - pad, range[1] + pad];
    return { domain, ticks: niceTicks(domain[0], domain[1], 5), label };
  };
  const xAxis = axis(xs, pcAxisTitle(pcX, data.varianceExplained[pcX - 1]));
  const yAxis = axis(ys, pcAxisTitle(pcY, data.varianceExplained[pcY - 1]));
  const legendMaxW = Math.max(18, opts.widthMm * 0.3);

  const frameFor = (rightMm: number, heightMm: number): Frame => layoutFrame({ widthMm: opts.widthMm, heightMm, title: opts.title, x: xAxis, y: yAxis, rightMm });
  // Room right of the plot for the legend, widened so the square plot is at most MAX_SIDE_MM wide.
  const roomFor = (legendRoom: number): number => {
    const probe = frameFor(legendRoom, opts.widthMm);
    return legendRoom + Math.max(0, probe.plot.w - MAX_SIDE_MM);
  };
  const squareHeight = (rightMm: number): number => {
    const probe = frameFor(rightMm, opts.widthMm);
    return opts.heightMm ?? probe.plot.w + (opts.widthMm - probe.plot.h);
  };
  let rightMm = roomFor(data.colour ? legendMaxW * 0.6 + LEGEND_GAP_MM : 0);
  let heightMm = squareHeight(rightMm);
  let frame = frameFor(rightMm, heightMm);
  let col: Colouring = { groups: [] };
  // Two passes: the legend's size depends on the plot height, the plot's width on the legend.
  for (let pass = 0; pass < 2; pass++) {
    col = colouring(n, data.colour, opts.palette, legendMaxW, frame.plot.h, radius);
    rightMm = roomFor(col.legend ? col.legend.widthMm + LEGEND_GAP_MM : 0);
    heightMm = squareHeight(rightMm);
    frame = frameFor(rightMm, heightMm);
  }

  const items: SceneItem[] = [...frame.items];
  for (const group of col.groups) {
    // Individuals without a score on either PC are not drawn.
    const keep = group.indices.map((i) => Number.isFinite(xs[i]!) && Number.isFinite(ys[i]!));
    const g = { ...group, indices: group.indices.filter((_, k) => keep[k]), colourIndex: group.colourIndex.filter((_, k) => keep[k]) };
    const item: PointsItem = {
      type: 'points',
      x: Float64Array.from(g.indices, (i) => frame.sx(xs[i]!)),
      y: Float64Array.from(g.indices, (i) => frame.sy(ys[i]!)),
      colorIndex: Uint8Array.from(g.colourIndex),
      palette: g.palette,
      shape: g.shape,
      radiusMm: g.shape === 'circle' ? radius : radius * 1.1,
      id: Int32Array.from(g.indices),
      raster: new Uint8Array(g.indices.length),
      clip: frame.plot,
    };
    if (g.hollow) {
      item.stroke = MISSING_STROKE;
      item.strokePt = 0.5;
    } else {
      item.fillOpacity = 0.8;
    }
    items.push(item);
  }
  if (col.legend) {
    // Clear of the last x tick label (it sticks out past the plot), and inside the margin.
    const lastTick = textWidthMm(xAxis.ticks.labels.at(-1) ?? '', STYLE.tickPt) / 2;
    const legendX = Math.min(opts.widthMm - STYLE.marginMm - col.legend.widthMm, frame.plot.x + frame.plot.w + Math.max(LEGEND_GAP_MM, lastTick + 1.5));
    items.push(...col.legend.place(legendX, frame.plot.y).items);
  }

  const colouredBy = data.colour ? `, coloured by ${data.colour.name}` : '';
  return {
    kind: 'pca',
    widthMm: opts.widthMm,
    heightMm,
    background: '#ffffff',
    items,
    meta: {
      title: opts.title ?? `PC${pcX} and PC${pcY} of the kinship`,
      description: `Principal components ${pcX} and ${pcY} of the kinship matrix for ${n} individuals${colouredBy}.`,
      runId: opts.runId,
      software: opts.software,
    },
  };
}
