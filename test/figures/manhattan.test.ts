/**
 * The Manhattan scene: chromosome order, threshold lines where the frame's scale puts them,
 * labels that never overlap or leave the figure, points inside their clip box with the right
 * raster flags, leads found as the greedy clumping defines them.
 */
import { describe, expect, it } from 'vitest';
import type { ManhattanData } from '../../engine/figures/data.js';
import { benjaminiHochbergNegLog10, findLeads, manhattanScene, nonOverlappingLabels, UNPLACED_LABEL, type ManhattanOptions } from '../../engine/figures/manhattan.js';
import { accentColour } from '../../engine/figures/palette.js';
import { leafItems, type Box, type LineItem, type PointsItem, type Scene, type TextItem } from '../../engine/figures/scene.js';
import { textBox } from '../../engine/figures/text.js';
import { Rng } from '../helpers/random.js';

const base: ManhattanOptions = { widthMm: 183, palette: 'okabe-ito', software: 'kinscan test' };

/** Uniform p-values on the given chromosomes (sizes in Mb), plus `peaks` towers; ids = index. */
function simulate(names: string[], sizesMb: number[], n: number, peaks: number, seed: number): ManhattanData {
  const rng = new Rng(seed);
  const total = sizesMb.reduce((a, b) => a + b, 0);
  const chr = new Int32Array(n);
  const pos = new Float64Array(n);
  const v = new Float64Array(n);
  let k = 0;
  sizesMb.forEach((size, c) => {
    const count = c === sizesMb.length - 1 ? n - k : Math.round((n * size) / total);
    for (let j = 0; j < count; j++, k++) {
      chr[k] = c;
      pos[k] = Math.round(((j + 0.5) / count) * size * 1e6);
      v[k] = -Math.log10(rng.next() || 1e-300);
    }
  });
  for (let p = 0; p < peaks; p++) {
    const centre = Math.floor(rng.next() * n);
    const height = 8 + rng.next() * 25;
    for (let d = -150; d <= 150; d++) {
      const j = centre + d;
      if (j >= 0 && j < n && chr[j] === chr[centre]) v[j] = Math.max(v[j]!, height * Math.exp(-Math.abs(d) / 30) * (0.7 + 0.3 * rng.next()));
    }
  }
  return { chrNames: names, chr, pos, negLog10P: v, snp: Int32Array.from({ length: n }, (_, i) => i), label: (i) => `rs${10_000_000 + i}` };
}

const HUMAN_MB = [248, 242, 198, 190, 181, 171, 159, 145, 138, 134, 135, 133, 114, 107, 102, 90, 83, 80, 59, 64, 47, 51, 156, 57, 0.016];
const humanNames = [...Array.from({ length: 22 }, (_, i) => String(i + 1)), 'X', 'Y', 'MT'];
const human = (n = 100_000, seed = 7): ManhattanData => simulate(humanNames, HUMAN_MB, n, 25, seed);
function plant(n = 60_000, seed = 3): ManhattanData {
  const names = [...Array.from({ length: 12 }, (_, i) => `Chr${String(i + 1).padStart(2, '0')}`), ...Array.from({ length: 300 }, (_, i) => `scaffold_${i + 1}`)];
  const sizes = [43, 36, 37, 36, 30, 31, 30, 28, 23, 23, 29, 28, ...Array.from({ length: 300 }, (_, i) => 0.05 + 0.5 / (i + 1))];
  return simulate(names, sizes, n, 12, seed);
}

const texts = (scene: Scene): TextItem[] => [...leafItems(scene.items)].flatMap(({ item }) => (item.type === 'text' ? [item] : []));
const lines = (scene: Scene): LineItem[] => [...leafItems(scene.items)].flatMap(({ item }) => (item.type === 'line' ? [item] : []));
const pointSets = (scene: Scene): PointsItem[] => [...leafItems(scene.items)].flatMap(({ item }) => (item.type === 'points' ? [item] : []));

