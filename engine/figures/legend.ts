/**
 * Legends shared by the PCA, kinship and regional figures: a categorical legend (marker swatches
 * and names, in a column that flows into more columns, or in rows that wrap; long names shortened
 * with an ellipsis; what does not fit summed up as '+ k more') and a vertical colour bar (a ramp,
 * nice ticks, a title). Each builder measures first and places later: it returns a `Block` whose
 * size is known, so a figure can make room for it before it knows where it goes.
 */
import { STYLE, line, text } from './frame.js';
import { parseHex, toHex } from './palette.js';
import type { Box, MarkerShape, PointsItem, SceneItem } from './scene.js';
import { capHeightMm, descentMm, fitText, textWidthMm } from './text.js';

/** Something of known size that can be placed with its top-left corner at (x, y). */
export interface Block {
  widthMm: number;
  heightMm: number;
  place(x: number, y: number): { items: SceneItem[]; box: Box };
}

export interface LegendEntry {
  label: string;
  /** Marker fill. */
  colour: string;
  shape: MarkerShape;
  /** Marker outline (a hollow marker: colour '#ffffff' and a grey stroke). */
  stroke?: string;
  /** Marker radius in mm (default 0.8). */
  radiusMm?: number;
}

export interface CategoricalLegendSpec {
  entries: LegendEntry[];
  /** Shown above a column legend, or first in a row legend. */
  title?: string;
  sizePt?: number;
  /**
   * 'column': top to bottom, flowing into further columns past maxHeightMm;
   * 'row': left to right, wrapping at maxWidthMm.
   */
  flow: 'column' | 'row';
  maxWidthMm: number;
  maxHeightMm?: number;
}

const SWATCH_GAP_MM = 1.0;
const ENTRY_GAP_MM = 2.2;
const DEFAULT_RADIUS_MM = 0.8;
/** How far a marker of radius 1 reaches from its centre (equal-area shapes, as the painters draw them). */
const SHAPE_REACH: Record<MarkerShape, number> = { circle: 1, square: 1.26, diamond: 1.26, triangle: 1.56 };
const MIN_LABEL_MM = 6;
/** A column of names is not made narrower than this (about 14 characters at 6.5 pt). */
const MIN_COLUMN_LABEL_MM = 12;

/** Height of one line of text (capitals to descenders) plus leading. */
export function lineHeightMm(sizePt: number): number {
  return (capHeightMm(sizePt) + descentMm(sizePt)) * 1.25;
}

/** Greedy word wrap to `maxMm`; a word too long for a line is shortened with an ellipsis. */
export function wrapText(s: string, maxMm: number, sizePt: number, weight: 'normal' | 'bold' = 'normal'): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of s.split(/\s+/).filter((w) => w.length > 0)) {
    const candidate = current ? `${current} ${word}` : word;
    if (textWidthMm(candidate, sizePt, weight) <= maxMm) {
      current = candidate;
      continue;
    }
    if (current) lines.push(current);
    current = fitText(word, maxMm, sizePt, weight);
  }
  if (current) lines.push(current);
  return lines;
}

interface Cell {
  entry?: LegendEntry;
  label: string;
  x: number;
  y: number;
}

/** Marker swatches as one point set per shape (what the data points are drawn with). */
function swatches(cells: Cell[], swatchW: number, rowH: number, clip: Box): PointsItem[] {
  const byShape = new Map<string, Cell[]>();
  for (const c of cells) {
    if (!c.entry) continue;
    const key = `${c.entry.shape}|${c.entry.stroke ?? ''}|${c.entry.radiusMm ?? DEFAULT_RADIUS_MM}`;
    const list = byShape.get(key) ?? [];
    list.push(c);
    byShape.set(key, list);
  }
  const out: PointsItem[] = [];
  for (const list of byShape.values()) {
    const first = list[0]!.entry!;
    const palette = [...new Set(list.map((c) => c.entry!.colour))];
    const item: PointsItem = {
      type: 'points',
      x: Float64Array.from(list, (c) => c.x + swatchW / 2),
      y: Float64Array.from(list, (c) => c.y + rowH / 2),
      colorIndex: Uint8Array.from(list, (c) => palette.indexOf(c.entry!.colour)),
      palette,
      shape: first.shape,
      radiusMm: first.radiusMm ?? DEFAULT_RADIUS_MM,
      clip,
    };
    if (first.stroke) {
      item.stroke = first.stroke;
      item.strokePt = 0.5;
    }
    out.push(item);
  }
  return out;
}

