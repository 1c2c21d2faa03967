import { describe, expect, it } from 'vitest';
import { bootstrapTable, invertBootstrap, searchGrid, type BootstrapTable } from '../../engine/stats/heritability/bootstrap-interval.js';
import { H2Likelihood, type HeritabilityBasis } from '../../engine/stats/heritability/h2-likelihood.js';
import { heritabilityReport } from '../../engine/stats/heritability/heritability.js';
import { mlHeritability } from '../../engine/stats/heritability/ml-estimate.js';
import { posteriorGrid } from '../../engine/stats/heritability/posterior-grid.js';
import { profileInterval } from '../../engine/stats/heritability/profile-interval.js';
import { symEigen } from '../../engine/stats/kernels/eigen.js';
import { fitModel } from '../../engine/stats/lmm/fit.js';
import { ProfileLikelihood } from '../../engine/stats/lmm/profile.js';
import { Rng } from '../../engine/stats/random.js';
import { Rng as BenchRng } from '../../bench/simulate.js';
import { inverse, logDetSpd, type Mat } from '../helpers/dense.js';

/** chi2_1 0.95 quantile (R: qchisq(0.95, 1)). */
const CHI2_95 = 3.841458820694124;

/** A simulated trait on a genomic relationship matrix, in the original space and in the engine's eigenbasis. */
interface GrmCase {
  n: number;
  /** Dense K (row-major n x n) and its scale t = tr(K) / n, in the original space. */
  k: Float64Array;
  t: number;
  x: Float64Array[];
  y: Float64Array;
  basis: HeritabilityBasis;
}

/**
 * Genotypes of m SNPs (allele frequencies uniform on [0.05, 0.5]), centred by their means, K = G G^T / m
 * (so K 1 = 0, as the scan's re-centred kinship), plus ridge I when asked (a positive definite K).
 * y = X b + g + e with g ~ N(0, sigmaA2 K), sigmaA2 = h2 / t, sigmaE2 = 1 - h2 (PVE = h2).
 * The eigenbasis comes from the engine's solver, as in engine/scan/prepare.ts (eigenvalues < 1e-10 set to 0).
 */
function grmCase(opts: { n: number; m: number; seed: number; h2: number; covariate?: boolean; ridge?: number; extra?: number }): GrmCase {
  const { n, m } = opts;
  const rng = new Rng(opts.seed);
  const g = new Float64Array(n * m);
  for (let j = 0; j < m; j++) {
    const f = 0.05 + 0.45 * rng.next();
    let mean = 0;
    for (let i = 0; i < n; i++) {
      const v = rng.genotype(f);
      g[i * m + j] = v;
      mean += v;
    }
    mean /= n;
    for (let i = 0; i < n; i++) g[i * m + j] = g[i * m + j]! - mean;
  }
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let l = 0; l <= i; l++) {
      let acc = 0;
      for (let j = 0; j < m; j++) acc += g[i * m + j]! * g[l * m + j]!;
      k[i * n + l] = k[l * n + i] = acc / m + (i === l ? (opts.ridge ?? 0) : 0);
    }
  let tr = 0;
  for (let i = 0; i < n; i++) tr += k[i * n + i]!;
  const t = tr / n;
  const e = symEigen(k, n);
  const s = e.values;
  for (let i = 0; i < n; i++) if (s[i]! < 1e-10) s[i] = 0;
  const ut = e.vectorsT;
  const x: Float64Array[] = [new Float64Array(n).fill(1)];
  if (opts.covariate) x.push(Float64Array.from({ length: n }, () => rng.normal()));
  for (let e = 0; e < (opts.extra ?? 0); e++) x.push(Float64Array.from({ length: n }, () => rng.normal())); // no effect
  const sa2 = opts.h2 / t;
  const se2 = 1 - opts.h2;
  const gz = Float64Array.from(s, (sk) => Math.sqrt(Math.max(sk, 0) * sa2) * rng.normal());
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let gi = 0;
    for (let q = 0; q < n; q++) gi += ut[q * n + i]! * gz[q]!;
    y[i] = 1.5 + (opts.covariate ? 0.3 * x[1]![i]! : 0) + gi + Math.sqrt(se2) * rng.normal();
  }
  const rot = (v: Float64Array): Float64Array => {
    const o = new Float64Array(n);
    for (let q = 0; q < n; q++) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += ut[q * n + i]! * v[i]!;
      o[q] = acc;
    }
    return o;
  };
  let ts = 0;
  for (const v of s) ts += v;
  return { n, k, t, x, y, basis: { s, yStar: rot(y), wStar: x.map(rot), kinshipScale: ts / n } };
}

