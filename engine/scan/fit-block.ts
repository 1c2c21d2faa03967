import { lnChi2UpperTail } from '../stats/chisq.js';
import { choleskyInPlace, choleskySolveInPlace } from '../stats/linalg.js';
import { fitModel } from '../stats/lmm/fit.js';
import { LN_2PI, type EigenModel, type MlFit } from '../stats/lmm/model.js';
import { localMaximize, searchBounds, T_MAX } from '../stats/lmm/optimise.js';
import { ProfileLikelihood } from '../stats/lmm/profile.js';
import { ConjugateBayesFactor } from '../stats/bayes/conjugate-bf.js';
import type { EffectPrior } from '../stats/bayes/prior.js';
import { lnWakefieldAbf } from '../stats/bayes/wakefield.js';
import type { GeneticModel } from './settings.js';
import type { FitMethod } from '../stats/lmm/fit.js';

/**
 * Why a SNP's test is not to be trusted as it stands, or '' when it is:
 *   'below-null'     the alternative fit's log-likelihood is below the null's by more than
 *                    BELOW_NULL_TOLERANCE (relative): the models are nested, so the optimiser missed
 *                    the maximum. Its LRT is reported as computed (negative), its p-value as 1.
 *   'not-converged'  the fit's iteration (Newton on ln delta, or EM) hit its limit.
 * Both may apply ('below-null,not-converged').
 */
export type ScanFlag = '' | 'below-null' | 'not-converged' | 'below-null,not-converged';

/** Relative shortfall of logl_h1 below logl_h0 beyond which a SNP is flagged 'below-null' (within it: rounding, LRT 0). */
export const BELOW_NULL_TOLERANCE = 1e-6;

/** The flag of a fit, from whether it landed below the null and whether it converged. */
export function scanFlag(belowNull: boolean, converged: boolean): ScanFlag {
  if (belowNull) return converged ? 'below-null' : 'below-null,not-converged';
  return converged ? '' : 'not-converged';
}

/** The flag's bits (1 below-null, 2 not-converged), to cross a thread boundary as a number. */
export function flagBits(flag: ScanFlag): number {
  return (flag.includes('below-null') ? 1 : 0) | (flag.includes('not-converged') ? 2 : 0);
}

export function flagFromBits(bits: number): ScanFlag {
  return scanFlag((bits & 1) !== 0, (bits & 2) === 0);
}

/**
 * The LRT of an alternative fit against the null, and its flag. A shortfall within the tolerance is
 * rounding and gives LRT 0; a larger one is kept (negative) and flagged, never clamped.
 */
export function likelihoodRatio(loglH1: number, loglH0: number, converged: boolean): { lrt: number; flag: ScanFlag } {
  const raw = 2 * (loglH1 - loglH0);
  const below = loglH1 < loglH0 - BELOW_NULL_TOLERANCE * Math.max(1, Math.abs(loglH0));
  return { lrt: below ? raw : Math.max(0, raw), flag: scanFlag(below, converged) };
}

/** C (rows x cols) = A (rows x inner) B (inner x cols), row-major. */
export type Gemm = (a: Float64Array, b: Float64Array, c: Float64Array, rows: number, inner: number, cols: number) => void;

/** What the per-SNP fits of one trait share: the eigenbasis, the rotated phenotype and covariates, the null fit. */
export interface TraitBasis {
  n: number;
  s: Float64Array;
  yStar: Float64Array;
  wStar: Float64Array[];
  nullFit: MlFit;
}

/** One tested SNP. NaN marks a value that does not apply (beta_d of a 1-df test). */
export interface ScanRow {
  /** Index of the SNP in the .bim. */
  snp: number;
  af: number;
  nMiss: number;
  df: number;
  betaA: number;
  seA: number;
  betaD: number;
  seD: number;
  loglH1: number;
  /** delta = sigmaE2 / sigmaA2 of the alternative fit (Infinity when sigmaA2 = 0). */
  deltaH1: number;
  lrt: number;
  /** Natural log of the p-value (never underflows); 0 (p = 1) for an LRT <= 0. */
  lnP: number;
  /** '' or why the fit is not to be trusted (see ScanFlag). */
  flag: ScanFlag;
  /** log10 of the exact Bayes factor of the SNP's test (df) under BIMBAM's prior at the null delta (stats/bayes/conjugate-bf.ts); NaN in runs recorded before Bayes factors. */
  log10Bf: number;
  /** log10 of Wakefield's approximate Bayes factor from the fit's estimates (stats/bayes/wakefield.ts). */
  log10Abf: number;
}

