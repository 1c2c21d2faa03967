/**
 * The heritability figure: the null model's PVE h2 with its three intervals, on one x axis h2 in
 * [0, 1] shared by three stacked panels.
 *
 *   Top:    the profile likelihood as a likelihood ratio LR(h2) = exp(l(h2) - l_max) in [0, 1], the
 *           dashed cut LR = exp(-chi2_{1,level} / 2) (0.1465 for 95%), the profile interval
 *           {h2 : LR(h2) >= cut} as a thick bar along the cut, and the ML estimate (LR = 1) as a dot.
 *   Middle: the posterior density p(h2 | y) under a uniform prior, its credible interval shaded under
 *           the curve, the mode as a dot on the curve and the mean as a triangle on the axis (the
 *           point the density balances on).
 *   Bottom: the intervals as horizontal bars, one labelled row each (profile likelihood, posterior,
 *           parametric bootstrap when it was run), with their ends written when they fit and the ML
 *           estimate as a dot on every bar.
 *
 * Each panel is introduced by a legend row (its name in bold, then its swatches), the interval of a
 * method has one colour throughout, and text is 7-8 pt. The default size is the QQ plot's: square
 * up to one column (89 mm), then min(width, 120 mm) high; never under 80 mm. On a low figure the top
 * panels lose their x tick labels and the density axis its finer ticks.
 */
import type { HeritabilityFigureData } from './data.js';
import { STYLE, line, text, type FigureOptions } from './frame.js';
import { categoricalLegend, tint, type Block, type LegendEntry } from './legend.js';
import { segmentHitsBox } from './label-placement.js';
import { categoricalColours, type PaletteName } from './palette.js';
import type { Box, LineItem, PathItem, PointsItem, RectItem, Scene, SceneItem, TextItem } from './scene.js';
import { boxesOverlap, capHeightMm, descentMm, fitText, textBox, textWidthMm } from './text.js';
import { formatTick, stepDecimals } from './ticks.js';

/**
 * Default height: the width up to one column (89 mm), else min(width, 120 mm), as the QQ plot, but
 * at least 80 mm (three panels need it). Much lower than about 65 mm, the panels get squeezed.
 */
export function heritabilityDefaultHeightMm(widthMm: number): number {
  return Math.max(80, widthMm <= 89 ? widthMm : Math.min(widthMm, 120));
}

/**
 * The standard normal quantile Phi^-1(p), by Wichura's algorithm AS 241 (PPND16, relative error
 * about 1e-16).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r + 133.14166789178437745) * r +
          3.387132872796366608)) /
      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r + 42.313330701600911252) * r + 1)
    );
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r + 4.6303378461565452959) * r +
        1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r + 2.05319162663775882187) * r + 1);
  } else {
    r -= 5;
    x =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r + 5.4637849111641143699) * r +
        6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r + 0.59983220655588793769) * r + 1);
  }
  return q < 0 ? -x : x;
}

/** The chi-square quantile with 1 df: chi2_{1,level} = Phi^-1((1 + level) / 2)^2 (3.8415 for 0.95). */
export function chiSquare1Quantile(level: number): number {
  return normalQuantile((1 + level) / 2) ** 2;
}

/** Where the profile interval cuts the likelihood ratio: exp(-chi2_{1,level} / 2) (0.1465 for 0.95). */
export function likelihoodRatioCut(level: number): number {
  return Math.exp(-chiSquare1Quantile(level) / 2);
}

/** '95%' for 0.95, '99.5%' for 0.995. */
export function formatPercent(level: number): string {
  return `${Number((level * 100).toFixed(2))}%`;
}

/** h2 as printed: two decimals. */
export function formatH2(v: number): string {
  return Number.isFinite(v) ? v.toFixed(2) : 'not available';
}

/** An interval as printed: '0.31–0.55'. */
export function formatInterval(lower: number, upper: number): string {
  return `${formatH2(lower)}\u2013${formatH2(upper)}`;
}

export const INTERVAL_NAMES = { profile: 'Profile likelihood', posterior: 'Posterior (uniform prior)', bootstrap: 'Parametric bootstrap' } as const;
export type IntervalKind = keyof typeof INTERVAL_NAMES;