// ---------- Dense references in the original space (number[][] algebra of test/helpers/dense.ts) ----------

interface DenseParts {
  /** ln|H|, ln|X'H^-1 X|, Q = r'H^-1 r with r = y - X b, b the GLS estimate. */
  logDetH: number;
  logDetM: number;
  q: number;
}

/** H = h2 K / t + (1 - h2) I in the original space, its Cholesky factor, and GLS by triangular solves. */
function denseParts(c: GrmCase, h2: number): DenseParts {
  const { n, t } = c;
  const l = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) l[i] = (h2 / t) * c.k[i]!;
  for (let i = 0; i < n; i++) l[i * n + i] = l[i * n + i]! + (1 - h2);
  // Cholesky H = L L^T (lower triangle, row-major).
  let logDetH = 0;
  for (let j = 0; j < n; j++) {
    let d = l[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! ** 2;
    if (!(d > 0)) return { logDetH: NaN, logDetM: NaN, q: NaN };
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    logDetH += 2 * Math.log(ljj);
    for (let i = j + 1; i < n; i++) {
      let v = l[i * n + j]!;
      for (let k = 0; k < j; k++) v -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = v / ljj;
    }
  }
  /** H^-1 v by forward and back substitution. */
  const solve = (v: ArrayLike<number>): Float64Array => {
    const u = Float64Array.from(v);
    for (let i = 0; i < n; i++) {
      let a = u[i]!;
      for (let k = 0; k < i; k++) a -= l[i * n + k]! * u[k]!;
      u[i] = a / l[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let a = u[i]!;
      for (let k = i + 1; k < n; k++) a -= l[k * n + i]! * u[k]!;
      u[i] = a / l[i * n + i]!;
    }
    return u;
  };
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += a[i]! * b[i]!;
    return acc;
  };
  const hiX = c.x.map(solve);
  const mm: Mat = c.x.map((_, j) => c.x.map((_, k) => dot(c.x[j]!, hiX[k]!)));
  const xtHiy = hiX.map((col) => dot(col, c.y));
  const mInv = inverse(mm);
  const b = mInv.map((row) => row.reduce((acc, v, k) => acc + v * xtHiy[k]!, 0));
  const r = Float64Array.from(c.y, (yi, i) => yi - c.x.reduce((acc, col, j) => acc + col[i]! * b[j]!, 0));
  const q = dot(r, solve(r));
  return { logDetH, logDetM: logDetSpd(mm), q };
}

/** The ML log-likelihood with V = sigma^2 H(h2), maximised over b and sigma^2 (closed forms): -1/2 [n ln 2pi + ln|V| + r'V^-1 r]. */
function denseProfile(c: GrmCase, h2: number): number {
  const { n } = c;
  const d = denseParts(c, h2);
  const sigma2 = d.q / n;
  return -0.5 * (n * Math.log(2 * Math.PI) + n * Math.log(sigma2) + d.logDetH + d.q / sigma2);
}

/** log of the marginal density of y with b ~ flat and p(sigma^2) ~ 1/sigma^2 integrated out, constant dropped. */
function denseLogMarginal(c: GrmCase, h2: number): number {
  const d = denseParts(c, h2);
  return -0.5 * d.logDetM - 0.5 * d.logDetH - 0.5 * (c.n - c.x.length) * Math.log(d.q);
}

/** Golden-section maximum of f on [a, b] to 1e-11. */
function goldenMax(f: (x: number) => number, a: number, b: number): { x: number; f: number } {
  const r = (Math.sqrt(5) - 1) / 2;
  let x1 = b - r * (b - a);
  let x2 = a + r * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  while (b - a > 1e-11) {
    if (f1 < f2) {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + r * (b - a);
      f2 = f(x2);
    } else {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - r * (b - a);
      f1 = f(x1);
    }
  }
  return f1 > f2 ? { x: x1, f: f1 } : { x: x2, f: f2 };
}

