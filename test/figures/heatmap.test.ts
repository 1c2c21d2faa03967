import { describe, expect, test } from 'vitest';
import { clusterKinship } from '../../engine/figures/clustering.js';
import type { KinshipData } from '../../engine/figures/data.js';
import { kinshipColourRange, kinshipHeatmapScene } from '../../engine/figures/kinship-heatmap.js';
import { divergingColour } from '../../engine/figures/palette.js';
import { leafItems, type CellsItem, type PathItem, type Scene } from '../../engine/figures/scene.js';
import { textBox } from '../../engine/figures/text.js';
import { Rng } from '../helpers/random.js';
import { expectNoTextOverlap, expectTextInside, inside, textItems } from './legend-text-checks.js';

const base = { widthMm: 89, palette: 'okabe-ito' as const, software: 'kinscan test' };

/** Families (interleaved in the input) with kinship 0.25 within, ~0 between, ~1 on the diagonal. */
function familyKinship(sizes: number[], seed = 1): { data: KinshipData; family: number[] } {
  const rng = new Rng(seed);
  const family: number[] = [];
  sizes.forEach((s, f) => family.push(...new Array<number>(s).fill(f)));
  // Interleave: a fixed shuffle.
  for (let i = family.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [family[i], family[j]] = [family[j]!, family[i]!];
  }
  const n = family.length;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = i === j ? 1 + 0.05 * rng.normal() : family[i] === family[j] ? 0.25 + 0.02 * rng.normal() : 0.02 * rng.normal();
      k[i * n + j] = v;
      k[j * n + i] = v;
    }
  }
  return { data: { n, k, sampleIds: Array.from({ length: n }, (_, i) => `ID${1000 + i}`), description: 'centred (GEMMA -gk 1), 1,234 SNPs' }, family };
}

function cellsOf(scene: Scene): CellsItem {
  return [...leafItems(scene.items)].map((l) => l.item).find((i): i is CellsItem => i.type === 'cells' && i.cols > 1)!;
}

function rgbAt(cells: CellsItem, row: number, col: number): number[] {
  const o = 3 * (row * cells.cols + col);
  return Array.from(cells.rgb.subarray(o, o + 3));
}

function expectColour(got: number[], want: [number, number, number]): void {
  for (let c = 0; c < 3; c++) expect(Math.abs(got[c]! - want[c]!)).toBeLessThanOrEqual(1);
}