/** The colour of each method's interval (its bar, and the matching mark in its panel). */
export function intervalColours(palette: PaletteName): Record<IntervalKind, string> {
  if (palette === 'grey') return { profile: '#1a1a1a', posterior: '#a0a0a0', bootstrap: '#5e5e5e' };
  const [profile, posterior, bootstrap] = categoricalColours(palette, 3) as [string, string, string];
  return { profile, posterior, bootstrap };
}

/** One x-y panel: its plot box and data-to-mm maps. */
export interface HeritabilityPanel {
  plot: Box;
  sx: (h2: number) => number;
  sy: (v: number) => number;
  /** The y axis' domain and ticks. */
  yDomain: [number, number];
  /** Whether the x ticks are labelled (dropped when the figure is too low for them). */
  xTickLabels: boolean;
  yTicks: { values: number[]; labels: string[] };
}

/** One row of the interval strip: its name, its interval, where its bar is. */
export interface IntervalRow {
  kind: IntervalKind;
  label: string;
  lower: number;
  upper: number;
  colour: string;
  /** Baseline of the row's label and the bar's top and height, mm. */
  labelY: number;
  barY: number;
  barH: number;
}

export interface HeritabilityLayout {
  widthMm: number;
  heightMm: number;
  profile: HeritabilityPanel;
  posterior: HeritabilityPanel;
  /** The strip of interval bars: its box (the x axis under it) and rows. */
  strip: { plot: Box; sx: (h2: number) => number; rows: IntervalRow[] };
  legends: { profile: Block; posterior: Block; strip: Block };
  /** Top-left corners of the legends. */
  legendAt: { profile: [number, number]; posterior: [number, number]; strip: [number, number] };
}

const X_TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];
const X_LABELS = X_TICKS.map((v) => String(v));
const TEXT_PT = STYLE.tickPt;
const CURVE_PT = 0.9;
const BAR_H = 1.3;
const ML_RADIUS = 0.9;
const MODE_RADIUS = 0.75;
const MEAN_RADIUS = 0.8;
/** The triangle marker's centroid lies this many radii above its base (equilateral, equal-area). */
const TRIANGLE_BASE_OFFSET = Math.sqrt((4 * Math.PI) / Math.sqrt(3)) / Math.sqrt(3) / 2;
const LR_TOP = 1.1;
/** Plot height below which the top panels lose their x tick labels, and the least plot height. */
const MIN_LABELLED_PANEL_MM = 12;
const MIN_PANEL_MM = 6;
/** Light fill of the posterior's credible interval (solid, so the legend swatch matches). */
const SHADE_WHITE = 0.55;

/** Ticks 0, step, .. up to top with a step of 1, 2 or 5 x 10^k: the finest giving at most maxTicks (>= 2) ticks. */
export function densityAxisTicks(top: number, maxTicks = 5): { values: number[]; labels: string[] } {
  let step = 10 ** Math.floor(Math.log10(top / 10));
  for (let i = 0; i < 12 && Math.floor(top / step + 1e-9) + 1 > maxTicks; i++) step *= [2, 2.5, 2][i % 3]!;
  const dec = stepDecimals(step);
  const values: number[] = [];
  for (let k = 0; k * step <= top * (1 + 1e-9); k++) values.push(Number((k * step).toFixed(dec)));
  return { values, labels: values.map((v) => formatTick(v, dec)) };
}

function finiteMax(values: Float64Array): number {
  let m = -Infinity;
  for (const v of values) if (Number.isFinite(v) && v > m) m = v;
  return m;
}

