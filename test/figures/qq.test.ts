/**
 * The QQ scene: expected quantiles, the order-statistic band (and its ~95% coverage of uniform
 * p-values), λGC and the test written on the plot, a square plot area, points in their clip box.
 */
import { describe, expect, it } from 'vitest';
import { betaQuantile } from '../../engine/figures/beta-quantile.js';
import { logSpacedRanks, qqBand, qqScene } from '../../engine/figures/qq.js';
import { leafItems, type Box, type PathItem, type PointsItem, type Scene, type TextItem } from '../../engine/figures/scene.js';
import { textBox } from '../../engine/figures/text.js';
import type { FigureOptions } from '../../engine/figures/frame.js';
import { Rng } from '../helpers/random.js';

const base: FigureOptions = { widthMm: 89, palette: 'okabe-ito', software: 'kinscan test' };
const texts = (scene: Scene): TextItem[] => [...leafItems(scene.items)].flatMap(({ item }) => (item.type === 'text' ? [item] : []));
const pointsOf = (scene: Scene): PointsItem => [...leafItems(scene.items)].flatMap(({ item }) => (item.type === 'points' ? [item] : []))[0]!;
const bandOf = (scene: Scene): PathItem => [...leafItems(scene.items)].flatMap(({ item }) => (item.type === 'path' ? [item] : []))[0]!;

/** Data -> mm along an axis, from two of its tick labels (the frame draws them at the scale). */
function scaleFrom(scene: Scene, axis: 'x' | 'y'): { toMm: (v: number) => number; toValue: (mm: number) => number } {
  const plot = pointsOf(scene).clip;
  const ticks = texts(scene).filter((t) => /^\d+(\.\d+)?$/.test(t.text) && (axis === 'x' ? t.baseline === 'top' && t.y > plot.y + plot.h : t.anchor === 'end' && t.x < plot.x));
  const a = ticks[0]!;
  const b = ticks[ticks.length - 1]!;
  const at = (t: TextItem): number => (axis === 'x' ? t.x : t.y);
  const perUnit = (at(b) - at(a)) / (Number(b.text) - Number(a.text));
  return { toMm: (v) => at(a) + (v - Number(a.text)) * perUnit, toValue: (mm) => Number(a.text) + (mm - at(a)) / perUnit };
}

function uniform(m: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: m }, () => -Math.log10(rng.next() || 1e-300));
}

