/**
 * Greedy placement of point labels without overlap, for any figure (Manhattan leads, PCA sample
 * names, a regional plot's lead SNP, ...).
 *
 * Each anchor is a point (mm) with a text. In priority order (highest first; ties keep input order)
 * every label tries candidate positions around its point (by default: above, above-left,
 * above-right, right, left; then row by row higher above the point, straight above and shifted
 * sideways by up to two label widths, joined to the point by a thin leader line) and keeps the
 * first one that
 *   - lies inside `bounds`,
 *   - overlaps no label placed before it, no obstacle box, and no anchor's own marker, and
 *   - (for a stacked position) whose leader crosses no placed label, obstacle, other marker or
 *     leader obstacle, and whose box crosses no leader already drawn.
 * A label that finds no such position is dropped (returned in `dropped`), never drawn overlapping.
 *
 * Usage:
 *   const placed = placeLabels(anchors, { bounds: frame.plot, obstacles: [legendBox] });
 *   scene.items.push(...placed.leaders, ...placed.texts);
 * `placed.boxes` are the placed texts' boxes (textBox), to add to the obstacles of a later call.
 *
 * Also here:
 * - `placeLineLabel`: the label of a horizontal line (a threshold), beside its line and clear of
 *   points, other labels and other lines (or set into the line when nothing else fits);
 * - `layoutRuns`: a label made of runs of different sizes (a superscript exponent, λ with a
 *   subscript GC) laid side by side as text items, with the box the whole covers.
 */
import { line } from './frame.js';
import type { Box, FontWeight, LineItem, TextItem } from './scene.js';
import { boxesOverlap, capHeightMm, descentMm, textBox } from './text.js';

export interface LabelAnchor {
  /** The point labelled, mm. */
  x: number;
  y: number;
  text: string;
  sizePt: number;
  weight?: FontWeight;
  italic?: boolean;
  /** Text colour (default black). */
  fill?: string;
  /** Higher goes first (default 0). */
  priority?: number;
  /** Radius of the point's marker, mm: labels keep clear of it (default: options.markerRadiusMm). */
  markerRadiusMm?: number;
  /** Caller's tag, returned with the placement (e.g. the SNP index). */
  tag?: number;
}

/** Where a label went: which candidate, the text's box, and whether it has a leader line. */
export interface PlacedLabel {
  anchor: LabelAnchor;
  text: TextItem;
  box: Box;
  leader?: LineItem;
  /** The candidate's name: 'above', 'above-left', 'above-right', 'right', 'left', 'below', 'stacked'. */
  position: string;
}

export interface LabelPlacement {
  /** Text items in placement order (draw after the points). */
  texts: TextItem[];
  /** Leader lines for labels moved away from their point (draw before the texts). */
  leaders: LineItem[];
  /** The placed texts' boxes (same order as `texts`). */
  boxes: Box[];
  placed: PlacedLabel[];
  /** Anchors with no free position, in priority order. */
  dropped: LabelAnchor[];
}

export interface LabelPlacementOptions {
  /** Every label stays inside this box (usually the plot area). */
  bounds: Box;
  /** Boxes labels must not overlap (line labels, legends, earlier labels). */
  obstacles?: Box[];
  /**
   * Boxes only leader lines must not cross (besides labels, obstacles and markers): e.g. solid
   * columns over a tower of points, so a leader does not cut between the tower's points.
   */
  leaderObstacles?: Box[];
  /** Clearance between a label and anything else, mm (default 0.4). */
  padMm?: number;
  /** Distance from the marker's edge to the label, mm (default 0.5). */
  gapMm?: number;
  /** Marker radius for anchors that give none, mm (default 0.5). */
  markerRadiusMm?: number;
  /** Also try directly below the point, after the side positions (default false). */
  allowBelow?: boolean;
  /** How many rows higher a stacked label may go (default 6; 0: never stack). */
  maxStackRows?: number;
  /** Leader line colour and width (default mid grey, 0.35 pt). */
  leaderStroke?: string;
  leaderWidthPt?: number;
}

interface Candidate {
  position: string;
  x: number;
  y: number;
  anchor: TextItem['anchor'];
  baseline: TextItem['baseline'];
  leader: boolean;
}

