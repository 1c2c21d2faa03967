import { choleskyInPlace, choleskySolveInPlace } from '../linalg.js';
import { LN_2PI, type EigenModel } from './model.js';

/** The parameters the EM algorithm iterates on. */
export interface EmState {
  beta: Float64Array;
  sigmaA2: number;
  sigmaE2: number;
}

/**
 * Precomputed pieces of one model for EM: the Cholesky factor of X*^T X* (= X^T X, as U is
 * orthogonal), the rank q of K, and work buffers.
 */
export class EmWorkspace {
  readonly model: EigenModel;
  readonly p: number;
  readonly xtxChol: Float64Array;
  /** q = rank of K = number of s_i > 0. */
  readonly q: number;
  readonly aStar: Float64Array;
  readonly resid: Float64Array;

  constructor(model: EigenModel) {
    this.model = model;
    const { n, x, s } = model;
    const p = x.length;
    this.p = p;
    const m = new Float64Array(p * p);
    for (let j = 0; j < p; j++)
      for (let k = 0; k <= j; k++) {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += x[j]![i]! * x[k]![i]!;
        m[j * p + k] = acc;
        m[k * p + j] = acc;
      }
    if (p > 0 && !choleskyInPlace(m, p)) throw new Error('EM: the fixed-effect design is singular');
    this.xtxChol = m;
    let q = 0;
    for (let i = 0; i < n; i++) if (s[i]! > 0) q++;
    this.q = q;
    this.aStar = new Float64Array(n);
    this.resid = new Float64Array(n);
  }
}

/**
 * The marginal log-likelihood of y at (b, sigmaA2, sigmaE2), in the eigenbasis:
 *   l = -1/2 [ n ln(2 pi) + sum_i ln(sigmaA2 s_i + sigmaE2) + sum_i (y* - X* b)_i^2 / (sigmaA2 s_i + sigmaE2) ]
 */
export function marginalLogLikelihood(model: EigenModel, st: EmState): number {
  const { n, s, y, x } = model;
  let sumLog = 0;
  let quad = 0;
  for (let i = 0; i < n; i++) {
    let r = y[i]!;
    for (let j = 0; j < x.length; j++) r -= x[j]![i]! * st.beta[j]!;
    const v = st.sigmaA2 * s[i]! + st.sigmaE2;
    sumLog += Math.log(v);
    quad += (r * r) / v;
  }
  return -0.5 * (n * LN_2PI + sumLog + quad);
}

/**
 * One iteration of the lecture's EM algorithm, in the eigenbasis (docs/model.md, misprints corrected).
 * With delta = sigmaE2 / sigmaA2 from the previous iterate:
 *
 *   E:  a*_i = s_i / (s_i + delta) * (y* - X* b)_i
 *       V_a  = U diag(sigmaE2 s_i / (s_i + delta)) U^T
 *   M:  b       = (X*^T X*)^-1 X*^T (y* - a*)
 *       sigmaA2 = (1/q) [ sum_{s_i>0} a*_i^2 / s_i + sigmaE2 sum_{s_i>0} 1 / (s_i + delta) ]
 *       sigmaE2 = (1/n) [ |y* - X* b - a*|^2 + sigmaE2 sum_i s_i / (s_i + delta) ]
 *
 * The traces use the previous sigmaE2 (they come from V_a of the E step). Writes the new iterate into `next`.
 */
export function emStep(ws: EmWorkspace, cur: EmState, next: EmState): void {
  const { model, p, q, aStar, resid, xtxChol } = ws;
  const { n, s, y, x } = model;
  const sigmaE2 = cur.sigmaE2;
  const delta = sigmaE2 / cur.sigmaA2;

  // E step: a* (the posterior mean of the random effect, rotated).
  for (let i = 0; i < n; i++) {
    let r = y[i]!;
    for (let j = 0; j < p; j++) r -= x[j]![i]! * cur.beta[j]!;
    aStar[i] = (s[i]! / (s[i]! + delta)) * r;
  }

  // M step for b: least squares of y* - a* on X*.
  const beta = next.beta;
  for (let j = 0; j < p; j++) {
    let acc = 0;
    const xj = x[j]!;
    for (let i = 0; i < n; i++) acc += xj[i]! * (y[i]! - aStar[i]!);
    beta[j] = acc;
  }
  if (p > 0) choleskySolveInPlace(xtxChol, p, beta);

  // M step for the variances.
  let aQuad = 0; // sum_{s_i>0} a*_i^2 / s_i   (= a^T A^-1 a)
  let traceA = 0; // sum_{s_i>0} 1 / (s_i + delta)   (tr(A^-1 V_a) / sigmaE2)
  let traceE = 0; // sum_i s_i / (s_i + delta)       (tr(Z^T Z V_a) / sigmaE2)
  let rss = 0; // |y* - X* b - a*|^2
  for (let i = 0; i < n; i++) {
    const si = s[i]!;
    if (si > 0) {
      aQuad += (aStar[i]! * aStar[i]!) / si;
      traceA += 1 / (si + delta);
    }
    traceE += si / (si + delta);
    let r = y[i]! - aStar[i]!;
    for (let j = 0; j < p; j++) r -= x[j]![i]! * beta[j]!;
    resid[i] = r;
    rss += r * r;
  }
  next.sigmaA2 = (aQuad + sigmaE2 * traceA) / q;
  next.sigmaE2 = (rss + sigmaE2 * traceE) / n;
}

