import { choleskyInPlace, choleskySolveInPlace } from '../linalg.js';
import { LN_2PI } from '../lmm/model.js';

/**
 * What the heritability intervals need of a trait's null model, in the eigenbasis of its kinship
 * K = U diag(s) U^T (engine/scan/prepare.ts fitBasis builds it; its TraitBasisFit is one):
 *
 *   y* = U^T y,  X* = U^T [1, covariates, PCs],  t = tr(K) / n  (the kinship's scale).
 *
 * h2 is the proportion of variance explained that the scan reports, PVE = t sigmaA2 / (t sigmaA2 + sigmaE2)
 * = t / (t + delta) with delta = sigmaE2 / sigmaA2 (ML, from the same profile likelihood).
 */
export interface HeritabilityBasis {
  /** Eigenvalues s_i >= 0 of K (those below 1e-10 already set to 0); n = s.length. */
  s: Float64Array;
  /** The rotated phenotype y* = U^T y (any part of it in the span of X* may have been removed first). */
  yStar: Float64Array;
  /** The rotated fixed-effect columns X* = U^T X (intercept, covariates, PCs), linearly independent. */
  wStar: Float64Array[];
  /** t = tr(K) / n. */
  kinshipScale: number;
}

/** delta = sigmaE2 / sigmaA2 = t (1 - h2) / h2 (Infinity at h2 = 0). */
export function deltaFromH2(h2: number, t: number): number {
  return h2 > 0 ? (t * (1 - h2)) / h2 : Infinity;
}

/** h2 = t / (t + delta) (0 at delta = Infinity, 1 at delta = 0). */
export function h2FromDelta(delta: number, t: number): number {
  return delta === Infinity ? 0 : t / (t + delta);
}

/**
 * The likelihoods of h2 in the eigenbasis, with V = sigma^2 H and
 *
 *   H = h2 K / t + (1 - h2) I,   eigenvalues d_i = h2 s_i / t + (1 - h2),   W = H^-1 = diag(1 / d_i),
 *   M = X*^T W X*,  b = M^-1 X*^T W y*,  r = y* - X* b,  Q = y^T P y = sum_i r_i^2 / d_i.
 *
 * - The ML profile log-likelihood (b and sigma^2 = Q / n at their ML given h2):
 *     l(h2) = -n/2 (1 + ln 2 pi + ln(Q / n)) - 1/2 ln|H|.
 *   It does not change when H is scaled, so it equals ProfileLikelihood's l(delta) with H = K + delta I
 *   at delta = t (1 - h2) / h2; h2 = 0 is sigmaA2 = 0 (ordinary least squares, H = I) exactly.
 * - The log marginal likelihood of h2 with b integrated out under a flat prior and sigma^2 under
 *   p(sigma^2) ~ 1 / sigma^2 (again invariant to how H is scaled), up to a constant:
 *     log m(h2) = -1/2 ln|M| - 1/2 ln|H| - (n - p)/2 ln Q,
 *   i.e. the REML likelihood with sigma^2 integrated out. The constant dropped is
 *   -(n - p)/2 ln pi + ln Gamma((n - p)/2) (so exp(log m) is the marginal density of y divided by e^const).
 *
 * One evaluation is O(n p^2): one pass for ln|H|, M and X^T W y, a p x p Cholesky, and a second pass
 * for the residuals (Q from the residuals, never y'Wy - b'X'Wy, which cancels when some d_i are tiny).
 * Buffers are reused; nothing is allocated per evaluation.
 */
export class H2Likelihood {
  readonly n: number;
  readonly p: number;
  readonly t: number;
  readonly s: Float64Array;
  /** True when every s_i > 0: then H is nonsingular at h2 = 1 too. */
  readonly kernelIsDefinite: boolean;
  private readonly y: Float64Array;
  /** X* row-major, n x p: row i holds the i-th entries of the p columns. */
  private readonly xr: Float64Array;
  private readonly m: Float64Array;
  private readonly c: Float64Array;
  private readonly w: Float64Array;
  /** The columns of X* as given (p >= 3 works column by column) and a scratch vector. */
  private readonly xc: Float64Array[];
  private readonly wy: Float64Array;
  /** Results of the last evaluation. */
  logDetH = NaN;
  logDetM = NaN;
  q = NaN;

  constructor(basis: HeritabilityBasis) {
    const { s, yStar, wStar, kinshipScale } = basis;
    const n = s.length;
    const p = wStar.length;
    if (yStar.length !== n || wStar.some((w) => w.length !== n)) throw new RangeError('heritability basis: s, yStar and every wStar column must have the same length');
    if (!(kinshipScale > 0)) throw new RangeError(`heritability basis: kinshipScale must be > 0, got ${kinshipScale}`);
    if (!(n > p)) throw new RangeError(`heritability basis: needs more individuals (${n}) than fixed effects (${p})`);
    this.n = n;
    this.p = p;
    this.t = kinshipScale;
    this.s = s;
    this.y = yStar;
    this.xr = new Float64Array(n * p);
    for (let j = 0; j < p; j++) {
      const w = wStar[j]!;
      for (let i = 0; i < n; i++) this.xr[i * p + j] = w[i]!;
    }
    this.m = new Float64Array(p * p);
    this.c = new Float64Array(p);
    this.w = new Float64Array(n);
    this.xc = wStar;
    this.wy = new Float64Array(n);
    let definite = true;
    for (let i = 0; i < n; i++) if (!(s[i]! > 0)) definite = false;
    this.kernelIsDefinite = definite;
  }

