/**
 * The per-SNP Bayes factors (engine/stats/bayes): the exact BIMBAM Bayes factor, computed in the
 * eigenbasis at the null delta, against numerical integration of likelihood times prior in the
 * original space (dense n x n matrices, nested Gauss-Legendre quadrature over the effects and
 * ln sigma^2); Wakefield's approximation against the exact one as n grows; the posterior
 * probability of association.
 */
import { describe, expect, it } from 'vitest';
import { BlockFitter } from '../../engine/scan/fit-block.js';
import { ConjugateBayesFactor } from '../../engine/stats/bayes/conjugate-bf.js';
import { posteriorProbability } from '../../engine/stats/bayes/posterior-probability.js';
import { BIMBAM_PRIOR, type EffectPrior } from '../../engine/stats/bayes/prior.js';
import { gemmFast } from '../../engine/stats/kernels/gemm.js';
import { fitModel } from '../../engine/stats/lmm/fit.js';
import type { EigenModel } from '../../engine/stats/lmm/model.js';
import { ProfileLikelihood } from '../../engine/stats/lmm/profile.js';
import { inverse, logDetSpd, type Mat } from '../helpers/dense.js';
import { makeCase, type LmmCase } from '../helpers/lmmcase.js';
import { Rng } from '../helpers/random.js';

