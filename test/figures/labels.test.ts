/** The greedy label placer: no overlaps, inside bounds, obstacles respected, drops recorded. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { layoutRuns, placeLabels, placeLineLabel, rightmostGap, segmentHitsBox, superscript, type LabelAnchor } from '../../engine/figures/label-placement.js';
import type { Box } from '../../engine/figures/scene.js';
import { capHeightMm, textBox, textWidthMm } from '../../engine/figures/text.js';

/** Overlap with a real area (touching edges and rounding slivers do not count). */
function overlaps(a: Box, b: Box): boolean {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 1e-6 && h > 1e-6;
}

function inside(box: Box, bounds: Box): boolean {
  return box.x >= bounds.x - 1e-9 && box.y >= bounds.y - 1e-9 && box.x + box.w <= bounds.x + bounds.w + 1e-9 && box.y + box.h <= bounds.y + bounds.h + 1e-9;
}

const bounds: Box = { x: 0, y: 0, w: 100, h: 60 };
const anchor = (x: number, y: number, text: string, priority = 0): LabelAnchor => ({ x, y, text, sizePt: 6.5, priority, markerRadiusMm: 0.5 });

describe('placeLabels', () => {
  it('puts a lone label centred above its point, clear of the marker', () => {
    const placed = placeLabels([anchor(50, 30, 'rs123456')], { bounds });
    expect(placed.dropped).toHaveLength(0);
    expect(placed.placed[0]!.position).toBe('above');
    const box = textBox(placed.texts[0]!);
    expect(box.x + box.w / 2).toBeCloseTo(50, 9);
    expect(box.w).toBeCloseTo(textWidthMm('rs123456', 6.5), 9);
    expect(box.y + box.h).toBeLessThanOrEqual(30 - 0.5);
    expect(box.y + box.h).toBeGreaterThan(30 - 0.5 - 1.5);
    expect(placed.leaders).toHaveLength(0);
  });

  it('gives the higher priority the first choice', () => {
    const placed = placeLabels([anchor(50, 30, 'low', 1), anchor(52, 30, 'high', 5)], { bounds });
    expect(placed.dropped).toHaveLength(0);
    expect(placed.placed[0]!.anchor.text).toBe('high');
    expect(placed.placed[0]!.position).toBe('above');
    expect(placed.placed[1]!.position).not.toBe('above');
  });

  it('avoids obstacles and leaves bounds never', () => {
    // Covering 'above' and 'above-left': the label goes above-right.
    const obstacle: Box = { x: 44, y: 20, w: 6.2, h: 9.3 };
    const placed = placeLabels([anchor(50, 30, 'rs1')], { bounds, obstacles: [obstacle] });
    expect(placed.placed[0]!.position).toBe('above-right');
    expect(overlaps(placed.boxes[0]!, obstacle)).toBe(false);
    // Near the top edge: not above the point (that is outside), still inside.
    const top = placeLabels([anchor(50, 1, 'rs2')], { bounds });
    expect(top.placed[0]!.position).not.toBe('above');
    expect(inside(top.boxes[0]!, bounds)).toBe(true);
  });

  it('stacks crowded labels higher with leader lines from their points', () => {
    // A staircase of peaks, each label in the way of the next.
    const anchors = Array.from({ length: 5 }, (_, i) => anchor(50 + i * 1.2, 40 + i, `rs10000${i}`, 10 - i));
    const placed = placeLabels(anchors, { bounds });
    expect(placed.dropped).toHaveLength(0);
    expect(placed.placed.map((p) => p.position)).toEqual(['above', 'stacked', 'stacked', 'stacked', 'above-right']);
    expect(placed.leaders).toHaveLength(3);
    for (const p of placed.placed) {
      if (!p.leader) continue;
      // The leader starts just outside the marker, towards the label, and ends on the label's box.
      const start = Math.hypot(p.leader.x1 - p.anchor.x, p.leader.y1 - p.anchor.y);
      expect(start).toBeGreaterThan(0.5);
      expect(start).toBeLessThan(0.8);
      const b = p.box;
      expect(p.leader.x2).toBeGreaterThanOrEqual(b.x - 1e-9);
      expect(p.leader.x2).toBeLessThanOrEqual(b.x + b.w + 1e-9);
      expect(p.leader.y2).toBeCloseTo(b.y + b.h, 9);
    }
    for (let i = 0; i < placed.boxes.length; i++) for (let j = i + 1; j < placed.boxes.length; j++) expect(overlaps(placed.boxes[i]!, placed.boxes[j]!)).toBe(false);
  });

  it('drops what cannot fit and says so', () => {
    const tiny: Box = { x: 0, y: 0, w: 8, h: 4 };
    const placed = placeLabels([anchor(4, 3, 'a-very-long-label')], { bounds: tiny });
    expect(placed.texts).toHaveLength(0);
    expect(placed.dropped.map((a) => a.text)).toEqual(['a-very-long-label']);
  });

  it('never overlaps labels, markers, obstacles or leaders, for random layouts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ x: fc.double({ min: 2, max: 98, noNaN: true }), y: fc.double({ min: 2, max: 58, noNaN: true }), len: fc.integer({ min: 1, max: 12 }) }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.record({ x: fc.double({ min: 0, max: 90, noNaN: true }), y: fc.double({ min: 0, max: 55, noNaN: true }) }), { maxLength: 5 }),
        (points, obstacleCorners) => {
          const anchors = points.map((p, i) => anchor(p.x, p.y, 'x'.repeat(p.len), i % 7));
          const obstacles = obstacleCorners.map((c) => ({ x: c.x, y: c.y, w: 6, h: 3 }));
          const placed = placeLabels(anchors, { bounds, obstacles });
          expect(placed.texts.length + placed.dropped.length).toBe(anchors.length);
          const markers = anchors.map((a) => ({ x: a.x - 0.5, y: a.y - 0.5, w: 1, h: 1 }));
          placed.boxes.forEach((box, i) => {
            expect(inside(box, bounds)).toBe(true);
            expect(box).toEqual(textBox(placed.texts[i]!));
            for (let j = i + 1; j < placed.boxes.length; j++) expect(overlaps(box, placed.boxes[j]!)).toBe(false);
            for (const o of obstacles) expect(overlaps(box, o)).toBe(false);
            for (const m of markers) expect(overlaps(box, m)).toBe(false);
          });
          // A leader crosses no other label and no obstacle.
          for (const p of placed.placed) {
            if (!p.leader) continue;
            const { x1, y1, x2, y2 } = p.leader;
            for (const other of placed.placed) if (other !== p) expect(segmentHitsBox(x1, y1, x2, y2, other.box)).toBe(false);
            for (const o of obstacles) expect(segmentHitsBox(x1, y1, x2, y2, o)).toBe(false);
          }
        },
      ),
      { numRuns: 150, seed: 42 },
    );
  });
});

