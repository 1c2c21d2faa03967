/**
 * The Manhattan plot's scene: −log10 p of every tested SNP against its position, chromosomes in
 * natural order side by side (each spanning its own first..last SNP, a small gap between them,
 * alternating colours), or one chromosome / a region in Mb. Threshold lines (genome-wide 5e-8 with
 * a suggestive 1e-5, or Bonferroni 0.05 / m, or any p; an optional Benjamini-Hochberg FDR line),
 * each labelled at its right end; the lead SNP of each peak past the main line labelled without
 * overlap; highlighted SNPs in the accent colour on top.
 *
 * Built for 10^6 SNPs: two passes over typed arrays, one point layer; only the SNPs past the main
 * line (and, for the FDR line, those with p ≤ q) are ever sorted.
 *
 * Labels that find no free place are dropped, never drawn overlapping: the scene's
 * meta.description says how many ("…, 3 lead labels dropped to avoid overlap").
 */
import { compareChromosomes } from './chromosomes.js';
import type { ManhattanData, ThresholdSpec } from './data.js';
import { layoutFrame, line, STYLE, type FigureOptions } from './frame.js';
import { placeLabels, placeLineLabel, superscript, type LabelAnchor, type LabelPlacement, type TextRun } from './label-placement.js';
import { accentColour, alternatingColours } from './palette.js';
import type { Box, PointsItem, RectItem, Scene, SceneItem } from './scene.js';
import { capHeightMm, descentMm, textWidthMm } from './text.js';
import { niceStep, niceTicks, type Ticks } from './ticks.js';

export interface ManhattanOptions extends FigureOptions {
  /** The main line (default genome-wide 5e-8). */
  threshold?: ThresholdSpec;
  /** A suggestive line's p (default 1e-5 with the genome-wide threshold, none otherwise); null: none. */
  suggestive?: number | null;
  /** A Benjamini-Hochberg line at this q (e.g. 0.05), drawn only when some SNP passes; null: none. */
  fdr?: number | null;
  /** SNP ids (as in data.snp) drawn larger in the accent colour, on top. */
  highlight?: Int32Array;
  /** Only this chromosome, x in Mb. */
  chromosome?: string;
  /** The chromosomes in this order first, the others after them in natural order (compareChromosomes). */
  chromosomeOrder?: string[];
  /** Only this region (bp, inclusive), x in Mb. */
  region?: { chr: string; start: number; end: number };
  /** Label the lead SNP of each peak past the main line (default true). */
  labelLeads?: boolean;
  /** SNPs on the lead's chromosome within this many bp belong to its peak (default 500,000). */
  leadWindowBp?: number;
  /** At most this many leads labelled, best first (default 15). */
  maxLabels?: number;
}

const GENOME_WIDE_P = 5e-8;
const SUGGESTIVE_P = 1e-5;

/** Point radius in mm for a figure width: ~0.55 mm at a single column, growing gently. */
export function manhattanPointRadiusMm(widthMm: number): number {
  return 0.55 * Math.pow(Math.max(40, widthMm) / 89, 0.2);
}

/** Default height: 0.42 x width, at least 55 mm. */
export function manhattanDefaultHeightMm(widthMm: number): number {
  return Math.max(55, widthMm * 0.42);
}