/** A categorical legend: swatches and names. */
export function categoricalLegend(spec: CategoricalLegendSpec): Block {
  const sizePt = spec.sizePt ?? STYLE.annotationPt;
  const entries = spec.entries;
  // Half the extent of each marker: shapes have the circle's area, so corners reach further.
  const maxRadius = Math.max(DEFAULT_RADIUS_MM, ...entries.map((e) => (e.radiusMm ?? DEFAULT_RADIUS_MM) * SHAPE_REACH[e.shape]));
  const swatchW = 2 * maxRadius;
  const rowH = Math.max(lineHeightMm(sizePt), 2 * maxRadius + 0.4);
  const titleH = spec.title ? lineHeightMm(sizePt) : 0;
  const labelW = (label: string): number => textWidthMm(label, sizePt);
  const cells: Cell[] = [];
  let widthMm = 0;
  let heightMm = 0;
  let titleText = spec.title;

  if (spec.flow === 'row') {
    let x = 0;
    let y = 0;
    if (spec.title) {
      titleText = fitText(spec.title, spec.maxWidthMm, sizePt, 'bold');
      x = textWidthMm(titleText, sizePt, 'bold') + ENTRY_GAP_MM;
    }
    for (const entry of entries) {
      const label = fitText(entry.label, Math.max(MIN_LABEL_MM, spec.maxWidthMm - swatchW - SWATCH_GAP_MM), sizePt);
      const w = swatchW + SWATCH_GAP_MM + labelW(label);
      if (x > 0 && x + w > spec.maxWidthMm) {
        x = 0;
        y += rowH;
      }
      cells.push({ entry, label, x, y });
      x += w + ENTRY_GAP_MM;
      widthMm = Math.max(widthMm, x - ENTRY_GAP_MM);
    }
    heightMm = y + rowH;
    if (entries.length === 0) widthMm = spec.title ? textWidthMm(titleText!, sizePt, 'bold') : 0;
  } else {
    const maxH = spec.maxHeightMm ?? Infinity;
    const perColumn = Math.max(1, Math.floor((maxH - titleH) / rowH));
    let columns = Math.max(1, Math.ceil(entries.length / perColumn));
    const naturalLabel = Math.max(0, ...entries.map((e) => labelW(e.label)));
    const colGap = ENTRY_GAP_MM;
    // Width available to each column's label when `columns` columns share maxWidthMm.
    const labelRoom = (cols: number): number => (spec.maxWidthMm - cols * (swatchW + SWATCH_GAP_MM) - (cols - 1) * colGap) / cols;
    // More columns only while each keeps a useful share of its names (else: fewer names and '+ k more').
    while (columns > 1 && labelRoom(columns) < Math.min(naturalLabel, MIN_COLUMN_LABEL_MM)) columns--;
    const capacity = columns * perColumn;
    const shown = entries.length > capacity ? capacity - 1 : entries.length;
    const labelMax = Math.min(naturalLabel, Math.max(MIN_LABEL_MM, labelRoom(columns)));
    const colW = swatchW + SWATCH_GAP_MM + labelMax;
    const rows = Math.min(perColumn, Math.max(1, Math.ceil((shown + (shown < entries.length ? 1 : 0)) / columns)));
    for (let i = 0; i < shown; i++) {
      const col = Math.floor(i / rows);
      const row = i % rows;
      cells.push({ entry: entries[i]!, label: fitText(entries[i]!.label, labelMax, sizePt), x: col * (colW + colGap), y: titleH + row * rowH });
    }
    if (shown < entries.length) {
      const i = shown;
      cells.push({ label: fitText(`+ ${entries.length - shown} more`, colW, sizePt), x: Math.floor(i / rows) * (colW + colGap), y: titleH + (i % rows) * rowH });
    }
    const usedColumns = Math.max(1, Math.ceil(cells.length / rows));
    widthMm = usedColumns * colW + (usedColumns - 1) * colGap;
    if (spec.title) {
      titleText = fitText(spec.title, Math.max(widthMm, spec.maxWidthMm), sizePt, 'bold');
      widthMm = Math.max(widthMm, textWidthMm(titleText, sizePt, 'bold'));
    }
    heightMm = titleH + (entries.length ? rows * rowH : 0);
  }
  widthMm = Math.min(widthMm, Math.max(spec.maxWidthMm, 0));

  return {
    widthMm,
    heightMm,
    place(x0, y0) {
      const box: Box = { x: x0, y: y0, w: widthMm, h: heightMm };
      const items: SceneItem[] = [];
      if (titleText) {
        const ty = spec.flow === 'row' ? y0 + rowH / 2 : y0 + titleH / 2;
        items.push(text(x0, ty, titleText, sizePt, 'start', 'middle', { weight: 'bold' }));
      }
      const placed = cells.map((c) => ({ ...c, x: x0 + c.x, y: y0 + c.y }));
      const swatchClip: Box = { x: box.x - 1, y: box.y - 1, w: box.w + 2, h: box.h + 2 };
      items.push(...swatches(placed, swatchW, rowH, swatchClip));
      for (const c of placed) {
        const tx = c.entry ? c.x + swatchW + SWATCH_GAP_MM : c.x;
        items.push(text(tx, c.y + rowH / 2, c.label, sizePt, 'start', 'middle', c.entry ? {} : { fill: STYLE.mutedInk }));
      }
      return { items, box };
    },
  };
}

