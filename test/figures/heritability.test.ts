/**
 * The heritability figure: the chi-square cut against reference quantiles, the curves and the
 * intervals where the axes say they are, the three rows (two without a bootstrap), every text
 * inside and apart (also with the estimate at 0 and at 1), no colour in grey.
 */
import { describe, expect, test } from 'vitest';
import type { HeritabilityFigureData } from '../../engine/figures/data.js';
import type { FigureOptions } from '../../engine/figures/frame.js';
import {
  chiSquare1Quantile,
  densityAxisTicks,
  heritabilityLayout,
  heritabilityScene,
  intervalColours,
  likelihoodRatioCut,
  normalQuantile,
  type HeritabilityPanel,
} from '../../engine/figures/heritability.js';
import { parseHex } from '../../engine/figures/palette.js';
import { leafItems, type Box, type LineItem, type PathItem, type PointsItem, type RectItem, type Scene, type SceneItem, type TextItem } from '../../engine/figures/scene.js';
import { boxesOverlap, textBox } from '../../engine/figures/text.js';
import { expectNoTextOverlap, expectTextInside, textItems } from './legend-text-checks.js';

const base: FigureOptions = { widthMm: 89, palette: 'okabe-ito', software: 'kinscan test' };
const leaves = (scene: Scene): Exclude<SceneItem, { type: 'group' }>[] => [...leafItems(scene.items)].map((l) => l.item);