/** '12,226' */
export function groupThousands(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  return (n < 0 ? '\u2212' : '') + s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** p as '5 × 10' + superscript '−8' (or just '10⁻⁵' when the mantissa is 1), as text runs. */
export function pValueRuns(p: number): TextRun[] {
  if (!(p > 0)) return [{ text: String(p) }];
  if (p >= 1e-3) return [{ text: String(Number(p.toPrecision(2))) }];
  let exponent = Math.floor(Math.log10(p));
  let mantissa = Number((p / 10 ** exponent).toPrecision(2));
  if (mantissa >= 10) {
    mantissa /= 10;
    exponent += 1;
  }
  const power = [{ text: '10' }, superscript('\u2212' + String(-exponent))];
  return mantissa === 1 ? power : [{ text: `${mantissa} \u00d7 ` }, ...power];
}

interface ThresholdLine {
  negLog10P: number;
  label: TextRun[];
  /** A shorter label for crowded plots. */
  shortLabel?: TextRun[];
  stroke: string;
  widthPt: number;
  dashPt?: number[];
  /** The main line: leads are the SNPs past it. */
  main: boolean;
  /** For the description: 'genome-wide (p = 5e-8)'. */
  words: string;
}

/**
 * The Benjamini-Hochberg threshold at level q over all finite p-values of `negLog10P`: the
 * −log10 of the largest p_(i) with p_(i) ≤ i q / m, or null when no p-value passes.
 */
export function benjaminiHochbergNegLog10(negLog10P: Float64Array, q: number): number | null {
  if (!(q > 0)) return null;
  const floor = -Math.log10(q);
  let m = 0;
  let candidates = 0;
  for (let k = 0; k < negLog10P.length; k++) {
    const v = negLog10P[k]!;
    if (Number.isNaN(v) || v === -Infinity) continue;
    m++;
    if (v >= floor) candidates++;
  }
  if (candidates === 0) return null;
  // Only p ≤ q can pass (i / m ≤ 1): these are the smallest p-values, ranks 1..candidates.
  const passing = new Float64Array(candidates);
  let c = 0;
  for (let k = 0; k < negLog10P.length; k++) {
    const v = negLog10P[k]!;
    if (!Number.isNaN(v) && v !== -Infinity && v >= floor) passing[c++] = v;
  }
  passing.sort();
  // Ascending −log10 p is descending p: rank i (1 = smallest p) is passing[candidates − i].
  const logQOverM = Math.log10(q / m);
  for (let i = candidates; i >= 1; i--) {
    const v = passing[candidates - i]!;
    // p_(i) ≤ i q / m  ⇔  −log10 p_(i) ≥ −log10(i q / m)
    if (v >= -(Math.log10(i) + logQOverM) - 1e-12) return v;
  }
  return null;
}

/**
 * Lead SNPs of the peaks among `candidates` (indices into the data), greedily: best p first; every
 * candidate on the same chromosome within `windowBp` of a lead joins its peak. Returns the leads in
 * decreasing −log10 p (ties by index).
 */
export function findLeads(chr: Int32Array, pos: Float64Array, negLog10P: Float64Array, candidates: Int32Array, windowBp: number): Int32Array {
  const count = candidates.length;
  const bySignificance = Int32Array.from(candidates).sort((i, j) => negLog10P[j]! - negLog10P[i]! || i - j);
  const byPosition = Int32Array.from(candidates).sort((i, j) => chr[i]! - chr[j]! || pos[i]! - pos[j]! || i - j);
  const slotOf = new Map<number, number>();
  byPosition.forEach((k, slot) => slotOf.set(k, slot));
  // nextFree[s]: the first unassigned slot at or after s (path-compressed skip list).
  const nextFree = new Int32Array(count + 1);
  for (let s = 0; s <= count; s++) nextFree[s] = s;
  const find = (s: number): number => {
    let root = s;
    while (nextFree[root] !== root) root = nextFree[root]!;
    while (nextFree[s] !== root) {
      const next = nextFree[s]!;
      nextFree[s] = root;
      s = next;
    }
    return root;
  };
  const assigned = new Uint8Array(count);
  const leads: number[] = [];
  for (const k of bySignificance) {
    const slot = slotOf.get(k)!;
    if (assigned[slot]) continue;
    leads.push(k);
    const c = chr[k]!;
    const lo = pos[k]! - windowBp;
    const hi = pos[k]! + windowBp;
    // First slot of this chromosome at or after lo (binary search).
    let left = 0;
    let right = count;
    while (left < right) {
      const mid = (left + right) >> 1;
      const km = byPosition[mid]!;
      if (chr[km]! < c || (chr[km] === c && pos[km]! < lo)) left = mid + 1;
      else right = mid;
    }
    for (let s = find(left); s < count; s = find(s + 1)) {
      const ks = byPosition[s]!;
      if (chr[ks] !== c || pos[ks]! > hi) break;
      assigned[s] = 1;
      nextFree[s] = s + 1;
    }
  }
  return Int32Array.from(leads);
}

/** Integer-ish ticks from 0 up to `top` for −log10 p (steps 1, 2, 5 x 10^k; 0.5, 0.2 below 1). */
export function negLog10Ticks(top: number, target: number): Ticks {
  let step = niceStep(top, target);
  if (step === 2.5) step = 2;
  if (step === 0.25) step = 0.2;
  const dec = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
  const values: number[] = [];
  for (let k = 0; k * step <= top + 1e-9; k++) values.push(Number((k * step).toFixed(dec)));
  return { values, labels: values.map((v) => v.toFixed(dec)), step };
}

/** Which labels to show along an axis so none overlap: the first and last always, then left to right. */
export function nonOverlappingLabels(centresMm: ArrayLike<number>, widthsMm: ArrayLike<number>, padMm: number): boolean[] {
  const n = centresMm.length;
  const keep = new Array<boolean>(n).fill(false);
  if (n === 0) return keep;
  const left = (i: number): number => centresMm[i]! - widthsMm[i]! / 2 - padMm / 2;
  const right = (i: number): number => centresMm[i]! + widthsMm[i]! / 2 + padMm / 2;
  keep[0] = true;
  const last = n - 1;
  if (last > 0 && left(last) >= right(0)) keep[last] = true;
  let previous = 0;
  for (let i = 1; i < last; i++) {
    if (left(i) < right(previous)) continue;
    if (keep[last] && right(i) > left(last)) continue;
    keep[i] = true;
    previous = i;
  }
  return keep;
}

/** 'chr 1', 'chr X', but 'Chr01' and 'scaffold_12' as they are. */
function chromosomeTitle(name: string): string {
  return /^(\d+|X|Y|XY|MT?|W|Z)$/i.test(name) ? `chr ${name}` : name;
}

/** The x-axis name of the slot holding SNPs without a known position (genome view). */
export const UNPLACED_LABEL = 'no position';

interface View {
  mode: 'genome' | 'chromosome';
  /** Per chromosome index: drawn (placed SNPs), its offset and first position (genome mode), its colour. */
  include: Uint8Array;
  offset: Float64Array;
  first: Float64Array;
  colour: Uint8Array;
  /** Genome mode: the names along x (natural order, then UNPLACED_LABEL if any) and their centres in x units. */
  names: string[];
  centres: number[];
  /** Genome mode: x (units) of each SNP without a position (index → x), drawn in a slot at the right. */
  unplaced: Map<number, number>;
  domain: [number, number];
  title: string;
  /** Region filter (bp), or none. */
  start: number;
  end: number;
}

/** A p-value is drawn when its −log10 is a number or +∞ (p = 0). */
function plottable(negLog10P: number): boolean {
  return !Number.isNaN(negLog10P) && negLog10P !== -Infinity;
}

/** A known position: GEMMA and PLINK write −9 (or 0 with no map) for unknown ones; 0 counts as known. */
function placed(pos: number): boolean {
  return pos >= 0;
}

function chromosomeIndices(chrNames: string[], name: string): number[] {
  let found = chrNames.flatMap((n, i) => (n === name ? [i] : []));
  if (found.length === 0) {
    const bare = (s: string): string => s.trim().replace(/^chr(omosome)?[_\s-]?/i, '').toUpperCase();
    found = chrNames.flatMap((n, i) => (bare(n) === bare(name) ? [i] : []));
  }
  if (found.length === 0) throw new RangeError(`no chromosome '${name}' among the results (${chrNames.slice(0, 8).join(', ')}${chrNames.length > 8 ? ', …' : ''})`);
  return found;
}

/** Decide what is drawn and where along x (before the plot's width is known: x in abstract units). */
function viewOf(data: ManhattanData, opts: ManhattanOptions): View {
  const chrCount = data.chrNames.length;
  const include = new Uint8Array(chrCount);
  const offset = new Float64Array(chrCount);
  const first = new Float64Array(chrCount);
  const colour = new Uint8Array(chrCount);
  const one = opts.region?.chr ?? opts.chromosome;
  if (one !== undefined) {
    const indices = chromosomeIndices(data.chrNames, one);
    for (const c of indices) include[c] = 1;
    let lo = Infinity;
    let hi = -Infinity;
    const start = opts.region ? opts.region.start : -Infinity;
    const end = opts.region ? opts.region.end : Infinity;
    for (let k = 0; k < data.chr.length; k++) {
      const p = data.pos[k]!;
      if (!include[data.chr[k]!] || !placed(p) || p < start || p > end || !plottable(data.negLog10P[k]!)) continue;
      if (p < lo) lo = p;
      if (p > hi) hi = p;
    }
    let domain: [number, number];
    if (opts.region) domain = [opts.region.start / 1e6, opts.region.end / 1e6];
    else if (lo <= hi) {
      const pad = Math.max((hi - lo) * 0.01, 5e3);
      domain = [Math.max(0, lo - pad) / 1e6, (hi + pad) / 1e6];
    } else domain = [0, 1];
    const title = `Position on ${chromosomeTitle(data.chrNames[indices[0]!]!)} (Mb)`;
    return { mode: 'chromosome', include, offset, first, colour, names: [], centres: [], unplaced: new Map(), domain, title, start, end };
  }
  const lo = new Float64Array(chrCount).fill(Infinity);
  const hi = new Float64Array(chrCount).fill(-Infinity);
  const unplacedIndices: number[] = [];
  let placedCount = 0;
  for (let k = 0; k < data.chr.length; k++) {
    if (!plottable(data.negLog10P[k]!)) continue;
    const c = data.chr[k]!;
    const p = data.pos[k]!;
    if (!placed(p)) {
      unplacedIndices.push(k);
      continue;
    }
    placedCount++;
    if (p < lo[c]!) lo[c] = p;
    if (p > hi[c]!) hi[c] = p;
  }
  // The user's order first (chromosomeOrder), then the natural order of names.
  const rankOf = new Map((opts.chromosomeOrder ?? []).map((name, k) => [name, k] as const));
  const userRank = (c: number): number => rankOf.get(data.chrNames[c]!) ?? rankOf.size;
  const byName = (a: number, b: number): number => userRank(a) - userRank(b) || compareChromosomes(data.chrNames[a]!, data.chrNames[b]!) || a - b;
  const order = [...Array(chrCount).keys()].filter((c) => lo[c]! <= hi[c]!).sort(byName);
  let total = order.reduce((s, c) => s + (hi[c]! - lo[c]!), 0);
  // A chromosome with one SNP still gets a sliver of width; all-single-SNP data gets equal widths.
  const minimumSpan = total > 0 ? total * 1e-4 : 1;
  const spans = order.map((c) => Math.max(hi[c]! - lo[c]!, minimumSpan));
  total = spans.reduce((s, w) => s + w, 0);
  const slots = order.length + (unplacedIndices.length > 0 ? 1 : 0);
  const gap = slots > 1 ? total * Math.min(0.006, 0.1 / slots) : 0;
  const names: string[] = [];
  const centres: number[] = [];
  let cursor = 0;
  order.forEach((c, rank) => {
    include[c] = 1;
    offset[c] = cursor;
    first[c] = lo[c]!;
    colour[c] = rank % 2;
    names.push(data.chrNames[c]!);
    centres.push(cursor + spans[rank]! / 2);
    cursor += spans[rank]! + gap;
  });
  // SNPs without a position: a slot at the right, by chromosome (natural order), then file order,
  // as wide as their share of the SNPs (2-15% of the genome's width).
  const unplaced = new Map<number, number>();
  if (unplacedIndices.length > 0) {
    const rankOf = new Int32Array(chrCount);
    [...Array(chrCount).keys()].sort(byName).forEach((c, r) => (rankOf[c] = r));
    unplacedIndices.sort((i, j) => rankOf[data.chr[i]!]! - rankOf[data.chr[j]!]! || i - j);
    const share = unplacedIndices.length / (placedCount + unplacedIndices.length);
    const width = (total > 0 ? total : 1) * Math.min(0.15, Math.max(0.02, share));
    unplacedIndices.forEach((k, j) => unplaced.set(k, cursor + ((j + 0.5) / unplacedIndices.length) * width));
    names.push(UNPLACED_LABEL);
    centres.push(cursor + width / 2);
    cursor += width + gap;
  }
  const end = Math.max(cursor - gap, 1e-9);
  const pad = Math.max(gap, end * 0.008);
  return { mode: 'genome', include, offset, first, colour, names, centres, unplaced, domain: [-pad, end + pad], title: 'Chromosome', start: -Infinity, end: Infinity };
}

/** The threshold lines to draw, the main one first. */
function thresholdLines(data: ManhattanData, opts: ManhattanOptions): ThresholdLine[] {
  const accent = accentColour(opts.palette);
  const spec = opts.threshold ?? { kind: 'genome-wide' };
  const lines: ThresholdLine[] = [];
  if (spec.kind === 'genome-wide') {
    lines.push({ negLog10P: -Math.log10(GENOME_WIDE_P), label: [{ text: 'Genome-wide ' }, ...pValueRuns(GENOME_WIDE_P)], shortLabel: pValueRuns(GENOME_WIDE_P), stroke: accent, widthPt: 0.6, main: true, words: 'genome-wide (p = 5e-8)' });
  } else if (spec.kind === 'bonferroni') {
    const alpha = spec.alpha ?? 0.05;
    lines.push({ negLog10P: -Math.log10(alpha / spec.m), label: [{ text: `Bonferroni (${alpha} / m = ${groupThousands(spec.m)})` }], stroke: accent, widthPt: 0.6, main: true, words: `Bonferroni (p = ${alpha} / ${spec.m})` });
  } else {
    lines.push({ negLog10P: -Math.log10(spec.p), label: [{ text: 'p = ' }, ...pValueRuns(spec.p)], stroke: accent, widthPt: 0.6, main: true, words: `p = ${spec.p}` });
  }
  const suggestive = opts.suggestive === undefined ? (spec.kind === 'genome-wide' ? SUGGESTIVE_P : null) : opts.suggestive;
  if (suggestive !== null && suggestive > 0) {
    lines.push({ negLog10P: -Math.log10(suggestive), label: [{ text: 'Suggestive ' }, ...pValueRuns(suggestive)], shortLabel: pValueRuns(suggestive), stroke: '#7a7a7a', widthPt: 0.5, dashPt: [2.5, 1.5], main: false, words: `suggestive (p = ${suggestive})` });
  }
  if (opts.fdr !== undefined && opts.fdr !== null) {
    const v = benjaminiHochbergNegLog10(data.negLog10P, opts.fdr);
    if (v !== null) {
      const percent = Number((opts.fdr * 100).toPrecision(3));
      lines.push({ negLog10P: v, label: [{ text: `FDR ${percent}%` }], stroke: STYLE.mutedInk, widthPt: 0.6, dashPt: [0.6, 1.2], main: false, words: `FDR ${percent}% (p = ${Number((10 ** -v).toPrecision(3))})` });
    }
  }
  return lines;
}

export function manhattanScene(data: ManhattanData, opts: ManhattanOptions): Scene {
  const widthMm = opts.widthMm;
  const heightMm = opts.heightMm ?? manhattanDefaultHeightMm(widthMm);
  const count = data.negLog10P.length;
  const view = viewOf(data, opts);
  const lines = thresholdLines(data, opts);
  const main = lines[0]!;
  const labelLeads = opts.labelLeads ?? true;
  const maxLabels = opts.maxLabels ?? 15;
  const highlight = opts.highlight && opts.highlight.length > 0 ? new Set(opts.highlight) : null;

  // Pass 1: what is drawn, the largest finite value, the infinite ones, the SNPs past the main line.
  const drawn = new Uint8Array(count);
  let drawnCount = 0;
  let maxFinite = 0;
  let infinite = 0;
  let pastCount = 0;
  let highlighted = 0;
  let unplacedShown = 0;
  let unplacedHidden = 0;
  for (let k = 0; k < count; k++) {
    const v = data.negLog10P[k]!;
    if (!plottable(v)) continue;
    const p = data.pos[k]!;
    if (placed(p) ? !view.include[data.chr[k]!] || p < view.start || p > view.end : !view.unplaced.has(k)) {
      if (!placed(p) && view.include[data.chr[k]!]) unplacedHidden++;
      continue;
    }
    drawn[k] = 1;
    drawnCount++;
    if (!placed(p)) unplacedShown++;
    if (v === Infinity) infinite++;
    else if (v > maxFinite) maxFinite = v;
    if (v >= main.negLog10P) pastCount++;
    if (highlight && highlight.has(data.snp[k]!)) {
      drawn[k] = 2;
      highlighted++;
    }
  }
  const past = new Int32Array(pastCount);
  for (let k = 0, c = 0; k < count; k++) if (drawn[k] && data.negLog10P[k]! >= main.negLog10P) past[c++] = k;

  // y: 0 .. the largest value or highest line, with headroom for the labels above the peaks.
  const annotationPt = STYLE.annotationPt;
  const labelHeight = capHeightMm(annotationPt) + descentMm(annotationPt);
  const highestLine = Math.max(...lines.map((l) => l.negLog10P));
  const dataTop = Math.max(maxFinite, highestLine, 1);
  const approxPlotHeight = Math.max(20, heightMm - 14 - (opts.title ? 5 : 0));
  const headroomMm = labelLeads && pastCount > 0 ? 2 * labelHeight + 1.5 : labelHeight + 1;
  const yTop = dataTop / Math.max(0.5, 1 - headroomMm / approxPlotHeight);
  const yTicks = negLog10Ticks(yTop, Math.max(3, Math.round(approxPlotHeight / 11)));

  // x ticks: chromosome names (genome) or Mb.
  const tickPt = STYLE.tickPt;
  let xTicks: { values: number[]; labels: string[] };
  if (view.mode === 'genome') {
    const names = view.names;
    const ends = names.length > 0 ? [0, names.length - 1] : [];
    const firstPass = layoutFrame({
      widthMm,
      heightMm,
      ...(opts.title ? { title: opts.title } : {}),
      x: { domain: view.domain, ticks: { values: ends.map((i) => view.centres[i]!), labels: ends.map((i) => names[i]!) }, label: view.title },
      y: { domain: [0, yTop], ticks: yTicks, label: '\u2212log10(p)' },
    });
    const centresMm = view.centres.map((c) => firstPass.sx(c));
    const keep = nonOverlappingLabels(centresMm, names.map((n) => textWidthMm(n, tickPt)), 1.2);
    const shown = names.flatMap((_, i) => (keep[i] ? [i] : []));
    xTicks = { values: shown.map((i) => view.centres[i]!), labels: shown.map((i) => names[i]!) };
  } else {
    const approxPlotWidth = widthMm - 14;
    const t = niceTicks(view.domain[0], view.domain[1], Math.max(3, Math.round(approxPlotWidth / 20)));
    xTicks = { values: t.values, labels: t.labels };
  }
  const frame = layoutFrame({
    widthMm,
    heightMm,
    ...(opts.title ? { title: opts.title } : {}),
    x: { domain: view.domain, ticks: xTicks, label: view.title },
    y: { domain: [0, yTop], ticks: yTicks, label: '\u2212log10(p)' },
  });
  const plot = frame.plot;
  const xScale = plot.w / (view.domain[1] - view.domain[0] || 1);
  const yScale = plot.h / yTop;
  const plotBottom = plot.y + plot.h;

  // Pass 2: the point layer (typed arrays, file order) and the highlights.
  const radius = manhattanPointRadiusMm(widthMm);
  const mainCount = drawnCount - highlighted;
  const xs = new Float64Array(mainCount);
  const ys = new Float64Array(mainCount);
  const colorIndex = new Uint8Array(mainCount);
  const raster = new Uint8Array(mainCount);
  const ids = new Int32Array(mainCount);
  const hx = new Float64Array(highlighted);
  const hy = new Float64Array(highlighted);
  const hIds = new Int32Array(highlighted);
  const xMm = (k: number): number => {
    const c = data.chr[k]!;
    const p = data.pos[k]!;
    const u = view.mode === 'chromosome' ? p / 1e6 : placed(p) ? view.offset[c]! + (p - view.first[c]!) : view.unplaced.get(k)!;
    return plot.x + (u - view.domain[0]) * xScale;
  };
  const yMm = (k: number): number => plotBottom - Math.min(yTop, Math.max(0, data.negLog10P[k]!)) * yScale;
  for (let k = 0, m = 0, h = 0; k < count; k++) {
    const state = drawn[k]!;
    if (state === 0) continue;
    if (state === 2) {
      hx[h] = xMm(k);
      hy[h] = yMm(k);
      hIds[h++] = data.snp[k]!;
      continue;
    }
    xs[m] = xMm(k);
    ys[m] = yMm(k);
    colorIndex[m] = view.mode === 'chromosome' ? 0 : placed(data.pos[k]!) ? view.colour[data.chr[k]!]! : 2;
    raster[m] = data.negLog10P[k]! < 2 ? 1 : 0;
    ids[m++] = data.snp[k]!;
  }
  const colours = alternatingColours(opts.palette);
  const accent = accentColour(opts.palette);
  const points: PointsItem = { type: 'points', x: xs, y: ys, colorIndex, palette: [colours[0], colours[1], opts.palette === 'grey' ? '#c4c4c4' : '#a0a0a0'], shape: 'circle', radiusMm: radius, id: ids, raster, clip: { ...plot } };
  const items: SceneItem[] = [...frame.items, points];
  if (highlighted > 0) {
    items.push({ type: 'points', x: hx, y: hy, colorIndex: new Uint8Array(highlighted), palette: [accent], shape: 'circle', radiusMm: radius * 1.6, stroke: '#ffffff', strokePt: 0.3, id: hIds, raster: new Uint8Array(highlighted), clip: { ...plot } });
  }

  // Threshold lines (their labels come after the lead labels, which have first choice).
  const drawnLines = [...lines].sort((a, b) => b.negLog10P - a.negLog10P).filter((l) => l.negLog10P <= yTop);
  const lineYs = drawnLines.map((l) => plotBottom - l.negLog10P * yScale);

  // Lead SNPs: peaks past the main line, best first; the top ones labelled without overlap.
  const leads = pastCount > 0 ? findLeads(data.chr, data.pos, data.negLog10P, past, opts.leadWindowBp ?? 500_000) : new Int32Array(0);
  const leadPlacement =
    labelLeads && maxLabels > 0 && leads.length > 0
      ? labelLeadSnps(data, leads.subarray(0, Math.min(maxLabels, leads.length)), past, { plot, xMm, yMm, radius, sizePt: annotationPt, mainLineY: plotBottom - main.negLog10P * yScale, lineYs })
      : null;
  const labelled = leadPlacement ? leadPlacement.texts.length : 0;
  const dropped = leadPlacement ? leadPlacement.dropped.length : 0;
  const labelItems: SceneItem[] = leadPlacement ? [...leadPlacement.leaders, ...leadPlacement.texts] : [];
  const leadBoxes: Box[] = leadPlacement ? [...leadPlacement.boxes, ...leadPlacement.leaders.map((l) => ({ x: Math.min(l.x1, l.x2), y: Math.min(l.y1, l.y2), w: Math.abs(l.x2 - l.x1), h: Math.abs(l.y2 - l.y1) }))] : [];

  // Line labels: beside their own line only, clear of points, lead labels, leaders and other lines.
  const taken: Box[] = [...leadBoxes];
  const lineTexts: SceneItem[] = [];
  drawnLines.forEach((l, i) => {
    const y = lineYs[i]!;
    const others = lineYs.filter((_, j) => j !== i);
    const placed = placeLineLabel(l.shortLabel ? [l.label, l.shortLabel] : [l.label], {
      lineY: y,
      plot,
      otherLinesY: others,
      taken,
      points: [
        { xs, ys, radiusMm: radius },
        { xs: hx, ys: hy, radiusMm: radius * 1.6 },
      ],
      sizePt: annotationPt,
    });
    if (placed.cut) {
      items.push(line(plot.x, y, placed.cut[0], y, l.widthPt, l.stroke, l.dashPt), line(placed.cut[1], y, plot.x + plot.w, y, l.widthPt, l.stroke, l.dashPt));
    } else {
      items.push(line(plot.x, y, plot.x + plot.w, y, l.widthPt, l.stroke, l.dashPt));
    }
    taken.push(placed.background ?? placed.box);
    if (placed.background) {
      const ground: RectItem = { type: 'rect', ...placed.background, fill: '#ffffff', fillOpacity: 0.85 };
      lineTexts.push(ground);
    }
    lineTexts.push(...placed.items);
  });
  items.push(...lineTexts, ...labelItems);

  const chromosomes = view.names.length - (view.unplaced.size > 0 ? 1 : 0);
  const where = view.mode === 'genome' ? `${chromosomes} chromosome${chromosomes === 1 ? '' : 's'}` : view.title.replace(/^Position on /, '').replace(/ \(Mb\)$/, '') + (opts.region ? ` ${groupThousands(opts.region.start)}–${groupThousands(opts.region.end)} bp` : '');
  const parts = [
    `Manhattan plot of ${groupThousands(drawnCount)} SNPs on ${where}`,
    `lines: ${lines.map((l) => l.words).join(', ')}`,
    `${leads.length} peak${leads.length === 1 ? '' : 's'} past the ${main.words} line, ${labelled} labelled`,
  ];
  if (dropped > 0) parts.push(`${dropped} lead label${dropped === 1 ? '' : 's'} dropped to avoid overlap`);
  if (infinite > 0) parts.push(`${infinite} SNP${infinite === 1 ? '' : 's'} with p = 0 drawn at the top`);
  if (highlighted > 0) parts.push(`${highlighted} highlighted`);
  if (unplacedShown > 0) parts.push(`${unplacedShown} SNP${unplacedShown === 1 ? '' : 's'} without a position drawn at the right ('${UNPLACED_LABEL}')`);
  if (unplacedHidden > 0) parts.push(`${unplacedHidden} SNP${unplacedHidden === 1 ? '' : 's'} without a position not drawn`);
  return {
    kind: 'manhattan',
    widthMm,
    heightMm,
    background: '#ffffff',
    items,
    meta: { title: opts.title ?? 'Manhattan plot', description: parts.join('; ') + '.', ...(opts.runId !== undefined ? { runId: opts.runId } : {}), software: opts.software },
  };
}

interface LeadLayout {
  plot: Box;
  xMm: (k: number) => number;
  yMm: (k: number) => number;
  radius: number;
  sizePt: number;
  /** The main line's y: the skyline of points past it reaches down to it. */
  mainLineY: number;
  /** Every threshold line's y: labels do not cross them. */
  lineYs: number[];
}

/**
 * Labels for the `chosen` leads (data.label), placed without overlap: clear of the other points
 * past the line (the highest few thousand) and of the threshold lines; leaders also clear of the
 * points' skyline (per column one marker wide, a solid box from its highest point down to the
 * main line), so a leader does not cut through a peak's tower between its points.
 */
function labelLeadSnps(data: ManhattanData, chosen: Int32Array, past: Int32Array, layout: LeadLayout): LabelPlacement {
  const { plot, xMm, yMm, radius } = layout;
  const anchors: LabelAnchor[] = Array.from(chosen, (k) => ({ x: xMm(k), y: yMm(k), text: data.label(k), sizePt: layout.sizePt, priority: data.negLog10P[k]!, markerRadiusMm: radius, tag: k })).filter((a) => a.text !== '');
  const chosenSet = new Set(chosen);
  const obstacles: Box[] = [];
  const bySignificance = Int32Array.from(past).sort((i, j) => data.negLog10P[j]! - data.negLog10P[i]!);
  for (let r = 0; r < bySignificance.length && obstacles.length < 3000; r++) {
    const k = bySignificance[r]!;
    if (!chosenSet.has(k)) obstacles.push({ x: xMm(k) - radius, y: yMm(k) - radius, w: 2 * radius, h: 2 * radius });
  }
  for (const y of layout.lineYs) obstacles.push({ x: plot.x, y: y - 0.15, w: plot.w, h: 0.3 });
  const columnWidth = 2 * radius;
  const columns = Math.ceil(plot.w / columnWidth) + 1;
  const columnTop = new Float64Array(columns).fill(Infinity);
  for (const k of past) {
    if (chosenSet.has(k)) continue;
    const px = xMm(k);
    const top = yMm(k) - radius;
    const first = Math.max(0, Math.floor((px - radius - plot.x) / columnWidth));
    const last = Math.min(columns - 1, Math.floor((px + radius - plot.x) / columnWidth));
    for (let c = first; c <= last; c++) if (top < columnTop[c]!) columnTop[c] = top;
  }
  const skyline: Box[] = [];
  for (let c = 0; c < columns; c++) {
    const top = columnTop[c]!;
    if (top < Infinity) skyline.push({ x: plot.x + c * columnWidth, y: top, w: columnWidth, h: Math.max(0, layout.mainLineY - top) });
  }
  // Kept a little off the axes.
  const bounds: Box = { x: plot.x + 0.6, y: plot.y, w: plot.w - 1.2, h: plot.h };
  return placeLabels(anchors, { bounds, obstacles, leaderObstacles: skyline, markerRadiusMm: radius, gapMm: 0.4, padMm: 0.35 });
}