/** Candidate text placements around an anchor, in the order they are tried. */
function candidatesFor(anchor: LabelAnchor, widthMm: number, heightMm: number, radius: number, options: Required<Pick<LabelPlacementOptions, 'gapMm' | 'allowBelow' | 'maxStackRows'>>): Candidate[] {
  const { gapMm } = options;
  const clear = radius + gapMm;
  const diagonal = clear * Math.SQRT1_2;
  // Baseline y for text sitting just above the marker: descenders clear of it.
  const descent = descentMm(anchor.sizePt, anchor.weight);
  const aboveBaseline = anchor.y - clear - descent;
  const list: Candidate[] = [
    { position: 'above', x: anchor.x, y: aboveBaseline, anchor: 'middle', baseline: 'alphabetic', leader: false },
    { position: 'above-left', x: anchor.x - diagonal, y: anchor.y - diagonal - descent, anchor: 'end', baseline: 'alphabetic', leader: false },
    { position: 'above-right', x: anchor.x + diagonal, y: anchor.y - diagonal - descent, anchor: 'start', baseline: 'alphabetic', leader: false },
    { position: 'right', x: anchor.x + clear, y: anchor.y, anchor: 'start', baseline: 'middle', leader: false },
    { position: 'left', x: anchor.x - clear, y: anchor.y, anchor: 'end', baseline: 'middle', leader: false },
  ];
  if (options.allowBelow) list.push({ position: 'below', x: anchor.x, y: anchor.y + clear, anchor: 'middle', baseline: 'top', leader: false });
  // Rows higher up: straight above and shifted sideways by up to two label widths (a leader can
  // then pass beside a label sitting right above the point), the shortest leaders first.
  const row = heightMm + gapMm;
  const stacked: { candidate: Candidate; distance: number }[] = [];
  for (let level = 1; level <= options.maxStackRows; level++) {
    const y = aboveBaseline - level * row;
    for (const shift of [0, -0.5, 0.5, -1, 1, -1.5, 1.5, -2, 2]) {
      const candidate: Candidate = { position: 'stacked', x: anchor.x + shift * widthMm, y, anchor: 'middle', baseline: 'alphabetic', leader: true };
      stacked.push({ candidate, distance: Math.hypot(Math.max(0, Math.abs(shift) - 0.5) * widthMm, level * row) });
    }
  }
  stacked.sort((a, b) => a.distance - b.distance);
  return list.concat(stacked.map((s) => s.candidate));
}

function inside(box: Box, bounds: Box): boolean {
  const eps = 1e-9;
  return box.x >= bounds.x - eps && box.y >= bounds.y - eps && box.x + box.w <= bounds.x + bounds.w + eps && box.y + box.h <= bounds.y + bounds.h + eps;
}

/** Whether the segment (x1, y1)-(x2, y2) passes through `box` (grown by pad), by Liang-Barsky clipping. */
export function segmentHitsBox(x1: number, y1: number, x2: number, y2: number, box: Box, padMm = 0): boolean {
  const dx = x2 - x1;
  const dy = y2 - y1;
  let t0 = 0;
  let t1 = 1;
  const edges: [number, number][] = [
    [-dx, x1 - (box.x - padMm)],
    [dx, box.x + box.w + padMm - x1],
    [-dy, y1 - (box.y - padMm)],
    [dy, box.y + box.h + padMm - y1],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return false;
      continue;
    }
    const t = q / p;
    if (p < 0) t0 = Math.max(t0, t);
    else t1 = Math.min(t1, t);
    if (t0 > t1) return false;
  }
  return true;
}

/** The leader from the marker's edge towards the nearest point of the label's box. */
function leaderFor(anchor: LabelAnchor, box: Box, radius: number, stroke: string, widthPt: number): LineItem {
  const targetX = Math.min(box.x + box.w, Math.max(box.x, anchor.x));
  const targetY = Math.min(box.y + box.h, Math.max(box.y, anchor.y));
  const dx = targetX - anchor.x;
  const dy = targetY - anchor.y;
  const length = Math.hypot(dx, dy) || 1;
  const start = radius + 0.2;
  return line(anchor.x + (dx / length) * start, anchor.y + (dy / length) * start, targetX, targetY, widthPt, stroke);
}