// Gauss-Kronrod 7-15 (QUADPACK qk15), nodes never at the ends of an interval.
const XGK = [0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926, 0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961, 0.207784955007898467600689403773245, 0];
const WGK = [0.02293532201052922496373200805897, 0.063092092629978553290700663189204, 0.10479001032225018383987632254152, 0.140653259715525918745189590510238, 0.16900472663926790282658342659855, 0.190350578064785409913256402421014, 0.204432940075298892414161999234649, 0.209482141084727828012999174891714];
const WG = [0.129484966168869693270611432679082, 0.27970539148927666790146777142378, 0.381830050505118944950369775488975, 0.417959183673469387755102040816327];

function gk15(f: (x: number) => number, a: number, b: number): { k: number; err: number } {
  const c = 0.5 * (a + b);
  const h = 0.5 * (b - a);
  const fc = f(c);
  let k = WGK[7]! * fc;
  let g = WG[3]! * fc;
  for (let j = 0; j < 7; j++) {
    const fs = f(c - h * XGK[j]!) + f(c + h * XGK[j]!);
    k += WGK[j]! * fs;
    if (j % 2 === 1) g += WG[(j - 1) / 2]! * fs;
  }
  return { k: k * h, err: Math.abs((k - g) * h) };
}

/**
 * Adaptive Gauss-Kronrod: bisect until each piece's |K15 - G7| is below tol times its share of [a, b]
 * (pieces shorter than 1e-10 are taken as they are). b < a integrates backwards.
 */
function adaptiveGk(f: (x: number) => number, a: number, b: number, tol: number): number {
  if (b === a) return 0;
  if (b < a) return -adaptiveGk(f, b, a, tol);
  const piece = (lo: number, hi: number): number => {
    const r = gk15(f, lo, hi);
    if (r.err <= (tol * (hi - lo)) / (b - a) || hi - lo < 1e-10) return r.k;
    const mid = 0.5 * (lo + hi);
    return piece(lo, mid) + piece(mid, hi);
  };
  return piece(a, b);
}

describe('the likelihoods of h2 in the eigenbasis', () => {
  const c = grmCase({ n: 40, m: 200, seed: 3, h2: 0.6, covariate: true });
  it('equal the dense original-space formulas and ProfileLikelihood at delta = t (1 - h2) / h2', () => {
    const lik = new H2Likelihood(c.basis);
    const prof = new ProfileLikelihood(c.basis.s, 2);
    prof.bind({ n: c.n, s: c.basis.s, y: c.basis.yStar, x: c.basis.wStar });
    for (const h2 of [0, 0.05, 0.3, 0.6, 0.9, 0.999]) {
      expect(lik.profileLogLik(h2)).toBeCloseTo(denseProfile(c, h2), 8);
      expect(lik.logMarginal(h2)).toBeCloseTo(denseLogMarginal(c, h2), 8);
      const l = h2 === 0 ? prof.evaluateSigmaA2Zero() : prof.evaluateDelta((c.basis.kinshipScale * (1 - h2)) / h2, false);
      expect(lik.profileLogLik(h2)).toBeCloseTo(l, 9);
    }
  });
});

