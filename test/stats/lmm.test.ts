import { describe, expect, it } from 'vitest';
import { BlockFitter } from '../../engine/scan/fit-block.js';
import { gemmFast } from '../../engine/stats/kernels/gemm.js';
import { BIMBAM_PRIOR } from '../../engine/stats/bayes/prior.js';
import { emStep, EmWorkspace, marginalLogLikelihood, runEm, type EmState } from '../../engine/stats/lmm/em.js';
import { fitModel } from '../../engine/stats/lmm/fit.js';
import { ProfileLikelihood } from '../../engine/stats/lmm/profile.js';
import { add, col, identity, inverse, logDetSpd, mul, scale, trace, transpose, type Mat } from '../helpers/dense.js';
import { firstColumns, makeCase } from '../helpers/lmmcase.js';

/** K = Q^T S Q as a dense matrix. */
function denseK(q: Float64Array, s: Float64Array): Mat {
  const n = s.length;
  const k: Mat = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let m = 0; m < n; m++) acc += q[m * n + i]! * s[m]! * q[m * n + j]!;
      k[i]![j] = acc;
    }
  return k;
}

/** The marginal log-likelihood in the original space, by dense algebra. */
function denseLogLik(kd: Mat, x: Float64Array[], y: Float64Array, beta: ArrayLike<number>, sa2: number, se2: number): number {
  const n = y.length;
  const v = add(scale(kd, sa2), scale(identity(n), se2));
  const r = Array.from(y, (yi, i) => yi - x.reduce((acc, c, j) => acc + c[i]! * beta[j]!, 0));
  const vi = inverse(v);
  const quad = mul(transpose(col(r)), mul(vi, col(r)))[0]![0]!;
  return -0.5 * (n * Math.log(2 * Math.PI) + logDetSpd(v) + quad);
}

describe('EM in the eigenbasis', () => {
  it('matches the lecture matrix form iterate for iterate (A invertible, Z = I)', () => {
    const c = makeCase({ n: 25, seed: 11, sigmaA2: 1, sigmaE2: 0.7, snpEffect: 0.3 });
    const A = denseK(c.q, c.s);
    const Ainv = inverse(A);
    const X: Mat = Array.from({ length: c.n }, (_, i) => c.x.map((cc) => cc[i]!));
    const Y = col(c.y);
    const XtXinvXt = mul(inverse(mul(transpose(X), X)), transpose(X));
    // Lecture's matrix EM (with the misprints corrected as in model.md).
    let beta: Mat = col([0, 0, 0]);
    let sa2 = 0.5;
    let se2 = 0.5;
    const ws = new EmWorkspace(c.model);
    let cur: EmState = { beta: new Float64Array(3), sigmaA2: sa2, sigmaE2: se2 };
    const next: EmState = { beta: new Float64Array(3), sigmaA2: 0, sigmaE2: 0 };
    for (let it = 0; it < 6; it++) {
      const delta = se2 / sa2;
      const Ca = inverse(add(identity(c.n), scale(Ainv, delta)));
      const a = mul(Ca, add(Y, scale(mul(X, beta), -1)));
      const Va = scale(Ca, se2);
      beta = mul(XtXinvXt, add(Y, scale(a, -1)));
      const newSa2 = (mul(transpose(a), mul(Ainv, a))[0]![0]! + trace(mul(Ainv, Va))) / c.n;
      const r = add(add(Y, scale(mul(X, beta), -1)), scale(a, -1));
      const newSe2 = (mul(transpose(r), r)[0]![0]! + trace(Va)) / c.n;
      sa2 = newSa2;
      se2 = newSe2;

      emStep(ws, cur, next);
      expect(next.sigmaA2).toBeCloseTo(sa2, 12);
      expect(next.sigmaE2).toBeCloseTo(se2, 12);
      for (let j = 0; j < 3; j++) expect(next.beta[j]).toBeCloseTo(beta[j]![0]!, 11);
      cur = { beta: Float64Array.from(next.beta), sigmaA2: next.sigmaA2, sigmaE2: next.sigmaE2 };
    }
  });

  it('computes the marginal log-likelihood that the dense formula gives', () => {
    const c = makeCase({ n: 30, seed: 3, sigmaA2: 1.2, sigmaE2: 0.4, zeroEigen: 2 });
    const st: EmState = { beta: Float64Array.from([1.1, 0.2, -0.1]), sigmaA2: 0.9, sigmaE2: 0.6 };
    expect(marginalLogLikelihood(c.model, st)).toBeCloseTo(denseLogLik(denseK(c.q, c.s), c.x, c.y, st.beta, 0.9, 0.6), 9);
  });

  it('never decreases the log-likelihood', () => {
    const c = makeCase({ n: 60, seed: 5, sigmaA2: 1, sigmaE2: 1, zeroEigen: 1 });
    const ws = new EmWorkspace(c.model);
    let cur: EmState = { beta: new Float64Array(3), sigmaA2: 1, sigmaE2: 1 };
    let l = marginalLogLikelihood(c.model, cur);
    for (let it = 0; it < 200; it++) {
      const next: EmState = { beta: new Float64Array(3), sigmaA2: 0, sigmaE2: 0 };
      emStep(ws, cur, next);
      const ln = marginalLogLikelihood(c.model, next);
      expect(ln).toBeGreaterThanOrEqual(l - 1e-10);
      l = ln;
      cur = next;
    }
  });
});

