/**
 * The regional plot around a lead SNP: position in Mb against -log10 p, points coloured by their
 * r^2 with the lead in LocusZoom's bins (< 0.2, 0.2-0.4, 0.4-0.6, 0.6-0.8, >= 0.8) from a
 * lightness-ordered, colour-blind-safe ramp (viridis; black to light grey in grey), SNPs without an
 * r^2 as hollow grey markers, drawn in order of increasing r^2 so that high-LD SNPs lie on top.
 * The lead is a larger diamond labelled with its ID; the significance line is dashed and labelled.
 * With a credible set, each member is ringed (a hollow black circle over the points, under the lead's
 * diamond; the lead's own ring is drawn clear of the diamond) and the legend says the set's level and size.
 */
import { STYLE, layoutFrame, line, text, type AxisSpec, type FigureOptions, type Frame } from './frame.js';
import type { RegionData } from './data.js';
import { categoricalLegend, type LegendEntry } from './legend.js';
import { accentColour, sequentialColour, toHex, type PaletteName } from './palette.js';
import type { PathItem, PointsItem, Scene, SceneItem, TextItem } from './scene.js';
import { boxesOverlap, capHeightMm, textBox } from './text.js';
import { niceTicks } from './ticks.js';

export interface RegionOptions extends FigureOptions {
  /** p-value of the dashed line (default 5e-8). */
  threshold?: number;
}

/** Lower edges of the r^2 bins past the first: a value on an edge belongs to the bin above. */
export const R2_EDGES = [0.2, 0.4, 0.6, 0.8] as const;
export const R2_LABELS = ['< 0.2', '0.2\u20130.4', '0.4\u20130.6', '0.6\u20130.8', '\u2265 0.8'] as const;
export const NO_R2_STROKE = '#9a9a9a';
const RAMP_POSITIONS = [0.9, 0.7, 0.5, 0.27, 0.0];

/** The bin of an r^2 value: 0..4, or -1 when it is unknown. */
export function r2Bin(r2: number): number {
  if (!Number.isFinite(r2)) return -1;
  let bin = 0;
  for (const edge of R2_EDGES) if (r2 >= edge) bin++;
  return bin;
}

/** The five bin colours, light (low r^2) to dark (high r^2). */
export function r2BinColours(palette: PaletteName): string[] {
  return RAMP_POSITIONS.map((t) => {
    const [r, g, b] = sequentialColour(palette, t);
    return toHex(r, g, b);
  });
}

/** 'p = 5e−8' */
export function formatThreshold(p: number): string {
  const [mantissa, exponent] = p.toExponential().split('e') as [string, string];
  const m = Number(Number(mantissa).toPrecision(3));
  const e = Number(exponent);
  if (e >= -3) return `p = ${p}`;
  return `p = ${m}e\u2212${-e}`;
}

function chrLabel(chr: string): string {
  return /^chr/i.test(chr) ? chr : `chr ${chr}`;
}

const POINT_RADIUS = 0.65;
const LEAD_RADIUS = 1.35;
/** Credible-set rings: radius around a point, around the lead's diamond (past its corners), stroke. */
export const RING_RADIUS = POINT_RADIUS * 1.4;
export const LEAD_RING_RADIUS = LEAD_RADIUS * 1.26 + 0.35;
export const RING_STROKE_PT = 0.6;
const RING_SEGMENTS = 40;

/** '95%' for 0.95, '99.5%' for 0.995. */
export function formatLevel(level: number): string {
  return `${Number((level * 100).toFixed(2))}%`;
}

/** The legend entry's text: '95% credible set (12 SNPs)'. */
export function credibleSetLabel(level: number, k: number): string {
  return `${formatLevel(level)} credible set (${k} SNP${k === 1 ? '' : 's'})`;
}

/** A hollow circle of radius r around (x, y) as a closed stroked path (painters draw it without a fill). */
export function ringPath(x: number, y: number, r: number): PathItem {
  const points = new Float64Array(2 * RING_SEGMENTS);
  for (let j = 0; j < RING_SEGMENTS; j++) {
    const a = (2 * Math.PI * j) / RING_SEGMENTS;
    points[2 * j] = x + r * Math.cos(a);
    points[2 * j + 1] = y + r * Math.sin(a);
  }
  return { type: 'path', points, closed: true, stroke: '#000000', widthPt: RING_STROKE_PT };
}

