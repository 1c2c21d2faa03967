import { describe, expect, it } from 'vitest';
import type { BedFile } from '../../engine/io/plink.js';
import { covariateR2, markCollinear, R2_LEVEL } from '../../engine/qc/collinear.js';
import { col, inverse, mul, transpose } from '../helpers/dense.js';

/** Genotypes (copies of allele 1: 2, 1, 0; -1 missing) per SNP, as an in-memory .bed. */
function memoryBed(snps: number[][]): BedFile {
  const n = snps[0]!.length;
  const bps = Math.ceil(n / 4);
  const bytes = new Uint8Array(snps.length * bps);
  const code = (g: number): number => (g === 2 ? 0 : g === 1 ? 2 : g === 0 ? 3 : 1);
  snps.forEach((g, j) => g.forEach((v, i) => (bytes[j * bps + (i >> 2)]! |= code(v) << (2 * (i & 3)))));
  return {
    path: 'memory.bed',
    nSamples: n,
    nSnps: snps.length,
    bytesPerSnp: bps,
    readPacked: (start, count, out) => out.set(bytes.subarray(start * bps, (start + count) * bps)),
    close: () => undefined,
  };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Allele-1 frequency among the called. */
function afOf(g: number[]): number {
  const called = g.filter((v) => v >= 0);
  return called.reduce((a, b) => a + b, 0) / (2 * called.length);
}

/** GEMMA's r2 directly: g (missing set to 2 af) regressed on W = [1, covariates] by the normal equations, g'W (W'W)^-1 W'g / g'g. */
function directR2(g: number[], covariates: number[][]): number {
  const af = afOf(g);
  const x = g.map((v) => (v < 0 ? 2 * af : v));
  const w = x.map((_, i) => [1, ...covariates.map((c) => c[i]!)]);
  const wt = transpose(w);
  const wtg = mul(wt, col(x));
  const explained = mul(transpose(wtg), mul(inverse(mul(wt, w)), wtg))[0]![0]!;
  return explained / x.reduce((a, v) => a + v * v, 0);
}

const all = (j: number): boolean => j >= 0;

describe('SNPs collinear with the covariates (GEMMA r2 > 0.9999)', () => {
  const n = 60;
  const rand = rng(5);
  const snp = (missingRate = 0): number[] => Array.from({ length: n }, () => (rand() < missingRate ? -1 : rand() < 0.3 ? 2 : rand() < 0.6 ? 1 : 0));

  it('gives every SNP the r2 of a direct least-squares fit, missing calls set to the mean', () => {
    const snps = Array.from({ length: 30 }, (_, j) => snp(j % 3 === 0 ? 0.1 : 0));
    const covariates = [Array.from({ length: n }, () => rand()), Array.from({ length: n }, (_, i) => (i % 2 ? 1 : 0))];
    const af = Float64Array.from(snps, afOf);
    const r2 = covariateR2(memoryBed(snps), Int32Array.from({ length: n }, (_, i) => i), covariates.map((c) => Float64Array.from(c)), af, all);
    snps.forEach((g, j) => expect(Math.abs(r2[j]! - directR2(g, covariates)), `SNP ${j}`).toBeLessThan(1e-12));
  });

  it('over the analysed individuals only', () => {
    const snps = [snp(0.05), snp()];
    const cov = Array.from({ length: n }, () => rand());
    const analysed = Int32Array.from({ length: n }, (_, i) => i).filter((i) => i % 4 !== 1);
    const sub = (v: number[]): number[] => Array.from(analysed, (i) => v[i]!);
    const af = Float64Array.from(snps, (g) => afOf(sub(g)));
    const r2 = covariateR2(memoryBed(snps), analysed, [Float64Array.from(sub(cov))], af, all);
    snps.forEach((g, j) => expect(Math.abs(r2[j]! - directR2(sub(g), [sub(cov)]))).toBeLessThan(1e-12));
  });

  it('removes a SNP equal to a covariate, keeps the others, and does nothing without covariates', () => {
    const g = snp();
    const other = snp();
    const bed = memoryBed([g, other]);
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    const af = Float64Array.from([g, other], afOf);
    const status = new Uint8Array(2);
    expect(markCollinear(bed, idx, [Float64Array.from(g)], af, status, 0, 6)).toBe(1);
    expect(Array.from(status)).toEqual([6, 0]);
    // A SNP already removed by another filter keeps its reason.
    const removed = Uint8Array.from([2, 0]);
    expect(markCollinear(bed, idx, [Float64Array.from(g)], af, removed, 0, 6)).toBe(0);
    expect(Array.from(removed)).toEqual([2, 0]);
    // The intercept alone (GEMMA: W with one column) never removes a SNP, even a nearly constant one.
    const nearlyConstant = Array.from({ length: 4000 }, (_, i) => (i === 0 ? 1 : 2));
    expect(directR2(nearlyConstant, [])).toBeGreaterThan(R2_LEVEL);
    const many = Int32Array.from({ length: 4000 }, (_, i) => i);
    expect(markCollinear(memoryBed([nearlyConstant]), many, [], Float64Array.of(afOf(nearlyConstant)), new Uint8Array(1), 0, 6)).toBe(0);
  });

  it('removes a SNP with r2 just above 0.9999 and keeps one just below (the direct fit says which is which)', () => {
    const g = snp();
    const noise = Array.from({ length: n }, () => rand() - 0.5);
    const covariateAt = (t: number): number[] => g.map((v, i) => v + t * noise[i]!);
    // The noise scale t at which the direct r2 is `target`, by bisection (r2 falls as t grows).
    const scaleFor = (target: number): number => {
      let lo = 0;
      let hi = 10;
      for (let k = 0; k < 200; k++) {
        const mid = (lo + hi) / 2;
        if (directR2(g, [covariateAt(mid)]) > target) lo = mid;
        else hi = mid;
      }
      return (lo + hi) / 2;
    };
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    const af = Float64Array.of(afOf(g));
    for (const [target, removed] of [
      [R2_LEVEL + 2e-7, 1],
      [R2_LEVEL - 2e-7, 0],
    ] as const) {
      const cov = covariateAt(scaleFor(target));
      expect(Math.abs(directR2(g, [cov]) - target)).toBeLessThan(1e-9);
      const status = new Uint8Array(1);
      expect(markCollinear(memoryBed([g]), idx, [Float64Array.from(cov)], af, status, 0, 6), `r2 ${target}`).toBe(removed);
    }
  });
});