/** Per-SNP facts the fitter needs besides the rotated genotypes. */
export interface SnpInfo {
  snp: number;
  af: number;
  nMiss: number;
  /** Genotype classes observed among the analysed individuals (Xd is fitted only with 3). */
  classes: number;
}

/**
 * The ln(delta) grid on which every SNP's profile likelihood is first evaluated, in batches, as
 * matrix products: delta = 1e-5 .. 1e5 (one point a decade, like GEMMA's ten regions), plus the
 * sigmaA2 = 0 limit (delta = infinity) and, when K is positive definite, delta = 0.
 */
function gridDeltas(definite: boolean): number[] {
  const d: number[] = definite ? [0] : [];
  for (let k = -5; k <= 5; k++) d.push(Math.pow(10, k));
  d.push(Infinity);
  return d;
}

/**
 * Fits the alternative model of every SNP of a block and computes its LRT against the null.
 *
 * Route 'fast': (1) the local maximum of the profile log-likelihood uphill from the null fit's
 * delta (optimise.ts localMaximize: Newton on ln delta, kept in the start's basin); (2) as a safety
 * net, the profile on a delta grid for the whole block at once (the weighted cross-products
 * sum_i w_gi x_i f_i with w_gi = 1/(s_i + delta_g) are matrix products of the rotated genotypes with
 * precomputed weighted columns): an interior grid peak higher than (1) is refined and wins; (3) the
 * boundaries, already on the grid, compared with the result. The exact optimiser agrees SNP by SNP
 * (test/scan/fast-vs-exact.test.ts). Other routes ('em', 'squarem', 'exact') fit each SNP with
 * stats/lmm/fit.ts.
 */
export class BlockFitter {
  private readonly basis: TraitBasis;
  private readonly model: GeneticModel;
  private readonly method: FitMethod;
  private readonly gemm: Gemm;
  private readonly prof: ProfileLikelihood;
  private readonly c: number;
  private readonly n: number;
  private readonly deltas: number[];
  private readonly G: number;
  /** n x G*(c+1): column (g, f) = w_g o F_f, F = [W..., y]. */
  private readonly bwf: Float64Array;
  /** n x G: column g = w_g. */
  private readonly wg: Float64Array;
  /** G x (c+1) x (c+1): sum_i w_gi F_f F_f'. */
  private readonly ff: Float64Array;
  private readonly logdet: Float64Array;
  private readonly tNull: number;
  private readonly tMin: number;
  /** Orthonormal basis of the span of the rotated covariates W*. */
  private readonly wBasis: Float64Array[];
  /** Work space of gridLogl: the p x p system, its right-hand side and solution. */
  private readonly gm: Float64Array;
  private readonly gv: Float64Array;
  private readonly gs: Float64Array;
  /** The grid's log-likelihoods for one SNP. */
  private readonly gl: Float64Array;
  private readonly prior: EffectPrior;
  private readonly bayes: ConjugateBayesFactor;
  /** The null fit's residual variance: the unit of the prior's effect sizes. */
  private readonly residualVariance: number;

  constructor(basis: TraitBasis, model: GeneticModel, method: FitMethod, gemm: Gemm, prior: EffectPrior) {
    this.basis = basis;
    this.prior = prior;
    const nf = basis.nullFit;
    this.bayes = new ConjugateBayesFactor(basis.s, basis.yStar, basis.wStar, nf.delta, prior);
    this.residualVariance = nf.delta === 0 ? nf.sigmaA2 * 1e-5 : nf.sigmaE2;
    this.model = model;
    this.method = method;
    this.gemm = gemm;
    const { n, s, wStar, yStar } = basis;
    this.n = n;
    this.c = wStar.length;
    this.prof = new ProfileLikelihood(s, this.c + 2);
    this.tMin = searchBounds(this.prof).tMin;
    this.tNull = Math.log(basis.nullFit.delta);
    this.deltas = gridDeltas(this.prof.kernelIsDefinite);
    const G = (this.G = this.deltas.length);
    const c1 = this.c + 1;
    const F = [...wStar, yStar];
    this.bwf = new Float64Array(n * G * c1);
    this.wg = new Float64Array(n * G);
    this.ff = new Float64Array(G * c1 * c1);
    this.logdet = new Float64Array(G);
    for (let g = 0; g < G; g++) {
      const delta = this.deltas[g]!;
      let ld = 0;
      for (let i = 0; i < n; i++) {
        const w = delta === Infinity ? 1 : 1 / (s[i]! + delta);
        if (delta !== Infinity) ld += Math.log(s[i]! + delta);
        this.wg[i * G + g] = w;
        for (let f = 0; f < c1; f++) this.bwf[i * G * c1 + g * c1 + f] = w * F[f]![i]!;
      }
      this.logdet[g] = ld;
      for (let f = 0; f < c1; f++)
        for (let f2 = 0; f2 < c1; f2++) {
          let acc = 0;
          for (let i = 0; i < n; i++) acc += this.wg[i * G + g]! * F[f]![i]! * F[f2]![i]!;
          this.ff[g * c1 * c1 + f * c1 + f2] = acc;
        }
    }
    this.wBasis = orthonormalBasis(wStar, n);
    this.gm = new Float64Array((this.c + 2) * (this.c + 2));
    this.gv = new Float64Array(this.c + 2);
    this.gs = new Float64Array(this.c + 2);
    this.gl = new Float64Array(this.G);
  }

