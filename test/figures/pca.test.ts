import { describe, expect, test } from 'vitest';
import type { PcaData } from '../../engine/figures/data.js';
import { categoricalColours, sequentialColour, toHex } from '../../engine/figures/palette.js';
import { MISSING_STROKE, categoriesOf, pcAxisTitle, pcaScene } from '../../engine/figures/pca.js';
import { leafItems, type CellsItem, type PointsItem, type Scene } from '../../engine/figures/scene.js';
import { Rng } from '../helpers/random.js';
import { expectNoTextOverlap, expectTextInside, scaleFromTicks, textItems } from './legend-text-checks.js';

const base = { widthMm: 89, palette: 'okabe-ito' as const, software: 'kinscan test' };

function pcaData(n: number, seed = 1): PcaData {
  const rng = new Rng(seed);
  const pcs = [0, 1, 2].map((k) => Float64Array.from({ length: n }, () => rng.normal() * (0.3 - k * 0.08)));
  return { pcs, varianceExplained: [0.1234, 0.0567, 0.0009], sampleIds: Array.from({ length: n }, (_, i) => `S${i}`) };
}

function pointSets(scene: Scene): PointsItem[] {
  return [...leafItems(scene.items)].map((l) => l.item).filter((i): i is PointsItem => i.type === 'points' && i.id !== undefined);
}