describe('profile-likelihood interval of h2', () => {
  it('estimates the scan null PVE (fitModel exact) and puts its ends where 2 (l_max - l) = chi2_1(0.95), by dense formulas', () => {
    let unclipped = 0;
    for (const [seed, h2, covariate] of [[11, 0.5, false], [12, 0.3, true], [13, 0.8, false], [14, 0.6, true]] as const) {
      const c = grmCase({ n: 200, m: 500, seed, h2, covariate });
      const pr = profileInterval(c.basis);
      // The scan's null PVE: t sigmaA2 / (t sigmaA2 + sigmaE2) of fitModel's exact fit (engine/scan/run.ts).
      const prof = new ProfileLikelihood(c.basis.s, c.x.length + 2);
      const nf = fitModel({ n: c.n, s: c.basis.s, y: c.basis.yStar, x: c.basis.wStar }, prof, { method: 'exact' });
      const t = c.basis.kinshipScale;
      expect(pr.ml.where).toBe('interior');
      expect(pr.ml.h2).toBeCloseTo((t * nf.sigmaA2) / (t * nf.sigmaA2 + nf.sigmaE2), 12);
      expect(pr.threshold).toBeCloseTo(CHI2_95, 12);
      // Independent maximum of the dense profile over h2 between the ends.
      const top = goldenMax((x) => denseProfile(c, x), pr.lower, Math.min(pr.upper, 1 - 1e-6));
      expect(top.x).toBeCloseTo(pr.ml.h2, 6);
      const t2 = t / (t + 1e-5); // the upper end of the ML search for a singular K
      const lowClipped = pr.clipped === 'lower' || pr.clipped === 'both';
      const highClipped = pr.clipped === 'upper' || pr.clipped === 'both';
      if (lowClipped) expect(2 * (top.f - denseProfile(c, 0))).toBeLessThan(CHI2_95);
      else {
        expect(Math.abs(2 * (top.f - denseProfile(c, pr.lower)) - CHI2_95)).toBeLessThan(1e-6);
        unclipped++;
      }
      if (highClipped) {
        expect(pr.upper).toBe(1);
        expect(2 * (top.f - denseProfile(c, t2))).toBeLessThan(CHI2_95);
      } else {
        expect(Math.abs(2 * (top.f - denseProfile(c, pr.upper)) - CHI2_95)).toBeLessThan(1e-6);
        unclipped++;
      }
      expect(pr.lower).toBeLessThan(pr.ml.h2);
      expect(pr.upper).toBeGreaterThan(pr.ml.h2);
      // The curve: ~200 points over [0, 1] with the estimate among them, l - l_max <= 0, 0 at the estimate;
      // its last point is delta = 1e-5 (singular K), where the degenerate rise of l may show.
      expect(pr.curve.h2.length).toBe(201);
      const at = pr.curve.h2.indexOf(pr.ml.h2);
      expect(pr.curve.logLikRatio[at]).toBe(0);
      expect(pr.curve.h2[200]).toBe(t2);
      for (let q = 0; q <= 200; q += 40) {
        const v = pr.curve.logLikRatio[q]!;
        if (q < 200) expect(v).toBeLessThanOrEqual(1e-9);
        expect(v).toBeCloseTo(denseProfile(c, pr.curve.h2[q]!) - top.f, 6);
      }
    }
    expect(unclipped).toBeGreaterThanOrEqual(6);
  });

  it('is clipped at 0 when the ML is sigmaA2 = 0, with the upper end still at the threshold', () => {
    let found = 0;
    for (let seed = 100; seed < 130 && found < 2; seed++) {
      const c = grmCase({ n: 50, m: 200, seed, h2: 0 });
      const pr = profileInterval(c.basis);
      if (pr.ml.where !== 'sigmaA2=0') continue;
      found++;
      expect(pr.ml.h2).toBe(0);
      expect(pr.lower).toBe(0);
      expect(pr.clipped).toBe('lower');
      const l0 = denseProfile(c, 0);
      expect(Math.abs(2 * (l0 - denseProfile(c, pr.upper)) - CHI2_95)).toBeLessThan(1e-6);
      // No h2 in (0, 0.1) beats sigmaA2 = 0.
      expect(goldenMax((x) => denseProfile(c, x), 1e-9, Math.min(0.1, pr.upper)).f).toBeLessThanOrEqual(l0 + 1e-9);
    }
    expect(found).toBe(2);
  });

  it('is clipped at 1 when the likelihood has not dropped by chi2/2 before delta = 1e-5 (singular K)', () => {
    let found = 0;
    for (let seed = 200; seed < 240 && found < 1; seed++) {
      const c = grmCase({ n: 50, m: 400, seed, h2: 0.97 });
      const pr = profileInterval(c.basis);
      if (pr.clipped !== 'upper') continue;
      found++;
      expect(pr.upper).toBe(1);
      expect(pr.ml.h2).toBeGreaterThan(pr.lower);
      const lmax = denseProfile(c, pr.ml.h2);
      expect(Math.abs(2 * (lmax - denseProfile(c, pr.lower)) - CHI2_95)).toBeLessThan(1e-6);
      // Up to delta = 1e-5 (h2 = t / (t + 1e-5)) the likelihood stays above the threshold.
      const t = c.basis.kinshipScale;
      for (const x of [0.99, 0.999, t / (t + 1e-4)]) if (x > pr.ml.h2) expect(2 * (lmax - denseProfile(c, x))).toBeLessThan(CHI2_95);
    }
    expect(found).toBe(1);
  });
});