/** Place labels greedily; see the module comment. */
export function placeLabels(anchors: readonly LabelAnchor[], options: LabelPlacementOptions): LabelPlacement {
  const padMm = options.padMm ?? 0.4;
  const gapMm = options.gapMm ?? 0.5;
  const defaultRadius = options.markerRadiusMm ?? 0.5;
  const candidateOptions = { gapMm, allowBelow: options.allowBelow ?? false, maxStackRows: options.maxStackRows ?? 6 };
  const stroke = options.leaderStroke ?? '#666666';
  const widthPt = options.leaderWidthPt ?? 0.35;
  const obstacles = options.obstacles ?? [];
  const leaderObstacles = options.leaderObstacles ?? [];
  const markers: Box[] = anchors.map((a) => {
    const r = a.markerRadiusMm ?? defaultRadius;
    return { x: a.x - r, y: a.y - r, w: 2 * r, h: 2 * r };
  });
  const order = anchors.map((_, i) => i).sort((i, j) => (anchors[j]!.priority ?? 0) - (anchors[i]!.priority ?? 0) || i - j);
  const result: LabelPlacement = { texts: [], leaders: [], boxes: [], placed: [], dropped: [] };

  for (const index of order) {
    const anchor = anchors[index]!;
    const radius = anchor.markerRadiusMm ?? defaultRadius;
    const weight = anchor.weight ?? 'normal';
    const probe = textBox({ x: 0, y: 0, text: anchor.text, sizePt: anchor.sizePt, anchor: 'start', baseline: 'alphabetic', weight });
    const height = capHeightMm(anchor.sizePt, weight) + descentMm(anchor.sizePt, weight);
    let chosen: PlacedLabel | null = null;
    for (const candidate of candidatesFor(anchor, probe.w, height, radius, candidateOptions)) {
      const item: TextItem = {
        type: 'text',
        x: candidate.x,
        y: candidate.y,
        text: anchor.text,
        sizePt: anchor.sizePt,
        anchor: candidate.anchor,
        baseline: candidate.baseline,
        weight,
        fill: anchor.fill ?? '#000000',
        ...(anchor.italic ? { italic: true } : {}),
      };
      let box = textBox(item);
      // A centred label sticking out of the bounds sideways slides in, while it still covers its point.
      if (item.anchor === 'middle') {
        const b = options.bounds;
        const dx = box.x < b.x ? b.x - box.x : box.x + box.w > b.x + b.w ? b.x + b.w - (box.x + box.w) : 0;
        if (dx !== 0 && Math.abs(dx) < box.w / 2) {
          item.x += dx;
          box = textBox(item);
        }
      }
      if (!inside(box, options.bounds)) continue;
      if (result.boxes.some((b) => boxesOverlap(box, b, padMm))) continue;
      if (obstacles.some((b) => boxesOverlap(box, b, padMm))) continue;
      if (markers.some((b) => boxesOverlap(box, b, padMm * 0.5))) continue;
      if (result.leaders.some((l) => segmentHitsBox(l.x1, l.y1, l.x2, l.y2, box, padMm * 0.5))) continue;
      let leader: LineItem | undefined;
      if (candidate.leader) {
        leader = leaderFor(anchor, box, radius, stroke, widthPt);
        const { x1, y1, x2, y2 } = leader;
        if (result.boxes.some((b) => segmentHitsBox(x1, y1, x2, y2, b))) continue;
        if (obstacles.some((b) => segmentHitsBox(x1, y1, x2, y2, b))) continue;
        if (leaderObstacles.some((b) => segmentHitsBox(x1, y1, x2, y2, b))) continue;
        if (markers.some((b, m) => m !== index && segmentHitsBox(x1, y1, x2, y2, b))) continue;
      }
      chosen = { anchor, text: item, box, position: candidate.position, ...(leader ? { leader } : {}) };
      break;
    }
    if (!chosen) {
      result.dropped.push(anchor);
      continue;
    }
    result.placed.push(chosen);
    result.texts.push(chosen.text);
    result.boxes.push(chosen.box);
    if (chosen.leader) result.leaders.push(chosen.leader);
  }
  return result;
}

/** A piece of a label with its own size and vertical shift (superscripts, subscripts). */
export interface TextRun {
  text: string;
  /** Size relative to the label's size (default 1; 0.72 for a superscript). */
  scale?: number;
  /** Baseline shift up, as a fraction of the label's cap height (0.45 superscript, −0.3 subscript). */
  raise?: number;
  italic?: boolean;
}

/** A superscript run: '10' followed by superscript('−8'). */
export function superscript(text: string): TextRun {
  return { text, scale: 0.72, raise: 0.55 };
}

export function subscript(text: string): TextRun {
  return { text, scale: 0.72, raise: -0.3 };
}

/**
 * Text made of runs (e.g. '5 × 10' + superscript '−8', or 'λ' + subscript 'GC' + ' = 1.01') as
 * text items laid side by side, anchored as a whole at (x, y) on the main baseline, with the
 * box the whole covers.
 */
