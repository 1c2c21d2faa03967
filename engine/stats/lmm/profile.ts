import { choleskyInPlace, choleskySolveInPlace, choleskyInverseDiagonal } from '../linalg.js';
import { LN_2PI, type EigenModel } from './model.js';

/**
 * The profile log-likelihood of delta = sigmaE2 / sigmaA2, with b and sigmaA2 at their ML values
 * given delta (closed forms). With H = K + delta I (eigenvalues s_i + delta), w_i = 1 / (s_i + delta):
 *
 *   b(delta)       = (X*^T W X*)^-1 X*^T W y*            (GLS)
 *   Q(delta)       = y^T P y = sum_i w_i r_i^2,            r = y* - X* b
 *   sigmaA2(delta) = Q / n,   sigmaE2 = delta sigmaA2
 *   l(delta)       = -n/2 (1 + ln 2pi + ln(Q/n)) - 1/2 sum_i ln(s_i + delta)
 *
 * Derivatives (P = W - W X (X^T W X)^-1 X^T W, dP/d delta = -P P):
 *   dl/d delta   = -1/2 sum w_i + n/2 Q1/Q,                       Q1 = y^T P P y = sum w_i^2 r_i^2
 *   d2l/d delta2 =  1/2 sum w_i^2 + n/2 ((Q1/Q)^2 - 2 Q2/Q),      Q2 = y^T P P P y
 * and the optimiser works in t = ln delta: dl/dt = delta l', d2l/dt2 = delta l' + delta^2 l''.
 *
 * One evaluation is O(n p^2) with p the number of fixed effects; buffers are reused, nothing allocated.
 */
export class ProfileLikelihood {
  readonly n: number;
  readonly s: Float64Array;
  private y: Float64Array = new Float64Array(0);
  private x: Float64Array[] = [];
  private p = 0;
  private readonly w: Float64Array;
  private readonly m: Float64Array;
  private readonly bvec: Float64Array;
  private readonly g: Float64Array;
  private readonly cross: Float64Array;
  private readonly xi: Float64Array;
  private readonly tmp: Float64Array;
  /** True when every s_i > 0, i.e. delta = 0 (sigmaE2 = 0) is a proper boundary. */
  readonly kernelIsDefinite: boolean;

  /** Results of the last evaluation. */
  logl = NaN;
  dlogl = NaN; // d l / d t
  d2logl = NaN; // d2 l / d t2
  q = NaN;

  constructor(s: Float64Array, maxCols: number) {
    this.n = s.length;
    this.s = s;
    this.w = new Float64Array(this.n);
    this.m = new Float64Array(maxCols * maxCols);
    this.bvec = new Float64Array(maxCols);
    this.g = new Float64Array(maxCols);
    this.cross = new Float64Array(((maxCols + 1) * (maxCols + 2)) / 2);
    this.xi = new Float64Array(maxCols);
    this.tmp = new Float64Array(maxCols);
    let definite = true;
    for (let i = 0; i < this.n; i++) if (!(s[i]! > 0)) definite = false;
    this.kernelIsDefinite = definite;
  }

  /** Point the evaluator at a model's data (columns must be linearly independent). */
  bind(model: EigenModel): void {
    this.y = model.y;
    this.x = model.x;
    this.p = model.x.length;
    this.lastDelta = NaN;
  }

  get columns(): number {
    return this.p;
  }

  /**
   * Fill M = X^T W X (lower triangle + full copy), b = X^T W y. Weights must be in w.
   */
  private gls(): void {
    const { n, w, x, y, p, m, bvec } = this;
    for (let j = 0; j < p; j++) {
      const xj = x[j]!;
      for (let k = 0; k <= j; k++) {
        const xk = x[k]!;
        let acc = 0;
        for (let i = 0; i < n; i++) acc += w[i]! * xj[i]! * xk[i]!;
        m[j * p + k] = acc;
        m[k * p + j] = acc;
      }
      let acc = 0;
      for (let i = 0; i < n; i++) acc += w[i]! * xj[i]! * y[i]!;
      bvec[j] = acc;
    }
  }

