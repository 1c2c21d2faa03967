/**
 * The kinship heatmap: the n x n relatedness matrix with the individuals ordered by average-linkage
 * clustering (clustering.ts), the dendrogram along the top as one path, a diverging colour bar
 * symmetric around 0. The colour range comes from the off-diagonal values (their 99.5th percentile
 * of |K|, rounded up to two significant digits), so relatedness between individuals shows; the
 * diagonal (self-kinship, much larger) saturates, and the bar says so. Sample IDs label the rows
 * and columns only when they can be read (n <= 60 and at least 4 pt); at n = 2,000 the cells and
 * the block structure are the figure.
 */
import { STYLE, text, type FigureOptions } from './frame.js';
import type { KinshipData } from './data.js';
import { clusterKinship, nodePositions, type Dendrogram } from './clustering.js';
import { colourBar, lineHeightMm, wrapText } from './legend.js';
import { divergingColour, type PaletteName } from './palette.js';
import { quantileInPlace } from './quantiles.js';
import { type Box, type CellsItem, type PathItem, type Scene, type SceneItem } from './scene.js';
import { capHeightMm, descentMm, fitText, textWidthMm } from './text.js';
import { formatTick, niceTicks, stepDecimals } from './ticks.js';

export interface KinshipHeatmapOptions extends FigureOptions {
  /** Draw the dendrogram above the matrix (default true). */
  dendrogram?: boolean;
}

/** Most individuals that get ID labels. */
export const MAX_LABELLED = 60;
const MIN_LABEL_PT = 4;
const MAX_LABEL_MM = 16;
/** Largest default side of the matrix (a double-column heatmap would otherwise be page-high). */
const MAX_SIDE_MM = 135;
const COLOUR_STEPS = 2000;
/** A merge with a side narrower than this is drawn as one stem. */
const DENDROGRAM_MIN_WIDTH_MM = 0.5;

/** |K| at the 99.5th percentile of the off-diagonal entries, rounded up to 2 significant digits. */
export function kinshipColourRange(k: Float64Array, n: number): number {
  const off = new Float64Array((n * (n - 1)) / 2);
  let m = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = Math.abs(k[i * n + j]!);
      if (Number.isFinite(v)) off[m++] = v;
    }
  }
  const q = m > 0 ? quantileInPlace(off.subarray(0, m), 0.995) : 0;
  return roundUp2(q > 0 ? q : maxAbsDiagonal(k, n) || 1);
}

function maxAbsDiagonal(k: Float64Array, n: number): number {
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(k[i * n + i]!) || 0);
  return max;
}

function roundUp2(v: number): number {
  const p = 10 ** (Math.floor(Math.log10(v)) - 1);
  return Number((Math.ceil(v / p - 1e-9) * p).toPrecision(2));
}

/** Colour look-up over t in [-1, 1], COLOUR_STEPS + 1 entries, 3 bytes each. */
function colourTable(palette: PaletteName): Uint8Array {
  const lut = new Uint8Array((COLOUR_STEPS + 1) * 3);
  for (let s = 0; s <= COLOUR_STEPS; s++) {
    const [r, g, b] = divergingColour(palette, (2 * s) / COLOUR_STEPS - 1);
    lut[3 * s] = Math.round(r);
    lut[3 * s + 1] = Math.round(g);
    lut[3 * s + 2] = Math.round(b);
  }
  return lut;
}

/** The matrix in cluster order as rgb bytes: cell (r, c) shows K[order[r], order[c]]. */
export function heatmapRgb(k: Float64Array, n: number, order: Int32Array, range: number, palette: PaletteName): Uint8Array {
  const lut = colourTable(palette);
  const rgb = new Uint8Array(n * n * 3);
  const scale = COLOUR_STEPS / (2 * range);
  for (let r = 0; r < n; r++) {
    const row = order[r]! * n;
    const out = r * n * 3;
    for (let c = 0; c < n; c++) {
      const v = k[row + order[c]!]!;
      const step = Number.isFinite(v) ? Math.max(0, Math.min(COLOUR_STEPS, Math.round((v + range) * scale))) : COLOUR_STEPS / 2;
      rgb[out + 3 * c] = lut[3 * step]!;
      rgb[out + 3 * c + 1] = lut[3 * step + 1]!;
      rgb[out + 3 * c + 2] = lut[3 * step + 2]!;
    }
  }
  return rgb;
}

/**
 * The dendrogram as one polyline: a walk round the tree that goes down each branch and back up
 * (retraced segments coincide). Leaves at x = left + (rank + 0.5) * cell. A merge with a side
 * narrower than `minWidthMm` is not drawn out: its stem goes down to the baseline, and the height scale starts a
 * little below the lowest merge drawn (at 0 when every merge is drawn). The root sits at
 * `baseY - bandH`, the baseline at `baseY`.
 */