export function layoutRuns(
  runs: readonly TextRun[],
  x: number,
  y: number,
  sizePt: number,
  anchor: TextItem['anchor'],
  style: { fill?: string; weight?: FontWeight } = {},
): { items: TextItem[]; box: Box; widthMm: number } {
  const weight = style.weight ?? 'normal';
  const widths = runs.map((r) => textBox({ x: 0, y: 0, text: r.text, sizePt: sizePt * (r.scale ?? 1), anchor: 'start', baseline: 'alphabetic', weight }).w);
  const total = widths.reduce((s, w) => s + w, 0);
  let cursor = anchor === 'start' ? x : anchor === 'middle' ? x - total / 2 : x - total;
  const cap = capHeightMm(sizePt, weight);
  const items: TextItem[] = [];
  let box: Box | null = null;
  runs.forEach((r, i) => {
    // Spaces at a run's ends become offsets: painters may collapse a text's edge whitespace.
    const body = r.text.trim();
    const lead = r.text.length - r.text.trimStart().length;
    const leadWidth = lead > 0 ? textBox({ x: 0, y: 0, text: r.text.slice(0, lead), sizePt: sizePt * (r.scale ?? 1), anchor: 'start', baseline: 'alphabetic', weight }).w : 0;
    if (body === '') {
      cursor += widths[i]!;
      return;
    }
    const item: TextItem = {
      type: 'text',
      x: cursor + leadWidth,
      y: y - (r.raise ?? 0) * cap,
      text: body,
      sizePt: sizePt * (r.scale ?? 1),
      anchor: 'start',
      baseline: 'alphabetic',
      weight,
      fill: style.fill ?? '#000000',
      ...(r.italic ? { italic: true } : {}),
    };
    items.push(item);
    const b = textBox(item);
    box = box ? unionBox(box, b) : b;
    cursor += widths[i]!;
  });
  return { items, box: box ?? { x, y, w: 0, h: 0 }, widthMm: total };
}