describe('posterior of h2 on a grid', () => {
  const cases: [string, GrmCase][] = [
    ['re-centred GRM, intercept (K null space in span X)', grmCase({ n: 50, m: 300, seed: 21, h2: 0.5 })],
    ['re-centred GRM, intercept + covariate, high h2', grmCase({ n: 45, m: 300, seed: 22, h2: 0.85, covariate: true })],
    ['GRM of fewer SNPs than individuals (null space not in span X)', grmCase({ n: 50, m: 30, seed: 23, h2: 0.4 })],
    ['positive definite K (GRM + 0.2 I)', grmCase({ n: 40, m: 200, seed: 24, h2: 0.3, ridge: 0.2 })],
    ['re-centred GRM, intercept + 3 covariates (all nodes in one matrix product)', grmCase({ n: 50, m: 300, seed: 25, h2: 0.6, covariate: true, extra: 2 })],
  ];
  for (const [name, c] of cases) {
    it(`agrees with adaptive Gauss-Kronrod integration of the dense density to 1e-6: ${name}`, () => {
      const post = posteriorGrid(c.basis);
      expect(post.gridPoints).toBe(4001);
      expect(post.endpoint).toBe(name.startsWith('positive') ? 'exact' : 'extrapolated');
      // Reference: the dense marginal, shifted by its maximum on a coarse scan, integrated to 1e-13.
      const logm = (x: number): number => denseLogMarginal(c, x);
      let shift = -Infinity;
      for (let q = 1; q < 100; q++) shift = Math.max(shift, logm(q / 100));
      const f = (x: number): number => Math.exp(logm(x) - shift);
      // Adaptively on [0, 1 - 1e-6], then one 15-point rule on [1 - 1e-6, 1] (its nodes avoid h2 = 1, where
      // the dense H is singular for a singular K; that piece holds at most 1e-6 of the mass).
      const end = 1 - 1e-6;
      const integral = (g: (x: number) => number): number => adaptiveGk(g, 0, end, 1e-12) + gk15(g, end, 1).k;
      const z = integral(f);
      const mean = integral((x) => x * f(x)) / z;
      expect(Math.abs(post.logNormaliser - (Math.log(z) + shift))).toBeLessThan(1e-6);
      expect(Math.abs(post.mean / mean - 1)).toBeLessThan(1e-6);
      // Quantiles: Newton on F(x) = F(x0) + integral from x0 to x, F(x0) integrated once.
      for (const [prob, got] of [[0.025, post.lower], [0.975, post.upper]] as const) {
        const x0 = got;
        const f0 = adaptiveGk(f, 0, x0, 1e-12) / z;
        let x = x0;
        for (let it = 0; it < 4; it++) x -= (f0 + adaptiveGk(f, x0, x, 1e-13) / z - prob) / (f(x) / z);
        expect(Math.abs(got - x)).toBeLessThan(1e-6);
      }
      // Mode: the maximum of the dense marginal.
      const best = goldenMax(logm, Math.max(1e-9, post.mode - 0.01), Math.min(1 - 1e-9, post.mode + 0.01));
      if (post.mode > 0 && post.mode < 1) expect(Math.abs(post.mode - best.x)).toBeLessThan(1e-6);
      // The curve is the normalised density.
      expect(post.curve.h2.length).toBeGreaterThanOrEqual(200);
      const mid = post.curve.h2.findIndex((v) => v >= 0.5);
      expect(post.curve.density[mid]!).toBeCloseTo(f(post.curve.h2[mid]!) / z, 6);
    });
  }

  it('takes well under a second at n = 2000', () => {
    const n = 2000;
    const rng = new Rng(5);
    const s = Float64Array.from({ length: n }, (_, i) => (i === 0 ? 0 : 2 * rng.next()));
    const x = new Float64Array(n);
    x[0] = Math.sqrt(n);
    const y = Float64Array.from(s, (v) => Math.sqrt(0.5 * v + 0.5) * rng.normal());
    y[0] = 0;
    const basis = { s, yStar: y, wStar: [x], kinshipScale: 1 };
    const t0 = performance.now();
    const post = posteriorGrid(basis);
    const ms = performance.now() - t0;
    expect(post.mean).toBeGreaterThan(0.3);
    expect(ms).toBeLessThan(1000);
  });
});