/** Root of f on [lo, hi] by bisection (f(lo), f(hi) of opposite signs). */
function bisect(f: (x: number) => number, lo: number, hi: number): number {
  let flo = f(lo);
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    const fm = f(mid);
    if (fm < 0 === flo < 0) {
      lo = mid;
      flo = fm;
    } else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * A profile log-likelihood of Beta shape, l(h) = a ln h + b ln(1 - h) (maximum at a / (a + b); a = 0
 * puts it at 0, b = 0 at 1), its 95% interval by bisection on l = l_max - 3.841459 / 2 (chi2_1 at
 * 0.95 from a table), and a Beta(a + 1.4, b + 1.8) posterior whose quantiles come from a fine
 * Riemann sum.
 */
function h2Data(a: number, b: number, withBootstrap = true): HeritabilityFigureData {
  const n = 201;
  const h2 = Float64Array.from({ length: n }, (_, i) => i / (n - 1));
  const ll = (h: number): number => (a > 0 ? a * Math.log(h) : 0) + (b > 0 ? b * Math.log(1 - h) : 0);
  const estimate = a / (a + b);
  const lmax = ll(estimate);
  const g = (h: number): number => ll(h) - lmax + 3.841458820694124 / 2;
  const lower = estimate === 0 || g(1e-12) > 0 ? 0 : bisect(g, 1e-12, estimate);
  const upper = estimate === 1 || g(1 - 1e-12) > 0 ? 1 : bisect(g, estimate, 1 - 1e-12);
  const pa = a + 1.4;
  const pb = b + 1.8;
  const logDensity = (h: number): number => (pa - 1) * Math.log(Math.max(h, 1e-300)) + (pb - 1) * Math.log(Math.max(1 - h, 1e-300));
  const m = 20001;
  const fine = Float64Array.from({ length: m }, (_, i) => Math.exp(logDensity(i / (m - 1)) - logDensity((pa - 1) / (pa + pb - 2))));
  const z = fine.reduce((s, v) => s + v, 0) / (m - 1);
  const cdf = new Float64Array(m);
  for (let i = 0, c = 0; i < m; i++) cdf[i] = c += fine[i]! / z / (m - 1);
  const quantile = (p: number): number => cdf.findIndex((c) => c >= p) / (m - 1);
  return {
    estimate,
    level: 0.95,
    profile: { h2, relativeLogl: Float64Array.from(h2, (h) => ll(h) - lmax), lower, upper },
    posterior: { h2, density: Float64Array.from(h2, (h) => fine[Math.round(h * (m - 1))]! / z), mean: pa / (pa + pb), mode: (pa - 1) / (pa + pb - 2), lower: quantile(0.025), upper: quantile(0.975) },
    bootstrap: withBootstrap ? { lower: Math.max(0, lower - 0.03), upper: Math.min(1, upper + 0.02) } : null,
    trait: 'trait1',
  };
}

const CASES: Record<string, HeritabilityFigureData> = {
  middle: h2Data(40, 55),
  atZero: h2Data(0, 25),
  atOne: h2Data(30, 0),
  broad: h2Data(3, 4),
  noBootstrap: h2Data(40, 55, false),
};

/** The tick labels of a panel's axis (y: left of its plot; x: just under it), as value and mm. */
function ticksOf(scene: Scene, plot: Box, axis: 'x' | 'y'): { v: number; at: number }[] {
  return textItems(scene)
    .filter((t) =>
      axis === 'y'
        ? t.anchor === 'end' && t.baseline === 'middle' && t.x < plot.x && t.y >= plot.y - 1e-6 && t.y <= plot.y + plot.h + 1e-6
        : t.anchor === 'middle' && t.baseline === 'top' && t.y > plot.y + plot.h && t.y < plot.y + plot.h + 4,
    )
    .map((t) => ({ v: Number(t.text), at: axis === 'x' ? t.x : t.y }))
    .filter((t) => Number.isFinite(t.v));
}

/** The data-to-mm map of a panel's axis from its first and last tick labels. */
function scaleOf(scene: Scene, plot: Box, axis: 'x' | 'y'): (v: number) => number {
  const ticks = ticksOf(scene, plot, axis);
  expect(ticks.length).toBeGreaterThanOrEqual(2);
  const a = ticks[0]!;
  const b = ticks.at(-1)!;
  return (v) => a.at + ((v - a.v) * (b.at - a.at)) / (b.v - a.v);
}

function inBox(x: number, y: number, box: Box, slack = 1e-6): boolean {
  return x >= box.x - slack && x <= box.x + box.w + slack && y >= box.y - slack && y <= box.y + box.h + slack;
}

/** Open curve paths drawn inside a panel's plot. */
function curvesIn(scene: Scene, p: HeritabilityPanel): PathItem[] {
  return leaves(scene).filter((i): i is PathItem => i.type === 'path' && !i.closed && inBox(i.points[0]!, i.points[1]!, p.plot));
}

/** Every colour a scene uses. */
function coloursOf(scene: Scene): string[] {
  const out: string[] = [scene.background];
  for (const item of leaves(scene)) {
    if (item.type === 'line') out.push(item.stroke);
    if (item.type === 'path' || item.type === 'rect') {
      if (item.fill) out.push(item.fill);
      if (item.stroke) out.push(item.stroke);
    }
    if (item.type === 'text') out.push(item.fill);
    if (item.type === 'points') {
      out.push(...item.palette);
      if (item.stroke) out.push(item.stroke);
    }
  }
  return out;
}

describe('chi-square cut', () => {
  test('normal and chi2_1 quantiles match reference values (SciPy) to 1e-12', () => {
    const reference: [number, number][] = [
      [0.975, 1.959963984540054],
      [0.995, 2.5758293035489004],
      [1e-10, -6.361340902404056],
      [0.3, -0.5244005127080409],
      [0.02425, -1.972961051311885],
      [0.9, 1.2815515655446004],
      [1 - 1e-12, 7.0344869100478356],
    ];
    for (const [p, z] of reference) expect(Math.abs(normalQuantile(p) - z), `p = ${p}`).toBeLessThan(1e-12 * Math.max(1, Math.abs(z)));
    expect(chiSquare1Quantile(0.95)).toBeCloseTo(3.841458820694124, 12);
    expect(chiSquare1Quantile(0.99)).toBeCloseTo(6.6348966010212145, 12);
    expect(likelihoodRatioCut(0.95)).toBeCloseTo(0.14650006448608432, 12);
    expect(likelihoodRatioCut(0.9)).toBeCloseTo(0.2585227122870817, 12);
  });

  test('density ticks step by 1, 2 or 5 x 10^k, at most five from 0', () => {
    expect(densityAxisTicks(9.2).labels).toEqual(['0', '2', '4', '6', '8']);
    expect(densityAxisTicks(2.9).labels).toEqual(['0', '1', '2']);
    expect(densityAxisTicks(17).labels).toEqual(['0', '5', '10', '15']);
    expect(densityAxisTicks(0.83).labels).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8']);
    expect(densityAxisTicks(1.15).labels).toEqual(['0.0', '0.5', '1.0']);
    expect(densityAxisTicks(9.2, 3).labels).toEqual(['0', '5']);
    expect(densityAxisTicks(9.2, 4).labels).toEqual(['0', '5']);
    expect(densityAxisTicks(12, 3).labels).toEqual(['0', '5', '10']);
  });
});

describe('heritability scene', () => {
  const data = CASES.middle!;
  const scene = heritabilityScene(data, base);
  const layout = heritabilityLayout(data, base);

  test('is one column square by default, the QQ plot\u2019s size rule past it; titled with the trait', () => {
    expect(scene.kind).toBe('heritability');
    expect([scene.widthMm, scene.heightMm]).toEqual([89, 89]);
    const wide = heritabilityScene(data, { ...base, widthMm: 183 });
    expect(wide.heightMm).toBe(120);
    expect(heritabilityScene(data, { ...base, widthMm: 60 }).heightMm).toBe(80);
    expect(heritabilityScene(data, { ...base, heightMm: 70 }).heightMm).toBe(70);
    expect(scene.meta.title).toBe('Heritability (PVE) of trait1');
    expect(heritabilityScene({ ...data, trait: undefined }, base).meta.title).toBe('Heritability (PVE)');
    expect(heritabilityScene(data, { ...base, title: 'h2' }).meta.title).toBe('h2');
  });

  test('the three panels share one x scale, 0 to 1 with ticks 0, 0.2, .., 1 under each', () => {
    const plots = [layout.profile.plot, layout.posterior.plot, layout.strip.plot];
    for (const plot of plots) {
      const ticks = ticksOf(scene, plot, 'x');
      expect(ticks.map((t) => t.v)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
      const sx = scaleOf(scene, plot, 'x');
      for (const v of [0, 0.37, 1]) expect(layout.profile.sx(v)).toBeCloseTo(sx(v), 9);
      expect(plot.x).toBeCloseTo(plots[0]!.x, 12);
      expect(plot.w).toBeCloseTo(plots[0]!.w, 12);
    }
    // Panels stacked top to bottom without overlapping.
    expect(layout.profile.plot.y + layout.profile.plot.h).toBeLessThan(layout.posterior.plot.y);
    expect(layout.posterior.plot.y + layout.posterior.plot.h).toBeLessThan(layout.strip.plot.y);
    expect(textItems(scene).some((t) => t.text === 'Heritability h\u00b2 (PVE)')).toBe(true);
  });

  test('the profile curve is exp(l - l_max) on the axes; the dashed cut at 0.1465; the interval along it', () => {
    const p = layout.profile;
    const sx = scaleOf(scene, p.plot, 'x');
    const sy = scaleOf(scene, p.plot, 'y');
    expect(ticksOf(scene, p.plot, 'y').map((t) => t.v)).toEqual([0, 0.5, 1]);
    const curves = curvesIn(scene, p);
    expect(curves.length).toBe(1);
    const pts = curves[0]!.points;
    expect(pts.length).toBe(2 * data.profile.h2.length);
    for (const i of [0, 17, 80, 84, 100, 200]) {
      const h = data.profile.h2[i]!;
      const lr = Math.exp(data.profile.relativeLogl[i]!);
      expect(pts[2 * i]).toBeCloseTo(sx(h), 9);
      expect(pts[2 * i + 1]).toBeCloseTo(sy(lr), 9);
      expect(pts[2 * i]).toBeCloseTo(p.sx(h), 12);
      expect(pts[2 * i + 1]).toBeCloseTo(p.sy(lr), 12);
    }
    const lines = leaves(scene).filter((i): i is LineItem => i.type === 'line' && inBox(i.x1, i.y1, p.plot) && inBox(i.x2, i.y2, p.plot));
    const dashed = lines.filter((l) => l.dashPt);
    expect(dashed.length).toBe(1);
    expect(dashed[0]!.y1).toBeCloseTo(sy(0.14650006448608432), 9);
    expect(dashed[0]!.x1).toBeCloseTo(p.plot.x, 9);
    expect(dashed[0]!.x2).toBeCloseTo(p.plot.x + p.plot.w, 9);
    // The interval: the thick bar on the cut from lower to upper, where the curve crosses the cut.
    const colour = intervalColours('okabe-ito').profile;
    const bar = lines.find((l) => l.widthPt > 2 && l.stroke === colour)!;
    expect(bar.y1).toBeCloseTo(sy(0.1465), 2);
    expect(Math.min(bar.x1, bar.x2)).toBeCloseTo(sx(data.profile.lower), 9);
    expect(Math.max(bar.x1, bar.x2)).toBeCloseTo(sx(data.profile.upper), 9);
    const drops = lines.filter((l) => l.stroke === colour && l.x1 === l.x2);
    expect(drops.map((l) => l.x1).sort((a, b) => a - b)).toEqual([sx(data.profile.lower), sx(data.profile.upper)].map((v) => expect.closeTo(v, 9)));
    // ML estimate: a dot at LR = 1.
    const dot = leaves(scene).find((i): i is PointsItem => i.type === 'points' && i.x.length === 1 && inBox(i.x[0]!, i.y[0]!, p.plot, 0.01) && i.palette[0] === '#ffffff')!;
    expect(dot.x[0]).toBeCloseTo(sx(data.estimate), 9);
    expect(dot.y[0]).toBeCloseTo(sy(1), 9);
    expect(textItems(scene).some((t) => t.text === '95% cut-off, LR = 0.147' || t.text === 'LR = 0.147')).toBe(true);
  });

  test('the posterior curve and its shaded credible interval; mode on the curve, mean on the axis', () => {
    const p = layout.posterior;
    const sx = scaleOf(scene, p.plot, 'x');
    const sy = scaleOf(scene, p.plot, 'y');
    const curve = curvesIn(scene, p)[0]!;
    for (const i of [0, 50, 84, 90, 130, 200]) {
      expect(curve.points[2 * i]).toBeCloseTo(sx(data.posterior.h2[i]!), 9);
      expect(curve.points[2 * i + 1]).toBeCloseTo(sy(data.posterior.density[i]!), 9);
    }
    // The highest point of the curve lies inside the plot, under its top.
    let top = Infinity;
    for (let i = 1; i < curve.points.length; i += 2) top = Math.min(top, curve.points[i]!);
    expect(top).toBeGreaterThan(p.plot.y);
    // The shading: from lower to upper, down to 0, under the curve (its top edge is the curve).
    const shade = leaves(scene).find((i): i is PathItem => i.type === 'path' && i.closed && i.fill !== undefined)!;
    const xs = Array.from({ length: shade.points.length / 2 }, (_, j) => shade.points[2 * j]!);
    const ys = Array.from({ length: shade.points.length / 2 }, (_, j) => shade.points[2 * j + 1]!);
    expect(Math.min(...xs)).toBeCloseTo(sx(data.posterior.lower), 9);
    expect(Math.max(...xs)).toBeCloseTo(sx(data.posterior.upper), 9);
    expect(Math.max(...ys)).toBeCloseTo(sy(0), 9);
    const densityAt = (h: number): number => {
      const k = Math.min(199, Math.floor(h * 200));
      const f = h * 200 - k;
      return data.posterior.density[k]! * (1 - f) + data.posterior.density[k + 1]! * f;
    };
    expect(ys[1]).toBeCloseTo(sy(densityAt(data.posterior.lower)), 9);
    for (let j = 2; j < xs.length - 2; j++) {
      const h = (xs[j]! - sx(0)) / (sx(1) - sx(0));
      expect(ys[j]).toBeCloseTo(sy(densityAt(h)), 6);
    }
    const markers = leaves(scene).filter((i): i is PointsItem => i.type === 'points' && i.x.length === 1 && inBox(i.x[0]!, i.y[0]!, p.plot, 1));
    const mode = markers.find((m) => m.shape === 'circle')!;
    const mean = markers.find((m) => m.shape === 'triangle')!;
    expect(mode.x[0]).toBeCloseTo(sx(data.posterior.mode), 9);
    expect(mode.y[0]).toBeCloseTo(sy(densityAt(data.posterior.mode)), 6);
    expect(mean.x[0]).toBeCloseTo(sx(data.posterior.mean), 9);
    // The triangle stands on the axis: its base (centroid + circumradius / 2) at y = 0.
    const circumradius = Math.sqrt((4 * Math.PI) / Math.sqrt(3)) / Math.sqrt(3);
    expect(mean.y[0]! + (mean.radiusMm * circumradius) / 2).toBeCloseTo(sy(0), 9);
    const texts = textItems(scene).map((t) => t.text);
    expect(texts).toContain(`mean ${data.posterior.mean.toFixed(2)}`);
    expect(texts).toContain(`mode ${data.posterior.mode.toFixed(2)}`);
  });

  test('one bar per interval, from lower to upper on the x scale, labelled with its numbers; the ML a dot on each', () => {
    const s = layout.strip;
    const sx = scaleOf(scene, s.plot, 'x');
    const bars = leaves(scene).filter((i): i is RectItem => i.type === 'rect');
    expect(bars.length).toBe(3);
    const colours = intervalColours('okabe-ito');
    const expected: [string, number, number, string][] = [
      ['Profile likelihood', data.profile.lower, data.profile.upper, colours.profile],
      ['Posterior (uniform prior)', data.posterior.lower, data.posterior.upper, colours.posterior],
      ['Parametric bootstrap', data.bootstrap!.lower, data.bootstrap!.upper, colours.bootstrap],
    ];
    const texts = textItems(scene);
    expected.forEach(([label, lower, upper, colour], r) => {
      const bar = bars[r]!;
      expect(bar.x).toBeCloseTo(sx(lower), 9);
      expect(bar.x + bar.w).toBeCloseTo(sx(upper), 9);
      expect(bar.fill).toBe(colour);
      const name = texts.find((t) => t.text === label)!;
      expect(name).toBeDefined();
      // The label sits just above its bar, the numbers on the same line at the right.
      expect(textBox(name).y + textBox(name).h).toBeLessThan(bar.y);
      expect(bar.y - (textBox(name).y + textBox(name).h)).toBeLessThan(1.5);
      const numbers = texts.find((t) => t.text === `${lower.toFixed(2)}\u2013${upper.toFixed(2)}`)!;
      expect(numbers.y).toBeCloseTo(name.y, 9);
      expect(numbers.anchor).toBe('end');
      const dot = leaves(scene).find((i): i is PointsItem => i.type === 'points' && i.x.length === 1 && Math.abs(i.y[0]! - (bar.y + bar.h / 2)) < 1e-9)!;
      expect(dot.x[0]).toBeCloseTo(sx(data.estimate), 9);
    });
    expect(bars[0]!.y).toBeLessThan(bars[1]!.y);
    expect(bars[1]!.y).toBeLessThan(bars[2]!.y);
    expect(texts.map((t) => t.text)).toContain(`ML estimate ${data.estimate.toFixed(2)}`);
  });

  test('without a bootstrap its bar, label and sentence are left out', () => {
    const s = heritabilityScene(CASES.noBootstrap!, base);
    expect(leaves(s).filter((i) => i.type === 'rect').length).toBe(2);
    expect(textItems(s).some((t) => t.text === 'Parametric bootstrap')).toBe(false);
    expect(s.meta.description).not.toMatch(/bootstrap/i);
    expectTextInside(s);
    expectNoTextOverlap(s);
  });

  test('the description has one sentence per interval saying what it is', () => {
    const d = scene.meta.description;
    expect(d).toContain('ML estimate 0.42');
    expect(d).toMatch(/Profile likelihood: the values of h² whose likelihood ratio to the maximum is above exp\(−χ²₁\/2\) = 0\.1465/);
    expect(d).toMatch(/Posterior \(uniform prior\): the 95% credible interval, holding 95% of the posterior probability/);
    expect(d).toMatch(/Parametric bootstrap: the interval built from the ML estimates of traits simulated from the fitted mixed model/);
    expect(d).toContain(`${data.profile.lower.toFixed(2)}\u2013${data.profile.upper.toFixed(2)}`);
    expect(d.split(/(?<=\.) (?=[A-Z])/).length).toBe(4);
  });

  test('every text inside the figure and apart from the others and from the markers: all cases, widths, palettes', () => {
    for (const [name, d] of Object.entries(CASES)) {
      for (const [widthMm, heightMm] of [[60], [89], [120], [183], [89, 65], [120, 70]] as [number, number?][]) {
        for (const palette of ['okabe-ito', 'grey'] as const) {
          for (const title of [undefined, 'Heritability (PVE) of a trait with a long name']) {
            const s = heritabilityScene(d, { ...base, widthMm, palette, ...(heightMm ? { heightMm } : {}), ...(title ? { title } : {}) });
            expectTextInside(s);
            expectNoTextOverlap(s);
            // Markers (single points) clear of every text.
            const texts: TextItem[] = textItems(s);
            for (const m of leaves(s).filter((i): i is PointsItem => i.type === 'points' && i.x.length === 1)) {
              const reach = m.radiusMm * (m.shape === 'triangle' ? 1.56 : 1) + 0.1;
              const box: Box = { x: m.x[0]! - reach, y: m.y[0]! - reach, w: 2 * reach, h: 2 * reach };
              for (const t of texts) expect(boxesOverlap(box, textBox(t)), `${name} ${widthMm} ${palette}: marker at (${m.x[0]!.toFixed(1)}, ${m.y[0]!.toFixed(1)}) / '${t.text}'`).toBe(false);
            }
          }
        }
      }
    }
  });

  test('the cut label keeps off the curve, also when the interval is wide or touches an end', () => {
    for (const d of Object.values(CASES)) {
      const s = heritabilityScene(d, base);
      const L = heritabilityLayout(d, base);
      const label = textItems(s).find((t) => /LR = 0\.147$/.test(t.text))!;
      const b = textBox(label);
      expect(b.y).toBeGreaterThanOrEqual(L.profile.plot.y);
      expect(b.y + b.h).toBeLessThanOrEqual(L.profile.plot.y + L.profile.plot.h);
      const curve = curvesIn(s, L.profile)[0]!.points;
      for (let j = 0; j < curve.length / 2; j++) expect(inBox(curve[2 * j]!, curve[2 * j + 1]!, b, 0.2)).toBe(false);
    }
  });

  test('intervals touching 0 or 1 put their bars on the axis ends', () => {
    for (const [d, end] of [
      [CASES.atZero!, 0],
      [CASES.atOne!, 1],
    ] as const) {
      const s = heritabilityScene(d, base);
      const L = heritabilityLayout(d, base);
      const bars = leaves(s).filter((i): i is RectItem => i.type === 'rect');
      const edge = L.strip.sx(end);
      // Profile and bootstrap reach the boundary (the profile interval is cut there).
      for (const bar of [bars[0]!, bars[2]!]) expect(end === 0 ? bar.x : bar.x + bar.w).toBeCloseTo(edge, 9);
      const dots = leaves(s).filter(
        (i): i is PointsItem => i.type === 'points' && i.x.length === 1 && i.palette[0] === '#ffffff' && (inBox(i.x[0]!, i.y[0]!, L.strip.plot, 1) || inBox(i.x[0]!, i.y[0]!, L.profile.plot, 1)),
      );
      expect(dots.length).toBe(4);
      for (const dot of dots) expect(dot.x[0]).toBeCloseTo(edge, 9);
    }
  });

  test('grey uses no colour; okabe-ito keeps the three intervals apart', () => {
    for (const d of Object.values(CASES)) {
      for (const c of coloursOf(heritabilityScene(d, { ...base, palette: 'grey' }))) {
        const [r, g, b] = parseHex(c);
        expect(r === g && g === b, c).toBe(true);
      }
    }
    const grey = intervalColours('grey');
    const levels = [grey.profile, grey.posterior, grey.bootstrap].map((c) => parseHex(c)[0]);
    for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) expect(Math.abs(levels[i]! - levels[j]!)).toBeGreaterThan(50);
    const colour = intervalColours('okabe-ito');
    expect(new Set([colour.profile, colour.posterior, colour.bootstrap]).size).toBe(3);
  });

  test('a gap in the profile curve (a non-finite log-likelihood) breaks the line there', () => {
    const d = CASES.middle!;
    const rel = Float64Array.from(d.profile.relativeLogl);
    rel[150] = NaN;
    const s = heritabilityScene({ ...d, profile: { ...d.profile, relativeLogl: rel } }, base);
    const curves = curvesIn(s, heritabilityLayout(d, base).profile);
    expect(curves.map((c) => c.points.length / 2)).toEqual([150, 50]);
  });
});