  /**
   * Fill logDetH, logDetM and q at h2 (oneMinusH2 = 1 - h2, passed separately so that h2 near 1 keeps
   * its digits). Returns false when H or M is singular there (h2 = 1 with a singular K).
   */
  evaluate(h2: number, oneMinusH2 = 1 - h2): boolean {
    const { n, p, s, y, xr, m, c, w: wv } = this;
    const a = h2 / this.t;
    const b = oneMinusH2;
    m.fill(0);
    c.fill(0);
    let logdet = 0;
    let prod = 1;
    let singular = false;
    if (p === 1) {
      // The common case (intercept only), unrolled: same sums.
      let m00 = 0;
      let c0 = 0;
      for (let i = 0; i < n; i++) {
        const d = a * s[i]! + b;
        if (!(d > 0)) {
          singular = true;
          break;
        }
        const w = 1 / d;
        wv[i] = w;
        prod *= d;
        if ((i & 15) === 15) {
          logdet += Math.log(prod);
          prod = 1;
        }
        const wx = w * xr[i]!;
        m00 += wx * xr[i]!;
        c0 += wx * y[i]!;
      }
      m[0] = m00;
      c[0] = c0;
    } else if (p === 2) {
      let m00 = 0;
      let m10 = 0;
      let m11 = 0;
      let c0 = 0;
      let c1 = 0;
      for (let i = 0; i < n; i++) {
        const d = a * s[i]! + b;
        if (!(d > 0)) {
          singular = true;
          break;
        }
        const w = 1 / d;
        wv[i] = w;
        prod *= d;
        if ((i & 15) === 15) {
          logdet += Math.log(prod);
          prod = 1;
        }
        const x0 = xr[2 * i]!;
        const x1 = xr[2 * i + 1]!;
        const wy = w * y[i]!;
        m00 += w * x0 * x0;
        m10 += w * x1 * x0;
        m11 += w * x1 * x1;
        c0 += x0 * wy;
        c1 += x1 * wy;
      }
      m[0] = m00;
      m[2] = m10;
      m[3] = m11;
      c[0] = c0;
      c[1] = c1;
    } else {
      // p >= 3: the weights first, then each cross-product as one tight pass over a pair of columns.
      for (let i = 0; i < n; i++) {
        const d = a * s[i]! + b;
        if (!(d > 0)) {
          singular = true;
          break;
        }
        wv[i] = 1 / d;
        prod *= d;
        if ((i & 15) === 15) {
          logdet += Math.log(prod);
          prod = 1;
        }
      }
      if (!singular) {
        const { xc, wy } = this;
        for (let i = 0; i < n; i++) wy[i] = wv[i]! * y[i]!;
        for (let j = 0; j < p; j++) {
          const xj = xc[j]!;
          for (let k = 0; k <= j; k++) {
            const xk = xc[k]!;
            let acc = 0;
            for (let i = 0; i < n; i++) acc += wv[i]! * xj[i]! * xk[i]!;
            m[j * p + k] = acc;
          }
          let acc = 0;
          for (let i = 0; i < n; i++) acc += xj[i]! * wy[i]!;
          c[j] = acc;
        }
      }
    }
    if (singular) return this.fail();
    logdet += Math.log(prod);
    if (p > 0) {
      if (!choleskyInPlace(m, p)) return this.fail();
      choleskySolveInPlace(m, p, c);
    }
    let logdetM = 0;
    for (let j = 0; j < p; j++) logdetM += 2 * Math.log(m[j * p + j]!);
    let q = 0;
    if (p === 1) {
      const b0 = c[0]!;
      for (let i = 0; i < n; i++) {
        const r = y[i]! - xr[i]! * b0;
        q += r * r * wv[i]!;
      }
    } else if (p === 2) {
      const b0 = c[0]!;
      const b1 = c[1]!;
      for (let i = 0; i < n; i++) {
        const r = y[i]! - xr[2 * i]! * b0 - xr[2 * i + 1]! * b1;
        q += r * r * wv[i]!;
      }
    } else {
      const { xc, wy: r } = this;
      r.set(y);
      for (let j = 0; j < p; j++) {
        const xj = xc[j]!;
        const bj = c[j]!;
        for (let i = 0; i < n; i++) r[i] = r[i]! - bj * xj[i]!;
      }
      for (let i = 0; i < n; i++) q += r[i]! * r[i]! * wv[i]!;
    }
    if (!(q > 0)) return this.fail();
    this.logDetH = logdet;
    this.logDetM = logdetM;
    this.q = q;
    return true;
  }

  private fail(): false {
    this.logDetH = NaN;
    this.logDetM = NaN;
    this.q = NaN;
    return false;
  }

  /** The ML profile log-likelihood l(h2) (-Infinity where H or M is singular). */
  profileLogLik(h2: number, oneMinusH2 = 1 - h2): number {
    if (!this.evaluate(h2, oneMinusH2)) return -Infinity;
    const { n } = this;
    return -0.5 * n * (1 + LN_2PI + Math.log(this.q / n)) - 0.5 * this.logDetH;
  }

  /** The log marginal likelihood log m(h2) of the flat-b, 1/sigma^2 prior (-Infinity where singular). */
  logMarginal(h2: number, oneMinusH2 = 1 - h2): number {
    if (!this.evaluate(h2, oneMinusH2)) return -Infinity;
    return -0.5 * this.logDetM - 0.5 * this.logDetH - 0.5 * (this.n - this.p) * Math.log(this.q);
  }
}