/** Gauss-Legendre nodes and weights on [-1, 1] (Newton on the Legendre polynomial). */
function gaussLegendre(m: number): { x: number[]; w: number[] } {
  const x: number[] = [];
  const w: number[] = [];
  for (let i = 1; i <= m; i++) {
    let z = Math.cos((Math.PI * (i - 0.25)) / (m + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = z;
      for (let k = 2; k <= m; k++) [p0, p1] = [p1, ((2 * k - 1) * z * p1 - (k - 1) * p0) / k];
      dp = (m * (z * p1 - p0)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    x.push(z);
    w.push(2 / ((1 - z * z) * dp * dp));
  }
  return { x, w };
}

const GL = gaussLegendre(10);

/** Composite Gauss-Legendre nodes over [a, b]: panels of 10 points. */
function nodes(a: number, b: number, panels: number): { x: number[]; w: number[] } {
  const x: number[] = [];
  const w: number[] = [];
  const h = (b - a) / panels;
  for (let p = 0; p < panels; p++)
    for (let k = 0; k < GL.x.length; k++) {
      x.push(a + h * (p + (GL.x[k]! + 1) / 2));
      w.push((h / 2) * GL.w[k]!);
    }
  return { x, w };
}

const dotV = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);
const matVec = (m: Mat, v: number[]): number[] => m.map((r) => dotV(r, v));

/**
 * ln BF by numerical integration, in the original space: V = sigma^2 (K / delta + I), covariates
 * c ~ N(0, sigma^2 sigmaC^2 I) with a large sigmaC (integrated analytically: y - X beta ~ N(0, sigma^2 M),
 * M = K / delta + I + sigmaC^2 W W'), beta ~ N(0, sigma^2 Sigma) and p(sigma^2) = 1 / sigma^2, both
 * integrated numerically (u = ln sigma^2, so p(sigma^2) d sigma^2 = du).
 */
function lnBfByIntegration(k: Mat, nullDelta: number, w: Float64Array[], x: Float64Array[], y: Float64Array, priorVar: number[]): number {
  const n = y.length;
  const sigmaC2 = 1e8;
  // A null fit at sigmaE2 = 0 leaves no residual scale: the engine then takes delta = 1e-5.
  const delta = Math.max(nullDelta, 1e-5);
  const m: Mat = k.map((row, i) => row.map((v, j) => (delta === Infinity ? 0 : v / delta) + (i === j ? 1 : 0) + sigmaC2 * w.reduce((s, c) => s + c[i]! * c[j]!, 0)));
  const mInv = inverse(m);
  const yv = Array.from(y);
  const xv = x.map((c) => Array.from(c));
  const yMy = dotV(yv, matVec(mInv, yv));
  const b = xv.map((c) => dotV(c, matVec(mInv, yv)));
  const a = xv.map((c1) => xv.map((c2) => dotV(c1, matVec(mInv, c2))));
  const ld = logDetSpd(m);
  const lnNormal = (quad: number, u: number, dim: number, logdet: number): number => -0.5 * dim * (Math.log(2 * Math.PI) + u) - 0.5 * logdet - quad / (2 * Math.exp(u));
  // The null: integrate over u around the peak at sigma^2 = yMy / n.
  const u0 = Math.log(yMy / n);
  const us = nodes(u0 - 6, u0 + 6, 30);
  const lse = (terms: number[]): number => {
    const mx = Math.max(...terms);
    return mx + Math.log(terms.reduce((s, t) => s + Math.exp(t - mx), 0));
  };
  const ln0 = lse(us.x.map((u, i) => Math.log(us.w[i]!) + lnNormal(yMy, u, n, ld)));
  // The alternative: for each u, beta over its conditional mean +- 12 sd (a box per coordinate).
  const p = x.length;
  const prec: Mat = a.map((r, i) => r.map((v, j) => v + (i === j ? 1 / priorVar[i]! : 0)));
  const cov = inverse(prec);
  const mean = matVec(cov, b);
  const lnPriorDet = priorVar.reduce((s, v) => s + Math.log(v), 0);
  const terms1: number[] = [];
  for (let iu = 0; iu < us.x.length; iu++) {
    const u = us.x[iu]!;
    const sd = cov.map((r, i) => Math.sqrt(r[i]! * Math.exp(u)));
    const grids = mean.map((mu, i) => nodes(mu - 12 * sd[i]!, mu + 12 * sd[i]!, 12));
    const inner: number[] = [];
    const lnW = Math.log(us.w[iu]!);
    const term = (beta: number[], lnWeight: number): void => {
      const quadY = yMy - 2 * dotV(beta, b) + dotV(beta, matVec(a, beta));
      const quadB = beta.reduce((acc, v, i) => acc + (v * v) / priorVar[i]!, 0);
      inner.push(lnWeight + lnNormal(quadY, u, n, ld) + lnNormal(quadB, u, p, lnPriorDet));
    };
    const g0 = grids[0]!;
    for (let q0 = 0; q0 < g0.x.length; q0++) {
      if (p === 1) term([g0.x[q0]!], lnW + Math.log(g0.w[q0]!));
      else {
        const g1 = grids[1]!;
        for (let q1 = 0; q1 < g1.x.length; q1++) term([g0.x[q0]!, g1.x[q1]!], lnW + Math.log(g0.w[q0]!) + Math.log(g1.w[q1]!));
      }
    }
    terms1.push(lse(inner));
  }
  return lse(terms1) - ln0;
}

/** The dense K = Q^T S Q of a case (q's rows are K's eigenvectors). */
function denseK(c: LmmCase): Mat {
  const { n, q, s } = c;
  const k: Mat = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let e = 0; e < n; e++)
    for (let i = 0; i < n; i++) {
      const v = q[e * n + i]! * s[e]!;
      if (v === 0) continue;
      for (let j = 0; j < n; j++) k[i]![j]! += v * q[e * n + j]!;
    }
  return k;
}

describe('the exact Bayes factor (BIMBAM prior, null delta)', () => {
  const cases = [
    { name: 'additive, intercept only', opts: { n: 30, seed: 11, sigmaA2: 0.6, sigmaE2: 0.4, snpEffect: 0.5 }, twoDf: false, covariates: 1 },
    { name: 'additive + dominance, a covariate, singular K', opts: { n: 28, seed: 12, sigmaA2: 0.5, sigmaE2: 0.5, zeroEigen: 2, snpEffect: 0.4, extraCovariate: true }, twoDf: true, covariates: 2 },
    { name: 'additive + dominance, no effect', opts: { n: 32, seed: 13, sigmaA2: 0.8, sigmaE2: 0.3 }, twoDf: true, covariates: 1 },
  ];
  for (const { name, opts, twoDf, covariates } of cases) {
    it(`equals numerical integration of likelihood x prior to 1e-6: ${name}`, () => {
      const c = makeCase(opts);
      const w = c.model.x.slice(0, covariates);
      const nullFit = fitModel({ ...c.model, x: w }, new ProfileLikelihood(c.s, 6), { method: 'exact' });
      const k = denseK(c);
      const xa = c.model.x[covariates]!;
      const xd = c.model.x[covariates + 1]!;
      for (const sigmaA of [0.2, 0.5]) {
        const prior: EffectPrior = { sigmaA: [sigmaA], dominanceRatio: 0.5 };
        const bf = new ConjugateBayesFactor(c.s, c.model.y, w, nullFit.delta, prior);
        const got = bf.lnBayesFactor(xa, twoDf ? xd : undefined);
        const cols = twoDf ? [c.x[covariates]!, c.x[covariates + 1]!] : [c.x[covariates]!];
        const vars = twoDf ? [sigmaA ** 2, (0.5 * sigmaA) ** 2] : [sigmaA ** 2];
        const want = lnBfByIntegration(k, nullFit.delta, c.x.slice(0, covariates), cols, c.y, vars);
        // Relative in BF: |BF / BF_ref - 1| = |exp(ln BF - ln BF_ref) - 1|.
        expect(Math.abs(Math.expm1(got - want)), `sigmaA ${sigmaA}: ${got} vs ${want}`).toBeLessThan(1e-6);
      }
    });
  }

  it('averages the Bayes factors (not their logarithms) over the prior list; sigmaA2 = 0 at the null weighs the observations equally', () => {
    const c = makeCase({ n: 30, seed: 21, sigmaA2: 0.5, sigmaE2: 0.5, snpEffect: 0.6 });
    const w = c.model.x.slice(0, 1);
    const one = (sa: number, delta: number): number => new ConjugateBayesFactor(c.s, c.model.y, w, delta, { sigmaA: [sa], dominanceRatio: 0.25 }).lnBayesFactor(c.model.x[1]!, c.model.x[2]!);
    const mix = new ConjugateBayesFactor(c.s, c.model.y, w, 0.8, BIMBAM_PRIOR).lnBayesFactor(c.model.x[1]!, c.model.x[2]!);
    const mean = BIMBAM_PRIOR.sigmaA.reduce((s, sa) => s + Math.exp(one(sa, 0.8)), 0) / BIMBAM_PRIOR.sigmaA.length;
    expect(mix).toBeCloseTo(Math.log(mean), 12);
    const want = lnBfByIntegration(denseK(c), Infinity, c.x.slice(0, 1), [c.x[1]!, c.x[2]!], c.y, [0.04, 0.0025]);
    expect(Math.abs(Math.expm1(one(0.2, Infinity) - want))).toBeLessThan(1e-6);
  });
});

describe("Wakefield's approximate Bayes factor", () => {
  /** A case in the eigenbasis directly (any orthogonal U is some kinship's): n can be large. */
  function rotatedCase(n: number, seed: number, twoDf: boolean): { model: EigenModel; w: Float64Array[]; xa: Float64Array; xd: Float64Array } {
    const rng = new Rng(seed);
    const s = Float64Array.from({ length: n }, () => 0.2 + 1.8 * rng.next());
    const w0 = Float64Array.from({ length: n }, () => rng.normal());
    const xa = Float64Array.from({ length: n }, () => rng.normal());
    const xd = Float64Array.from({ length: n }, () => 0.5 * rng.normal() + 0.3 * xa[0]!);
    // Effects shrinking like 1/sqrt(n): z stays about 3 whatever n is.
    const ba = 3 / Math.sqrt(n);
    const bd = twoDf ? 2 / Math.sqrt(n) : 0;
    const y = Float64Array.from({ length: n }, (_, i) => 0.7 * w0[i]! + ba * xa[i]! + bd * xd[i]! + Math.sqrt(0.5 * s[i]! + 0.5) * rng.normal());
    return { model: { n, s, y, x: [w0] }, w: [w0], xa, xd };
  }

  for (const twoDf of [false, true]) {
    it(`approaches the exact Bayes factor as n grows (${twoDf ? '2 df' : '1 df'})`, () => {
      const gaps: number[] = [];
      for (const n of [100, 400, 1600, 6400]) {
        let gap = 0;
        const reps = 12;
        for (let r = 0; r < reps; r++) {
          const { model, w, xa, xd } = rotatedCase(n, 1000 * n + r, twoDf);
          const nullFit = fitModel(model, new ProfileLikelihood(model.s, 4), { method: 'exact' });
          const fitter = new BlockFitter({ n, s: model.s, yStar: model.y, wStar: w, nullFit }, twoDf ? 'add-dom' : 'additive', 'fast', gemmFast, BIMBAM_PRIOR);
          const block = new Float64Array((twoDf ? 2 : 1) * n);
          block.set(xa, 0);
          if (twoDf) block.set(xd, n);
          const row = fitter.fitBlock(block, [{ snp: 0, af: 0.3, nMiss: 0, classes: 3 }]).rows[0]!;
          expect(row.df).toBe(twoDf ? 2 : 1);
          gap += Math.abs(row.log10Bf - row.log10Abf) / reps;
        }
        gaps.push(gap);
      }
      if (process.env['KINSCAN_PRINT']) console.log(`ABF gaps ${twoDf ? 2 : 1} df: ${gaps.map((g) => g.toFixed(4)).join(', ')}`);
      // The mean |log10 BF - log10 ABF| falls with every fourfold n, to below 0.01 at n = 6400.
      for (let i = 1; i < gaps.length; i++) expect(gaps[i], gaps.join(', ')).toBeLessThan(gaps[i - 1]!);
      expect(gaps.at(-1)!, gaps.join(', ')).toBeLessThan(0.01);
    });
  }
});

describe('the posterior probability of association', () => {
  it('is pi BF / (pi BF + 1 - pi), without overflow at huge or tiny Bayes factors', () => {
    const pi = 1e-4;
    for (const log10Bf of [-3, 0, 2, 4, 6]) {
      const bf = 10 ** log10Bf;
      expect(posteriorProbability(log10Bf * Math.LN10, pi)).toBeCloseTo((pi * bf) / (pi * bf + 1 - pi), 14);
    }
    expect(posteriorProbability(900 * Math.LN10, pi)).toBe(1);
    expect(posteriorProbability(-900 * Math.LN10, pi)).toBeGreaterThanOrEqual(0);
    expect(posteriorProbability(-900 * Math.LN10, pi)).toBeLessThan(1e-300);
    expect(posteriorProbability(4 * Math.LN10, pi)).toBeCloseTo(0.5, 4);
  });
});