/** Even-odd point-in-polygon. */
function insidePolygon(x: number, y: number, polygon: Float64Array): boolean {
  let inside = false;
  const n = polygon.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = polygon[2 * i]!;
    const yi = polygon[2 * i + 1]!;
    const xj = polygon[2 * j]!;
    const yj = polygon[2 * j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function overlaps(a: Box, b: Box): boolean {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 1e-6 && h > 1e-6;
}

describe('qqScene', () => {
  it('plots m = 4 p-values at expected −log10([0.125, 0.375, 0.625, 0.875]) against their sorted values', () => {
    const observed = [0.3, 2.5, 0.05, 1.1];
    const scene = qqScene({ negLog10P: Float64Array.from(observed), df: 1, lambdaGc: 1 }, base);
    const points = pointsOf(scene);
    const x = scaleFrom(scene, 'x');
    const y = scaleFrom(scene, 'y');
    const pairs = Array.from(points.x, (mm, i) => [x.toValue(mm), y.toValue(points.y[i]!)] as const).sort((a, b) => a[0] - b[0]);
    const expected = [0.875, 0.625, 0.375, 0.125].map((p) => -Math.log10(p));
    pairs.forEach(([ex, ob], i) => {
      expect(ex).toBeCloseTo(expected[i]!, 9);
      expect(ob).toBeCloseTo([...observed].sort((a, b) => a - b)[i]!, 9);
    });
    expect(Array.from(points.raster!)).toEqual([...observed].sort((a, b) => a - b).map((v) => (v < 2 ? 1 : 0)));
  });

  it('computes the band from Beta(i, m − i + 1) quantiles on a thinned set of ranks', () => {
    const m = 1_000_000;
    const ranks = logSpacedRanks(m);
    expect(ranks.length).toBeGreaterThan(150);
    expect(ranks.length).toBeLessThanOrEqual(301);
    expect(ranks[0]).toBe(1);
    expect(ranks.at(-1)).toBe(m);
    const band = qqBand(m, ranks);
    // Rank 1: closed form 1 − 0.975^(1/m) ≈ 2.53e-8 for the band's top.
    expect(band.upper[0]).toBeCloseTo(-Math.log10(-Math.expm1(Math.log1p(-0.025) / m)), 9);
    expect(band.upper[0]).toBeCloseTo(7.5966, 3);
    expect(band.lower[0]).toBeCloseTo(-Math.log10(-Math.expm1(Math.log1p(-0.975) / m)), 9);
    const j = ranks.findIndex((r) => r > 1000);
    const i = ranks[j]!;
    expect(band.upper[j]).toBeCloseTo(-Math.log10(betaQuantile(0.025, i, m - i + 1)), 12);
    expect(band.expected[j]).toBeCloseTo(-Math.log10((i - 0.5) / m), 12);
    for (let k = 0; k < ranks.length; k++) {
      expect(band.lower[k]!).toBeLessThan(band.expected[k]! + 1e-9);
      expect(band.upper[k]!).toBeGreaterThan(band.expected[k]! - 1e-9);
    }
  });

  it('has a band holding about 95% of uniform p-values (and as many as the exact per-rank band)', () => {
    const m = 1000;
    const exactLow = new Float64Array(m + 1);
    const exactHigh = new Float64Array(m + 1);
    for (let i = 1; i <= m; i++) {
      exactLow[i] = betaQuantile(0.025, i, m - i + 1);
      exactHigh[i] = betaQuantile(0.975, i, m - i + 1);
    }
    let inside = 0;
    let insideExact = 0;
    let total = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const v = uniform(m, seed);
      const scene = qqScene({ negLog10P: v, df: 1, lambdaGc: 1 }, base);
      const band = bandOf(scene);
      expect(band.closed).toBe(true);
      expect(band.points.length).toBe(4 * logSpacedRanks(m).length);
      const points = pointsOf(scene);
      for (let i = 0; i < m; i++) if (insidePolygon(points.x[i]!, points.y[i]!, band.points)) inside++;
      const p = Float64Array.from(v, (x) => 10 ** -x).sort();
      for (let i = 1; i <= m; i++) if (p[i - 1]! >= exactLow[i]! && p[i - 1]! <= exactHigh[i]!) insideExact++;
      total += m;
    }
    expect(inside / total).toBeGreaterThan(0.92);
    expect(inside / total).toBeLessThan(0.98);
    expect(Math.abs(inside - insideExact) / total).toBeLessThan(0.01);
  });

  it('writes λGC (Greek lambda, GC subscript), the number of SNPs and the test on the plot', () => {
    const v = uniform(1234, 3);
    v[5] = NaN;
    const scene = qqScene({ negLog10P: v, df: 2, lambdaGc: 1.0123 }, base);
    const words = texts(scene);
    const lambda = words.find((t) => t.text === '\u03bb')!;
    const gc = words.find((t) => t.text === 'GC')!;
    const value = words.find((t) => t.text === '= 1.012')!;
    expect(lambda && gc && value).toBeTruthy();
    expect(gc.sizePt).toBeLessThan(lambda.sizePt);
    expect(gc.y).toBeGreaterThan(lambda.y);
    expect(gc.x).toBeGreaterThan(lambda.x);
    expect(value.x).toBeGreaterThan(gc.x);
    expect(words.some((t) => /lambda/i.test(t.text))).toBe(false);
    expect(words.some((t) => t.text === '1,233 SNPs')).toBe(true);
    expect(words.some((t) => t.text === '2-df LRT (additive + dominance)')).toBe(true);
    expect(words.some((t) => t.text === 'Expected \u2212log10(p)')).toBe(true);
    expect(words.some((t) => t.text === 'Observed \u2212log10(p)')).toBe(true);
    const one = qqScene({ negLog10P: v, df: 1, lambdaGc: 0.998 }, base);
    expect(texts(one).some((t) => t.text === '1-df LRT (additive)')).toBe(true);
    expect(texts(one).some((t) => t.text === '= 0.998')).toBe(true);
    expect(scene.meta.description).toContain('\u03bbGC = 1.012');
    // Inside the plot, not overlapping each other or anything else.
    const plot = pointsOf(scene).clip;
    const boxes = words.map(textBox);
    for (const t of [lambda, gc, value]) {
      const b = textBox(t);
      expect(b.x).toBeGreaterThan(plot.x);
      expect(b.y).toBeGreaterThan(plot.y);
      expect(b.x + b.w).toBeLessThan(plot.x + plot.w);
    }
    for (let i = 0; i < boxes.length; i++) {
      const b = boxes[i]!;
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.y).toBeGreaterThanOrEqual(0);
      expect(b.x + b.w).toBeLessThanOrEqual(scene.widthMm);
      expect(b.y + b.h).toBeLessThanOrEqual(scene.heightMm);
      for (let j = i + 1; j < boxes.length; j++) expect(overlaps(b, boxes[j]!), `${words[i]!.text} / ${words[j]!.text}`).toBe(false);
    }
  });

  it('has a square plot area by default, centred in wide figures; a given height is used', () => {
    const v = uniform(500, 4);
    for (const [widthMm, heightMm] of [
      [89, 89],
      [120, 120],
      [183, 120],
    ] as const) {
      const scene = qqScene({ negLog10P: v, df: 1, lambdaGc: 1 }, { ...base, widthMm });
      expect(scene.heightMm).toBe(heightMm);
      const plot = pointsOf(scene).clip;
      expect(plot.w).toBeCloseTo(plot.h, 6);
      if (widthMm === 183) expect(plot.x).toBeGreaterThan(20);
    }
    const tall = qqScene({ negLog10P: v, df: 1, lambdaGc: 1 }, { ...base, heightMm: 60 });
    expect(tall.heightMm).toBe(60);
  });

  it('keeps points in the clip box, clamps p = 0 to the top and says so; builds 1,000,000 points', () => {
    const v = uniform(1_000_000, 8);
    v[0] = Infinity;
    v[1] = NaN;
    const scene = qqScene({ negLog10P: v, df: 1, lambdaGc: 1 }, base);
    const points = pointsOf(scene);
    expect(points.x.length).toBe(999_999);
    let top = 0;
    let outside = 0;
    const eps = 1e-9;
    for (let i = 0; i < points.x.length; i++) {
      if (!(points.x[i]! >= points.clip.x - eps && points.x[i]! <= points.clip.x + points.clip.w + eps && points.y[i]! >= points.clip.y - eps && points.y[i]! <= points.clip.y + points.clip.h + eps)) outside++;
      if (Math.abs(points.y[i]! - points.clip.y) < 1e-9) top++;
    }
    expect(outside).toBe(0);
    expect(top).toBe(1);
    expect(scene.meta.description).toContain('1 SNP with p = 0 drawn at the top');
    expect(scene.meta.description).toContain('999,999 SNPs');
  });
});