export function dendrogramPoints(tree: Dendrogram, left: number, cell: number, baseY: number, bandH: number, minWidthMm = 0): Float64Array {
  const { n } = tree;
  if (n < 2) return new Float64Array(0);
  const pos = nodePositions(tree);
  // A merge is drawn out only when both its sides are at least minWidthMm wide: at most
  // (width / minWidthMm) stems, however chain-like the tree.
  const narrow = (node: number): boolean => (node < n ? 1 : tree.sizes[node - n]!) * cell < minWidthMm;
  const collapsed = (node: number): boolean => node < n || narrow(tree.children[2 * (node - n)]!) || narrow(tree.children[2 * (node - n) + 1]!);
  let lowest = Infinity;
  let anyCollapsed = false;
  for (let m = 0; m < n - 1; m++) {
    if (collapsed(n + m)) anyCollapsed = true;
    else lowest = Math.min(lowest, tree.heights[m]!);
  }
  const top = tree.heights[n - 2]!;
  const floor = anyCollapsed && Number.isFinite(lowest) ? lowest - 0.12 * (top - lowest) : 0;
  const span = top - floor || 1;
  const X = (node: number): number => left + (pos.x[node]! + 0.5) * cell;
  const Y = (node: number): number => (collapsed(node) ? baseY : baseY - ((pos.y[node]! - floor) / span) * bandH);
  const out = new Float64Array(2 * (7 * n));
  let count = 0;
  const emit = (x: number, y: number): void => {
    out[count++] = x;
    out[count++] = y;
  };
  if (collapsed(2 * n - 2)) return out.slice(0, 0);
  // Explicit stack of (node, phase): phase 0 = arrive, 1 = back from the first child, 2 = back from the second.
  const stackNode = new Int32Array(2 * n);
  const stackPhase = new Uint8Array(2 * n);
  let depth = 0;
  stackNode[depth] = 2 * n - 2;
  stackPhase[depth++] = 0;
  while (depth > 0) {
    const node = stackNode[depth - 1]!;
    const phase = stackPhase[depth - 1]!;
    if (collapsed(node)) {
      emit(X(node), Y(node));
      depth--;
      continue;
    }
    const merge = node - n;
    const first = tree.children[2 * merge]!;
    const second = tree.children[2 * merge + 1]!;
    const y = Y(node);
    if (phase === 0) {
      emit(X(node), y);
      emit(X(first), y);
      stackPhase[depth - 1] = 1;
      stackNode[depth] = first;
      stackPhase[depth++] = 0;
    } else if (phase === 1) {
      emit(X(first), y);
      emit(X(second), y);
      stackPhase[depth - 1] = 2;
      stackNode[depth] = second;
      stackPhase[depth++] = 0;
    } else {
      emit(X(second), y);
      emit(X(node), y);
      depth--;
    }
  }
  return out.slice(0, count);
}

function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Type size at which labels of rows `cell` mm apart do not touch. */
function labelSizeFor(cell: number): number {
  const perPt = (capHeightMm(1) + descentMm(1)) * 1.08;
  return Math.min(STYLE.annotationPt, cell / perPt);
}