  /**
   * Evaluate l at delta = exp(t) (and its first two t-derivatives when derivs is true).
   * Returns l; -Infinity if the weighted design is singular at this delta.
   */
  evaluate(t: number, derivs: boolean): number {
    const delta = Math.exp(t);
    return this.evaluateDelta(delta, derivs);
  }

  /** delta of the last successful evaluateDelta, whose b and Cholesky factor are still in the buffers. */
  private lastDelta = NaN;

  evaluateDelta(delta: number, derivs: boolean): number {
    const { n, p, w, m, bvec, x, y, g, s } = this;
    this.lastDelta = NaN;
    // Pass 1: weights, ln|H| (products of 16 factors per logarithm), and the weighted
    // cross-products M = X'WX, X'Wy, y'Wy, all in one sweep over i.
    const cross = this.cross;
    cross.fill(0, 0, (p * (p + 1)) / 2 + p + 1);
    let logdet = 0;
    let prod = 1;
    if (p === 2) {
      // The common case (intercept + Xa), unrolled: same sums, no inner loops.
      const x0 = x[0]!;
      const x1 = x[1]!;
      let c00 = 0, c0y = 0, c10 = 0, c11 = 0, c1y = 0;
      for (let i = 0; i < n; i++) {
        const d = s[i]! + delta;
        const wi = 1 / d;
        w[i] = wi;
        prod *= d;
        if ((i & 15) === 15) {
          logdet += Math.log(prod);
          prod = 1;
        }
        const yi = y[i]!;
        const a0 = x0[i]!;
        const a1 = x1[i]!;
        const wa0 = wi * a0;
        const wa1 = wi * a1;
        c00 += wa0 * a0;
        c0y += wa0 * yi;
        c10 += wa1 * a0;
        c11 += wa1 * a1;
        c1y += wa1 * yi;
      }
      cross[0] = c00;
      cross[1] = c0y;
      cross[2] = c10;
      cross[3] = c11;
      cross[4] = c1y;
    } else if (p === 3) {
      // Intercept + Xa + Xd (the default 2-df test), unrolled.
      const x0 = x[0]!;
      const x1 = x[1]!;
      const x2 = x[2]!;
      let c00 = 0, c0y = 0, c10 = 0, c11 = 0, c1y = 0, c20 = 0, c21 = 0, c22 = 0, c2y = 0;
      for (let i = 0; i < n; i++) {
        const d = s[i]! + delta;
        const wi = 1 / d;
        w[i] = wi;
        prod *= d;
        if ((i & 15) === 15) {
          logdet += Math.log(prod);
          prod = 1;
        }
        const yi = y[i]!;
        const a0 = x0[i]!;
        const a1 = x1[i]!;
        const a2 = x2[i]!;
        const wa0 = wi * a0;
        const wa1 = wi * a1;
        const wa2 = wi * a2;
        c00 += wa0 * a0;
        c0y += wa0 * yi;
        c10 += wa1 * a0;
        c11 += wa1 * a1;
        c1y += wa1 * yi;
        c20 += wa2 * a0;
        c21 += wa2 * a1;
        c22 += wa2 * a2;
        c2y += wa2 * yi;
      }
      cross[0] = c00;
      cross[1] = c0y;
      cross[2] = c10;
      cross[3] = c11;
      cross[4] = c1y;
      cross[5] = c20;
      cross[6] = c21;
      cross[7] = c22;
      cross[8] = c2y;
    } else {
      const xi = this.xi;
      for (let i = 0; i < n; i++) {
        const d = s[i]! + delta;
        const wi = 1 / d;
        w[i] = wi;
        prod *= d;
        if ((i & 15) === 15) {
          logdet += Math.log(prod);
          prod = 1;
        }
        const yi = y[i]!;
        let c = 0;
        for (let j = 0; j < p; j++) {
          const xj = x[j]![i]!;
          xi[j] = xj;
          const wx = wi * xj;
          for (let k = 0; k <= j; k++) cross[c++] += wx * xi[k]!;
          cross[c++] += wx * yi;
        }
      }
    }
    logdet += Math.log(prod);
    for (let j = 0, c = 0; j < p; j++) {
      for (let k = 0; k <= j; k++) {
        m[j * p + k] = cross[c]!;
        m[k * p + j] = cross[c++]!;
      }
      bvec[j] = cross[c++]!;
    }
    // Solve for b, Q = y'Wy - b'X'Wy.
    if (p > 0 && !choleskyInPlace(m, p)) {
      this.logl = -Infinity;
      return this.logl;
    }
    if (p > 0) choleskySolveInPlace(m, p, bvec);

    // Pass 2: residuals r = y - X b, and from them Q = sum w r^2 (not y'Wy - b'X'Wy, which cancels
    // catastrophically when some w_i are huge: small delta with zero eigenvalues), and the sums for
    // the derivatives, Q1 = sum w^2 r^2, Q2 and g = X' W^2 r.
    let qr = 0;
    let sumW = 0;
    let sumW2 = 0;
    let q1 = 0;
    let q2a = 0;
    g.fill(0, 0, p);
    if (p === 2) {
      const x0 = x[0]!;
      const x1 = x[1]!;
      const b0 = bvec[0]!;
      const b1 = bvec[1]!;
      let g0 = 0;
      let g1 = 0;
      for (let i = 0; i < n; i++) {
        const a0 = x0[i]!;
        const a1 = x1[i]!;
        const ri = y[i]! - b0 * a0 - b1 * a1;
        const wi = w[i]!;
        const wr = wi * ri;
        qr += wr * ri;
        const w2r = wi * wr;
        sumW += wi;
        sumW2 += wi * wi;
        q1 += wr * wr;
        q2a += w2r * wr;
        g0 += a0 * w2r;
        g1 += a1 * w2r;
      }
      g[0] = g0;
      g[1] = g1;
    } else if (p === 3) {
      const x0 = x[0]!;
      const x1 = x[1]!;
      const x2 = x[2]!;
      const b0 = bvec[0]!;
      const b1 = bvec[1]!;
      const b2 = bvec[2]!;
      let g0 = 0;
      let g1 = 0;
      let g2 = 0;
      for (let i = 0; i < n; i++) {
        const a0 = x0[i]!;
        const a1 = x1[i]!;
        const a2 = x2[i]!;
        const ri = y[i]! - b0 * a0 - b1 * a1 - b2 * a2;
        const wi = w[i]!;
        const wr = wi * ri;
        qr += wr * ri;
        const w2r = wi * wr;
        sumW += wi;
        sumW2 += wi * wi;
        q1 += wr * wr;
        q2a += w2r * wr;
        g0 += a0 * w2r;
        g1 += a1 * w2r;
        g2 += a2 * w2r;
      }
      g[0] = g0;
      g[1] = g1;
      g[2] = g2;
    } else {
      for (let i = 0; i < n; i++) {
        let ri = y[i]!;
        for (let j = 0; j < p; j++) ri -= bvec[j]! * x[j]![i]!;
        const wi = w[i]!;
        const wr = wi * ri;
        qr += wr * ri;
        const w2r = wi * wr;
        sumW += wi;
        sumW2 += wi * wi;
        q1 += wr * wr;
        q2a += w2r * wr;
        for (let j = 0; j < p; j++) g[j] += x[j]![i]! * w2r;
      }
    }
    const q = qr;
    this.q = q;
    this.logl = q > 0 ? -0.5 * n * (1 + LN_2PI + Math.log(q / n)) - 0.5 * logdet : -Infinity;
    this.lastDelta = delta;
    if (!derivs) return this.logl;

    // Q2 = v'Wv - (X'Wv)' M^-1 (X'Wv), v = P y = W r.
    const gsol = this.tmp;
    for (let j = 0; j < p; j++) gsol[j] = g[j]!;
    if (p > 0) choleskySolveInPlace(m, p, gsol);
    let q2 = q2a;
    for (let j = 0; j < p; j++) q2 -= g[j]! * gsol[j]!;

    const dDelta = -0.5 * sumW + (0.5 * n * q1) / q;
    const d2Delta = 0.5 * sumW2 + 0.5 * n * ((q1 / q) * (q1 / q) - (2 * q2) / q);
    this.dlogl = delta * dDelta;
    this.d2logl = delta * dDelta + delta * delta * d2Delta;
    return this.logl;
  }

