import { describe, expect, test } from 'vitest';
import { categoricalLegend, colourBar, stackBlocks, wrapText, type LegendEntry } from '../../engine/figures/legend.js';
import { sequentialColour } from '../../engine/figures/palette.js';
import type { CellsItem, LineItem, PointsItem, Scene, SceneItem, TextItem } from '../../engine/figures/scene.js';
import { textBox, textWidthMm } from '../../engine/figures/text.js';
import { niceTicks } from '../../engine/figures/ticks.js';
import { expectNoTextOverlap, inside } from './legend-text-checks.js';

function asScene(items: SceneItem[], w = 200, h = 200): Scene {
  return { kind: 'pca', widthMm: w, heightMm: h, background: '#ffffff', items, meta: { title: '', description: '', software: '' } };
}

const texts = (items: SceneItem[]) => items.filter((i): i is TextItem => i.type === 'text');
const entries = (k: number, name = (i: number) => `group ${i}`): LegendEntry[] => Array.from({ length: k }, (_, i) => ({ label: name(i), colour: '#000000', shape: 'circle' }));

describe('categorical legend', () => {
  test('a column: title, then one swatch and name per entry, all inside its box', () => {
    const block = categoricalLegend({ entries: entries(4), title: 'Batch', flow: 'column', maxWidthMm: 30 });
    const { items, box } = block.place(10, 20);
    expect(box).toEqual({ x: 10, y: 20, w: block.widthMm, h: block.heightMm });
    expect(texts(items).map((t) => t.text)).toEqual(['Batch', 'group 0', 'group 1', 'group 2', 'group 3']);
    const swatches = items.filter((i): i is PointsItem => i.type === 'points');
    expect(swatches.reduce((a, s) => a + s.x.length, 0)).toBe(4);
    for (const t of texts(items)) expect(inside(textBox(t), box)).toBe(true);
    // Names start right of their swatch, one row each, top to bottom.
    const names = texts(items).slice(1);
    for (let i = 1; i < names.length; i++) expect(names[i]!.y).toBeGreaterThan(names[i - 1]!.y);
    expect(names[0]!.x).toBeGreaterThan(swatches[0]!.x[0]! + swatches[0]!.radiusMm);
    expectNoTextOverlap(asScene(items));
  });

  test('too tall: flows into columns, then sums up the rest as "+ k more", within the limits', () => {
    const block = categoricalLegend({ entries: entries(40), title: 'Group', flow: 'column', maxWidthMm: 40, maxHeightMm: 30 });
    const { items, box } = block.place(0, 0);
    expect(box.h).toBeLessThanOrEqual(30 + 1e-9);
    expect(box.w).toBeLessThanOrEqual(40 + 1e-9);
    const names = texts(items).map((t) => t.text);
    const more = names.find((t) => /^\+ \d+ more$/.test(t));
    expect(more).toBeDefined();
    const shown = names.filter((t) => t.startsWith('group')).length;
    expect(shown + Number(more!.split(' ')[1])).toBe(40);
    expect(new Set(texts(items).map((t) => t.x)).size).toBeGreaterThan(1);
    for (const t of texts(items)) expect(inside(textBox(t), box, 1e-6)).toBe(true);
    expectNoTextOverlap(asScene(items));
  });

  test('long names are shortened with an ellipsis to the width', () => {
    const block = categoricalLegend({ entries: entries(3, (i) => `a very long category name number ${i}`), flow: 'column', maxWidthMm: 20 });
    const { items, box } = block.place(0, 0);
    expect(box.w).toBeLessThanOrEqual(20 + 1e-9);
    for (const t of texts(items)) {
      expect(t.text.endsWith('\u2026')).toBe(true);
      expect(inside(textBox(t), box, 1e-6)).toBe(true);
    }
  });

  test('a row wraps at the width', () => {
    const block = categoricalLegend({ entries: entries(9), title: 'r\u00b2', flow: 'row', maxWidthMm: 45 });
    const { items, box } = block.place(5, 5);
    expect(box.w).toBeLessThanOrEqual(45 + 1e-9);
    const ys = new Set(texts(items).map((t) => t.y.toFixed(6)));
    expect(ys.size).toBeGreaterThan(1);
    for (const t of texts(items)) expect(inside(textBox(t), box, 1e-6)).toBe(true);
    expectNoTextOverlap(asScene(items));
  });
});

describe('colour bar', () => {
  const ticks = niceTicks(-1.3, 2.7, 4);
  const bar = colourBar({ title: 'Body weight (g)', note: 'a note that wraps over lines', domain: [-1.3, 2.7], ticks, colourAt: (v) => sequentialColour('okabe-ito', (v + 1.3) / 4), lengthMm: 30, maxWidthMm: 18 });
  const { items, box } = bar.place(50, 10);
  const ramp = items.find((i): i is CellsItem => i.type === 'cells')!;

  test('the ramp runs from the high end at the top to the low end at the bottom', () => {
    expect(ramp.cols).toBe(1);
    expect(ramp.box.h).toBe(30);
    const top = Array.from(ramp.rgb.subarray(0, 3));
    const bottom = Array.from(ramp.rgb.subarray(ramp.rgb.length - 3));
    expect(top).toEqual(sequentialColour('okabe-ito', 1 - 0.5 / ramp.rows).map(Math.round));
    expect(bottom).toEqual(sequentialColour('okabe-ito', 0.5 / ramp.rows).map(Math.round));
  });

  test('ticks at their values along the bar, labelled', () => {
    const tickLines = items.filter((i): i is LineItem => i.type === 'line');
    expect(tickLines.length).toBe(ticks.values.length);
    ticks.values.forEach((v, i) => expect(tickLines[i]!.y1).toBeCloseTo(ramp.box.y + ((2.7 - v) / 4) * 30, 9));
    const labels = texts(items).filter((t) => ticks.labels.includes(t.text));
    expect(labels.map((t) => t.text)).toEqual(ticks.labels);
  });

  test('title and note wrapped to the width, everything inside the box, nothing overlapping', () => {
    const ts = texts(items);
    expect(ts[0]!.weight).toBe('bold');
    for (const t of ts) {
      expect(textWidthMm(t.text, t.sizePt, t.weight)).toBeLessThanOrEqual(18 + 1e-9);
      expect(inside(textBox(t), box, 1e-6)).toBe(true);
    }
    expect(inside(ramp.box, box)).toBe(true);
    expectNoTextOverlap(asScene(items));
  });

  test('stacked blocks sit one under the other', () => {
    const legend = categoricalLegend({ entries: entries(1), flow: 'column', maxWidthMm: 18 });
    const stacked = stackBlocks([bar, legend], 2);
    expect(stacked.heightMm).toBeCloseTo(bar.heightMm + 2 + legend.heightMm, 9);
    const placed = stacked.place(0, 0);
    const last = texts(placed.items).at(-1)!;
    expect(textBox(last).y).toBeGreaterThanOrEqual(bar.heightMm + 2 - 1e-9);
    expectNoTextOverlap(asScene(placed.items));
  });
});

test('wrapText breaks at spaces and shortens a word longer than the line', () => {
  expect(wrapText('one two three', textWidthMm('one two', 7) + 0.01, 7)).toEqual(['one two', 'three']);
  const lines = wrapText('supercalifragilistic', 8, 7);
  expect(lines.length).toBe(1);
  expect(lines[0]!.endsWith('\u2026')).toBe(true);
  expect(textWidthMm(lines[0]!, 7)).toBeLessThanOrEqual(8);
});