/** The y scale from the y tick labels (drawn at sy(v) by the frame): v -> mm. */
function yScaleOf(scene: Scene): (v: number) => number {
  const plotLeft = pointSets(scene)[0]!.clip.x;
  const ticks = texts(scene).filter((t) => t.anchor === 'end' && t.baseline === 'middle' && t.x < plotLeft && /^\d+(\.\d+)?$/.test(t.text));
  const a = ticks[0]!;
  const b = ticks[ticks.length - 1]!;
  const perUnit = (b.y - a.y) / (Number(b.text) - Number(a.text));
  return (v) => a.y + (v - Number(a.text)) * perUnit;
}

/** Real-area overlap (runs of one label touch edge to edge: not an overlap). */
function overlaps(a: Box, b: Box): boolean {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 1e-6 && h > 1e-6;
}

function expectTextsClean(scene: Scene): void {
  const boxes = texts(scene).map((t) => ({ t, box: textBox(t) }));
  for (const { t, box } of boxes) {
    expect(box.x, t.text).toBeGreaterThanOrEqual(0);
    expect(box.y, t.text).toBeGreaterThanOrEqual(0);
    expect(box.x + box.w, t.text).toBeLessThanOrEqual(scene.widthMm);
    expect(box.y + box.h, t.text).toBeLessThanOrEqual(scene.heightMm);
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      if (overlaps(boxes[i]!.box, boxes[j]!.box)) throw new Error(`'${boxes[i]!.t.text}' overlaps '${boxes[j]!.t.text}'`);
    }
  }
}

function expectPointsInClip(scene: Scene): void {
  for (const p of pointSets(scene)) {
    for (let i = 0; i < p.x.length; i++) {
      if (!(p.x[i]! >= p.clip.x && p.x[i]! <= p.clip.x + p.clip.w && p.y[i]! >= p.clip.y && p.y[i]! <= p.clip.y + p.clip.h)) {
        throw new Error(`point ${i} at (${p.x[i]}, ${p.y[i]}) outside its clip box`);
      }
    }
  }
}