  /**
   * The correlation of coefficients j and k in (X^T H^-1 X)^-1 at the last evaluation (the
   * covariance of b up to the scale, which cancels): from the Cholesky factor it left in the buffers.
   */
  lastCorrelation(j: number, k: number): number {
    const { p, m } = this;
    const col = (which: number): Float64Array => {
      const e = new Float64Array(p);
      e[which] = 1;
      choleskySolveInPlace(m, p, e);
      return e;
    };
    const ej = col(j);
    const ek = col(k);
    return ej[k]! / Math.sqrt(ej[j]! * ek[k]!);
  }

  private residualQ(): number {
    const { n, p, w, x, y, bvec } = this;
    let q = 0;
    for (let i = 0; i < n; i++) {
      let ri = y[i]!;
      for (let j = 0; j < p; j++) ri -= bvec[j]! * x[j]![i]!;
      q += w[i]! * ri * ri;
    }
    return q;
  }

  /**
   * The limit delta -> infinity: sigmaA2 = 0, ordinary least squares.
   * l = -n/2 (1 + ln 2pi + ln(RSS/n)).
   */
  evaluateSigmaA2Zero(): number {
    const { n, w } = this;
    this.lastDelta = NaN;
    w.fill(1);
    this.gls();
    const { p, m, bvec } = this;
    if (p > 0 && !choleskyInPlace(m, p)) return -Infinity;
    if (p > 0) choleskySolveInPlace(m, p, bvec);
    // From the residuals, never y'y - b'X'y (which cancels when y has a large mean).
    const rss = this.residualQ();
    this.q = rss;
    this.logl = -0.5 * n * (1 + LN_2PI + Math.log(rss / n));
    return this.logl;
  }