  /** Columns per SNP in the rotated block (Xa, or Xa and Xd). */
  get columnsPerSnp(): number {
    return this.model === 'add-dom' ? 2 : 1;
  }

  /**
   * Fit a block. xRot holds, SNP after SNP, the rotated columns U^T Xa (and U^T Xd), each of length n.
   * Returns the rows and the number of SNPs skipped as collinear with the covariates.
   */
  fitBlock(xRot: Float64Array, info: SnpInfo[]): { rows: ScanRow[]; collinear: number } {
    const { n, c, G } = this;
    const cols = this.columnsPerSnp;
    const b = info.length;
    const c1 = c + 1;
    // Replace each SNP column x by its residual x - W (W'W)^-1 W'x. The fitted model spans the same
    // space (beta_a, beta_d and the likelihood are unchanged), and the parts of x that the covariates
    // explain exactly (the intercept lives in a zero-eigenvalue direction of the re-centred K) no
    // longer meet weights of 1/delta in the cross-products, where they would cancel catastrophically.
    const rawNorm2 = new Float64Array(b * cols);
    for (let r = 0; r < b * cols; r++) {
      const col = xRot.subarray(r * n, r * n + n);
      rawNorm2[r] = dot(col, col, n);
      for (const q of this.wBasis) {
        const a = dot(q, col, n);
        for (let i = 0; i < n; i++) col[i] = col[i]! - a * q[i]!;
      }
    }
    let gridP: Float64Array | undefined;
    let gridQ: Float64Array | undefined;
    let gridAD: Float64Array | undefined;
    if (this.method === 'fast') {
      // Batched grid: P = X B_wf, Q = (X o X) W_g, AD = (Xa o Xd) W_g.
      const r = b * cols;
      const x = xRot.subarray(0, r * n);
      gridP = new Float64Array(r * G * c1);
      this.gemm(x, this.bwf, gridP, r, n, G * c1);
      const sq = new Float64Array(r * n);
      for (let k = 0; k < r * n; k++) sq[k] = x[k]! * x[k]!;
      gridQ = new Float64Array(r * G);
      this.gemm(sq, this.wg, gridQ, r, n, G);
      if (cols === 2) {
        const ad = new Float64Array(b * n);
        for (let k = 0; k < b; k++)
          for (let i = 0; i < n; i++) ad[k * n + i] = x[2 * k * n + i]! * x[(2 * k + 1) * n + i]!;
        gridAD = new Float64Array(b * G);
        this.gemm(ad, this.wg, gridAD, b, n, G);
      }
    }
    const rows: ScanRow[] = [];
    let collinear = 0;
    for (let k = 0; k < b; k++) {
      const xa = xRot.subarray(k * cols * n, k * cols * n + n);
      const xd = cols === 2 ? xRot.subarray(k * cols * n + n, k * cols * n + 2 * n) : undefined;
      const snpCols = [xa];
      const norms = [rawNorm2[k * cols]!];
      if (xd && info[k]!.classes === 3) {
        snpCols.push(xd);
        norms.push(rawNorm2[k * cols + 1]!);
      }
      const kept = identifiable(snpCols, norms, n);
      if (kept.length === 0 || kept[0] !== 0) {
        collinear++;
        continue;
      }
      const used = kept.map((j) => snpCols[j]!);
      const model: EigenModel = { n, s: this.basis.s, y: this.basis.yStar, x: [...this.basis.wStar, ...used] };
      let fit: MlFit;
      if (this.method === 'fast') {
        fit = this.fitFast(model, k, kept, gridP!, gridQ!, gridAD);
      } else {
        const nf = this.basis.nullFit;
        const beta = new Float64Array(c + used.length);
        beta.set(nf.beta);
        fit = fitModel(model, this.prof, { method: this.method, emStart: { beta, sigmaA2: nf.sigmaA2, sigmaE2: nf.sigmaE2 } });
      }
      const df = used.length;
      const { lrt, flag } = likelihoodRatio(fit.logl, this.basis.nullFit.logl, fit.converged);
      const it = info[k]!;
      const lnBf = this.bayes.lnBayesFactor(xa, df === 2 ? xd : undefined);
      const covAD = df === 2 ? this.prof.lastCorrelation(c, c + 1) * fit.se[c]! * fit.se[c + 1]! : NaN;
      const estimate = { betaA: fit.beta[c]!, varA: fit.se[c]! ** 2, betaD: df === 2 ? fit.beta[c + 1]! : NaN, varD: df === 2 ? fit.se[c + 1]! ** 2 : NaN, covAD };
      const lnAbf = lnWakefieldAbf(estimate, this.residualVariance, this.prior, df === 2);
      rows.push({
        snp: it.snp,
        af: it.af,
        nMiss: it.nMiss,
        df,
        betaA: fit.beta[c]!,
        seA: fit.se[c]!,
        betaD: df === 2 ? fit.beta[c + 1]! : NaN,
        seD: df === 2 ? fit.se[c + 1]! : NaN,
        loglH1: fit.logl,
        deltaH1: fit.delta,
        lrt,
        lnP: lrt > 0 ? lnChi2UpperTail(lrt, df) : 0,
        flag,
        log10Bf: lnBf / Math.LN10,
        log10Abf: lnAbf / Math.LN10,
      });
    }
    return { rows, collinear };
  }

