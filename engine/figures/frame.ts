/**
 * The frame shared by the x-y figures: margins sized from the tick labels, the plot area, axis
 * lines, ticks, tick labels, axis titles and the figure title. Builders give domains and ticks;
 * this decides where everything goes.
 */
import type { PaletteName } from './palette.js';
import type { Box, LineItem, SceneItem, TextItem } from './scene.js';
import { capHeightMm, fitText, textWidthMm } from './text.js';

/** Options every figure takes. */
export interface FigureOptions {
  widthMm: number;
  /** Height in mm; each figure kind has its own default. */
  heightMm?: number;
  palette: PaletteName;
  /** Shown above the plot and stored in the file's metadata. */
  title?: string;
  runId?: number;
  /** 'kinscan 0.1.0': stored in the file's metadata. */
  software: string;
}

/** Type sizes in pt (journals ask for 6-8 pt at print size) and line widths. */
export const STYLE = {
  tickPt: 7,
  labelPt: 8,
  titlePt: 9,
  annotationPt: 6.5,
  axisPt: 0.6,
  tickLenMm: 1.2,
  gapMm: 0.8,
  marginMm: 1.5,
  ink: '#000000',
  mutedInk: '#555555',
} as const;

export interface AxisSpec {
  domain: [number, number];
  /** Where the ticks go and what they say (labels may be empty strings). */
  ticks: { values: number[]; labels: string[] };
  label: string;
  /** Draw the axis line (default true). */
  line?: boolean;
}

export interface FrameSpec {
  widthMm: number;
  heightMm: number;
  title?: string;
  x: AxisSpec;
  y: AxisSpec;
  /** Extra room to the right of the plot (colour bars, legends), mm. */
  rightMm?: number;
  /** Extra room above the plot (labels over points), mm. */
  topMm?: number;
  /** Extra room below the x tick labels (a second label row), mm. */
  bottomExtraMm?: number;
}

export interface Frame {
  plot: Box;
  /** Data to mm. */
  sx: (v: number) => number;
  sy: (v: number) => number;
  items: SceneItem[];
}

export function line(x1: number, y1: number, x2: number, y2: number, widthPt: number = STYLE.axisPt, stroke: string = STYLE.ink, dashPt?: number[]): LineItem {
  return dashPt ? { type: 'line', x1, y1, x2, y2, stroke, widthPt, dashPt } : { type: 'line', x1, y1, x2, y2, stroke, widthPt };
}

export function text(x: number, y: number, s: string, sizePt: number, anchor: TextItem['anchor'], baseline: TextItem['baseline'], extra: Partial<TextItem> = {}): TextItem {
  return { type: 'text', x, y, text: s, sizePt, anchor, baseline, weight: 'normal', fill: STYLE.ink, ...extra };
}

/** Lay out the frame: margins from label sizes, then axes, ticks and titles. */
export function layoutFrame(spec: FrameSpec): Frame {
  const tickH = capHeightMm(STYLE.tickPt);
  const labelH = capHeightMm(STYLE.labelPt);
  const yTickW = Math.max(0, ...spec.y.ticks.labels.map((l) => textWidthMm(l, STYLE.tickPt)));
  const left = STYLE.marginMm + (spec.y.label ? labelH + 2 * STYLE.gapMm : 0) + yTickW + STYLE.gapMm + STYLE.tickLenMm;
  const titleH = spec.title ? capHeightMm(STYLE.titlePt, 'bold') + 2 * STYLE.gapMm : 0;
  const top = STYLE.marginMm + titleH + (spec.topMm ?? 0) + tickH / 2;
  const bottom = STYLE.marginMm + STYLE.tickLenMm + STYLE.gapMm + tickH + (spec.x.label ? 2 * STYLE.gapMm + labelH + 0.6 : 0) + (spec.bottomExtraMm ?? 0);
  // The last x tick label sticks out half its width past the plot.
  const lastX = spec.x.ticks.labels.at(-1) ?? '';
  const right = STYLE.marginMm + Math.max(textWidthMm(lastX, STYLE.tickPt) / 2, 1) + (spec.rightMm ?? 0);
  const plot: Box = { x: left, y: top, w: Math.max(10, spec.widthMm - left - right), h: Math.max(10, spec.heightMm - top - bottom) };
  const [x0, x1] = spec.x.domain;
  const [y0, y1] = spec.y.domain;
  const sx = (v: number): number => plot.x + ((v - x0) / (x1 - x0 || 1)) * plot.w;
  const sy = (v: number): number => plot.y + plot.h - ((v - y0) / (y1 - y0 || 1)) * plot.h;
  const items: SceneItem[] = [];
  const xAxisY = plot.y + plot.h;
  if (spec.x.line !== false) items.push(line(plot.x, xAxisY, plot.x + plot.w, xAxisY));
  if (spec.y.line !== false) items.push(line(plot.x, plot.y, plot.x, xAxisY));
  spec.x.ticks.values.forEach((v, i) => {
    const x = sx(v);
    items.push(line(x, xAxisY, x, xAxisY + STYLE.tickLenMm));
    const l = spec.x.ticks.labels[i];
    if (l) items.push(text(x, xAxisY + STYLE.tickLenMm + STYLE.gapMm, l, STYLE.tickPt, 'middle', 'top'));
  });
  spec.y.ticks.values.forEach((v, i) => {
    const y = sy(v);
    items.push(line(plot.x - STYLE.tickLenMm, y, plot.x, y));
    const l = spec.y.ticks.labels[i];
    if (l) items.push(text(plot.x - STYLE.tickLenMm - STYLE.gapMm, y, l, STYLE.tickPt, 'end', 'middle'));
  });
  if (spec.x.label) {
    items.push(text(plot.x + plot.w / 2, spec.heightMm - STYLE.marginMm - 0.6 - (spec.bottomExtraMm ?? 0) * 0, spec.x.label, STYLE.labelPt, 'middle', 'alphabetic'));
  }
  if (spec.y.label) {
    items.push(text(STYLE.marginMm + labelH, plot.y + plot.h / 2, spec.y.label, STYLE.labelPt, 'middle', 'alphabetic', { rotate: 90 }));
  }
  if (spec.title) {
    // Over the plot's left edge if it fits there, else from the margin, shortened if it must be.
    const titleW = textWidthMm(spec.title, STYLE.titlePt, 'bold');
    const titleX = plot.x + titleW <= spec.widthMm - STYLE.marginMm ? plot.x : STYLE.marginMm;
    const title = fitText(spec.title, spec.widthMm - titleX - STYLE.marginMm, STYLE.titlePt, 'bold');
    items.push(text(titleX, STYLE.marginMm + capHeightMm(STYLE.titlePt, 'bold'), title, STYLE.titlePt, 'start', 'alphabetic', { weight: 'bold' }));
  }
  return { plot, sx, sy, items };
}
