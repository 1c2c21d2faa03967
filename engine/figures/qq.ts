/**
 * The QQ plot's scene: observed −log10 p (sorted) against the expected −log10((i − 0.5) / m) for
 * ranks i = 1..m, the pointwise 95% band of the order statistics (the i-th smallest of m uniform
 * p-values is Beta(i, m − i + 1): its 2.5% and 97.5% quantiles, as −log10) as one shaded closed
 * path computed on a few hundred log-spaced ranks, the y = x line, and on the plot λGC, the number
 * of SNPs and the test (1 or 2 df).
 *
 * The plot area is square unless a height is given (default height: the width up to 89 mm, then
 * min(width, 120 mm); a wide figure centres the square plot).
 */
import { betaQuantile } from './beta-quantile.js';
import type { QqData } from './data.js';
import { layoutFrame, line, STYLE, type FigureOptions, type Frame } from './frame.js';
import { layoutRuns, subscript, unionBox, type TextRun } from './label-placement.js';
import { groupThousands, manhattanPointRadiusMm, negLog10Ticks } from './manhattan.js';
import { accentColour, alternatingColours } from './palette.js';
import type { Box, PathItem, PointsItem, Scene, SceneItem, TextItem } from './scene.js';
import { capHeightMm, descentMm } from './text.js';

/** Default height: the width for a single column (89 mm) or less, else min(width, 120 mm). */
export function qqDefaultHeightMm(widthMm: number): number {
  return widthMm <= 89 ? widthMm : Math.min(widthMm, 120);
}

/** About `count` ranks from 1 to m, evenly spaced in log(rank), always including 1 and m. */
export function logSpacedRanks(m: number, count = 300): Int32Array {
  if (m <= 0) return new Int32Array(0);
  const ranks: number[] = [];
  let last = 0;
  for (let j = 0; j < count; j++) {
    const r = Math.round(Math.exp((j / Math.max(1, count - 1)) * Math.log(m)));
    if (r > last) {
      ranks.push(r);
      last = r;
    }
  }
  if (last !== m) ranks.push(m);
  return Int32Array.from(ranks);
}

export interface QqBand {
  /** Expected −log10 p at each rank. */
  expected: Float64Array;
  /** −log10 of the 2.5% quantile of p_(i) (the band's upper edge) and of the 97.5% quantile (lower edge). */
  upper: Float64Array;
  lower: Float64Array;
  ranks: Int32Array;
}

/** The pointwise (1 − alpha) band of the order statistics of m uniform p-values at `ranks`. */
export function qqBand(m: number, ranks: Int32Array, alpha = 0.05): QqBand {
  const expected = new Float64Array(ranks.length);
  const upper = new Float64Array(ranks.length);
  const lower = new Float64Array(ranks.length);
  ranks.forEach((i, j) => {
    expected[j] = -Math.log10((i - 0.5) / m);
    upper[j] = -Math.log10(betaQuantile(alpha / 2, i, m - i + 1));
    lower[j] = -Math.log10(betaQuantile(1 - alpha / 2, i, m - i + 1));
  });
  return { expected, upper, lower, ranks };
}

/** Move a frame's items (lines and texts) right by dx mm. */
function shiftFrame(frame: Frame, dx: number): Frame {
  const items = frame.items.map((item): SceneItem => {
    if (item.type === 'line') return { ...item, x1: item.x1 + dx, x2: item.x2 + dx };
    if (item.type === 'text') return { ...item, x: item.x + dx };
    return item;
  });
  return { plot: { ...frame.plot, x: frame.plot.x + dx }, sx: (v) => frame.sx(v) + dx, sy: frame.sy, items };
}