describe('PCA scene', () => {
  test('axis titles carry the share of variance; other PCs on request', () => {
    const scene = pcaScene(pcaData(200), base);
    const titles = textItems(scene).map((t) => t.text);
    expect(titles).toContain('PC1 (12.3%)');
    expect(titles).toContain('PC2 (5.7%)');
    const s13 = pcaScene(pcaData(200), { ...base, x: 3, y: 1 });
    expect(textItems(s13).find((t) => t.rotate === 90)!.text).toBe('PC1 (12.3%)');
    expect(textItems(s13).some((t) => t.text === 'PC3 (0.09%)')).toBe(true);
    expect(pcAxisTitle(4, undefined)).toBe('PC4');
    expect(() => pcaScene(pcaData(10), { ...base, y: 5 })).toThrow(RangeError);
  });

  test('without colour: one point set, every individual once, vector, square plot, on the tick scale', () => {
    const data = pcaData(300);
    const scene = pcaScene(data, base);
    const sets = pointSets(scene);
    expect(sets.length).toBe(1);
    const p = sets[0]!;
    expect(Array.from(p.id!).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(Array.from(p.raster!)).toEqual(new Array(300).fill(0));
    expect(p.palette).toEqual([categoricalColours('okabe-ito', 1)[0]]);
    expect(p.clip.w).toBeCloseTo(p.clip.h, 6);
    const sx = scaleFromTicks(scene, 'x', (t) => t.anchor === 'middle' && t.baseline === 'top');
    const sy = scaleFromTicks(scene, 'y', (t) => t.anchor === 'end' && t.baseline === 'middle' && !t.rotate);
    for (const i of [0, 17, 299]) {
      const k = Array.from(p.id!).indexOf(i);
      expect(p.x[k]).toBeCloseTo(sx(data.pcs[0]![i]!), 6);
      expect(p.y[k]).toBeCloseTo(sy(data.pcs[1]![i]!), 6);
    }
    expectTextInside(scene);
    expectNoTextOverlap(scene);
  });

  test('categorical: a legend per category in natural order, missing hollow and listed', () => {
    const data = pcaData(120);
    const values = Array.from({ length: 120 }, (_, i) => (i % 10 === 0 ? '' : i % 10 === 1 ? 'NA' : ['10', '2', '1'][i % 3]!));
    data.colour = { name: 'Batch', kind: 'categorical', values };
    const scene = pcaScene(data, base);
    const texts = textItems(scene).map((t) => t.text);
    expect(categoriesOf(values)).toEqual(['1', '2', '10']);
    expect(texts).toEqual(expect.arrayContaining(['Batch', '1', '2', '10', 'missing']));
    const sets = pointSets(scene);
    const hollow = sets.find((s) => s.stroke === MISSING_STROKE)!;
    expect(hollow.x.length).toBe(24);
    const filled = sets.find((s) => s !== hollow)!;
    // Colours by category: '1' first colour, '2' second, '10' third.
    const colours = categoricalColours('okabe-ito', 3);
    for (let k = 0; k < filled.x.length; k++) {
      const i = filled.id![k]!;
      expect(filled.palette[filled.colorIndex[k]!]).toBe(colours[['1', '2', '10'].indexOf(values[i]!)]);
    }
    expect(filled.x.length + hollow.x.length).toBe(120);
    expectTextInside(scene);
    expectNoTextOverlap(scene);
  });

  test('more than 8 categories: colours cycle and shapes change; the legend stays inside and readable', () => {
    const n = 600;
    const data = pcaData(n);
    data.colour = { name: 'Population of origin', kind: 'categorical', values: Array.from({ length: n }, (_, i) => `Population number ${i % 30} from a far place`) };
    for (const widthMm of [60, 89, 183]) {
      const scene = pcaScene(data, { ...base, widthMm });
      const sets = pointSets(scene);
      expect(new Set(sets.map((s) => s.shape)).size).toBe(4);
      expect(sets.reduce((a, s) => a + s.x.length, 0)).toBe(n);
      // Two categories never share both colour and shape.
      const styleOf = new Map<string, string>();
      for (const s of sets) for (let k = 0; k < s.x.length; k++) {
        const cat = data.colour.values[s.id![k]!]!;
        const style = `${s.shape} ${s.palette[s.colorIndex[k]!]}`;
        expect(styleOf.get(cat) ?? style).toBe(style);
        styleOf.set(cat, style);
      }
      expect(new Set(styleOf.values()).size).toBe(30);
      expectTextInside(scene);
      expectNoTextOverlap(scene);
      // At 183 mm every name is listed whole; narrower, names are shortened or some summed up as '+ k more'.
      const texts = textItems(scene).map((t) => t.text);
      const listed = texts.filter((t) => t.startsWith('Popul') && !t.startsWith('Population of'));
      if (widthMm === 183) expect(listed.length).toBe(30);
      else expect(texts.some((t) => t.endsWith('\u2026') || /^\+ \d+ more$/.test(t))).toBe(true);
      const more = texts.find((t) => /^\+ \d+ more$/.test(t));
      expect(listed.length + (more ? Number(more.split(' ')[1]) : 0)).toBe(30);
    }
  });

  test('continuous: a colour bar with the column name and ticks, points on the ramp, missing listed', () => {
    const n = 200;
    const data = pcaData(n);
    const values = Float64Array.from({ length: n }, (_, i) => (i % 25 === 3 ? NaN : 10 + (i % 50)));
    data.colour = { name: 'Weight (g)', kind: 'continuous', values };
    const scene = pcaScene(data, base);
    const all = [...leafItems(scene.items)].map((l) => l.item);
    const bar = all.find((i): i is CellsItem => i.type === 'cells')!;
    expect(bar.cols).toBe(1);
    // Top of the bar is the high end of the ramp.
    expect(Array.from(bar.rgb.subarray(0, 3))).toEqual(sequentialColour('okabe-ito', 1 - 0.5 / bar.rows).map(Math.round));
    const texts = textItems(scene).map((t) => t.text);
    expect(texts).toEqual(expect.arrayContaining(['Weight (g)', '20', '40', 'missing']));
    const sets = pointSets(scene);
    const filled = sets.find((s) => s.stroke !== MISSING_STROKE)!;
    const k = Array.from(filled.id!).indexOf(59); // value 19 in [10, 59]
    const [r, g, b] = sequentialColour('okabe-ito', Math.round(((19 - 10) / 49) * 255) / 255);
    expect(filled.palette[filled.colorIndex[k]!]).toBe(toHex(r, g, b));
    expect(sets.find((s) => s.stroke === MISSING_STROKE)!.x.length).toBe(8);
    expectTextInside(scene);
    expectNoTextOverlap(scene);
  });

  test('a given height; individuals without scores are left out', () => {
    const data = pcaData(50);
    data.pcs[0]![3] = NaN;
    const scene = pcaScene(data, { ...base, heightMm: 50 });
    expect(scene.heightMm).toBe(50);
    const ids = pointSets(scene).flatMap((s) => Array.from(s.id!));
    expect(ids.length).toBe(49);
    expect(ids).not.toContain(3);
    expectTextInside(scene);
    expectNoTextOverlap(scene);
  });

  test('grey palette and a title: inside, no overlaps', () => {
    const data = pcaData(400);
    data.colour = { name: 'sex', kind: 'categorical', values: Array.from({ length: 400 }, (_, i) => (i % 2 ? 'F' : 'M')) };
    for (const widthMm of [60, 120, 183]) {
      const scene = pcaScene(data, { ...base, widthMm, palette: 'grey', title: 'Principal components of the kinship' });
      expectTextInside(scene);
      expectNoTextOverlap(scene);
      // Grey categories differ in shape as well as shade.
      expect(new Set(pointSets(scene).map((s) => s.shape)).size).toBe(2);
    }
  });
});