/** Legend entries of the three blocks. */
function legendBlocks(data: HeritabilityFigureData, colours: Record<IntervalKind, string>, maxWidthMm: number): HeritabilityLayout['legends'] {
  const pct = formatPercent(data.level);
  const profile = categoricalLegend({
    title: 'Profile likelihood ratio',
    entries: [{ label: `${pct} interval`, colour: colours.profile, shape: 'square', radiusMm: 0.8 }],
    flow: 'row',
    maxWidthMm,
    sizePt: TEXT_PT,
  });
  const posteriorEntries: LegendEntry[] = [
    { label: `${pct} credible interval`, colour: tint(colours.posterior, SHADE_WHITE), shape: 'square', radiusMm: 0.8 },
    { label: `mean ${formatH2(data.posterior.mean)}`, colour: '#000000', shape: 'triangle', radiusMm: MEAN_RADIUS },
    { label: `mode ${formatH2(data.posterior.mode)}`, colour: '#000000', shape: 'circle', radiusMm: MODE_RADIUS },
  ];
  const posterior = categoricalLegend({ title: 'Posterior density (uniform prior)', entries: posteriorEntries, flow: 'row', maxWidthMm, sizePt: TEXT_PT });
  const strip = categoricalLegend({
    title: `${pct} intervals`,
    entries: [{ label: `ML estimate ${formatH2(data.estimate)}`, colour: '#ffffff', stroke: '#000000', shape: 'circle', radiusMm: ML_RADIUS }],
    flow: 'row',
    maxWidthMm,
    sizePt: TEXT_PT,
  });
  return { profile, posterior, strip };
}

/** Where everything goes. */
export function heritabilityLayout(data: HeritabilityFigureData, opts: FigureOptions): HeritabilityLayout {
  const W = opts.widthMm;
  const H = opts.heightMm ?? heritabilityDefaultHeightMm(W);
  const colours = intervalColours(opts.palette);
  const tickH = capHeightMm(STYLE.tickPt);
  const lineH = capHeightMm(TEXT_PT) + descentMm(TEXT_PT);

  const densityMax = finiteMax(data.posterior.density);
  const densityTop = densityMax > 0 ? densityMax * 1.15 : 1;
  const lrTicks = { values: [0, 0.5, 1], labels: ['0', '0.5', '1'] };
  // At most five density ticks, fewer on a low panel; the margin fits the widest labels of any count.
  const densityTickChoices = [2, 3, 4, 5].map((n) => densityAxisTicks(densityTop, n));

  // Left margin: the widest y tick label; right: half the last x tick label.
  const yTickW = Math.max(...lrTicks.labels.map((l) => textWidthMm(l, STYLE.tickPt)), ...densityTickChoices.flatMap((t) => t.labels.map((l) => textWidthMm(l, STYLE.tickPt))));
  const left = STYLE.marginMm + yTickW + STYLE.gapMm + STYLE.tickLenMm;
  const right = STYLE.marginMm + Math.max(textWidthMm(X_LABELS.at(-1)!, STYLE.tickPt) / 2, 1);
  const plotW = Math.max(10, W - left - right);
  const sx = (v: number): number => left + v * plotW;
  const legends = legendBlocks(data, colours, plotW);

  // Heights from the top: title, then per panel a legend row, the plot and its tick labels.
  const titleH = opts.title ? capHeightMm(STYLE.titlePt, 'bold') + 2 * STYLE.gapMm : 0;
  const legendGap = tickH / 2 + 0.8;
  const axisBelow = STYLE.tickLenMm + STYLE.gapMm + tickH;
  const panelGap = 2.4;
  const rowGap = 1.3;
  const labelToBar = 0.7;
  const rowKinds: IntervalKind[] = data.bootstrap ? ['profile', 'posterior', 'bootstrap'] : ['profile', 'posterior'];
  const rowH = lineH + labelToBar + BAR_H + rowGap;
  const xTitleH = 2 * STYLE.gapMm + capHeightMm(STYLE.labelPt) + 0.6;
  // The top panels' x tick labels go when the plots would be lower than MIN_LABELLED_PANEL_MM with them.
  const fixedWith = (panelAxisBelow: number): number =>
    STYLE.marginMm +
    titleH +
    legends.profile.heightMm +
    legendGap +
    panelAxisBelow +
    panelGap +
    legends.posterior.heightMm +
    legendGap +
    panelAxisBelow +
    panelGap +
    legends.strip.heightMm +
    1.0 +
    rowKinds.length * rowH +
    axisBelow +
    xTitleH +
    STYLE.marginMm;
  const panelTickLabels = (H - fixedWith(axisBelow)) / 2 >= MIN_LABELLED_PANEL_MM;
  const panelAxisBelow = panelTickLabels ? axisBelow : STYLE.tickLenMm;
  const panelH = Math.max(MIN_PANEL_MM, (H - fixedWith(panelAxisBelow)) / 2);

  let y = STYLE.marginMm + titleH;
  const panel = (legend: Block, yDomain: [number, number], yTicks: { values: number[]; labels: string[] }): { panel: HeritabilityPanel; legendAt: [number, number] } => {
    const legendAt: [number, number] = [left, y];
    y += legend.heightMm + legendGap;
    const plot: Box = { x: left, y, w: plotW, h: panelH };
    y += panelH + panelAxisBelow + panelGap;
    const [y0, y1] = yDomain;
    const sy = (v: number): number => plot.y + plot.h - ((v - y0) / (y1 - y0 || 1)) * plot.h;
    return { panel: { plot, sx, sy, yDomain, yTicks, xTickLabels: panelTickLabels }, legendAt };
  };
  const profile = panel(legends.profile, [0, LR_TOP], lrTicks);
  // Tick labels at least 2.2 cap heights apart.
  const densityTicks = densityTickChoices[Math.max(0, Math.min(3, Math.floor(panelH / (2.2 * tickH)) + 1 - 2))]!;
  const posterior = panel(legends.posterior, [0, densityTop], densityTicks);

  const stripLegendAt: [number, number] = [left, y];
  y += legends.strip.heightMm + 1.0;
  const stripTop = y;
  const bounds: Record<IntervalKind, [number, number]> = {
    profile: [data.profile.lower, data.profile.upper],
    posterior: [data.posterior.lower, data.posterior.upper],
    bootstrap: data.bootstrap ? [data.bootstrap.lower, data.bootstrap.upper] : [NaN, NaN],
  };
  const rows: IntervalRow[] = rowKinds.map((kind) => {
    const labelY = y + capHeightMm(TEXT_PT);
    const barY = y + lineH + labelToBar;
    y += rowH;
    return { kind, label: INTERVAL_NAMES[kind], lower: bounds[kind][0], upper: bounds[kind][1], colour: colours[kind], labelY, barY, barH: BAR_H };
  });
  const stripPlot: Box = { x: left, y: stripTop, w: plotW, h: y - rowGap + 0.4 - stripTop };
  return {
    widthMm: W,
    heightMm: H,
    profile: profile.panel,
    posterior: posterior.panel,
    strip: { plot: stripPlot, sx, rows },
    legends,
    legendAt: { profile: profile.legendAt, posterior: posterior.legendAt, strip: stripLegendAt },
  };
}

