/** Checks shared by the figure tests: every text inside the figure, no two texts overlapping. */
import { expect } from 'vitest';
import { leafItems, type Box, type Scene, type TextItem } from '../../engine/figures/scene.js';
import { boxesOverlap, textBox } from '../../engine/figures/text.js';

export function textItems(scene: Scene): TextItem[] {
  const out: TextItem[] = [];
  for (const { item } of leafItems(scene.items)) if (item.type === 'text') out.push(item);
  return out;
}

/** Every text's box lies inside the figure (with `slackMm` of rounding). */
export function expectTextInside(scene: Scene, slackMm = 1e-6): void {
  for (const t of textItems(scene)) {
    const b = textBox(t);
    const where = `'${t.text}' at (${b.x.toFixed(2)}, ${b.y.toFixed(2)}) ${b.w.toFixed(2)} x ${b.h.toFixed(2)} in ${scene.widthMm} x ${scene.heightMm}`;
    expect(b.x, where).toBeGreaterThanOrEqual(-slackMm);
    expect(b.y, where).toBeGreaterThanOrEqual(-slackMm);
    expect(b.x + b.w, where).toBeLessThanOrEqual(scene.widthMm + slackMm);
    expect(b.y + b.h, where).toBeLessThanOrEqual(scene.heightMm + slackMm);
  }
}

/** No two text boxes overlap. */
export function expectNoTextOverlap(scene: Scene): void {
  const texts = textItems(scene).filter((t) => t.text.length > 0);
  const boxes = texts.map((t) => textBox(t));
  const clashes: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      if (boxesOverlap(boxes[i]!, boxes[j]!)) clashes.push(`'${texts[i]!.text}' / '${texts[j]!.text}'`);
    }
  }
  expect(clashes).toEqual([]);
}

/** Whether box `inner` lies inside `outer`. */
export function inside(inner: Box, outer: Box, slack = 1e-6): boolean {
  return inner.x >= outer.x - slack && inner.y >= outer.y - slack && inner.x + inner.w <= outer.x + outer.w + slack && inner.y + inner.h <= outer.y + outer.h + slack;
}

/** The data-to-mm map of an axis from two of its tick labels (independent of the figure's own scale). */
export function scaleFromTicks(scene: Scene, axis: 'x' | 'y', plotEdge: (t: TextItem) => boolean): (v: number) => number {
  const ticks = textItems(scene).filter(plotEdge).map((t) => ({ v: Number(t.text.replace('\u2212', '-')), at: axis === 'x' ? t.x : t.y })).filter((t) => Number.isFinite(t.v));
  expect(ticks.length).toBeGreaterThanOrEqual(2);
  const a = ticks[0]!;
  const b = ticks[ticks.length - 1]!;
  return (v) => a.at + ((v - a.v) * (b.at - a.at)) / (b.v - a.v);
}