/** The smallest box holding both. */
export function unionBox(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/** Points a label should keep clear of: centres in mm and their marker radius. */
export interface PointLayer {
  xs: Float64Array;
  ys: Float64Array;
  radiusMm: number;
}

export interface LineLabelOptions {
  /** The horizontal line's y (mm); it spans the plot's width. */
  lineY: number;
  plot: Box;
  /** Other horizontal lines: a label never sits across one if it can help it. */
  otherLinesY?: number[];
  /** Boxes already taken (other labels, leaders' extents): kept a word space away. */
  taken?: Box[];
  /** Points to keep clear of. */
  points?: PointLayer[];
  sizePt: number;
  fill?: string;
}

export interface LineLabel {
  items: TextItem[];
  box: Box;
  /** Set into its line: the caller leaves this stretch of the line out (x from, to). */
  cut?: [number, number];
  /** Could not avoid points or other lines: the caller draws a white box here, under the label. */
  background?: Box;
}

/**
 * A label for a horizontal line (a significance threshold), written with runs (see layoutRuns).
 * `labels` are alternatives, longest first. Beside its own line (right above, or right below),
 * never across another line: at the right end when nothing is there, else in the rightmost
 * stretch free of points and taken boxes; then the same with the next alternative; then set into
 * the line itself (`cut`); failing all, where it covers the fewest points, on a white ground.
 */
export function placeLineLabel(labels: TextRun[][], options: LineLabelOptions): LineLabel {
  const { lineY, plot, sizePt: pt } = options;
  const fill = options.fill ?? '#000000';
  const otherLines = options.otherLinesY ?? [];
  const taken = options.taken ?? [];
  const layers = options.points ?? [];
  const inset = 0.8;
  const right = plot.x + plot.w - inset;
  const left = plot.x + inset + 0.6;
  const clearance = 0.3;
  const labelGap = 1;
  const cap = capHeightMm(pt);
  const modes = [
    { name: 'above', baseline: lineY - 0.6 - descentMm(pt) },
    { name: 'below', baseline: lineY + 0.6 + cap },
    { name: 'inline', baseline: lineY + cap / 2 },
  ];
  interface Strip {
    name: string;
    baseline: number;
    /** x intervals of the points and of the taken boxes in this strip. */
    occupied: [number, number][];
    blocked: [number, number][];
    crossesLine: boolean;
  }
  const strips: Strip[] = [];
  for (const mode of modes) {
    const box = layoutRuns(labels[0]!, right, mode.baseline, pt, 'end').box;
    if (box.y < plot.y || box.y + box.h > plot.y + plot.h) continue;
    const crossesLine = otherLines.some((y) => y >= box.y - 0.2 && y <= box.y + box.h + 0.2);
    const occupied: [number, number][] = [];
    for (const layer of layers) {
      const r = layer.radiusMm;
      const y0 = box.y - r - clearance;
      const y1 = box.y + box.h + r + clearance;
      for (let i = 0; i < layer.ys.length; i++) {
        const py = layer.ys[i]!;
        if (py >= y0 && py <= y1) occupied.push([layer.xs[i]! - r - clearance, layer.xs[i]! + r + clearance]);
      }
    }
    const blocked: [number, number][] = [];
    for (const t of taken) if (t.y < box.y + box.h + clearance && box.y < t.y + t.h + clearance) blocked.push([t.x - labelGap, t.x + t.w + labelGap]);
    strips.push({ name: mode.name, baseline: mode.baseline, occupied, blocked, crossesLine });
  }
  const at = (runs: TextRun[], strip: Strip, rightEdge: number): LineLabel => {
    const laid = layoutRuns(runs, rightEdge, strip.baseline, pt, 'end', { fill });
    return strip.name === 'inline' ? { items: laid.items, box: laid.box, cut: [laid.box.x - 0.6, laid.box.x + laid.box.w + 0.6] } : { items: laid.items, box: laid.box };
  };
  const beside = strips.filter((s) => s.name !== 'inline' && !s.crossesLine);
  const inline = strips.filter((s) => s.name === 'inline' && !s.crossesLine);
  for (const group of [beside, inline]) {
    // Set into the line, the label needs a little line-free space on both sides.
    const margin = group === inline ? 0.6 : 0;
    for (const runs of labels) {
      const width = layoutRuns(runs, 0, 0, pt, 'start').widthMm + 2 * margin;
      let best: { right: number; strip: Strip } | null = null;
      for (const strip of group) {
        const freeRight = rightmostGap([...strip.occupied, ...strip.blocked], left, right, width);
        if (freeRight === right) return at(runs, strip, right - margin);
        if (freeRight !== null && (!best || freeRight > best.right)) best = { right: freeRight, strip };
      }
      if (best) return at(runs, best.strip, best.right - margin);
    }
  }
  // Nowhere free: the fewest points under the shortest label (never over a taken box, across a
  // line only if every place is), set into its own line on ties, on a white ground.
  const runs = labels[labels.length - 1]!;
  const width = layoutRuns(runs, 0, 0, pt, 'start').widthMm;
  let choice: { right: number; strip: Strip; cost: number } | null = null;
  for (const strip of [...strips].sort((a, b) => Number(b.name === 'inline') - Number(a.name === 'inline'))) {
    for (let step = 0; step <= 48; step++) {
      const r = right - (step / 48) * Math.max(0, right - left - width);
      const l = r - width;
      let cost = strip.crossesLine ? 1e6 : 0;
      for (const [a, b] of strip.blocked) if (a < r && b > l) cost += 1e9;
      for (const [a, b] of strip.occupied) if (a < r && b > l) cost++;
      if (!choice || cost < choice.cost) choice = { right: r, strip, cost };
    }
  }
  if (!choice) {
    const laid = layoutRuns(runs, right, modes[0]!.baseline, pt, 'end', { fill });
    return { items: laid.items, box: laid.box };
  }
  const placed = at(runs, choice.strip, choice.right);
  const b = placed.box;
  return { ...placed, background: { x: b.x - 0.4, y: b.y - 0.2, w: b.w + 0.8, h: b.h + 0.4 } };
}

/** The right end of the rightmost gap of at least `width` in [lo, hi] between the intervals, or null. */
export function rightmostGap(intervals: [number, number][], lo: number, hi: number, width: number): number | null {
  const sorted = intervals.filter(([a, b]) => b > lo && a < hi).sort((p, q) => p[0] - q[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  // Gaps from the right: (merged[i].end, next start or hi), then (lo, merged[0].start).
  let gapRight = hi;
  for (let i = merged.length - 1; i >= 0; i--) {
    const [a, b] = merged[i]!;
    if (gapRight - Math.max(b, lo) >= width) return gapRight;
    gapRight = Math.min(gapRight, a);
  }
  return gapRight - lo >= width ? gapRight : null;
}
