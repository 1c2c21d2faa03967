import { describe, expect, test } from 'vitest';
import type { GenotypeData } from '../../engine/figures/data.js';
import { BOX_FRACTION, JITTER_FRACTION, genotypeScene, seededRandom } from '../../engine/figures/genotype.js';
import { boxStats, quantileInPlace, quantileSorted } from '../../engine/figures/quantiles.js';
import { leafItems, type LineItem, type PointsItem, type RectItem, type Scene } from '../../engine/figures/scene.js';
import { Rng } from '../helpers/random.js';
import { expectNoTextOverlap, expectTextInside, scaleFromTicks, textItems } from './legend-text-checks.js';

const base = { widthMm: 89, palette: 'okabe-ito' as const, software: 'kinscan test' };

function leaves(scene: Scene) {
  return [...leafItems(scene.items)].map((l) => l.item);
}

function data(values: number[][], extra: Partial<GenotypeData> = {}): GenotypeData {
  const labels = ['GG', 'AG', 'AA'];
  return {
    rs: 'rs123',
    chr: '11',
    pos: 5_000_123,
    allele1: 'A',
    allele0: 'G',
    trait: 'Body weight',
    adjusted: false,
    classes: values.map((v, c) => ({ count: c as 0 | 1 | 2, label: labels[c]!, values: Float64Array.from(v) })),
    ...extra,
  };
}

describe('box-plot statistics (R type 7)', () => {
  test('1..10: Q1 3.25, median 5.5, Q3 7.75, whiskers to 1 and 10', () => {
    const b = boxStats(Float64Array.from({ length: 10 }, (_, i) => i + 1));
    expect(b.q1).toBeCloseTo(3.25, 12);
    expect(b.median).toBeCloseTo(5.5, 12);
    expect(b.q3).toBeCloseTo(7.75, 12);
    expect(b.whiskerLow).toBe(1);
    expect(b.whiskerHigh).toBe(10);
    expect(b.mean).toBeCloseTo(5.5, 12);
    expect(b.n).toBe(10);
  });

  test('an outlier: 1..10 and 30 -> Q1 3.5, median 6, Q3 8.5, upper whisker 10 (fence 16)', () => {
    const b = boxStats([30, ...Array.from({ length: 10 }, (_, i) => i + 1), NaN]);
    expect(b.n).toBe(11);
    expect(b.q1).toBeCloseTo(3.5, 12);
    expect(b.median).toBeCloseTo(6, 12);
    expect(b.q3).toBeCloseTo(8.5, 12);
    expect(b.whiskerHigh).toBe(10);
    expect(b.whiskerLow).toBe(1);
    expect(b.max).toBe(30);
    expect(b.mean).toBeCloseTo(85 / 11, 12);
  });

  test('selection quantile equals the sorted one', () => {
    const rng = new Rng(3);
    for (const n of [1, 2, 7, 100, 1001]) {
      const v = Float64Array.from({ length: n }, () => rng.normal());
      const sorted = Float64Array.from(v).sort();
      for (const p of [0, 0.25, 0.5, 0.9, 0.995, 1]) expect(quantileInPlace(Float64Array.from(v), p)).toBeCloseTo(quantileSorted(sorted, p), 14);
    }
  });
});