  /** Profile log-likelihood of SNP k at grid point g from the batched cross-products. */
  private gridLogl(k: number, g: number, kept: number[], P: Float64Array, Q: Float64Array, AD: Float64Array | undefined): number {
    const { c, G, n } = this;
    const c1 = c + 1;
    const cols = this.columnsPerSnp;
    const p = c + kept.length;
    const m = this.gm;
    const v = this.gv;
    const ff = this.ff;
    const base = g * c1 * c1;
    for (let a = 0; a < c; a++) {
      for (let b = 0; b < c; b++) m[a * p + b] = ff[base + a * c1 + b]!;
      v[a] = ff[base + a * c1 + c]!;
    }
    for (let j = 0; j < kept.length; j++) {
      const row = k * cols + kept[j]!;
      const pr = row * G * c1 + g * c1;
      for (let a = 0; a < c; a++) {
        m[(c + j) * p + a] = P[pr + a]!;
        m[a * p + c + j] = P[pr + a]!;
      }
      v[c + j] = P[pr + c]!;
      m[(c + j) * p + c + j] = Q[row * G + g]!;
    }
    if (kept.length === 2) {
      m[c * p + c + 1] = AD![k * G + g]!;
      m[(c + 1) * p + c] = AD![k * G + g]!;
    }
    const yy = ff[base + c * c1 + c]!;
    if (!choleskyInPlace(m, p)) return -Infinity;
    const sol = this.gs;
    sol.set(v.subarray(0, p));
    choleskySolveInPlace(m, p, sol);
    let q = yy;
    for (let j = 0; j < p; j++) q -= v[j]! * sol[j]!;
    if (!(q > 0)) return -Infinity;
    return -0.5 * n * (1 + LN_2PI + Math.log(q / n)) - 0.5 * this.logdet[g]!;
  }