describe("maximum likelihood: the scan's fast route, EM and the exact optimiser agree", () => {
  const cases = [
    { name: 'interior, h2 ~ 0.5', opts: { n: 120, seed: 21, sigmaA2: 1, sigmaE2: 1, snpEffect: 0.2 } },
    { name: 'interior, singular K (3 zero eigenvalues)', opts: { n: 120, seed: 22, sigmaA2: 1, sigmaE2: 0.8, zeroEigen: 3 } },
    { name: 'near sigmaA2 = 0', opts: { n: 150, seed: 23, sigmaA2: 0.001, sigmaE2: 1 } },
    { name: 'exactly no genetic variance', opts: { n: 150, seed: 24, sigmaA2: 0, sigmaE2: 1 } },
    { name: 'near sigmaE2 = 0, definite K', opts: { n: 100, seed: 25, sigmaA2: 1, sigmaE2: 0.0005 } },
    { name: 'near sigmaE2 = 0, singular K', opts: { n: 100, seed: 26, sigmaA2: 1, sigmaE2: 0.001, zeroEigen: 1 } },
    { name: 'with a covariate', opts: { n: 100, seed: 27, sigmaA2: 0.5, sigmaE2: 1, extraCovariate: true } },
  ];
  for (const { name, opts } of cases) {
    it(name, () => {
      const c = makeCase(opts);
      const boundaryStall = opts.sigmaE2 < 0.01;
      const prof = new ProfileLikelihood(c.model.s, 8);
      const p = c.model.x.length;
      const kd = denseK(c.q, c.s);
      for (const model of [firstColumns(c.model, p - 2), c.model]) {
        const exact = fitModel(model, prof, { method: 'exact' });
        // The reported fit is a real point of the likelihood: the dense formula at its parameters.
        expect(denseLogLik(kd, model === c.model ? c.x : c.x.slice(0, p - 2), c.y, exact.beta, exact.sigmaA2, exact.sigmaE2)).toBeCloseTo(exact.logl, 6);
        // Plain EM reaches the ML except where it stalls at a boundary (sigmaE2 -> 0); SQUAREM-accelerated
        // EM (the same EM map) reaches it everywhere.
        for (const method of boundaryStall ? (['squarem'] as const) : (['em', 'squarem'] as const)) {
          const em = fitModel(model, prof, {
            method,
            emStart: { beta: new Float64Array(model.x.length), sigmaA2: 1, sigmaE2: 1 },
            emTol: 1e-13,
            emMaxIter: 200000,
          });
          expect(em.logl, method).toBeGreaterThan(exact.logl - 1e-6);
          expect(em.logl, method).toBeLessThan(exact.logl + 1e-6);
        }
      }
      // The scan's fast route (engine/scan/fit-block.ts, what --method fast runs for each SNP): the
      // SNP's two columns against the null model fitted as a scan fits it (exactly), one block of one SNP.
      const nullModel = firstColumns(c.model, p - 2);
      const nullFit = fitModel(nullModel, prof, { method: 'exact' });
      const full = fitModel(c.model, prof, { method: 'exact' });
      const fitter = new BlockFitter({ n: c.n, s: c.model.s, yStar: c.model.y, wStar: nullModel.x, nullFit }, 'add-dom', 'fast', gemmFast, BIMBAM_PRIOR);
      const xRot = new Float64Array(2 * c.n);
      xRot.set(c.model.x[p - 2]!, 0);
      xRot.set(c.model.x[p - 1]!, c.n);
      const { rows } = fitter.fitBlock(xRot, [{ snp: 0, af: 0.5, nMiss: 0, classes: 3 }]);
      const row = rows[0]!;
      expect(row.df).toBe(2);
      expect(row.loglH1).toBeGreaterThan(full.logl - 1e-6);
      expect(full.logl).toBeGreaterThan(row.loglH1 - 1e-6);
      expect(row.betaA).toBeCloseTo(full.beta[p - 2]!, 4);
      expect(row.flag).toBe('');
      expect(row.lrt).toBeCloseTo(2 * (full.logl - nullFit.logl), 5);
    });
  }

  it('plain EM stalls short of a boundary optimum even after 200,000 iterations (why the fast route exists)', () => {
    const c = makeCase({ n: 100, seed: 25, sigmaA2: 1, sigmaE2: 0.0005 });
    const prof = new ProfileLikelihood(c.model.s, 8);
    const exact = fitModel(c.model, prof, { method: 'exact' });
    const em = runEm(c.model, { beta: new Float64Array(3), sigmaA2: 1, sigmaE2: 1 }, { tol: 1e-13, maxIter: 200000 });
    expect(em.logl).toBeLessThan(exact.logl - 1e-4);
  });
});