export function regionScene(data: RegionData, opts: RegionOptions): Scene {
  const threshold = opts.threshold ?? 5e-8;
  const thresholdY = -Math.log10(threshold);
  const W = opts.widthMm;
  const heightMm = opts.heightMm ?? Math.max(55, Math.min(90, W * 0.62));
  const colours = r2BinColours(opts.palette);
  const accent = accentColour(opts.palette);
  const m = data.pos.length;

  let maxY = Math.max(thresholdY, Number.isFinite(data.lead.negLog10P) ? data.lead.negLog10P : 0);
  for (const v of data.negLog10P) if (Number.isFinite(v) && v > maxY) maxY = v;
  const xAxis: AxisSpec = { domain: [data.start / 1e6, data.end / 1e6], ticks: niceTicks(data.start / 1e6, data.end / 1e6, W > 120 ? 8 : 5), label: `Position on ${chrLabel(data.chr)} (Mb)` };

  // The r^2 legend goes in a band above the plot, as wide as the plot.
  const anyUnknown = data.r2.some((v, k) => !Number.isFinite(v) && data.snp[k] !== data.lead.snp);
  const entries: LegendEntry[] = colours.map((c, i) => ({ label: R2_LABELS[i]!, colour: c, shape: 'circle', stroke: '#4d4d4d', radiusMm: 0.75 }));
  if (anyUnknown) entries.push({ label: 'no r\u00b2', colour: '#ffffff', stroke: NO_R2_STROKE, shape: 'circle', radiusMm: 0.75 });
  entries.push({ label: 'lead SNP', colour: accent, stroke: '#000000', shape: 'diamond', radiusMm: 1.0 });
  const credible = data.credible;
  const leadRinged = credible !== undefined && Number.isFinite(data.lead.negLog10P) && credible.members.includes(data.lead.snp);
  if (credible) entries.push({ label: credibleSetLabel(credible.level, credible.members.length), colour: '#ffffff', stroke: '#000000', shape: 'circle', radiusMm: RING_RADIUS });
  const legendFor = (maxW: number) => categoricalLegend({ entries, title: `r\u00b2 with ${data.lead.rs}`, flow: 'row', maxWidthMm: maxW });

  const frameFor = (yTop: number, topMm: number): Frame => {
    const yAxis: AxisSpec = { domain: [0, yTop], ticks: niceTicks(0, yTop, 5), label: '\u2212log10(p)' };
    return layoutFrame({ widthMm: W, heightMm, title: opts.title, x: xAxis, y: yAxis, topMm });
  };
  let yTop = maxY * 1.12 || 1;
  let frame = frameFor(yTop, 6);
  let legend = legendFor(frame.plot.w);
  const topMm = legend.heightMm + 2;
  frame = frameFor(yTop, topMm);
  legend = legendFor(frame.plot.w);
  // Room above the lead for its label.
  const labelNeed = (leadRinged ? LEAD_RING_RADIUS + 0.3 : LEAD_RADIUS) + STYLE.gapMm + 2.6;
  for (let pass = 0; pass < 6 && frame.sy(data.lead.negLog10P) - labelNeed < frame.plot.y; pass++) {
    yTop *= 1.12;
    frame = frameFor(yTop, topMm);
  }

  const items: SceneItem[] = [...frame.items];
  // The frame leaves topMm (plus half a tick label) between the title and the plot.
  const legendY = frame.plot.y - topMm - capHeightMm(STYLE.tickPt) / 2;
  items.push(...legend.place(frame.plot.x, legendY).items);

  // Significance line, under the points.
  const lineY = frame.sy(thresholdY);
  items.push(line(frame.plot.x, lineY, frame.plot.x + frame.plot.w, lineY, 0.5, STYLE.mutedInk, [3, 2]));

  // Markers on the axes (p = 1, the window's ends) show whole: the clip reaches a marker past the plot.
  const pointClip = { x: frame.plot.x - 1, y: frame.plot.y - 1, w: frame.plot.w + 2, h: frame.plot.h + 2 };
  // Points: unknown r^2 first (hollow), then by increasing r^2; the lead on its own, last.
  const unknown: number[] = [];
  const known: number[] = [];
  for (let k = 0; k < m; k++) {
    if (data.snp[k] === data.lead.snp) continue;
    if (!Number.isFinite(data.negLog10P[k]!)) continue;
    (Number.isFinite(data.r2[k]!) ? known : unknown).push(k);
  }
  known.sort((a, b) => data.r2[a]! - data.r2[b]! || a - b);
  const pointSet = (ks: number[], palette: string[], colourOf: (k: number) => number, extra: Partial<PointsItem>): PointsItem => ({
    type: 'points',
    x: Float64Array.from(ks, (k) => frame.sx(data.pos[k]! / 1e6)),
    y: Float64Array.from(ks, (k) => frame.sy(data.negLog10P[k]!)),
    colorIndex: Uint8Array.from(ks, colourOf),
    palette,
    shape: 'circle',
    radiusMm: POINT_RADIUS,
    id: Int32Array.from(ks, (k) => data.snp[k]!),
    raster: new Uint8Array(ks.length),
    clip: pointClip,
    ...extra,
  });
  if (unknown.length) items.push(pointSet(unknown, ['#ffffff'], () => 0, { stroke: NO_R2_STROKE, strokePt: 0.5 }));
  items.push(pointSet(known, colours, (k) => r2Bin(data.r2[k]!), { stroke: '#4d4d4d', strokePt: 0.25 }));

  const leadX = frame.sx(data.lead.pos / 1e6);
  const leadY = frame.sy(data.lead.negLog10P);
  // Credible-set rings over the points, under the lead's diamond (whose ring goes round it).
  if (credible) {
    const indexOfSnp = new Map<number, number>();
    for (let k = 0; k < m; k++) indexOfSnp.set(data.snp[k]!, k);
    for (const snp of credible.members) {
      if (snp === data.lead.snp) {
        if (leadRinged) items.push(ringPath(leadX, leadY, LEAD_RING_RADIUS));
        continue;
      }
      const k = indexOfSnp.get(snp);
      if (k === undefined || !Number.isFinite(data.negLog10P[k]!)) continue;
      items.push(ringPath(frame.sx(data.pos[k]! / 1e6), frame.sy(data.negLog10P[k]!), RING_RADIUS));
    }
  }
  items.push({
    type: 'points',
    x: Float64Array.of(leadX),
    y: Float64Array.of(leadY),
    colorIndex: Uint8Array.of(0),
    palette: [accent],
    shape: 'diamond',
    radiusMm: LEAD_RADIUS,
    stroke: '#000000',
    strokePt: 0.5,
    id: Int32Array.of(data.lead.snp),
    raster: new Uint8Array(1),
    clip: pointClip,
  });

  // Lead label above the diamond, kept inside the plot; the threshold label clear of it.
  const leadLabel = text(leadX, leadY - (leadRinged ? LEAD_RING_RADIUS + 0.3 : LEAD_RADIUS) - STYLE.gapMm, data.lead.rs, STYLE.annotationPt, 'middle', 'alphabetic', { weight: 'bold' });
  const lb = textBox(leadLabel);
  if (lb.x < frame.plot.x + 0.5) leadLabel.x += frame.plot.x + 0.5 - lb.x;
  if (lb.x + lb.w > frame.plot.x + frame.plot.w - 0.5) leadLabel.x -= lb.x + lb.w - (frame.plot.x + frame.plot.w - 0.5);
  items.push(leadLabel);
  const thresholdText = formatThreshold(threshold);
  const candidates: TextItem[] = [
    text(frame.plot.x + frame.plot.w - 1, lineY - 0.8, thresholdText, STYLE.annotationPt, 'end', 'alphabetic', { fill: STYLE.mutedInk }),
    text(frame.plot.x + 1, lineY - 0.8, thresholdText, STYLE.annotationPt, 'start', 'alphabetic', { fill: STYLE.mutedInk }),
    text(frame.plot.x + frame.plot.w - 1, lineY + 0.8, thresholdText, STYLE.annotationPt, 'end', 'top', { fill: STYLE.mutedInk }),
    text(frame.plot.x + 1, lineY + 0.8, thresholdText, STYLE.annotationPt, 'start', 'top', { fill: STYLE.mutedInk }),
  ];
  const leadBox = textBox(leadLabel);
  const leadReach = leadRinged ? LEAD_RING_RADIUS : LEAD_RADIUS;
  const diamondBox = { x: leadX - leadReach, y: leadY - leadReach, w: 2 * leadReach, h: 2 * leadReach };
  const inPlot = (t: TextItem): boolean => {
    const b = textBox(t);
    return b.y >= frame.plot.y && b.y + b.h <= frame.plot.y + frame.plot.h;
  };
  const chosen = candidates.find((t) => inPlot(t) && !boxesOverlap(textBox(t), leadBox, 0.5) && !boxesOverlap(textBox(t), diamondBox, 0.5)) ?? candidates[0]!;
  items.push(chosen);

  return {
    kind: 'region',
    widthMm: W,
    heightMm,
    background: '#ffffff',
    items,
    meta: {
      title: opts.title ?? `Region around ${data.lead.rs}`,
      description:
        `${m} SNPs on ${chrLabel(data.chr)} from ${(data.start / 1e6).toFixed(3)} to ${(data.end / 1e6).toFixed(3)} Mb around the lead SNP ${data.lead.rs} (diamond), ` +
        `coloured by r\u00b2 with the lead among the analysed individuals; the dashed line is ${formatThreshold(threshold)}.` +
        (credible ? ` ${credibleDescription(credible)}` : ''),
      runId: opts.runId,
      software: opts.software,
    },
  };
}

/** The sentence saying what the rings mean. */
function credibleDescription(credible: NonNullable<RegionData['credible']>): string {
  const level = formatLevel(credible.level);
  const k = credible.members.length;
  return `Rings mark the ${level} credible set (${k} SNP${k === 1 ? '' : 's'}): the smallest set of SNPs holding ${level} of the posterior probability under one causal variant in the region.`;
}