describe('manhattanScene: chromosomes', () => {
  it('orders chromosomes naturally: 1, Chr01, 2, 10, X, Y, MT, scaffold_2, scaffold_12', () => {
    const names = ['10', '2', 'X', '1', 'MT', 'Y', 'Chr01', 'scaffold_12', 'scaffold_2'];
    const perChr = 20;
    const n = names.length * perChr;
    const chr = Int32Array.from({ length: n }, (_, k) => Math.floor(k / perChr));
    const pos = Float64Array.from({ length: n }, (_, k) => 1e6 + (k % perChr) * 1e6);
    const v = Float64Array.from({ length: n }, (_, k) => (k % 7) / 3);
    const data: ManhattanData = { chrNames: names, chr, pos, negLog10P: v, snp: Int32Array.from({ length: n }, (_, k) => k), label: (k) => `s${k}` };
    const scene = manhattanScene(data, { ...base, widthMm: 400 });
    const points = pointSets(scene)[0]!;
    // Each chromosome's points form an interval; the intervals come in natural order.
    const ranges = names.map(() => [Infinity, -Infinity]);
    for (let i = 0; i < points.x.length; i++) {
      const c = chr[points.id![i]!]!;
      ranges[c]![0] = Math.min(ranges[c]![0]!, points.x[i]!);
      ranges[c]![1] = Math.max(ranges[c]![1]!, points.x[i]!);
    }
    const expected = ['1', 'Chr01', '2', '10', 'X', 'Y', 'MT', 'scaffold_2', 'scaffold_12'];
    const byX = names.map((name, c) => ({ name, r: ranges[c]! })).sort((a, b) => a.r[0]! - b.r[0]!);
    expect(byX.map((e) => e.name)).toEqual(expected);
    for (let i = 1; i < byX.length; i++) expect(byX[i]!.r[0]).toBeGreaterThan(byX[i - 1]!.r[1]!);
    // Alternating colours in that order; names centred under their spans.
    const colourOf = (name: string): number => points.colorIndex[points.id!.findIndex((id) => names[chr[id]!] === name)]!;
    expect(expected.map(colourOf)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0]);
    const labels = texts(scene).filter((t) => t.baseline === 'top' && expected.includes(t.text));
    expect(labels.map((t) => t.text)).toEqual(expected);
    for (const t of labels) {
      const r = byX.find((e) => e.name === t.text)!.r;
      expect(t.x).toBeCloseTo((r[0]! + r[1]!) / 2, 6);
    }
    expect(texts(scene).some((t) => t.text === 'Chromosome')).toBe(true);

    // The user's order first (chromosomeOrder), the others after it in natural order.
    const custom = manhattanScene(data, { ...base, widthMm: 400, chromosomeOrder: ['X', 'scaffold_12', '2'] });
    const cp = pointSets(custom)[0]!;
    const firstX = new Map<string, number>();
    for (let i = 0; i < cp.x.length; i++) {
      const name = names[chr[cp.id![i]!]!]!;
      firstX.set(name, Math.min(firstX.get(name) ?? Infinity, cp.x[i]!));
    }
    expect([...firstX].sort((a, b) => a[1] - b[1]).map((e) => e[0])).toEqual(['X', 'scaffold_12', '2', '1', 'Chr01', '10', 'Y', 'MT', 'scaffold_2']);
  });

  it('shows only chromosome names that fit, never overlapping, first and last always (human, plant)', () => {
    for (const [data, widthMm] of [
      [human(), 89],
      [human(), 183],
      [plant(), 89],
      [plant(), 183],
    ] as const) {
      const scene = manhattanScene(data, { ...base, widthMm });
      const shown = texts(scene).filter((t) => t.baseline === 'top' && data.chrNames.includes(t.text));
      expect(shown[0]!.text).toBe(data.chrNames[0] === '1' ? '1' : 'Chr01');
      expect(shown.at(-1)!.text).toBe(data.chrNames.at(-1));
      expect(shown.length).toBeGreaterThan(widthMm === 89 ? 6 : 12);
      expectTextsClean(scene);
      expectPointsInClip(scene);
    }
  });

  it('nonOverlappingLabels keeps the first and last and skips what would touch', () => {
    expect(nonOverlappingLabels([0, 1, 2, 3, 10], [1.5, 1.5, 1.5, 1.5, 1.5], 0.2)).toEqual([true, false, true, false, true]);
    expect(nonOverlappingLabels([0, 1.6, 3.2], [1.5, 1.5, 1.5], 0)).toEqual([true, true, true]);
    expect(nonOverlappingLabels([0, 9, 9.5], [2, 2, 2], 0)).toEqual([true, false, true]);
  });

  it('draws SNPs without a position in a slot at the right, and one chromosome in Mb', () => {
    const data = human(20_000, 11);
    data.pos[5] = -9;
    data.pos[6] = -9;
    data.negLog10P[5] = 30;
    const scene = manhattanScene(data, base);
    expect(texts(scene).some((t) => t.text === UNPLACED_LABEL)).toBe(true);
    expect(scene.meta.description).toContain('2 SNPs without a position drawn at the right');
    const points = pointSets(scene)[0]!;
    const rightmost = points.x.reduce((m, x) => Math.max(m, x), -Infinity);
    expect(points.x[points.id!.indexOf(5)]).toBeGreaterThan(rightmost - 5);
    expect(points.colorIndex[points.id!.indexOf(5)]).toBe(2);
    expect(texts(scene).some((t) => t.text === 'rs10000005')).toBe(true);

    const one = manhattanScene(data, { ...base, chromosome: '2' });
    const p1 = pointSets(one)[0]!;
    expect(texts(one).some((t) => t.text === 'Position on chr 2 (Mb)')).toBe(true);
    expect(p1.x.length).toBe(Array.from(data.chr).filter((c, k) => c === 1 && data.pos[k]! >= 0).length);
    // A Mb tick label sits at the x of that position: compare with a point.
    const tick = texts(one).find((t) => t.text === '100' && t.baseline === 'top')!;
    const k = Array.from(data.chr).findIndex((c, i) => c === 1 && Math.abs(data.pos[i]! - 100e6) < 0.3e6);
    const slope = (p1.x[p1.id!.indexOf(k + 50)]! - p1.x[p1.id!.indexOf(k)]!) / ((data.pos[k + 50]! - data.pos[k]!) / 1e6);
    expect(tick.x).toBeCloseTo(p1.x[p1.id!.indexOf(k)]! + (100 - data.pos[k]! / 1e6) * slope, 6);

    const region = manhattanScene(data, { ...base, region: { chr: '3', start: 50e6, end: 60e6 } });
    const pr = pointSets(region)[0]!;
    const expected = Array.from(data.chr).filter((c, i) => c === 2 && data.pos[i]! >= 50e6 && data.pos[i]! <= 60e6).length;
    expect(pr.x.length).toBe(expected);
    expect(texts(region).some((t) => t.text === 'Position on chr 3 (Mb)')).toBe(true);
    expect(() => manhattanScene(data, { ...base, chromosome: 'Z9' })).toThrow(/no chromosome 'Z9'/);
  });
});

