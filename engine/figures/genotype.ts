/**
 * Phenotype by genotype for one SNP: a box per genotype class in order of allele-1 count (0, 1, 2),
 * labelled with the alleles and 'n = ...' under each. Boxes are the quartiles (type-7, R's
 * default) with the median, whiskers reach the most extreme values within 1.5 IQR of the box,
 * every value is a point jittered across the box (deterministically, from a seed), and the mean is
 * a white diamond. A class without individuals shows 'n = 0' and no box.
 */
import { STYLE, layoutFrame, line, text, type AxisSpec, type FigureOptions } from './frame.js';
import type { GenotypeClass, GenotypeData } from './data.js';
import { categoricalLegend, lineHeightMm, tint, wrapText } from './legend.js';
import { categoricalColours } from './palette.js';
import { boxStats, type BoxStats } from './quantiles.js';
import type { PointsItem, Scene, SceneItem } from './scene.js';
import { capHeightMm, descentMm, fitText, textWidthMm } from './text.js';
import { niceDomain, niceTicks } from './ticks.js';

export interface GenotypeOptions extends FigureOptions {
  /** Seed of the jitter (default 1): the same seed gives the same figure. */
  seed?: number;
}

/** Mulberry32: a tiny seeded generator of uniform numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Box width as a fraction of the distance between classes; points jitter over JITTER_FRACTION of it. */
export const BOX_FRACTION = 0.5;
export const JITTER_FRACTION = 0.8;

/** The three classes in order of allele-1 count, filling in any the data lack (empty). */
export function orderedClasses(data: GenotypeData): GenotypeClass[] {
  return ([0, 1, 2] as const).map((count) => {
    const found = data.classes.find((c) => c.count === count);
    return found ?? { count, label: data.allele0.repeat(2 - count) + data.allele1.repeat(count), values: new Float64Array(0) };
  });
}

function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function chrLabel(chr: string): string {
  return /^chr/i.test(chr) ? chr : `chr ${chr}`;
}

/** 'rs123 · chr 11:5,000,123 · alleles G/A, A counted · −log10(p) = 7.52' */
export function genotypeSubtitle(data: GenotypeData): string {
  const where = data.pos > 0 ? `${chrLabel(data.chr)}:${formatCount(data.pos)}` : `${chrLabel(data.chr)}, position unknown`;
  const parts = [data.rs, where, `alleles ${data.allele0}/${data.allele1}, ${data.allele1} counted`];
  if (data.negLog10P !== undefined && Number.isFinite(data.negLog10P)) parts.push(`\u2212log10(p) = ${data.negLog10P.toFixed(2)}`);
  return parts.join('  \u00b7  ');
}

function pointRadius(n: number): number {
  return n <= 200 ? 0.6 : n <= 1000 ? 0.45 : 0.38;
}