/** The x axis under a box: line, ticks 0, 0.2, .., 1 and (unless told not to) their labels. */
function xAxis(plot: Box, sx: (v: number) => number, labels = true): SceneItem[] {
  const yAxis = plot.y + plot.h;
  const items: SceneItem[] = [line(plot.x, yAxis, plot.x + plot.w, yAxis)];
  X_TICKS.forEach((v, i) => {
    const x = sx(v);
    items.push(line(x, yAxis, x, yAxis + STYLE.tickLenMm));
    if (labels) items.push(text(x, yAxis + STYLE.tickLenMm + STYLE.gapMm, X_LABELS[i]!, STYLE.tickPt, 'middle', 'top'));
  });
  return items;
}

/** The y axis of a panel: line, ticks, labels. */
function yAxis(p: HeritabilityPanel): SceneItem[] {
  const items: SceneItem[] = [line(p.plot.x, p.plot.y, p.plot.x, p.plot.y + p.plot.h)];
  p.yTicks.values.forEach((v, i) => {
    const y = p.sy(v);
    items.push(line(p.plot.x - STYLE.tickLenMm, y, p.plot.x, y));
    items.push(text(p.plot.x - STYLE.tickLenMm - STYLE.gapMm, y, p.yTicks.labels[i]!, STYLE.tickPt, 'end', 'middle'));
  });
  return items;
}

/** A curve as open paths in mm, broken where a value is not finite. */
export function curvePaths(xs: Float64Array, ys: Float64Array, sx: (v: number) => number, sy: (v: number) => number, stroke: string, widthPt: number): PathItem[] {
  const paths: PathItem[] = [];
  let run: number[] = [];
  const flush = (): void => {
    if (run.length >= 4) paths.push({ type: 'path', points: Float64Array.from(run), closed: false, stroke, widthPt });
    run = [];
  };
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (!(Number.isFinite(x) && Number.isFinite(y))) {
      flush();
      continue;
    }
    run.push(sx(x), sy(y));
  }
  flush();
  return paths;
}