export interface ColourBarSpec {
  /** Title above the bar, wrapped to maxWidthMm. */
  title: string;
  /** A note under the title in muted ink (e.g. what saturates), wrapped too. */
  note?: string;
  /** Value range the bar covers, bottom to top. */
  domain: [number, number];
  ticks: { values: number[]; labels: string[] };
  /** Colour at a value of the domain. */
  colourAt: (value: number) => [number, number, number];
  lengthMm: number;
  thicknessMm?: number;
  maxWidthMm: number;
  sizePt?: number;
}

const BAR_STEPS = 128;

/** A vertical colour bar: title (and note) above, the ramp, ticks and labels to its right. */
export function colourBar(spec: ColourBarSpec): Block {
  const sizePt = spec.sizePt ?? STYLE.annotationPt;
  const thickness = spec.thicknessMm ?? 2.5;
  const lh = lineHeightMm(sizePt);
  const titleLines = wrapText(spec.title, spec.maxWidthMm, sizePt, 'bold');
  const noteLines = spec.note ? wrapText(spec.note, spec.maxWidthMm, sizePt) : [];
  const headerH = (titleLines.length + noteLines.length) * lh + (titleLines.length + noteLines.length > 0 ? 0.8 : 0);
  const tickLabelW = Math.max(0, ...spec.ticks.labels.map((l) => textWidthMm(l, sizePt)));
  const barBlockW = thickness + STYLE.tickLenMm * 0.8 + STYLE.gapMm + tickLabelW;
  const headerW = Math.max(0, ...titleLines.map((l) => textWidthMm(l, sizePt, 'bold')), ...noteLines.map((l) => textWidthMm(l, sizePt)));
  // The end labels stick out half a line past the bar.
  const overhang = capHeightMm(sizePt) / 2 + 0.2;
  const widthMm = Math.max(barBlockW, headerW);
  const heightMm = headerH + overhang + spec.lengthMm + overhang;
  const [lo, hi] = spec.domain;

  return {
    widthMm,
    heightMm,
    place(x0, y0) {
      const items: SceneItem[] = [];
      let y = y0;
      for (const l of titleLines) {
        items.push(text(x0, y + lh / 2, l, sizePt, 'start', 'middle', { weight: 'bold' }));
        y += lh;
      }
      for (const l of noteLines) {
        items.push(text(x0, y + lh / 2, l, sizePt, 'start', 'middle', { fill: STYLE.mutedInk }));
        y += lh;
      }
      const barTop = y0 + headerH + overhang;
      const rgb = new Uint8Array(BAR_STEPS * 3);
      for (let r = 0; r < BAR_STEPS; r++) {
        // Row 0 is the top of the bar: the high end.
        const value = hi - ((r + 0.5) / BAR_STEPS) * (hi - lo);
        const [cr, cg, cb] = spec.colourAt(value);
        rgb[3 * r] = Math.round(cr);
        rgb[3 * r + 1] = Math.round(cg);
        rgb[3 * r + 2] = Math.round(cb);
      }
      items.push({ type: 'cells', box: { x: x0, y: barTop, w: thickness, h: spec.lengthMm }, cols: 1, rows: BAR_STEPS, rgb });
      items.push({ type: 'rect', x: x0, y: barTop, w: thickness, h: spec.lengthMm, stroke: STYLE.ink, widthPt: 0.4 });
      const tickX = x0 + thickness;
      spec.ticks.values.forEach((v, i) => {
        if (v < Math.min(lo, hi) - 1e-12 || v > Math.max(lo, hi) + 1e-12) return;
        const ty = barTop + ((hi - v) / (hi - lo || 1)) * spec.lengthMm;
        items.push(line(tickX, ty, tickX + STYLE.tickLenMm * 0.8, ty, 0.4));
        const label = spec.ticks.labels[i];
        if (label) items.push(text(tickX + STYLE.tickLenMm * 0.8 + STYLE.gapMm, ty, label, sizePt, 'start', 'middle'));
      });
      return { items, box: { x: x0, y: y0, w: widthMm, h: heightMm } };
    },
  };
}

/** Blocks one under another, left-aligned, `gapMm` apart. */
export function stackBlocks(blocks: Block[], gapMm = 2): Block {
  const present = blocks.filter((b) => b.heightMm > 0);
  const widthMm = Math.max(0, ...present.map((b) => b.widthMm));
  const heightMm = present.reduce((sum, b) => sum + b.heightMm, 0) + Math.max(0, present.length - 1) * gapMm;
  return {
    widthMm,
    heightMm,
    place(x0, y0) {
      const items: SceneItem[] = [];
      let y = y0;
      for (const b of present) {
        items.push(...b.place(x0, y).items);
        y += b.heightMm + gapMm;
      }
      return { items, box: { x: x0, y: y0, w: widthMm, h: heightMm } };
    },
  };
}

/** The colour of `hex` mixed with white (fraction 0..1 of white). */
export function tint(hex: string, white: number): string {
  const [r, g, b] = parseHex(hex);
  return toHex(r + (255 - r) * white, g + (255 - g) * white, b + (255 - b) * white);
}