describe('kinship heatmap', () => {
  const { data, family } = familyKinship([12, 9, 14]);
  const scene = kinshipHeatmapScene(data, base);
  const cells = cellsOf(scene);
  const tree = clusterKinship(data.k, data.n);
  const order = tree.order;
  const range = kinshipColourRange(data.k, data.n);

  test('the colour range is the 99.5th percentile of off-diagonal |K|, rounded up to 2 digits', () => {
    const off: number[] = [];
    for (let i = 0; i < data.n; i++) for (let j = i + 1; j < data.n; j++) off.push(Math.abs(data.k[i * data.n + j]!));
    off.sort((a, b) => a - b);
    const h = (off.length - 1) * 0.995;
    const q = off[Math.floor(h)]! + (h - Math.floor(h)) * (off[Math.floor(h) + 1]! - off[Math.floor(h)]!);
    const p = 10 ** (Math.floor(Math.log10(q)) - 1);
    expect(range).toBeCloseTo(Math.ceil(q / p) * p, 12);
    expect(range).toBeGreaterThanOrEqual(q);
    expect(range).toBeLessThan(0.5);
  });

  test('one n x n cell grid, square, in cluster order; the diagonal saturates', () => {
    expect(cells.cols).toBe(data.n);
    expect(cells.rows).toBe(data.n);
    expect(cells.rgb.length).toBe(data.n * data.n * 3);
    expect(cells.box.w).toBeCloseTo(cells.box.h, 9);
    // Families are contiguous blocks in the order.
    const seq = Array.from(order, (leaf) => family[leaf]!);
    expect(seq.filter((f, r) => r === 0 || f !== seq[r - 1]).length).toBe(3);
    for (const r of [0, 5, data.n - 1]) {
      const kii = data.k[order[r]! * data.n + order[r]!]!;
      expect(kii / range).toBeGreaterThan(1);
      expectColour(rgbAt(cells, r, r), divergingColour('okabe-ito', 1));
    }
    // One known entry: row 3, column 20 shows K[order[3], order[20]].
    const v = data.k[order[3]! * data.n + order[20]!]!;
    expectColour(rgbAt(cells, 3, 20), divergingColour('okabe-ito', v / range));
    // The same entry is not what the input order would show there (the order matters).
    expect(order[3] !== 3 || order[20] !== 20).toBe(true);
    // Within a family block the cells are red (positive), between blocks near white.
    const sameFamily = [0, 1].map((c) => rgbAt(cells, 0, c));
    expect(sameFamily[1]![0]!).toBeGreaterThan(sameFamily[1]![2]! + 40);
  });

  test('the colour bar: symmetric around 0, its ends at +-range, and it says the diagonal saturates', () => {
    const bar = [...leafItems(scene.items)].map((l) => l.item).find((i): i is CellsItem => i.type === 'cells' && i.cols === 1)!;
    expectColour(Array.from(bar.rgb.subarray(0, 3)), divergingColour('okabe-ito', 1 - 1 / bar.rows));
    const last = bar.rgb.length - 3;
    expectColour(Array.from(bar.rgb.subarray(last, last + 3)), divergingColour('okabe-ito', -1 + 1 / bar.rows));
    const texts = textItems(scene).map((t) => t.text);
    const numbers = texts.map((t) => Number(t.replace('\u2212', '-'))).filter((v) => Number.isFinite(v));
    expect(numbers).toEqual(expect.arrayContaining([range, -range, 0]));
    expect(texts.some((t) => /diagonal/.test(t))).toBe(true);
    expect(texts.join(' ')).toContain('saturate');
  });

  test('title, the description and n; IDs label rows and columns in order (n <= 60)', () => {
    const texts = textItems(scene);
    expect(texts[0]!.text).toBe('Kinship');
    expect(texts.some((t) => t.text === 'centred (GEMMA -gk 1), 1,234 SNPs')).toBe(true);
    expect(texts.some((t) => t.text.startsWith('n = 35'))).toBe(true);
    const rowLabels = texts.filter((t) => t.anchor === 'end' && !t.rotate && t.text.startsWith('ID'));
    const colLabels = texts.filter((t) => t.rotate === 90 && t.text.startsWith('ID'));
    expect(rowLabels.map((t) => t.text)).toEqual(Array.from(order, (i) => `ID${1000 + i}`));
    expect(colLabels.map((t) => t.text)).toEqual(Array.from(order, (i) => `ID${1000 + i}`));
    // Each label at its row's / column's centre.
    const cell = cells.box.h / data.n;
    rowLabels.forEach((t, r) => expect(t.y).toBeCloseTo(cells.box.y + (r + 0.5) * cell, 9));
    colLabels.forEach((t, c) => expect(t.x).toBeCloseTo(cells.box.x + (c + 0.5) * cell, 9));
    expect(rowLabels[0]!.sizePt).toBeGreaterThanOrEqual(4);
  });

  test('the dendrogram is one path above the matrix, spanning its columns', () => {
    const paths = [...leafItems(scene.items)].map((l) => l.item).filter((i): i is PathItem => i.type === 'path');
    expect(paths.length).toBe(1);
    const pts = paths[0]!.points;
    let minX = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < pts.length; i += 2) {
      minX = Math.min(minX, pts[i]!);
      maxX = Math.max(maxX, pts[i]!);
      maxY = Math.max(maxY, pts[i + 1]!);
    }
    const cell = cells.box.w / data.n;
    expect(minX).toBeCloseTo(cells.box.x + cell / 2, 9);
    expect(maxX).toBeCloseTo(cells.box.x + cells.box.w - cell / 2, 9);
    expect(maxY).toBeLessThan(cells.box.y);
    const noTree = kinshipHeatmapScene(data, { ...base, dendrogram: false });
    expect([...leafItems(noTree.items)].some((l) => l.item.type === 'path')).toBe(false);
  });

  test('every text inside the figure, none overlapping; the bar and labels clear of the matrix', () => {
    for (const widthMm of [60, 89, 120, 183]) {
      for (const palette of ['okabe-ito', 'grey'] as const) {
        const s = kinshipHeatmapScene(data, { ...base, widthMm, palette });
        expectTextInside(s);
        expectNoTextOverlap(s);
        const box = cellsOf(s).box;
        for (const t of textItems(s)) {
          const b = textBox(t);
          const overlapsMatrix = b.x < box.x + box.w && box.x < b.x + b.w && b.y < box.y + box.h && box.y < b.y + b.h;
          expect(overlapsMatrix, t.text).toBe(false);
        }
        expect(inside(box, { x: 0, y: 0, w: s.widthMm, h: s.heightMm })).toBe(true);
      }
    }
  });

  test('a long description wraps; a given height shrinks the square and keeps everything inside', () => {
    const long = { ...data, description: 'centred (GEMMA -gk 1), 10,768 SNPs; re-centred over the 1,940 analysed individuals, as the scan used it' };
    for (const heightMm of [undefined, 60, 75]) {
      const s = kinshipHeatmapScene(long, { ...base, ...(heightMm ? { heightMm } : {}) });
      if (heightMm) expect(s.heightMm).toBe(heightMm);
      const t = textItems(s).map((x) => x.text);
      expect(t.some((x) => x.startsWith('centred (GEMMA -gk 1)'))).toBe(true);
      expect(t.some((x) => x.includes('as the scan used it'))).toBe(true);
      expectTextInside(s);
      expectNoTextOverlap(s);
      const box = cellsOf(s).box;
      expect(box.w).toBeCloseTo(box.h, 9);
      expect(box.y + box.h).toBeLessThanOrEqual(s.heightMm);
    }
  });

  test('more than 60 individuals: no ID labels', () => {
    const big = familyKinship([30, 31], 2).data;
    const s = kinshipHeatmapScene(big, { ...base, widthMm: 183 });
    expect(textItems(s).some((t) => t.text.startsWith('ID'))).toBe(false);
  });

  test('n = 2,000 builds (time reported), readable: no sample labels, a bounded dendrogram', () => {
    const sizes = Array.from({ length: 40 }, () => 50);
    const { data: big } = familyKinship(sizes, 3);
    const t0 = performance.now();
    const s = kinshipHeatmapScene(big, base);
    const ms = performance.now() - t0;
    console.log(`kinship heatmap of 2,000: ${ms.toFixed(0)} ms`);
    const c = cellsOf(s);
    expect(c.cols).toBe(2000);
    expect(textItems(s).some((t) => t.text.startsWith('ID'))).toBe(false);
    const path = [...leafItems(s.items)].map((l) => l.item).find((i): i is PathItem => i.type === 'path')!;
    // Merges with a side narrower than half a mm are one stem each: at most (width / 0.5 mm) stems.
    expect(path.points.length / 2).toBeLessThanOrEqual(7 * (c.box.w / 0.5) + 1);
    expectTextInside(s);
    expectNoTextOverlap(s);
  });
});
