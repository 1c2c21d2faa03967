import { choleskyInPlace, choleskySolveInPlace } from '../linalg.js';
import { lnMeanExp, type EffectPrior } from './prior.js';

/**
 * The exact Bayes factor of a SNP under BIMBAM's conjugate prior (Servin and Stephens 2007), in the
 * mixed model with delta = sigmaE2 / sigmaA2 held at the null fit's value.
 *
 * At fixed delta, V = sigma^2 (K / delta + I) with sigma^2 the residual variance; in the eigenbasis
 * the rotated observations are independent with variances sigma^2 / omega_i,
 * omega_i = delta / (s_i + delta) (omega_i = 1 when sigmaA2 = 0). The model is
 *
 *   y* = W* c + X* beta + e*,   e*_i ~ N(0, sigma^2 / omega_i)
 *   beta ~ N(0, sigma^2 Sigma),  c ~ N(0, sigma^2 sigmaC^2 I) with sigmaC -> infinity,  p(sigma^2) ~ 1 / sigma^2
 *
 * (the covariates' prior scaled by sigma^2 too, so the sigma^2 powers cancel and the exponent is n/2,
 * BIMBAM's form). Integrating c, beta and sigma^2 out, with the covariates projected out in the
 * omega-weighted metric,
 *
 *   A  = X'PX,  r = X'Py,  S0 = y'Py,   P = Omega - Omega W (W' Omega W)^-1 W' Omega
 *   BF = |I + Sigma A|^(-1/2) (S1 / S0)^(-n/2),   S1 = S0 - r' (A + Sigma^-1)^-1 r
 *
 * and the reported BF averages this over the prior's sigmaA list. One SNP costs O(n (c + 2)) for
 * its weighted cross-products: nothing next to its ML fit.
 */
export class ConjugateBayesFactor {
  private readonly n: number;
  private readonly c: number;
  private readonly omega: Float64Array;
  /** omega o W_f for every covariate column f, then omega o y. */
  private readonly weighted: Float64Array[];
  /** Cholesky factor of W' Omega W (c x c). */
  private readonly wOmegaW: Float64Array;
  /** (W' Omega W)^-1 W' Omega y. */
  private readonly covariateFit: Float64Array;
  /** S0 = y'Py. */
  readonly s0: number;
  private readonly prior: EffectPrior;
  private readonly lnBfs: Float64Array;