export function kinshipHeatmapScene(data: KinshipData, opts: KinshipHeatmapOptions): Scene {
  const { n, k } = data;
  const W = opts.widthMm;
  const M = STYLE.marginMm;
  const tree = clusterKinship(k, n);
  const range = kinshipColourRange(k, n);

  // Header: title, the matrix's description, n.
  const headerItems: SceneItem[] = [];
  let y = M;
  const title = opts.title ?? 'Kinship';
  const titleCap = capHeightMm(STYLE.titlePt, 'bold');
  headerItems.push(text(M, y + titleCap, fitText(title, W - 2 * M, STYLE.titlePt, 'bold'), STYLE.titlePt, 'start', 'alphabetic', { weight: 'bold' }));
  y += titleCap + descentMm(STYLE.titlePt, 'bold') + STYLE.gapMm;
  const noteLh = lineHeightMm(STYLE.annotationPt);
  const descriptionLines = data.description ? wrapText(data.description, W - 2 * M, STYLE.annotationPt) : [];
  if (descriptionLines.length > 2) descriptionLines.splice(1, Infinity, fitText(descriptionLines.slice(1).join(' '), W - 2 * M, STYLE.annotationPt));
  for (const l of [...descriptionLines, `n = ${formatCount(n)}, ordered by average-linkage (UPGMA) clustering`]) {
    headerItems.push(text(M, y + noteLh / 2, fitText(l, W - 2 * M, STYLE.annotationPt), STYLE.annotationPt, 'start', 'middle', { fill: STYLE.mutedInk }));
    y += noteLh;
  }
  const headerH = y + STYLE.gapMm * 2;

  // Colour bar at the right: its width is known before the matrix's size.
  const ticks = symmetricTicks(range);
  const barFor = (lengthMm: number) =>
    colourBar({
      title: 'Kinship',
      note: `diagonal and |K| > ${formatTick(range, stepDecimals(range))} saturate`,
      domain: [-range, range],
      ticks,
      colourAt: (v) => divergingColour(opts.palette, v / range),
      lengthMm,
      maxWidthMm: Math.max(14, W * 0.16),
    });
  const barW = barFor(30).widthMm;
  const barGap = 3;

  const drawTree = opts.dendrogram !== false && n >= 2;
  // Side of the square from the width; labels (if any) take room on the left and below.
  const sideFor = (labelRoom: number): number => Math.min(MAX_SIDE_MM, W - M - labelRoom - barGap - barW - M);
  let labelPt = 0;
  let labelRoom = 0;
  let side = sideFor(0);
  if (n <= MAX_LABELLED) {
    for (let pass = 0; pass < 3; pass++) {
      labelPt = labelSizeFor(side / n);
      const widest = Math.max(0, ...data.sampleIds.map((s) => textWidthMm(fitText(s, MAX_LABEL_MM, labelPt), labelPt)));
      labelRoom = widest + STYLE.gapMm;
      side = sideFor(labelRoom);
    }
    labelPt = labelSizeFor(side / n);
    if (labelPt < MIN_LABEL_PT) {
      labelPt = 0;
      labelRoom = 0;
      side = sideFor(0);
    }
  }
  let treeH = drawTree ? Math.min(18, Math.max(6, side * 0.14)) : 0;
  let heightMm = headerH + treeH + (drawTree ? 1 : 0) + side + labelRoom + M;
  if (opts.heightMm !== undefined && opts.heightMm < heightMm) {
    // A given height shrinks the square (and the dendrogram with it).
    const shrink = Math.max(10, side - (heightMm - opts.heightMm));
    treeH = drawTree ? Math.min(treeH, Math.max(4, shrink * 0.14)) : 0;
    side = Math.max(10, opts.heightMm - headerH - treeH - (drawTree ? 1 : 0) - labelRoom - M);
    if (labelPt) labelPt = labelSizeFor(side / n) >= MIN_LABEL_PT ? labelSizeFor(side / n) : 0;
  }
  heightMm = opts.heightMm ?? heightMm;
  const cell = side / n;
  const box: Box = { x: M + labelRoom, y: headerH + treeH + (drawTree ? 1 : 0), w: side, h: side };

  const items: SceneItem[] = [...headerItems];
  if (drawTree) {
    const path: PathItem = { type: 'path', points: dendrogramPoints(tree, box.x, cell, box.y - 1, treeH, DENDROGRAM_MIN_WIDTH_MM), closed: false, stroke: STYLE.ink, widthPt: 0.4 };
    items.push(path);
  }
  const cells: CellsItem = { type: 'cells', box, cols: n, rows: n, rgb: heatmapRgb(k, n, tree.order, range, opts.palette) };
  items.push(cells);
  items.push({ type: 'rect', ...box, stroke: STYLE.ink, widthPt: 0.4 });
  if (labelPt > 0) {
    for (let r = 0; r < n; r++) {
      const id = fitText(data.sampleIds[tree.order[r]!] ?? '', MAX_LABEL_MM, labelPt);
      const centre = box.x + (r + 0.5) * cell;
      items.push(text(box.x - STYLE.gapMm, box.y + (r + 0.5) * cell, id, labelPt, 'end', 'middle'));
      items.push(text(centre, box.y + side + STYLE.gapMm, id, labelPt, 'end', 'middle', { rotate: 90 }));
    }
  }
  const bar = barFor(Math.min(side * 0.55, 45));
  items.push(...bar.place(box.x + side + barGap, box.y).items);

  return {
    kind: 'kinship',
    widthMm: W,
    heightMm,
    background: '#ffffff',
    items,
    meta: {
      title,
      description:
        `Kinship matrix of ${formatCount(n)} individuals${data.description ? ` (${data.description})` : ''}, ordered by average-linkage (UPGMA) clustering on ` +
        `the distance K_ii + K_jj - 2 K_ij; colours run from -${formatTick(range, stepDecimals(range))} to ${formatTick(range, stepDecimals(range))} ` +
        '(the 99.5th percentile of |K| off the diagonal), larger values and the diagonal saturate.',
      runId: opts.runId,
      software: opts.software,
    },
  };
}

/** Ticks of the bar: its ends (+-r, where colours saturate) and the nice values between, clear of them. */
function symmetricTicks(range: number): { values: number[]; labels: string[] } {
  const inner = niceTicks(-range, range, 4);
  const values = [-range, ...inner.values.filter((v) => Math.abs(Math.abs(v) - range) > 0.4 * inner.step), range];
  const decimals = Math.min(6, Math.max(stepDecimals(range), stepDecimals(inner.step)));
  return { values, labels: values.map((v) => formatTick(v, decimals)) };
}