describe('segmentHitsBox', () => {
  const box: Box = { x: 10, y: 10, w: 10, h: 5 };
  it('finds crossings, misses and touches', () => {
    expect(segmentHitsBox(0, 12, 30, 12, box)).toBe(true);
    expect(segmentHitsBox(15, 0, 15, 9.9, box)).toBe(false);
    expect(segmentHitsBox(0, 0, 9, 30, box)).toBe(false);
    expect(segmentHitsBox(0, 0, 30, 30, box)).toBe(true);
    expect(segmentHitsBox(12, 12, 13, 13, box)).toBe(true);
    expect(segmentHitsBox(21, 0, 21, 30, box)).toBe(false);
    expect(segmentHitsBox(21, 0, 21, 30, box, 1.5)).toBe(true);
  });
});

describe('layoutRuns', () => {
  it('lays runs side by side, superscripts smaller and raised, anchored as a whole', () => {
    const laid = layoutRuns([{ text: '5 \u00d7 10' }, superscript('\u22128')], 100, 50, 8, 'end');
    const [base, sup] = laid.items;
    expect(base!.text).toBe('5 \u00d7 10');
    expect(sup!.text).toBe('\u22128');
    expect(sup!.sizePt).toBeCloseTo(8 * 0.72, 9);
    expect(sup!.y).toBeLessThan(base!.y);
    expect(base!.y - sup!.y).toBeCloseTo(0.55 * capHeightMm(8), 9);
    const total = textWidthMm('5 \u00d7 10', 8) + textWidthMm('\u22128', 8 * 0.72);
    expect(laid.widthMm).toBeCloseTo(total, 9);
    expect(base!.x).toBeCloseTo(100 - total, 9);
    expect(sup!.x).toBeCloseTo(100 - textWidthMm('\u22128', 8 * 0.72), 9);
    expect(laid.box.x + laid.box.w).toBeCloseTo(100, 9);
  });

  it('turns edge spaces into offsets (painters may collapse them)', () => {
    const laid = layoutRuns([{ text: 'Genome-wide ' }, { text: ' = 1' }], 0, 10, 8, 'start');
    expect(laid.items.map((t) => t.text)).toEqual(['Genome-wide', '= 1']);
    expect(laid.items[1]!.x).toBeCloseTo(textWidthMm('Genome-wide ', 8) + textWidthMm(' ', 8), 9);
  });
});