export interface EmResult {
  state: EmState;
  logl: number;
  iterations: number;
  converged: boolean;
}

export interface EmOptions {
  /** Stop when l changes by less than this between iterations. */
  tol?: number;
  maxIter?: number;
  /**
   * Lower bound for delta = sigmaE2 / sigmaA2 (see optimise.ts: with singular K the likelihood has a
   * degenerate spike at delta -> 0). An iterate below it is projected back onto delta = deltaMin.
   */
  deltaMin?: number;
  /** SQUAREM acceleration (Varadhan & Roland 2008, scheme S3) of the same EM map. */
  accelerate?: boolean;
}

function copyState(from: EmState, to: EmState): void {
  to.beta.set(from.beta);
  to.sigmaA2 = from.sigmaA2;
  to.sigmaE2 = from.sigmaE2;
}

function project(st: EmState, deltaMin: number): void {
  if (st.sigmaE2 < deltaMin * st.sigmaA2) st.sigmaE2 = deltaMin * st.sigmaA2;
}

/**
 * The lecture's EM: iterate emStep from `start` until the log-likelihood changes by less than `tol`
 * (the change of l, not of the parameters) or maxIter is reached. Plain EM increases l at every step,
 * converges linearly and stalls near a boundary: the teaching and verification route.
 * With `accelerate`, each cycle takes two EM steps, extrapolates along them (SQUAREM) and
 * stabilises with a third; a cycle that would lower l falls back to the plain steps, so l still
 * never decreases and the fixed points are EM's own.
 */
export function runEm(model: EigenModel, start: EmState, opts: EmOptions = {}): EmResult {
  const tol = opts.tol ?? 1e-10;
  const maxIter = opts.maxIter ?? 100000;
  const deltaMin = opts.deltaMin ?? 0;
  const ws = new EmWorkspace(model);
  const mk = (): EmState => ({ beta: new Float64Array(ws.p), sigmaA2: 0, sigmaE2: 0 });
  const cur = mk();
  copyState({ beta: Float64Array.from(start.beta), sigmaA2: start.sigmaA2, sigmaE2: start.sigmaE2 }, cur);
  project(cur, deltaMin);
  const s1 = mk();
  const s2 = mk();
  const ex = mk();
  const s3 = mk();
  let l = marginalLogLikelihood(model, cur);
  let it = 0;
  while (it < maxIter) {
    let ln: number;
    emStep(ws, cur, s1);
    project(s1, deltaMin);
    it++;
    if (!opts.accelerate) {
      ln = marginalLogLikelihood(model, s1);
      copyState(s1, cur);
    } else {
      emStep(ws, s1, s2);
      project(s2, deltaMin);
      it++;
      const l2 = marginalLogLikelihood(model, s2);
      // r = s1 - cur, v = s2 - 2 s1 + cur, over all parameters.
      let rr = 0;
      let vv = 0;
      const diff = (a0: number, a1: number, a2: number): void => {
        const r = a1 - a0;
        const v = a2 - 2 * a1 + a0;
        rr += r * r;
        vv += v * v;
      };
      for (let j = 0; j < ws.p; j++) diff(cur.beta[j]!, s1.beta[j]!, s2.beta[j]!);
      diff(cur.sigmaA2, s1.sigmaA2, s2.sigmaA2);
      diff(cur.sigmaE2, s1.sigmaE2, s2.sigmaE2);
      let alpha = vv > 0 ? -Math.sqrt(rr / vv) : -1;
      if (alpha > -1) alpha = -1;
      let accepted = false;
      for (let tries = 0; tries < 20 && alpha <= -1; tries++) {
        // theta' = cur - 2 alpha r + alpha^2 v
        const ext = (a0: number, a1: number, a2: number): number =>
          a0 - 2 * alpha * (a1 - a0) + alpha * alpha * (a2 - 2 * a1 + a0);
        for (let j = 0; j < ws.p; j++) ex.beta[j] = ext(cur.beta[j]!, s1.beta[j]!, s2.beta[j]!);
        ex.sigmaA2 = ext(cur.sigmaA2, s1.sigmaA2, s2.sigmaA2);
        ex.sigmaE2 = ext(cur.sigmaE2, s1.sigmaE2, s2.sigmaE2);
        if (ex.sigmaA2 > 0 && ex.sigmaE2 > 0) {
          project(ex, deltaMin);
          emStep(ws, ex, s3);
          project(s3, deltaMin);
          it++;
          const l3 = marginalLogLikelihood(model, s3);
          if (l3 >= l2) {
            accepted = true;
            copyState(s3, cur);
            ln = l3;
            break;
          }
        }
        alpha = (alpha - 1) / 2;
        if (alpha > -1.0001) break;
      }
      if (!accepted) {
        copyState(s2, cur);
        ln = l2;
      }
    }
    const change = ln! - l;
    l = ln!;
    if (Math.abs(change) < tol || !(cur.sigmaA2 > 0) || !(cur.sigmaE2 > 0)) {
      return { state: cur, logl: l, iterations: it, converged: Math.abs(change) < tol };
    }
  }
  return { state: cur, logl: l, iterations: it, converged: false };
}
