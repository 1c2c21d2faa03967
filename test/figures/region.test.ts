import { describe, expect, test } from 'vitest';
import type { RegionData } from '../../engine/figures/data.js';
import { parseHex, type PaletteName } from '../../engine/figures/palette.js';
import { NO_R2_STROKE, r2Bin, r2BinColours, regionScene } from '../../engine/figures/region.js';
import { leafItems, type LineItem, type PointsItem, type Scene } from '../../engine/figures/scene.js';
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
