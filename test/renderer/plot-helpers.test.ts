/**
 * The Manhattan plot's pure parts, under Node: the hover index against a brute-force nearest
 * search, the drag-to-region mapping against the positions the scene was built from, and the
 * numbers a tooltip shows against their definitions.
 */
import { describe, expect, it } from 'vitest';
import type { ManhattanData } from '../../engine/figures/data.js';
import { manhattanScene } from '../../engine/figures/manhattan.js';
import { formatEffect, formatNegLog10, formatPFromNegLog10 } from '../../renderer/src/lib/format-p.js';
import { buildHitIndex, hitSets } from '../../renderer/src/lib/hit-index.js';
import { regionUnderDrag } from '../../renderer/src/lib/manhattan-zoom.js';
import { Rng } from '../helpers/random.js';

/** n SNPs on 5 chromosomes (chromosome c has SNPs 1 kb apart from 10 kb), chi-square(1) noise and one peak. */
function series(n: number, seed: number): ManhattanData {
  const rng = new Rng(seed);
  const perChr = Math.ceil(n / 5);
  const chr = new Int32Array(n);
  const pos = new Float64Array(n);
  const negLog10P = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    chr[k] = Math.floor(k / perChr);
    pos[k] = 10_000 + 1000 * (k % perChr);
    const z = rng.normal();
    negLog10P[k] = -Math.log10(Math.max(1e-300, Math.exp(-(z * z) / 2))) + (Math.abs(k - 1234) < 30 ? 9 : 0);
  }
  return { chrNames: ['1', '2', '3', '4', '5'], chr, pos, negLog10P, snp: Int32Array.from({ length: n }, (_, k) => k), label: (k) => `rs${k + 1}` };
}

describe('hover index', () => {
  it('finds the nearest drawn point within the radius, as a brute-force search does', () => {
    const data = series(20_000, 3);
    const scene = manhattanScene(data, { widthMm: 200, palette: 'okabe-ito', software: 'test' });
    const sets = hitSets(scene);
    const index = buildHitIndex(sets);
    const set = sets[0]!;
    const rng = new Rng(9);
    const radius = 1.2;
    let found = 0;
    for (let q = 0; q < 400; q++) {
      const x = set.clip.x + rng.next() * set.clip.w;
      const y = set.clip.y + set.clip.h * (0.6 + 0.4 * rng.next());
      let best = -1;
      let bestD = Infinity;
      for (const s of sets) {
        for (let i = 0; i < s.x.length; i++) {
          const d = Math.hypot(s.x[i]! - x, s.y[i]! - y);
          if (d <= radius && d < bestD) {
            bestD = d;
            best = s.id![i]!;
          }
        }
      }
      const hit = index.nearest(x, y, radius);
      if (best < 0) expect(hit).toBeNull();
      else {
        found++;
        expect(Math.hypot(hit!.xMm - x, hit!.yMm - y)).toBeCloseTo(bestD, 4);
      }
    }
    expect(found).toBeGreaterThan(100);
    expect(index.size).toBe(20_000);
  });
});

describe('drag to zoom', () => {
  it('maps a drag back to the base pairs of the chromosome under it (genome view)', () => {
    const data = series(20_000, 4);
    const scene = manhattanScene(data, { widthMm: 200, palette: 'okabe-ito', software: 'test' });
    const set = hitSets(scene)[0]!;
    // The drawn x of two SNPs of chromosome 3 (rows 8,000..11,999).
    const xOf = (row: number): number => set.x[Array.prototype.indexOf.call(set.id!, row) as number]!;
    const a = 8_500;
    const b = 9_500;
    const region = regionUnderDrag(data, { x: set.x, id: set.id! }, xOf(a), xOf(b));
    expect(region?.chr).toBe('3');
    // Exactly the positions of the two SNPs, up to the rounding of mm to bp.
    expect(Math.abs(region!.start - data.pos[a]!)).toBeLessThanOrEqual(1);
    expect(Math.abs(region!.end - data.pos[b]!)).toBeLessThanOrEqual(1);
  });

  it('maps a drag in a one-chromosome view, clamped to its SNPs, and ignores a drag over nothing', () => {
    const data = series(20_000, 5);
    const scene = manhattanScene(data, { widthMm: 150, palette: 'okabe-ito', software: 'test', chromosome: '2' });
    const set = hitSets(scene)[0]!;
    const region = regionUnderDrag(data, { x: set.x, id: set.id! }, set.clip.x - 10, set.clip.x + set.clip.w / 2);
    expect(region?.chr).toBe('2');
    expect(region!.start).toBe(10_000);
    const last = 10_000 + 1000 * 3999;
    expect(Math.abs(region!.end - (10_000 + last) / 2)).toBeLessThan(last * 0.02);
    expect(regionUnderDrag(data, { x: set.x, id: set.id! }, -50, -40)).toBeNull();
  });
});

describe('tooltip numbers', () => {
  it('writes p from -log10 p with a superscript exponent', () => {
    expect(formatPFromNegLog10(-Math.log10(3.2e-8))).toBe('3.2 × 10⁻⁸');
    expect(formatPFromNegLog10(-Math.log10(9.96e-8))).toBe('1.0 × 10⁻⁷');
    expect(formatPFromNegLog10(350)).toBe('1.0 × 10⁻³⁵⁰');
    expect(formatPFromNegLog10(-Math.log10(0.042))).toBe('0.042');
    expect(formatNegLog10(7.4949)).toBe('7.49');
    expect(formatEffect(-0.21345, 0.0412)).toBe('−0.213 ± 0.041');
    expect(formatEffect(null, null)).toBe('not available');
  });
});