  private fitFast(model: EigenModel, k: number, kept: number[], P: Float64Array, Q: Float64Array, AD: Float64Array | undefined): MlFit {
    const { G, deltas, prof, tMin } = this;
    const ls = this.gl;
    for (let g = 0; g < G; g++) ls[g] = this.gridLogl(k, g, kept, P, Q, AD);
    // Candidate other modes: interior local maxima of the grid. With singular K the lowest grid point
    // (delta = 1e-5) sits on the degenerate rise towards delta = 0 (optimise.ts): never a candidate,
    // and a point whose left neighbour is higher is on that rise, not at a peak.
    const first = prof.kernelIsDefinite ? 0 : 1;
    let best = -1;
    for (let g = first; g < G - 1; g++) {
      const left = g > 0 ? ls[g - 1]! : -Infinity;
      if (ls[g]! >= left && ls[g]! >= ls[g + 1]! && (best < 0 || ls[g]! > ls[best]!)) best = g;
    }
    prof.bind(model);
    const tOf = (g: number): number => (deltas[g] === 0 ? tMin : deltas[g] === Infinity ? T_MAX : Math.log(deltas[g]!));
    // Newton from the null model's delta over the whole range: the SNP perturbs the null profile, so
    // this finds the interior maximum near it (a decade-spaced grid of values can miss a sharp peak
    // between two points, and with singular K the grid's lowest point can sit on the degenerate
    // rise towards delta = 0).
    let nw = localMaximize(prof, this.tNull, tMin, T_MAX);
    // Safety net: a grid point higher than that maximum means another mode; refine around it.
    if (best >= 0 && ls[best]! > nw.logl + 1e-9 && deltas[best] !== 0) {
      const lo = tOf(Math.max(0, best - 1));
      const hi = tOf(Math.min(G - 1, best + 1));
      const other = localMaximize(prof, tOf(best), lo, hi);
      if (other.logl > nw.logl) nw = other;
    }
    // The boundaries (sigmaA2 = 0; sigmaE2 = 0 for definite K) are on the grid; the lower end of the
    // search for singular K is delta = 1e-5 = the first grid point, which Newton's bracket includes.
    let delta = Math.exp(nw.t);
    let logl = nw.logl;
    let where: MlFit['where'] = nw.t <= tMin + 1e-12 && !prof.kernelIsDefinite ? 'delta-min' : 'interior';
    const gInf = G - 1;
    if (ls[gInf]! >= logl - 1e-12 && (best === gInf || ls[gInf]! > logl)) {
      delta = Infinity;
      logl = ls[gInf]!;
      where = 'sigmaA2=0';
    }
    if (deltas[0] === 0 && ls[0]! > logl) {
      delta = 0;
      logl = ls[0]!;
      where = 'sigmaE2=0';
    }
    // A boundary is evaluated exactly: whether Newton had converged in the interior no longer matters.
    const converged = where === 'sigmaA2=0' || where === 'sigmaE2=0' ? true : nw.converged;
    const est = prof.estimates(delta);
    return {
      logl: est.logl,
      delta,
      sigmaA2: est.sigmaA2,
      sigmaE2: est.sigmaE2,
      beta: est.beta,
      se: est.se,
      where,
      iterations: G + nw.evaluations,
      converged,
    };
  }
}

/** Relative size below which a column counts as a combination of the ones before it. */
const COLLINEAR = 1e-9;

/**
 * Which SNP columns (already residualised on the covariates) are identifiable: Xa unless it was
 * (almost) entirely explained by the covariates, Xd unless it is also explained by Xa (e.g. two
 * genotype classes among individuals with calls). rawNorm2 are the squared lengths before
 * residualising. Returns the indices of the kept columns.
 */
function identifiable(cols: Float64Array[], rawNorm2: number[], n: number): number[] {
  const kept: number[] = [];
  const aa = dot(cols[0]!, cols[0]!, n);
  if (!(aa > COLLINEAR * rawNorm2[0]!)) return kept;
  kept.push(0);
  if (cols.length > 1) {
    const ad = dot(cols[0]!, cols[1]!, n);
    const dd = dot(cols[1]!, cols[1]!, n);
    if (dd - (ad * ad) / aa > COLLINEAR * rawNorm2[1]!) kept.push(1);
  }
  return kept;
}

/** Gram-Schmidt (twice, for orthogonality to working precision) on the covariate columns. */
function orthonormalBasis(cols: Float64Array[], n: number): Float64Array[] {
  const basis: Float64Array[] = [];
  for (const c of cols) {
    const v = Float64Array.from(c.subarray(0, n));
    for (let pass = 0; pass < 2; pass++)
      for (const q of basis) {
        const a = dot(q, v, n);
        for (let i = 0; i < n; i++) v[i] = v[i]! - a * q[i]!;
      }
    const norm = Math.sqrt(dot(v, v, n));
    if (norm > 0) basis.push(v.map((x) => x / norm));
  }
  return basis;
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += a[i]! * b[i]!;
  return acc;
}