describe('manhattanScene: threshold lines', () => {
  const data = human(50_000, 5);

  it('puts the genome-wide line at −log10(5e-8) on the frame scale, the suggestive one at 5, labelled', () => {
    const scene = manhattanScene(data, base);
    const sy = yScaleOf(scene);
    const plot = pointSets(scene)[0]!.clip;
    const horizontal = lines(scene).filter((l) => l.y1 === l.y2 && Math.abs(l.x1 - plot.x) < 1e-9 && Math.abs(l.x2 - (plot.x + plot.w)) < 1e-9 && l.y1 < plot.y + plot.h - 1e-6);
    const genomeWide = horizontal.find((l) => l.stroke === accentColour('okabe-ito') && !l.dashPt)!;
    expect(genomeWide.y1).toBeCloseTo(sy(-Math.log10(5e-8)), 9);
    const suggestive = horizontal.find((l) => l.dashPt)!;
    expect(suggestive.y1).toBeCloseTo(sy(5), 9);
    const words = texts(scene).map((t) => t.text);
    expect(words).toContain('Genome-wide');
    expect(words).toContain('Suggestive');
    expect(words).toContain('\u22128');
    expect(words).toContain('\u22125');
    // No suggestive line: null.
    const none = manhattanScene(data, { ...base, suggestive: null });
    expect(lines(none).filter((l) => l.dashPt)).toHaveLength(0);
  });

  it('draws a Bonferroni line at 0.05 / m with m printed', () => {
    const scene = manhattanScene(data, { ...base, threshold: { kind: 'bonferroni', m: 12_226 } });
    const sy = yScaleOf(scene);
    const label = texts(scene).find((t) => t.text === 'Bonferroni (0.05 / m = 12,226)');
    expect(label).toBeDefined();
    const line = lines(scene).find((l) => l.y1 === l.y2 && l.stroke === accentColour('okabe-ito'))!;
    expect(line.y1).toBeCloseTo(sy(-Math.log10(0.05 / 12_226)), 9);
    // The label sits right above or below its line.
    const box = textBox(label!);
    expect(Math.min(Math.abs(box.y + box.h - line.y1), Math.abs(box.y - line.y1))).toBeLessThan(1.5);
    // No suggestive line unless asked for.
    expect(lines(scene).filter((l) => l.dashPt)).toHaveLength(0);
  });

  it('draws the Benjamini-Hochberg line at the largest passing p, only if something passes', () => {
    // 10 p-values of 1e-6 among 1,000; the rest in (0.1, 1): BH at q = 0.05 passes exactly those.
    const n = 1000;
    const rng = new Rng(9);
    const v = Float64Array.from({ length: n }, (_, k) => (k % 100 === 0 ? 6 : -Math.log10(0.1 + 0.9 * rng.next())));
    const d: ManhattanData = { chrNames: ['1', '2'], chr: Int32Array.from({ length: n }, (_, k) => (k < n / 2 ? 0 : 1)), pos: Float64Array.from({ length: n }, (_, k) => (k % 500) * 1e5), negLog10P: v, snp: Int32Array.from({ length: n }, (_, k) => k), label: (k) => `s${k}` };
    expect(benjaminiHochbergNegLog10(v, 0.05)).toBeCloseTo(6, 12);
    const scene = manhattanScene(d, { ...base, fdr: 0.05 });
    const sy = yScaleOf(scene);
    const dotted = lines(scene).find((l) => l.dashPt && l.dashPt[0]! < 1)!;
    expect(dotted.y1).toBeCloseTo(sy(6), 9);
    expect(texts(scene).some((t) => t.text === 'FDR 5%')).toBe(true);
    const nothing = Float64Array.from({ length: n }, () => -Math.log10(0.2 + 0.8 * rng.next()));
    expect(benjaminiHochbergNegLog10(nothing, 0.05)).toBeNull();
    const quiet = manhattanScene({ ...d, negLog10P: nothing }, { ...base, fdr: 0.05 });
    expect(texts(quiet).some((t) => t.text.startsWith('FDR'))).toBe(false);
  });

  it('computes BH as a brute-force scan over all sorted p-values does', () => {
    const rng = new Rng(21);
    for (let trial = 0; trial < 20; trial++) {
      const n = 500 + trial * 37;
      const v = Float64Array.from({ length: n }, () => (rng.next() < 0.05 ? -Math.log10(rng.next() * 1e-4) : -Math.log10(rng.next())));
      v[3] = NaN;
      const q = [0.01, 0.05, 0.1][trial % 3]!;
      const p = Array.from(v)
        .filter((x) => !Number.isNaN(x))
        .map((x) => 10 ** -x)
        .sort((a, b) => a - b);
      let threshold: number | null = null;
      p.forEach((pi, i) => {
        if (pi <= ((i + 1) * q) / p.length) threshold = pi;
      });
      const got = benjaminiHochbergNegLog10(v, q);
      if (threshold === null) expect(got).toBeNull();
      else expect(10 ** -got!).toBeCloseTo(threshold, 12);
    }
  });
});