describe('parametric bootstrap interval (ALBI)', () => {
  it('draws from the one generator: bench/simulate re-exports the engine Rng', () => {
    expect(BenchRng).toBe(Rng);
  });

  it("finds each replicate's ML h2 as the exact optimiser does, and is deterministic in its seed", () => {
    const c = grmCase({ n: 120, m: 400, seed: 31, h2: 0.5, covariate: true });
    const reps = 40;
    const gridPoints = 6; // true h2 = 0, 0.2, ..., 1
    const table = bootstrapTable(c.basis, { replicates: reps, gridPoints, seed: 9 });
    const again = bootstrapTable(c.basis, { replicates: reps, gridPoints, seed: 9 });
    expect(again.estimates).toEqual(table.estimates);
    const other = bootstrapTable(c.basis, { replicates: reps, gridPoints, seed: 10 });
    expect(other.estimates[2]).not.toEqual(table.estimates[2]);
    // The same replicates by hand: 2 w + 1 = 5 sets of z from Rng(9), row by row, set g mod 5 at true
    // value g, y*_i = sqrt(h2 s_i / t + 1 - h2) z_i.
    const { s, kinshipScale: t } = c.basis;
    const n = c.n;
    expect(table.window).toBe(2);
    const rng = new Rng(9);
    const pool = Float64Array.from({ length: 5 * reps * n }, () => rng.normal());
    let atoms = 0;
    for (let g = 0; g < gridPoints; g++) {
      const h2 = g / (gridPoints - 1);
      expect(table.h2[g]).toBeCloseTo(h2, 15);
      const exact = new Float64Array(reps);
      let zeros = 0;
      let tops = 0;
      const z = pool.subarray((g % 5) * reps * n, ((g % 5) + 1) * reps * n);
      for (let b = 0; b < reps; b++) {
        const y = Float64Array.from(s, (sv, i) => Math.sqrt((h2 * sv) / t + 1 - h2) * z[b * n + i]!);
        const ml = mlHeritability({ ...c.basis, yStar: y });
        exact[b] = ml.h2;
        if (ml.where === 'sigmaA2=0') zeros++;
        if (ml.where === 'delta-min') tops++;
      }
      exact.sort();
      expect(table.atomZero[g]).toBe(zeros / reps);
      expect(table.atomTop[g]).toBe(tops / reps);
      atoms += zeros + tops;
      for (let b = 0; b < reps; b++) expect(Math.abs(table.estimates[g]![b]! - exact[b]!)).toBeLessThan(3e-5);
    }
    expect(atoms).toBeGreaterThan(10); // the boundaries were exercised
    expect(table.top).toBe(t / (t + 1e-5)); // singular K: the ML stops at delta = 1e-5
  });

  it('covers the optimiser range with the coarse search grid', () => {
    const g = searchGrid(Math.log(1e-5), Math.log(1e10), Math.log(0.8), 0.9);
    expect(g[0]).toBe(Math.log(1e-5));
    expect(g[g.length - 1]).toBe(Math.log(1e10));
    for (let k = 1; k < g.length; k++) {
      const step = g[k]! - g[k - 1]!;
      expect(step).toBeGreaterThan(0);
      const mid = 0.5 * (g[k]! + g[k - 1]!);
      expect(step).toBeLessThanOrEqual(Math.abs(Math.log(0.8) - mid) <= 7 ? 0.9 + 1e-12 : 2.5 + 1e-12);
    }
  });

  /** A table whose estimator is exactly clamp(h + sigma N(0, 1), 0, 1): B evenly spaced normal quantiles. */
  function normalTable(sigma: number, reps: number, step: number, window = 2): BootstrapTable {
    const G = Math.round(1 / step) + 1;
    const qn = normalQuantiles(reps);
    const h2 = new Float64Array(G);
    const estimates: Float64Array[] = [];
    const atomZero = new Float64Array(G);
    const atomTop = new Float64Array(G);
    for (let g = 0; g < G; g++) {
      h2[g] = g / (G - 1);
      const e = Float64Array.from(qn, (q) => Math.min(1, Math.max(0, h2[g]! + sigma * q)));
      estimates.push(e);
      atomZero[g] = e.filter((v) => v === 0).length / reps;
      atomTop[g] = e.filter((v) => v === 1).length / reps;
    }
    return { level: 0.95, seed: 0, replicates: reps, window, h2, estimates, top: 1, atomZero, atomTop };
  }

  it('inverts the acceptance regions with the ALBI boundary rule (analytic Neyman intervals of a clamped normal)', () => {
    const sigma = 0.1;
    const table = normalTable(sigma, 4000, 0.01);
    const z975 = 1.959963984540054;
    const z95 = 1.6448536269514722;
    const tol = 2e-3;
    const check = (x: number, lower: number, upper: number): void => {
      const r = invertBootstrap(table, x);
      expect(Math.abs(r.lower - lower)).toBeLessThan(tol);
      expect(Math.abs(r.upper - upper)).toBeLessThan(tol);
    };
    // Interior: equal tails, [x - 1.96 sigma, x + 1.96 sigma].
    check(0.5, 0.5 - z975 * sigma, 0.5 + z975 * sigma);
    // At the boundary atom: accepted while P(est = 0) = Phi(-h / sigma) >= 0.025, i.e. h <= 1.96 sigma.
    check(0, 0, z975 * sigma);
    check(1, 1 - z975 * sigma, 1);
    // Near 0: the lower end is closed for h <= 1.96 sigma, so the whole alpha goes to the upper tail there:
    // accepted iff P(est >= x) >= 0.05, i.e. h >= x - 1.645 sigma (for h <= 0.196), else h >= x - 1.96 sigma.
    check(0.3, 0.3 - z95 * sigma, 0.3 + z975 * sigma);
    check(0.05, 0, 0.05 + z975 * sigma);
    check(0.7, 0.7 - z975 * sigma, 0.7 + z95 * sigma);
    // A grid step (0.02) near the estimator's spread (sigma = 0.03, as at n ~ 2000): the probit-scale
    // interpolation keeps the ends right.
    const narrow = normalTable(0.03, 4000, 0.02);
    for (const x of [0.41, 0.5, 0.77]) {
      const r = invertBootstrap(narrow, x);
      expect(Math.abs(r.lower - (x - z975 * 0.03))).toBeLessThan(1e-3);
      expect(Math.abs(r.upper - (x + z975 * 0.03))).toBeLessThan(1e-3);
    }
  });
});