  /**
   * s: eigenvalues of K; yStar, wStar: rotated phenotype and covariates; delta: the null fit's
   * (Infinity for sigmaA2 = 0; a delta of 0, sigmaE2 = 0, leaves no residual scale and is taken at
   * deltaFloor).
   */
  constructor(s: Float64Array, yStar: Float64Array, wStar: Float64Array[], delta: number, prior: EffectPrior, deltaFloor = 1e-5) {
    const n = (this.n = s.length);
    const c = (this.c = wStar.length);
    this.prior = prior;
    const d = Math.max(delta, deltaFloor);
    this.omega = new Float64Array(n);
    for (let i = 0; i < n; i++) this.omega[i] = d === Infinity ? 1 : d / (s[i]! + d);
    this.weighted = [...wStar, yStar].map((col) => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = this.omega[i]! * col[i]!;
      return out;
    });
    this.wOmegaW = new Float64Array(c * c);
    this.covariateFit = new Float64Array(c);
    for (let f = 0; f < c; f++) {
      for (let g = 0; g <= f; g++) {
        const v = dot(this.weighted[f]!, wStar[g]!, n);
        this.wOmegaW[f * c + g] = v;
        this.wOmegaW[g * c + f] = v;
      }
      this.covariateFit[f] = dot(this.weighted[f]!, yStar, n);
    }
    const yOmegaY = dot(this.weighted[c]!, yStar, n);
    let s0 = yOmegaY;
    if (c > 0) {
      if (!choleskyInPlace(this.wOmegaW, c)) throw new Error('the covariates are collinear in the weighted metric');
      const wy = Float64Array.from(this.covariateFit);
      choleskySolveInPlace(this.wOmegaW, c, this.covariateFit);
      for (let f = 0; f < c; f++) s0 -= wy[f]! * this.covariateFit[f]!;
    }
    this.s0 = s0;
    this.lnBfs = new Float64Array(prior.sigmaA.length);
  }

  /**
   * The projected cross-products of a SNP's column(s): A = X'PX (a11, a12, a22) and r = X'Py
   * (r1, r2). xd undefined: one column (the additive test, or a SNP fitted with df = 1).
   */
  private project(xa: Float64Array, xd: Float64Array | undefined): { a11: number; a12: number; a22: number; r1: number; r2: number } {
    const { n, c, weighted, omega } = this;
    const y = weighted[c]!;
    const cols = xd ? [xa, xd] : [xa];
    // X' Omega W (per column, c values) and X' Omega y, X' Omega X.
    const xw: Float64Array[] = cols.map((x) => {
      const out = new Float64Array(c);
      for (let f = 0; f < c; f++) out[f] = dot(x, weighted[f]!, n);
      return out;
    });
    const xy = cols.map((x) => dot(x, y, n));
    let aa = 0, ad = 0, dd = 0;
    for (let i = 0; i < n; i++) {
      const w = omega[i]!;
      const a = xa[i]!;
      aa += w * a * a;
      if (xd) {
        ad += w * a * xd[i]!;
        dd += w * xd[i]! * xd[i]!;
      }
    }
    // Subtract the covariates' part: X'Omega W (W'Omega W)^-1 W'Omega [X, y].
    const sol = xw.map((v) => {
      const z = Float64Array.from(v);
      if (c > 0) choleskySolveInPlace(this.wOmegaW, c, z);
      return z;
    });
    const r1 = xy[0]! - dotC(xw[0]!, this.covariateFit, c);
    const a11 = aa - dotC(xw[0]!, sol[0]!, c);
    if (!xd) return { a11, a12: 0, a22: 0, r1, r2: 0 };
    return {
      a11,
      a12: ad - dotC(xw[0]!, sol[1]!, c),
      a22: dd - dotC(xw[1]!, sol[1]!, c),
      r1,
      r2: xy[1]! - dotC(xw[1]!, this.covariateFit, c),
    };
  }

  /** Natural log of the Bayes factor of the SNP (xd undefined: additive only), averaged over the prior's sigmaA. */
  lnBayesFactor(xa: Float64Array, xd: Float64Array | undefined): number {
    const { a11, a12, a22, r1, r2 } = this.project(xa, xd);
    const { sigmaA, dominanceRatio } = this.prior;
    const halfN = this.n / 2;
    const s0 = this.s0;
    for (let k = 0; k < sigmaA.length; k++) {
      const va = sigmaA[k]! * sigmaA[k]!;
      let lnDet: number;
      let quad: number;
      if (!xd) {
        lnDet = Math.log1p(va * a11);
        quad = (r1 * r1) / (a11 + 1 / va);
      } else {
        const vd = va * dominanceRatio * dominanceRatio;
        // |I + Sigma A| and r' (A + Sigma^-1)^-1 r for 2 x 2.
        lnDet = Math.log((1 + va * a11) * (1 + vd * a22) - va * vd * a12 * a12);
        const m11 = a11 + 1 / va;
        const m22 = a22 + 1 / vd;
        const det = m11 * m22 - a12 * a12;
        quad = (m22 * r1 * r1 - 2 * a12 * r1 * r2 + m11 * r2 * r2) / det;
      }
      this.lnBfs[k] = -0.5 * lnDet - halfN * Math.log1p(-quad / s0);
    }
    return lnMeanExp(this.lnBfs);
  }
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += a[i]! * b[i]!;
  return acc;
}

function dotC(a: Float64Array, b: Float64Array, c: number): number {
  let acc = 0;
  for (let f = 0; f < c; f++) acc += a[f]! * b[f]!;
  return acc;
}