/** Linear interpolation of the curve (xs increasing) at x; NaN outside it or next to a gap. */
export function interpolate(xs: Float64Array, ys: Float64Array, x: number): number {
  const n = xs.length;
  if (n === 0 || !(x >= xs[0]! && x <= xs[n - 1]!)) return NaN;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo]!;
  const x1 = xs[hi]!;
  if (x1 === x0) return ys[lo]!;
  return ys[lo]! + ((x - x0) / (x1 - x0)) * (ys[hi]! - ys[lo]!);
}

/** The closed outline under the curve from x = lower to x = upper, down to y = 0, in mm. */
export function areaUnder(xs: Float64Array, ys: Float64Array, lower: number, upper: number, sx: (v: number) => number, sy: (v: number) => number): Float64Array {
  const value = (x: number): number => {
    const v = interpolate(xs, ys, x);
    return Number.isFinite(v) ? v : 0;
  };
  const pts: number[] = [sx(lower), sy(0), sx(lower), sy(value(lower))];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (x > lower && x < upper && Number.isFinite(ys[i]!)) pts.push(sx(x), sy(ys[i]!));
  }
  pts.push(sx(upper), sy(value(upper)), sx(upper), sy(0));
  return Float64Array.from(pts);
}

/** Sorted copies of a curve's arrays (by x), for interpolation. */
function sortedCurve(xs: Float64Array, ys: Float64Array): { x: Float64Array; y: Float64Array } {
  const order = Array.from(xs, (_, i) => i).sort((a, b) => xs[a]! - xs[b]! || a - b);
  return { x: Float64Array.from(order, (i) => xs[i]!), y: Float64Array.from(order, (i) => ys[i]!) };
}

function marker(x: number, y: number, shape: PointsItem['shape'], radiusMm: number, fill: string, clip: Box, stroke?: string): PointsItem {
  const item: PointsItem = { type: 'points', x: Float64Array.of(x), y: Float64Array.of(y), colorIndex: Uint8Array.of(0), palette: [fill], shape, radiusMm, clip };
  if (stroke) {
    item.stroke = stroke;
    item.strokePt = 0.6;
  }
  return item;
}

/** Segments of the given paths that cross `box` (grown by pad). */
function pathHits(paths: PathItem[], box: Box, pad: number): number {
  let hits = 0;
  for (const p of paths) {
    for (let i = 0; i + 3 < p.points.length; i += 2) if (segmentHitsBox(p.points[i]!, p.points[i + 1]!, p.points[i + 2]!, p.points[i + 3]!, box, pad)) hits++;
  }
  return hits;
}