describe('heritabilityReport', () => {
  it('is one plain JSON record with the scan PVE and the three intervals around it', () => {
    const c = grmCase({ n: 80, m: 300, seed: 41, h2: 0.6 });
    const rep = heritabilityReport(c.basis, { bootstrap: { replicates: 200, gridPoints: 26, seed: 3 } });
    expect(JSON.parse(JSON.stringify(rep))).toEqual(rep);
    const nums: number[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'number') nums.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(rep);
    expect(nums.every(Number.isFinite)).toBe(true);
    const ml = mlHeritability(c.basis);
    expect(rep.estimate).toBe(ml.h2);
    expect(rep.level).toBe(0.95);
    for (const iv of [rep.profile, rep.posterior, rep.bootstrap]) {
      expect(iv.lower).toBeLessThan(rep.estimate);
      expect(iv.upper).toBeGreaterThan(rep.estimate);
      expect(iv.lower).toBeGreaterThanOrEqual(0);
      expect(iv.upper).toBeLessThanOrEqual(1);
    }
    expect(rep.bootstrap).toMatchObject({ replicates: 200, gridPoints: 26, seed: 3 });
    // A precomputed table (it depends on s and X only) gives the same interval.
    const table = bootstrapTable(c.basis, { replicates: 200, gridPoints: 26, seed: 3 });
    expect(heritabilityReport(c.basis, { table }).bootstrap).toEqual(rep.bootstrap);
    expect(invertBootstrap(table, rep.estimate)).toEqual({ lower: rep.bootstrap.lower, upper: rep.bootstrap.upper });
  });
});

/** Phi^-1((b + 0.5) / B), b = 0..B-1, by bisection on erfc-based Phi (Abramowitz-Stegun 7.1.26 is too coarse: use a series). */
function normalQuantiles(reps: number): Float64Array {
  const phi = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);
  const out = new Float64Array(reps);
  for (let b = 0; b < reps; b++) {
    const p = (b + 0.5) / reps;
    let lo = -10;
    let hi = 10;
    for (let it = 0; it < 80; it++) {
      const mid = 0.5 * (lo + hi);
      if (phi(mid) < p) lo = mid;
      else hi = mid;
    }
    out[b] = 0.5 * (lo + hi);
  }
  return out;
}

/** erfc by its continued fraction (x > 2) or Taylor series of erf (|x| <= 2): accurate to ~1e-14. */
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x <= 2) {
    let term = x;
    let sum = x;
    for (let k = 1; k < 200; k++) {
      term *= (-x * x) / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Lentz continued fraction: erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))).
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