export function genotypeScene(data: GenotypeData, opts: GenotypeOptions): Scene {
  const W = opts.widthMm;
  const heightMm = opts.heightMm ?? Math.max(55, Math.min(90, W * 0.8));
  const classes = orderedClasses(data);
  const stats: BoxStats[] = classes.map((c) => boxStats(c.values));
  const total = stats.reduce((s, b) => s + b.n, 0);
  const pointColour = categoricalColours(opts.palette, 1)[0]!;
  const radius = pointRadius(total);

  let lo = Infinity;
  let hi = -Infinity;
  for (const b of stats) {
    if (b.n === 0) continue;
    lo = Math.min(lo, b.min);
    hi = Math.max(hi, b.max);
  }
  if (!(hi >= lo)) [lo, hi] = [0, 1];
  const pad = (hi - lo) * 0.04 || 0.5;
  const yDomain = niceDomain(lo - pad, hi + pad, 5);
  const yLabel = data.trait + (data.adjusted ? ' (adjusted for covariates)' : '');
  const yAxis: AxisSpec = { domain: yDomain, ticks: niceTicks(yDomain[0], yDomain[1], 5), label: yLabel };
  const xAxis: AxisSpec = { domain: [-0.5, 2.5], ticks: { values: [0, 1, 2], labels: classes.map((c) => c.label) }, label: '' };

  // Band above the plot: the subtitle (wrapped) and the mean's legend at its right.
  const sizePt = STYLE.annotationPt;
  const lh = lineHeightMm(sizePt);
  const meanEntry = { label: 'mean', colour: '#ffffff', stroke: '#000000', shape: 'diamond' as const, radiusMm: 1.0 };
  const meanLegend = categoricalLegend({ entries: [meanEntry], flow: 'row', maxWidthMm: W });
  // The subtitle starts under the title, at the plot's left edge (as far as the frame will put it).
  const probe = layoutFrame({ widthMm: W, heightMm, title: opts.title, x: xAxis, y: yAxis });
  const bandX = probe.plot.x;
  const bandW = W - bandX - STYLE.marginMm;
  const subtitleLines = wrapText(genotypeSubtitle(data), bandW, sizePt);
  const lastW = textWidthMm(subtitleLines.at(-1) ?? '', sizePt);
  const legendOnLastLine = lastW + 4 + meanLegend.widthMm <= bandW;
  const bandLines = subtitleLines.length + (legendOnLastLine ? 0 : 1);
  const topMm = bandLines * Math.max(lh, meanLegend.heightMm) + 1.5;
  // The second row under the x tick labels: 'n = 123'.
  const nRowMm = capHeightMm(sizePt) + descentMm(sizePt) + 1.0;
  const frame = layoutFrame({ widthMm: W, heightMm, title: opts.title, x: xAxis, y: yAxis, topMm, bottomExtraMm: nRowMm });
  const { plot, sx, sy } = frame;

  const items: SceneItem[] = [...frame.items];
  const bandTop = plot.y - topMm - capHeightMm(STYLE.tickPt) / 2;
  const rowH = Math.max(lh, meanLegend.heightMm);
  subtitleLines.forEach((l, i) => items.push(text(bandX, bandTop + i * rowH + rowH / 2, l, sizePt, 'start', 'middle', { fill: STYLE.mutedInk })));
  const legendRow = legendOnLastLine ? subtitleLines.length - 1 : subtitleLines.length;
  items.push(...meanLegend.place(W - STYLE.marginMm - meanLegend.widthMm, bandTop + legendRow * rowH + (rowH - meanLegend.heightMm) / 2).items);

  // n under each class label.
  const nRowY = plot.y + plot.h + STYLE.tickLenMm + STYLE.gapMm + capHeightMm(STYLE.tickPt) + descentMm(STYLE.tickPt) + 0.6;
  classes.forEach((_, i) => items.push(text(sx(i), nRowY, fitText(`n = ${stats[i]!.n}`, plot.w / 3, sizePt), sizePt, 'middle', 'top', { fill: STYLE.mutedInk })));

  const unit = plot.w / 3;
  const halfBox = (unit * BOX_FRACTION) / 2;
  const boxItems: SceneItem[] = [];
  const pointsX: number[] = [];
  const pointsY: number[] = [];
  const meanX: number[] = [];
  const meanY: number[] = [];
  const random = seededRandom(opts.seed ?? 1);
  classes.forEach((c, i) => {
    const b = stats[i]!;
    const cx = sx(i);
    for (const v of c.values) {
      if (!Number.isFinite(v)) continue;
      pointsX.push(cx + (random() * 2 - 1) * halfBox * JITTER_FRACTION);
      pointsY.push(sy(v));
    }
    if (b.n === 0) return;
    const yQ1 = sy(b.q1);
    const yQ3 = sy(b.q3);
    items.push({ type: 'rect', x: cx - halfBox, y: yQ3, w: 2 * halfBox, h: yQ1 - yQ3, fill: tint(pointColour, 0.82) });
    boxItems.push({ type: 'rect', x: cx - halfBox, y: yQ3, w: 2 * halfBox, h: yQ1 - yQ3, stroke: STYLE.ink, widthPt: 0.6 });
    boxItems.push(line(cx - halfBox, sy(b.median), cx + halfBox, sy(b.median), 1.4));
    const cap = halfBox * 0.45;
    boxItems.push(line(cx, yQ3, cx, sy(b.whiskerHigh), 0.6), line(cx - cap, sy(b.whiskerHigh), cx + cap, sy(b.whiskerHigh), 0.6));
    boxItems.push(line(cx, yQ1, cx, sy(b.whiskerLow), 0.6), line(cx - cap, sy(b.whiskerLow), cx + cap, sy(b.whiskerLow), 0.6));
    meanX.push(cx);
    meanY.push(sy(b.mean));
  });
  const points: PointsItem = {
    type: 'points',
    x: Float64Array.from(pointsX),
    y: Float64Array.from(pointsY),
    colorIndex: new Uint8Array(pointsX.length),
    palette: [pointColour],
    shape: 'circle',
    radiusMm: radius,
    fillOpacity: 0.55,
    id: Int32Array.from({ length: pointsX.length }, (_, k) => k),
    raster: new Uint8Array(pointsX.length),
    clip: plot,
  };
  items.push(points, ...boxItems);
  if (meanX.length) {
    items.push({
      type: 'points',
      x: Float64Array.from(meanX),
      y: Float64Array.from(meanY),
      colorIndex: new Uint8Array(meanX.length),
      palette: ['#ffffff'],
      shape: 'diamond',
      radiusMm: 1.0,
      stroke: '#000000',
      strokePt: 0.6,
      clip: plot,
    });
  }

  const counts = classes.map((c, i) => `${c.label} ${stats[i]!.n}`).join(', ');
  return {
    kind: 'genotype',
    widthMm: W,
    heightMm,
    background: '#ffffff',
    items,
    meta: {
      title: opts.title ?? `${data.trait} by genotype at ${data.rs}`,
      description:
        `${yLabel} by genotype at ${data.rs} (n: ${counts}). Boxes: median and quartiles; whiskers: the most extreme values within 1.5 IQR; ` +
        'points: individuals, jittered sideways; diamonds: means.',
      runId: opts.runId,
      software: opts.software,
    },
  };
}