export function heritabilityScene(data: HeritabilityFigureData, opts: FigureOptions): Scene {
  const L = heritabilityLayout(data, opts);
  const colours = intervalColours(opts.palette);
  const items: SceneItem[] = [];
  const pct = formatPercent(data.level);
  const cut = likelihoodRatioCut(data.level);

  if (opts.title) {
    const titleX = textWidthMm(opts.title, STYLE.titlePt, 'bold') + L.profile.plot.x <= L.widthMm - STYLE.marginMm ? L.profile.plot.x : STYLE.marginMm;
    const title = fitText(opts.title, L.widthMm - titleX - STYLE.marginMm, STYLE.titlePt, 'bold');
    items.push(text(titleX, STYLE.marginMm + capHeightMm(STYLE.titlePt, 'bold'), title, STYLE.titlePt, 'start', 'alphabetic', { weight: 'bold' }));
  }

  // Top panel: the likelihood ratio.
  {
    const p = L.profile;
    items.push(...L.legends.profile.place(...L.legendAt.profile).items);
    items.push(...xAxis(p.plot, p.sx, p.xTickLabels), ...yAxis(p));
    const cutY = p.sy(cut);
    const cutLine = line(p.plot.x, cutY, p.plot.x + p.plot.w, cutY, 0.5, STYLE.mutedInk, [3, 2]);
    items.push(cutLine);
    const sorted = sortedCurve(data.profile.h2, data.profile.relativeLogl);
    const lr = Float64Array.from(sorted.y, (v) => Math.exp(Math.min(0, v)));
    const curve = curvePaths(sorted.x, lr, p.sx, p.sy, STYLE.ink, CURVE_PT);
    items.push(...curve);
    const hasInterval = Number.isFinite(data.profile.lower) && Number.isFinite(data.profile.upper);
    const lo = hasInterval ? p.sx(data.profile.lower) : p.plot.x;
    const hi = hasInterval ? p.sx(data.profile.upper) : p.plot.x;
    const drops: LineItem[] = hasInterval ? [line(lo, cutY, lo, p.sy(0), 0.5, colours.profile), line(hi, cutY, hi, p.sy(0), 0.5, colours.profile)] : [];
    items.push(...drops);
    if (hasInterval) items.push(line(lo, cutY, hi, cutY, 2.6, colours.profile));
    const mlX = p.sx(data.estimate);
    const mlY = p.sy(1);
    const clip: Box = { x: p.plot.x - 2, y: p.plot.y - 2, w: p.plot.w + 4, h: p.plot.h + 4 };
    if (Number.isFinite(data.estimate)) items.push(marker(mlX, mlY, 'circle', ML_RADIUS, '#ffffff', clip, STYLE.ink));

    // The cut's label: above the dashed line at its right or left end, else anywhere along it (above
    // or below) where the curve leaves room, shortened to 'LR = 0.147' if the full text finds none.
    const candidates: TextItem[] = [];
    for (const label of [`${pct} cut-off, LR = ${cut.toFixed(3)}`, `LR = ${cut.toFixed(3)}`]) {
      const w = textWidthMm(label, TEXT_PT);
      const xs = [p.plot.x + p.plot.w - 0.8 - w, p.plot.x + 1.2];
      for (let j = 0; j <= 24; j++) xs.push(p.plot.x + 1.2 + (j / 24) * (p.plot.w - 2 - w));
      for (const x0 of xs) candidates.push(text(x0, cutY - 1.3, label, TEXT_PT, 'start', 'alphabetic', { fill: STYLE.mutedInk }));
      for (const x0 of xs) candidates.push(text(x0, cutY + 1.1, label, TEXT_PT, 'start', 'top', { fill: STYLE.mutedInk }));
    }
    const barBox: Box = hasInterval ? { x: Math.min(lo, hi), y: cutY - 0.5, w: Math.abs(hi - lo), h: 1.0 } : { x: -1e9, y: -1e9, w: 0, h: 0 };
    const mlBox: Box = Number.isFinite(data.estimate) ? { x: mlX - ML_RADIUS, y: mlY - ML_RADIUS, w: 2 * ML_RADIUS, h: 2 * ML_RADIUS } : { x: -1e9, y: -1e9, w: 0, h: 0 };
    const cost = (t: TextItem): number => {
      const b = textBox(t);
      const outside = b.y < p.plot.y || b.y + b.h > p.plot.y + p.plot.h - 0.3 ? 1000 : 0;
      const dropHits = drops.filter((d) => segmentHitsBox(d.x1, d.y1, d.x2, d.y2, b, 0.3)).length;
      return outside + 10 * pathHits(curve, b, 0.4) + 10 * dropHits + (boxesOverlap(b, barBox, 0.15) ? 100 : 0) + (boxesOverlap(b, mlBox, 0.3) ? 100 : 0);
    };
    let best = candidates[0]!;
    let bestCost = cost(best);
    for (const c of candidates.slice(1)) {
      if (bestCost === 0) break;
      const k = cost(c);
      if (k < bestCost) {
        best = c;
        bestCost = k;
      }
    }
    items.push(best);
  }

  // Middle panel: the posterior density.
  {
    const p = L.posterior;
    items.push(...L.legends.posterior.place(...L.legendAt.posterior).items);
    const { x, y } = sortedCurve(data.posterior.h2, data.posterior.density);
    if (Number.isFinite(data.posterior.lower) && Number.isFinite(data.posterior.upper) && data.posterior.upper >= data.posterior.lower) {
      items.push({ type: 'path', points: areaUnder(x, y, data.posterior.lower, data.posterior.upper, p.sx, p.sy), closed: true, fill: tint(colours.posterior, SHADE_WHITE) });
    }
    items.push(...xAxis(p.plot, p.sx, p.xTickLabels), ...yAxis(p));
    items.push(...curvePaths(x, y, p.sx, p.sy, STYLE.ink, CURVE_PT));
    const clip: Box = { x: p.plot.x - 2, y: p.plot.y - 2, w: p.plot.w + 4, h: p.plot.h + 4 };
    const modeDensity = interpolate(x, y, data.posterior.mode);
    if (Number.isFinite(modeDensity)) items.push(marker(p.sx(data.posterior.mode), p.sy(modeDensity), 'circle', MODE_RADIUS, STYLE.ink, clip));
    if (Number.isFinite(data.posterior.mean)) items.push(marker(p.sx(data.posterior.mean), p.sy(0) - TRIANGLE_BASE_OFFSET * MEAN_RADIUS, 'triangle', MEAN_RADIUS, STYLE.ink, clip));
  }

  // Bottom strip: one bar per interval, the ML estimate a dot on each.
  {
    const s = L.strip;
    items.push(...L.legends.strip.place(...L.legendAt.strip).items);
    items.push(...xAxis(s.plot, s.sx));
    const clip: Box = { x: s.plot.x - 2, y: s.plot.y - 2, w: s.plot.w + 4, h: s.plot.h + 4 };
    for (const row of s.rows) {
      const name = text(s.plot.x, row.labelY, row.label, TEXT_PT, 'start', 'alphabetic');
      items.push(name);
      const numbers = formatInterval(row.lower, row.upper);
      if (textWidthMm(row.label, TEXT_PT) + 2 + textWidthMm(numbers, TEXT_PT) <= s.plot.w) items.push(text(s.plot.x + s.plot.w, row.labelY, numbers, TEXT_PT, 'end', 'alphabetic'));
      if (Number.isFinite(row.lower) && Number.isFinite(row.upper)) {
        const x0 = s.sx(row.lower);
        const bar: RectItem = { type: 'rect', x: x0, y: row.barY, w: s.sx(row.upper) - x0, h: row.barH, fill: row.colour };
        items.push(bar);
      }
      if (Number.isFinite(data.estimate)) items.push(marker(s.sx(data.estimate), row.barY + row.barH / 2, 'circle', ML_RADIUS, '#ffffff', clip, STYLE.ink));
    }
    items.push(text(s.plot.x + s.plot.w / 2, L.heightMm - STYLE.marginMm - 0.6, 'Heritability h\u00b2 (PVE)', STYLE.labelPt, 'middle', 'alphabetic'));
  }

  const trait = data.trait ? ` of ${data.trait}` : '';
  const sentences = [
    `Heritability (PVE)${trait}: ML estimate ${formatH2(data.estimate)}, with three ${pct} intervals on h\u00b2 from 0 to 1.`,
    `Profile likelihood: the values of h\u00b2 whose likelihood ratio to the maximum is above exp(\u2212\u03c7\u00b2\u2081/2) = ${cut.toFixed(4)} (dashed line), here ${formatInterval(data.profile.lower, data.profile.upper)}.`,
    `Posterior (uniform prior): the ${pct} credible interval, holding ${pct} of the posterior probability of h\u00b2 under a uniform prior on [0, 1], is ${formatInterval(data.posterior.lower, data.posterior.upper)} (shaded; posterior mean ${formatH2(data.posterior.mean)}, mode ${formatH2(data.posterior.mode)}).`,
  ];
  if (data.bootstrap) {
    sentences.push(
      `Parametric bootstrap: the interval built from the ML estimates of traits simulated from the fitted mixed model, whose coverage stays right near h\u00b2 = 0 and 1 where the profile interval's does not, is ${formatInterval(data.bootstrap.lower, data.bootstrap.upper)}.`,
    );
  }
  return {
    kind: 'heritability',
    widthMm: L.widthMm,
    heightMm: L.heightMm,
    background: '#ffffff',
    items,
    meta: {
      title: opts.title ?? `Heritability (PVE)${trait}`,
      description: sentences.join(' '),
      ...(opts.runId !== undefined ? { runId: opts.runId } : {}),
      software: opts.software,
    },
  };
}