  /**
   * Estimates at a given delta (Infinity for sigmaA2 = 0): b, se(b), sigmaA2, sigmaE2.
   * Var(b) = (X^T V^-1 X)^-1 = sigmaA2 (X^T H^-1 X)^-1 (or sigmaE2 (X^T X)^-1 at sigmaA2 = 0).
   */
  estimates(delta: number): { logl: number; beta: Float64Array; se: Float64Array; sigmaA2: number; sigmaE2: number } {
    const { n, p } = this;
    let logl: number;
    let sigmaA2: number;
    let sigmaE2: number;
    if (delta === Infinity) {
      logl = this.evaluateSigmaA2Zero();
      sigmaA2 = 0;
      sigmaE2 = this.q / n;
    } else {
      // The buffers still hold this delta's fit when it was the last one evaluated.
      logl = delta === this.lastDelta ? this.logl : this.evaluateDelta(delta, false);
      sigmaA2 = this.q / n;
      sigmaE2 = delta * sigmaA2;
    }
    const beta = this.bvec.slice(0, p);
    const se = new Float64Array(p);
    if (p > 0 && Number.isFinite(logl)) {
      choleskyInverseDiagonal(this.m, p, se);
      const scale = delta === Infinity ? sigmaE2 : sigmaA2;
      for (let j = 0; j < p; j++) se[j] = Math.sqrt(se[j]! * scale);
    }
    return { logl, beta, se, sigmaA2, sigmaE2 };
  }
}
