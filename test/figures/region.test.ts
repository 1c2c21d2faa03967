import { describe, expect, test } from 'vitest';
import type { RegionData } from '../../engine/figures/data.js';
import { parseHex, type PaletteName } from '../../engine/figures/palette.js';
import { NO_R2_STROKE, r2Bin, r2BinColours, regionScene } from '../../engine/figures/region.js';
import { leafItems, type LineItem, type PathItem, type PointsItem, type Scene } from '../../engine/figures/scene.js';
import { textBox } from '../../engine/figures/text.js';
import { Rng } from '../helpers/random.js';
import { expectNoTextOverlap, expectTextInside, scaleFromTicks, textItems } from './legend-text-checks.js';

const base = { widthMm: 89, palette: 'okabe-ito' as PaletteName, software: 'kinscan test' };

/** CIE L* of an sRGB colour (independent of the palette code). */
function lightness(hex: string): number {
  const lin = parseHex(hex).map((c) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const y = 0.2126 * lin[0]! + 0.7152 * lin[1]! + 0.0722 * lin[2]!;
  return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
}

function regionData(): RegionData {
  const rng = new Rng(5);
  const m = 60;
  const start = 4_500_000;
  const end = 5_500_000;
  const pos = Float64Array.from({ length: m }, (_, k) => start + ((k + 0.5) / m) * (end - start));
  const r2 = Float64Array.from({ length: m }, (_, k) => (k % 11 === 3 ? NaN : k === 30 ? 1 : rng.next()));
  // Exact bin edges are in the data too.
  r2[1] = 0.2;
  r2[2] = 0.4;
  r2[4] = 0.6;
  r2[5] = 0.8;
  r2[6] = 0.19999999;
  const negLog10P = Float64Array.from(r2, (r, k) => (k === 30 ? 9.3 : (Number.isFinite(r) ? r : 0.1) * 8 + rng.next()));
  return {
    chr: '11',
    start,
    end,
    lead: { snp: 1030, rs: 'rs1234567', pos: pos[30]!, negLog10P: 9.3 },
    snp: Int32Array.from({ length: m }, (_, k) => 1000 + k),
    rs: Array.from({ length: m }, (_, k) => `rs${k}`),
    pos,
    negLog10P,
    r2,
  };
}

function points(scene: Scene): PointsItem[] {
  return [...leafItems(scene.items)].map((l) => l.item).filter((i): i is PointsItem => i.type === 'points' && i.id !== undefined);
}

describe('r^2 bins', () => {
  test('bins follow the edges exactly (an edge goes to the bin above)', () => {
    expect([0, 0.1, 0.19999999, 0.2, 0.3999, 0.4, 0.5999, 0.6, 0.7999, 0.8, 1].map(r2Bin)).toEqual([0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    expect(r2Bin(NaN)).toBe(-1);
  });

  test('bin colours darken with r^2 in both palettes', () => {
    for (const palette of ['okabe-ito', 'grey'] as const) {
      const l = r2BinColours(palette).map(lightness);
      for (let i = 1; i < l.length; i++) expect(l[i]!, `${palette} bin ${i}`).toBeLessThan(l[i - 1]! - 8);
    }
  });
});

describe('regional scene', () => {
  const data = regionData();
  const scene = regionScene(data, base);

  test('points are coloured by their bin and drawn by increasing r^2; unknown r^2 hollow; the lead a diamond on top', () => {
    const sets = points(scene);
    const hollow = sets.find((s) => s.stroke === NO_R2_STROKE)!;
    const coloured = sets.find((s) => s.shape === 'circle' && s.stroke !== NO_R2_STROKE)!;
    const lead = sets.at(-1)!;
    expect(lead.shape).toBe('diamond');
    expect(Array.from(lead.id!)).toEqual([1030]);
    expect(lead.radiusMm).toBeGreaterThan(coloured.radiusMm);
    const nanCount = Array.from(data.r2).filter((v) => !Number.isFinite(v)).length;
    expect(hollow.x.length).toBe(nanCount);
    expect(coloured.x.length).toBe(data.pos.length - nanCount - 1);
    expect(coloured.palette).toEqual(r2BinColours('okabe-ito'));
    let previous = -Infinity;
    for (let i = 0; i < coloured.x.length; i++) {
      const k = coloured.id![i]! - 1000;
      const r2 = data.r2[k]!;
      expect(r2).toBeGreaterThanOrEqual(previous);
      previous = r2;
      expect(coloured.colorIndex[i]).toBe(r2Bin(r2));
    }
    const at = (k: number) => coloured.colorIndex[Array.from(coloured.id!).indexOf(1000 + k)];
    expect([at(1), at(2), at(4), at(5), at(6)]).toEqual([1, 2, 3, 4, 0]);
    // The lead sits after the others in paint order.
    const all = [...leafItems(scene.items)].map((l) => l.item);
    expect(all.indexOf(lead)).toBeGreaterThan(all.indexOf(coloured));
  });

  test('the 5e-8 line is at -log10(5e-8) on the y scale of the tick labels, dashed and labelled', () => {
    const sy = scaleFromTicks(scene, 'y', (t) => t.anchor === 'end' && t.baseline === 'middle' && !t.rotate);
    const dashed = [...leafItems(scene.items)].map((l) => l.item).filter((i): i is LineItem => i.type === 'line' && i.dashPt !== undefined);
    expect(dashed.length).toBe(1);
    expect(dashed[0]!.y1).toBeCloseTo(sy(-Math.log10(5e-8)), 6);
    expect(dashed[0]!.y2).toBe(dashed[0]!.y1);
    expect(textItems(scene).some((t) => t.text === 'p = 5e\u22128')).toBe(true);
    const other = regionScene(data, { ...base, threshold: 1e-6 });
    const sy2 = scaleFromTicks(other, 'y', (t) => t.anchor === 'end' && t.baseline === 'middle' && !t.rotate);
    const line2 = [...leafItems(other.items)].map((l) => l.item).find((i): i is LineItem => i.type === 'line' && i.dashPt !== undefined)!;
    expect(line2.y1).toBeCloseTo(sy2(6), 6);
  });

  test('x in Mb over the window, titled with the chromosome; the lead labelled with its rs', () => {
    const texts = textItems(scene);
    expect(texts.some((t) => t.text === 'Position on chr 11 (Mb)')).toBe(true);
    const sx = scaleFromTicks(scene, 'x', (t) => t.anchor === 'middle' && t.baseline === 'top');
    const coloured = points(scene).find((s) => s.shape === 'circle' && s.stroke !== NO_R2_STROKE)!;
    const k = coloured.id![0]! - 1000;
    expect(coloured.x[0]).toBeCloseTo(sx(data.pos[k]! / 1e6), 6);
    const label = texts.find((t) => t.text === 'rs1234567' && t.weight === 'bold')!;
    const lead = points(scene).at(-1)!;
    expect(label.y).toBeLessThan(lead.y[0]!);
    expect(Math.abs(label.x - lead.x[0]!)).toBeLessThan(10);
    expect(texts.some((t) => t.text.startsWith('r\u00b2 with rs1234567'))).toBe(true);
    expect(texts.some((t) => t.text === 'no r\u00b2')).toBe(true);
    expect(texts.some((t) => t.text === '\u2265 0.8')).toBe(true);
  });

  test('every text inside the figure, none overlapping, at several widths and in grey', () => {
    for (const widthMm of [60, 89, 120, 183]) {
      for (const palette of ['okabe-ito', 'grey'] as const) {
        const s = regionScene(data, { ...base, widthMm, palette, title: 'Region around rs1234567' });
        expectTextInside(s);
        expectNoTextOverlap(s);
      }
    }
    // A lead at the window's edge keeps its label inside the plot.
    const edge = { ...data, lead: { ...data.lead, pos: data.end } };
    const s = regionScene(edge, base);
    expectTextInside(s);
    expectNoTextOverlap(s);
  });
});

describe('credible set in the regional scene', () => {
  const data = regionData();
  // The lead and five SNPs near it, one of them (k = 25) without an r^2, one (k = 33, r^2 known) far down.
  const memberK = [30, 29, 31, 25, 33, 28];
  const credible = { level: 0.95, members: Int32Array.from(memberK, (k) => 1000 + k), pip: Float64Array.from(data.snp, (_, k) => (memberK.includes(k) ? 0.15 : 0.001)) };
  const withSet = regionScene({ ...data, credible }, base);
  const plain = regionScene(data, base);
  const leaves = (scene: Scene) => [...leafItems(scene.items)].map((l) => l.item);
  const rings = (scene: Scene): PathItem[] => leaves(scene).filter((i): i is PathItem => i.type === 'path' && i.closed && i.fill === undefined && i.stroke === '#000000');
  /** Centre and radius of a ring path (the mean of its vertices; their distance from it). */
  const circle = (p: PathItem): { x: number; y: number; r: number; spread: number } => {
    const n = p.points.length / 2;
    let x = 0;
    let y = 0;
    for (let j = 0; j < n; j++) {
      x += p.points[2 * j]! / n;
      y += p.points[2 * j + 1]! / n;
    }
    const d = Array.from({ length: n }, (_, j) => Math.hypot(p.points[2 * j]! - x, p.points[2 * j + 1]! - y));
    return { x, y, r: d.reduce((s, v) => s + v, 0) / n, spread: Math.max(...d) - Math.min(...d) };
  };

  test('each member is ringed at its position on the axes; the lead ring goes round the diamond, which stays on top', () => {
    const sx = scaleFromTicks(withSet, 'x', (t) => t.anchor === 'middle' && t.baseline === 'top');
    const sy = scaleFromTicks(withSet, 'y', (t) => t.anchor === 'end' && t.baseline === 'middle' && !t.rotate);
    const found = rings(withSet).map(circle);
    expect(found.length).toBe(memberK.length);
    const coloured = points(withSet).find((s) => s.shape === 'circle' && s.stroke !== NO_R2_STROKE)!;
    const lead = points(withSet).at(-1)!;
    for (const k of memberK) {
      const x = sx(data.pos[k]! / 1e6);
      const y = sy(k === 30 ? data.lead.negLog10P : data.negLog10P[k]!);
      const ring = found.find((c) => Math.hypot(c.x - x, c.y - y) < 1e-6);
      expect(ring, `ring of SNP ${k}`).toBeDefined();
      expect(ring!.spread).toBeLessThan(1e-9);
      if (k === 30) {
        // Past the diamond's corners (a diamond of radius r reaches 1.26 r).
        expect(ring!.r).toBeGreaterThan(lead.radiusMm * 1.26 + 0.2);
      } else {
        expect(ring!.r / coloured.radiusMm).toBeGreaterThan(1.25);
        expect(ring!.r / coloured.radiusMm).toBeLessThan(1.5);
      }
    }
    for (const p of rings(withSet)) expect(p.widthPt).toBeCloseTo(0.6, 9);
    // Paint order: the points, then the rings, then the lead's diamond.
    const all = leaves(withSet);
    const firstRing = Math.min(...rings(withSet).map((r) => all.indexOf(r)));
    const lastRing = Math.max(...rings(withSet).map((r) => all.indexOf(r)));
    expect(firstRing).toBeGreaterThan(all.indexOf(coloured));
    expect(all.indexOf(lead)).toBeGreaterThan(lastRing);
    expect(lead.shape).toBe('diamond');
    // The lead's label clears its ring.
    const label = textItems(withSet).find((t) => t.text === 'rs1234567' && t.weight === 'bold')!;
    const leadRing = found.find((c) => Math.hypot(c.x - lead.x[0]!, c.y - lead.y[0]!) < 1e-6)!;
    expect(textBox(label).y + textBox(label).h).toBeLessThan(leadRing.y - leadRing.r);
  });

  test('the legend names the set with its level and size; the description says what the rings mean', () => {
    const texts = textItems(withSet).map((t) => t.text);
    expect(texts).toContain('95% credible set (6 SNPs)');
    expect(withSet.meta.description).toContain('Rings mark the 95% credible set (6 SNPs): the smallest set of SNPs holding 95% of the posterior probability under one causal variant');
    expect(withSet.meta.description.startsWith(plain.meta.description)).toBe(true);
    const one = regionScene({ ...data, credible: { level: 0.99, members: Int32Array.of(1030), pip: credible.pip } }, base);
    expect(textItems(one).map((t) => t.text)).toContain('99% credible set (1 SNP)');
    expect(rings(one).length).toBe(1);
    const odd = regionScene({ ...data, credible: { level: 0.995, members: Int32Array.of(1030, 1031), pip: credible.pip } }, base);
    expect(textItems(odd).map((t) => t.text)).toContain('99.5% credible set (2 SNPs)');
  });

  test('members outside the window or without a p-value get no ring', () => {
    const nan = Float64Array.from(data.negLog10P);
    nan[29] = NaN;
    const s = regionScene({ ...data, negLog10P: nan, credible: { ...credible, members: Int32Array.of(1030, 1029, 1031, 99999) } }, base);
    expect(rings(s).length).toBe(2);
    expect(textItems(s).map((t) => t.text)).toContain('95% credible set (4 SNPs)');
  });

  test('without a credible set there are no rings and nothing about one', () => {
    expect(rings(plain)).toEqual([]);
    expect(textItems(plain).some((t) => /credible/.test(t.text))).toBe(false);
    expect(plain.meta.description).not.toMatch(/credible|Rings/);
    expect(regionScene({ ...data, credible: undefined }, base)).toEqual(plain);
  });

  test('texts inside and apart with a credible set, at several widths, in grey, with the lead at the edge', () => {
    for (const widthMm of [60, 89, 120, 183]) {
      for (const palette of ['okabe-ito', 'grey'] as const) {
        const s = regionScene({ ...data, credible }, { ...base, widthMm, palette, title: 'Region around rs1234567' });
        expectTextInside(s);
        expectNoTextOverlap(s);
      }
    }
    const edge = regionScene({ ...data, lead: { ...data.lead, pos: data.end }, credible }, base);
    expectTextInside(edge);
    expectNoTextOverlap(edge);
  });
});