describe('genotype scene', () => {
  const rng = new Rng(11);
  const values = [40, 75, 25].map((m, c) => Array.from({ length: m }, () => c * 0.5 + rng.normal()));
  const scene = genotypeScene(data(values, { adjusted: true, negLog10P: 7.5234 }), { ...base, seed: 42 });
  const texts = textItems(scene);

  test('n under each class label equals the class size, in allele-1 order', () => {
    const labels = ['GG', 'AG', 'AA'].map((l) => texts.find((t) => t.text === l)!);
    const ns = texts.filter((t) => t.text.startsWith('n = '));
    expect(ns.map((t) => t.text)).toEqual(['n = 40', 'n = 75', 'n = 25']);
    // Each n sits under its label, left to right.
    labels.forEach((l, i) => {
      expect(ns[i]!.x).toBeCloseTo(l.x, 9);
      expect(ns[i]!.y).toBeGreaterThan(l.y);
    });
    expect(labels[0]!.x).toBeLessThan(labels[1]!.x);
    expect(labels[1]!.x).toBeLessThan(labels[2]!.x);
  });

  test('boxes and whiskers are at the quartiles and whisker ends on the y scale of the tick labels', () => {
    const sy = scaleFromTicks(scene, 'y', (t) => t.anchor === 'end' && t.baseline === 'middle' && !t.rotate);
    const rects = leaves(scene).filter((i): i is RectItem => i.type === 'rect' && i.stroke !== undefined);
    expect(rects.length).toBe(3);
    values.forEach((v, c) => {
      const b = boxStats(v);
      const r = rects[c]!;
      expect(r.y).toBeCloseTo(sy(b.q3), 6);
      expect(r.y + r.h).toBeCloseTo(sy(b.q1), 6);
      const median = leaves(scene).find((i): i is LineItem => i.type === 'line' && i.widthPt > 1 && Math.abs(i.x1 - r.x) < 1e-9);
      expect(median!.y1).toBeCloseTo(sy(b.median), 6);
      const whisker = leaves(scene).filter((i): i is LineItem => i.type === 'line' && Math.abs(i.x1 - (r.x + r.w / 2)) < 1e-9 && i.x1 === i.x2);
      const ends = whisker.map((w) => w.y2).sort((a, b) => a - b);
      expect(ends[0]).toBeCloseTo(sy(b.whiskerHigh), 6);
      expect(ends[1]).toBeCloseTo(sy(b.whiskerLow), 6);
    });
    // The means: a diamond per class at the class's mean.
    const means = leaves(scene).find((i): i is PointsItem => i.type === 'points' && i.shape === 'diamond' && i.clip !== undefined && i.palette[0] === '#ffffff' && i.x.length === 3)!;
    values.forEach((v, c) => expect(means.y[c]).toBeCloseTo(sy(v.reduce((a, b) => a + b, 0) / v.length), 6));
  });

  test('jitter is deterministic for a seed and stays within the box', () => {
    const points = (s: Scene) => leaves(s).find((i): i is PointsItem => i.type === 'points' && i.x.length === 140)!;
    const again = genotypeScene(data(values, { adjusted: true, negLog10P: 7.5234 }), { ...base, seed: 42 });
    expect(Array.from(points(again).x)).toEqual(Array.from(points(scene).x));
    const other = genotypeScene(data(values, { adjusted: true, negLog10P: 7.5234 }), { ...base, seed: 43 });
    expect(Array.from(points(other).x)).not.toEqual(Array.from(points(scene).x));
    const rects = leaves(scene).filter((i): i is RectItem => i.type === 'rect' && i.stroke !== undefined);
    const p = points(scene);
    let k = 0;
    values.forEach((v, c) => {
      const r = rects[c]!;
      const centre = r.x + r.w / 2;
      let maxOffset = 0;
      for (let i = 0; i < v.length; i++, k++) {
        maxOffset = Math.max(maxOffset, Math.abs(p.x[k]! - centre));
        expect(Math.abs(p.x[k]! - centre)).toBeLessThanOrEqual((r.w / 2) * JITTER_FRACTION + 1e-9);
      }
      // The jitter uses the width (not all at the centre).
      expect(maxOffset).toBeGreaterThan((r.w / 2) * JITTER_FRACTION * 0.5);
    });
    expect(rects[0]!.w).toBeCloseTo((p.clip.w / 3) * BOX_FRACTION, 9);
  });

  test('y title says adjusted; the subtitle carries rs, position, alleles and -log10 p', () => {
    expect(texts.some((t) => t.rotate === 90 && t.text === 'Body weight (adjusted for covariates)')).toBe(true);
    const sub = texts.find((t) => t.text.startsWith('rs123'))!;
    expect(sub.text).toContain('chr 11:5,000,123');
    expect(sub.text).toContain('G/A');
    expect(sub.text).toContain('\u2212log10(p) = 7.52');
    expect(texts.some((t) => t.text === 'mean')).toBe(true);
  });

  test('every text inside the figure, none overlapping', () => {
    expectTextInside(scene);
    expectNoTextOverlap(scene);
    for (const width of [60, 120, 183]) {
      const s = genotypeScene(data(values, { adjusted: true, negLog10P: 7.5 }), { ...base, widthMm: width, title: 'Weight by genotype' });
      expectTextInside(s);
      expectNoTextOverlap(s);
    }
  });

  test('an empty class shows n = 0 and no box; a missing class is filled in', () => {
    const s = genotypeScene(data([[1, 2, 3, 4], [2, 3, 4]]), base);
    expect(textItems(s).filter((t) => t.text.startsWith('n = ')).map((t) => t.text)).toEqual(['n = 4', 'n = 3', 'n = 0']);
    expect(textItems(s).some((t) => t.text === 'AA')).toBe(true);
    expect(leaves(s).filter((i) => i.type === 'rect' && i.stroke !== undefined).length).toBe(2);
    expect(textItems(s).some((t) => t.rotate === 90 && t.text === 'Body weight')).toBe(true);
  });
});

test('seeded generator: deterministic, uniform on [0, 1)', () => {
  const a = seededRandom(5);
  const b = seededRandom(5);
  const xs = Array.from({ length: 10000 }, () => a());
  expect(Array.from({ length: 10000 }, () => b())).toEqual(xs);
  expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...xs)).toBeLessThan(1);
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
});