export function qqScene(data: QqData, opts: FigureOptions): Scene {
  const widthMm = opts.widthMm;
  const heightMm = opts.heightMm ?? qqDefaultHeightMm(widthMm);

  // Observed: the drawable values, ascending (rank i = m − index); +∞ (p = 0) clamped to the top.
  let m = 0;
  let infinite = 0;
  for (const v of data.negLog10P) {
    if (Number.isNaN(v) || v === -Infinity) continue;
    m++;
    if (v === Infinity) infinite++;
  }
  const observed = new Float64Array(m);
  for (let k = 0, c = 0; k < data.negLog10P.length; k++) {
    const v = data.negLog10P[k]!;
    if (!Number.isNaN(v) && v !== -Infinity) observed[c++] = v;
  }
  observed.sort();

  const band = qqBand(Math.max(m, 1), m > 0 ? logSpacedRanks(m) : new Int32Array(0));
  const expectedTop = m > 0 ? -Math.log10(0.5 / m) : 1;
  let observedTop = 0;
  for (let j = m - 1; j >= 0; j--) {
    if (Number.isFinite(observed[j]!)) {
      observedTop = observed[j]!;
      break;
    }
  }
  const bandTop = band.upper.length > 0 ? Math.max(...band.upper) : 0;
  const xTop = expectedTop * 1.04;
  const yTop = Math.max(observedTop, bandTop, expectedTop, 1) * 1.05;

  // Frame; then make the plot square (unless a height was asked for), centring it.
  const spec = (rightMm: number, topMm: number): Parameters<typeof layoutFrame>[0] => ({
    widthMm,
    heightMm,
    ...(opts.title ? { title: opts.title } : {}),
    x: { domain: [0, xTop], ticks: negLog10Ticks(xTop, 5), label: 'Expected \u2212log10(p)' },
    y: { domain: [0, yTop], ticks: negLog10Ticks(yTop, 5), label: 'Observed \u2212log10(p)' },
    rightMm,
    topMm,
  });
  let frame = layoutFrame(spec(0, 0));
  if (opts.heightMm === undefined) {
    const excess = frame.plot.w - frame.plot.h;
    if (excess > 0.01) frame = shiftFrame(layoutFrame(spec(excess, 0)), excess / 2);
    else if (excess < -0.01) frame = layoutFrame(spec(0, -excess));
  }
  const plot = frame.plot;
  const { sx, sy } = frame;
  const clampY = (v: number): number => sy(Math.min(yTop, Math.max(0, v)));
  const items: SceneItem[] = [];

  // The band, as one closed path: the upper edge left to right, the lower edge back.
  if (band.ranks.length > 1) {
    const count = band.ranks.length;
    const points = new Float64Array(4 * count);
    // Ranks run 1..m, i.e. expected from high to low: walk them backwards for left to right.
    for (let j = 0; j < count; j++) {
      const r = count - 1 - j;
      points[2 * j] = sx(band.expected[r]!);
      points[2 * j + 1] = clampY(band.upper[r]!);
      points[2 * (2 * count - 1 - j)] = sx(band.expected[r]!);
      points[2 * (2 * count - 1 - j) + 1] = clampY(band.lower[r]!);
    }
    const path: PathItem = { type: 'path', points, closed: true, fill: '#000000', fillOpacity: 0.13 };
    items.push(path);
  }
  const diagonalEnd = Math.min(xTop, yTop);
  items.push(line(sx(0), sy(0), sx(diagonalEnd), sy(diagonalEnd), 0.6, accentColour(opts.palette)));
  items.push(...frame.items);

  // Points: ascending observed (the most significant drawn last).
  const xs = new Float64Array(m);
  const ys = new Float64Array(m);
  const raster = new Uint8Array(m);
  for (let j = 0; j < m; j++) {
    const rank = m - j;
    const v = observed[j]!;
    xs[j] = sx(-Math.log10((rank - 0.5) / m));
    ys[j] = clampY(v);
    raster[j] = v < 2 ? 1 : 0;
  }
  const radius = manhattanPointRadiusMm(widthMm) * 0.85;
  const points: PointsItem = { type: 'points', x: xs, y: ys, colorIndex: new Uint8Array(m), palette: [alternatingColours(opts.palette)[0]], shape: 'circle', radiusMm: radius, raster, clip: { ...plot } };
  items.push(points);

  // λGC, the number of SNPs and the test, top left (or bottom right if points are there).
  const pt = STYLE.labelPt;
  const lambda = Number.isFinite(data.lambdaGc) ? data.lambdaGc.toFixed(3) : 'not available';
  const textLines: TextRun[][] = [
    [{ text: '\u03bb' }, subscript('GC'), { text: Number.isFinite(data.lambdaGc) ? ` = ${lambda}` : ` ${lambda}` }],
    [{ text: `${groupThousands(m)} SNP${m === 1 ? '' : 's'}` }],
    [{ text: data.df === 2 ? '2-df LRT (additive + dominance)' : '1-df LRT (additive)' }],
  ];
  const lineStep = capHeightMm(pt) + descentMm(pt) + 1.1;
  const blockAt = (x: number, top: number, anchor: TextItem['anchor']): { items: TextItem[]; box: Box } => {
    const texts: TextItem[] = [];
    let box: Box | null = null;
    textLines.forEach((runs, r) => {
      const laid = layoutRuns(runs, x, top + capHeightMm(pt) + r * lineStep, pt, anchor, { fill: STYLE.ink });
      texts.push(...laid.items);
      box = box ? unionBox(box, laid.box) : laid.box;
    });
    return { items: texts, box: box! };
  };
  const pad = 1.5;
  const topLeft = blockAt(plot.x + pad, plot.y + pad, 'start');
  const bottomHeight = topLeft.box.h;
  const bottomRight = blockAt(plot.x + plot.w - pad, plot.y + plot.h - pad - bottomHeight - 1.2, 'end');
  const block = countInside(topLeft.box, xs, ys, radius) <= countInside(bottomRight.box, xs, ys, radius) ? topLeft : bottomRight;
  items.push(...block.items);

  const parts = [
    `QQ plot of ${groupThousands(m)} SNPs: observed against expected \u2212log10 p, with the 95% band of the order statistics (Beta(i, m \u2212 i + 1) quantiles) and the line y = x`,
    `\u03bbGC = ${lambda}`,
    data.df === 2 ? '2-df LRT (additive + dominance)' : '1-df LRT (additive)',
  ];
  if (infinite > 0) parts.push(`${infinite} SNP${infinite === 1 ? '' : 's'} with p = 0 drawn at the top`);
  return {
    kind: 'qq',
    widthMm,
    heightMm,
    background: '#ffffff',
    items,
    meta: { title: opts.title ?? 'QQ plot', description: parts.join('; ') + '.', ...(opts.runId !== undefined ? { runId: opts.runId } : {}), software: opts.software },
  };
}

function countInside(box: Box, xs: Float64Array, ys: Float64Array, radius: number): number {
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i]! >= box.x - radius && xs[i]! <= box.x + box.w + radius && ys[i]! >= box.y - radius && ys[i]! <= box.y + box.h + radius) n++;
  }
  return n;
}