describe('manhattanScene: points and leads', () => {
  it('keeps every point inside its clip box with the raster flag by p, ids = snp, NaN skipped, +∞ at the top', () => {
    const data = human(30_000, 13);
    data.negLog10P[10] = NaN;
    data.negLog10P[11] = Infinity;
    data.negLog10P[12] = -Infinity;
    data.snp = Int32Array.from({ length: 30_000 }, (_, k) => 1_000_000 + k);
    const scene = manhattanScene(data, { ...base, widthMm: 89 });
    const [points] = pointSets(scene);
    expect(points!.x.length).toBe(30_000 - 2);
    expectPointsInClip(scene);
    for (let i = 0; i < points!.x.length; i++) {
      const k = points!.id![i]! - 1_000_000;
      expect(points!.raster![i]).toBe(data.negLog10P[k]! < 2 ? 1 : 0);
      if (data.negLog10P[k]! >= -Math.log10(5e-8)) expect(points!.raster![i]).toBe(0);
    }
    const top = points!.id!.indexOf(1_000_011);
    expect(points!.y[top]).toBeCloseTo(points!.clip.y, 9);
    expect(scene.meta.description).toContain('1 SNP with p = 0 drawn at the top');
    expect(scene.heightMm).toBe(55);
    expect(manhattanScene(data, base).heightMm).toBeCloseTo(183 * 0.42, 9);
    expect(points!.radiusMm).toBeGreaterThan(0.45);
    expect(points!.radiusMm).toBeLessThan(0.65);
  });

  it('finds leads as greedy clumping by p within the window, like a brute-force clumper', () => {
    const rng = new Rng(17);
    for (let trial = 0; trial < 10; trial++) {
      const n = 400;
      const chr = Int32Array.from({ length: n }, () => Math.floor(rng.next() * 3));
      const pos = Float64Array.from({ length: n }, () => Math.floor(rng.next() * 5e6));
      const v = Float64Array.from({ length: n }, () => Math.floor(rng.next() * 40) / 2);
      const candidates = Int32Array.from(Array.from({ length: n }, (_, k) => k).filter((k) => v[k]! >= 8));
      const windowBp = 250_000;
      // Brute force: repeatedly take the best unassigned, assign everything within the window.
      const unassigned = new Set(candidates);
      const expected: number[] = [];
      while (unassigned.size > 0) {
        const lead = [...unassigned].sort((i, j) => v[j]! - v[i]! || i - j)[0]!;
        expected.push(lead);
        for (const k of [...unassigned]) if (chr[k] === chr[lead] && Math.abs(pos[k]! - pos[lead]!) <= windowBp) unassigned.delete(k);
      }
      expect(Array.from(findLeads(chr, pos, v, candidates, windowBp))).toEqual(expected);
    }
  });

  it('labels the best leads with their IDs, at most maxLabels, without overlaps; highlights drawn on top', () => {
    for (const data of [human(), plant()]) {
      for (const widthMm of [89, 120, 183]) {
        const scene = manhattanScene(data, { ...base, widthMm, maxLabels: 12, highlight: Int32Array.from([100, 2000, 40_000]) });
        expectTextsClean(scene);
        expectPointsInClip(scene);
        const labels = texts(scene).filter((t) => t.text.startsWith('rs'));
        expect(labels.length).toBeGreaterThan(3);
        expect(labels.length).toBeLessThanOrEqual(12);
        const m = /(\d+) labelled(; (\d+) lead labels? dropped)?/.exec(scene.meta.description)!;
        expect(Number(m[1])).toBe(labels.length);
        // Each label names a lead past the line and sits inside the plot.
        const plot = pointSets(scene)[0]!.clip;
        for (const t of labels) {
          const k = Number(t.text.slice(2)) - 10_000_000;
          expect(data.negLog10P[k]).toBeGreaterThanOrEqual(-Math.log10(5e-8));
          const b = textBox(t);
          expect(b.x).toBeGreaterThanOrEqual(plot.x - 1e-9);
          expect(b.x + b.w).toBeLessThanOrEqual(plot.x + plot.w + 1e-9);
          expect(b.y).toBeGreaterThanOrEqual(plot.y - 1e-9);
        }
        const sets = pointSets(scene);
        expect(sets).toHaveLength(2);
        expect(Array.from(sets[1]!.id!)).toEqual([100, 2000, 40_000]);
        expect(sets[1]!.palette).toEqual([accentColour('okabe-ito')]);
        expect(sets[1]!.radiusMm).toBeGreaterThan(sets[0]!.radiusMm);
        expect(sets[0]!.x.length + sets[1]!.x.length).toBe(data.negLog10P.length);
        expect(Array.from(sets[0]!.id!).includes(2000)).toBe(false);
      }
    }
  });

  it('labels nothing with labelLeads false and respects the threshold', () => {
    const data = human(30_000, 2);
    const scene = manhattanScene(data, { ...base, labelLeads: false });
    expect(texts(scene).filter((t) => t.text.startsWith('rs'))).toHaveLength(0);
    const strict = manhattanScene(data, { ...base, threshold: { kind: 'p', p: 1e-40 }, suggestive: null });
    expect(strict.meta.description).toMatch(/0 peaks past/);
  });

  it('builds a 1,000,000-SNP scene', () => {
    const data = human(1_000_000, 1);
    const scene = manhattanScene(data, base);
    const [points] = pointSets(scene);
    expect(points!.x.length).toBe(1_000_000);
    expect(points!.raster!.reduce((s, r) => s + r, 0)).toBeGreaterThan(980_000);
    expect(scene.meta.description).toContain('1,000,000 SNPs on 25 chromosomes');
  });
});