describe('placeLineLabel', () => {
  const plot: Box = { x: 10, y: 5, w: 150, h: 60 };
  const label = [[{ text: 'Genome-wide ' }, { text: '5 \u00d7 10' }, superscript('\u22128')], [{ text: '5 \u00d7 10' }, superscript('\u22128')]];
  const lineY = 30;

  it('sits at the right end just above its line when nothing is there', () => {
    const placed = placeLineLabel(label, { lineY, plot, sizePt: 6.5 });
    expect(placed.box.x + placed.box.w).toBeCloseTo(plot.x + plot.w - 0.8, 9);
    expect(placed.box.y + placed.box.h).toBeLessThan(lineY);
    expect(placed.box.y + placed.box.h).toBeGreaterThan(lineY - 1);
    expect(placed.cut).toBeUndefined();
    expect(placed.items.map((t) => t.text)).toEqual(['Genome-wide', '5 \u00d7 10', '\u22128']);
  });

  it('moves off points, never across another line, and clear of taken boxes', () => {
    // Points all along the right half on both sides of the line.
    const xs = Float64Array.from({ length: 200 }, (_, i) => 85 + (i % 100) * 0.75);
    const ys = Float64Array.from({ length: 200 }, (_, i) => (i < 100 ? lineY - 1 : lineY + 1.5));
    const taken: Box = { x: 20, y: 26, w: 20, h: 3.5 };
    const placed = placeLineLabel(label, { lineY, plot, sizePt: 6.5, points: [{ xs, ys, radiusMm: 0.5 }], taken: [taken], otherLinesY: [lineY + 2] });
    const b = placed.box;
    for (let i = 0; i < xs.length; i++) expect(xs[i]! + 0.5 > b.x && xs[i]! - 0.5 < b.x + b.w && ys[i]! + 0.5 > b.y && ys[i]! - 0.5 < b.y + b.h).toBe(false);
    expect(overlaps(b, taken)).toBe(false);
    expect(b.x + b.w).toBeLessThanOrEqual(85);
    // Below would cross the line 2 mm lower: it is above.
    expect(b.y + b.h).toBeLessThan(lineY);
    expect(lineY + 2 > b.y + b.h || lineY + 2 < b.y).toBe(true);
  });

  it('sets itself into its line when lines crowd both sides', () => {
    const placed = placeLineLabel(label, { lineY, plot, sizePt: 6.5, otherLinesY: [lineY - 1.6, lineY + 1.6] });
    expect(placed.cut).toBeDefined();
    expect(placed.cut![0]).toBeLessThan(placed.box.x);
    expect(placed.cut![1]).toBeGreaterThan(placed.box.x + placed.box.w);
    expect(placed.box.y).toBeLessThan(lineY);
    expect(placed.box.y + placed.box.h).toBeGreaterThan(lineY);
  });
});

describe('rightmostGap', () => {
  it('finds the rightmost free stretch wide enough', () => {
    expect(rightmostGap([], 0, 100, 10)).toBe(100);
    expect(rightmostGap([[95, 100]], 0, 100, 10)).toBe(95);
    expect(rightmostGap([[80, 99], [60, 75], [30, 58]], 0, 100, 10)).toBe(30);
    expect(rightmostGap([[5, 98]], 0, 100, 10)).toBeNull();
    expect(rightmostGap([[10, 50], [20, 30], [45, 99]], 0, 100, 8)).toBe(10);
  });
});
