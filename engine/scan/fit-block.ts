import { lnChi2UpperTail } from '../stats/chisq.js';
import { choleskyInPlace, choleskySolveInPlace, independentColumns } from '../stats/linalg.js';
import { fitModel } from '../stats/lmm/fit.js';
import { LN_2PI, type EigenModel, type MlFit } from '../stats/lmm/model.js';
import { newtonMaximize, searchBounds, T_MAX } from '../stats/lmm/optimise.js';
import { ProfileLikelihood } from '../stats/lmm/profile.js';
import type { GeneticModel } from './settings.js';
import type { FitMethod } from '../stats/lmm/fit.js';

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
  /** Natural log of the p-value (never underflows). */
  lnP: number;
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
 * Route 'fast': (1) the profile log-likelihood of each SNP on the delta grid, for the whole block at
 * once: the weighted cross-products sum_i w_gi x_i f_i with w_gi = 1/(s_i + delta_g) are matrix
 * products of the rotated genotypes with precomputed weighted columns; (2) Newton on ln delta inside
 * the bracket around the best grid point, warm-started from the null fit's delta when it lies
 * there; (3) the boundaries, already on the grid, compared with the Newton optimum. Other routes
 * ('em', 'squarem', 'exact') fit each SNP with stats/lmm/fit.ts.
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
  private readonly wGram: Float64Array;
  private readonly tNull: number;
  private readonly tMin: number;

  constructor(basis: TraitBasis, model: GeneticModel, method: FitMethod, gemm: Gemm) {
    this.basis = basis;
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
    this.wGram = new Float64Array(this.c * this.c);
    for (let a = 0; a < this.c; a++)
      for (let b = 0; b < this.c; b++) this.wGram[a * this.c + b] = dot(wStar[a]!, wStar[b]!, n);
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
      if (xd && info[k]!.classes === 3) snpCols.push(xd);
      const kept = this.identifiable(snpCols);
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
        fit = fitModel(model, this.prof, { method: this.method, warmDelta: nf.delta, emStart: { beta, sigmaA2: nf.sigmaA2, sigmaE2: nf.sigmaE2 } });
      }
      const df = used.length;
      const lrt = Math.max(0, 2 * (fit.logl - this.basis.nullFit.logl));
      const it = info[k]!;
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
        lnP: lnChi2UpperTail(lrt, df),
      });
    }
    return { rows, collinear };
  }

  /** Which SNP columns are linearly independent of the covariates (and of each other). */
  private identifiable(snpCols: Float64Array[]): number[] {
    const { c, n } = this;
    const all = [...this.basis.wStar, ...snpCols];
    const p = all.length;
    const gram = new Float64Array(p * p);
    for (let a = 0; a < p; a++)
      for (let b = 0; b <= a; b++) {
        const v = a < c ? this.wGram[a * c + b]! : dot(all[a]!, all[b]!, n);
        gram[a * p + b] = v;
        gram[b * p + a] = v;
      }
    return independentColumns(gram, p)
      .filter((j) => j >= c)
      .map((j) => j - c);
  }

  /** Profile log-likelihood of SNP k at grid point g from the batched cross-products. */
  private gridLogl(k: number, g: number, kept: number[], P: Float64Array, Q: Float64Array, AD: Float64Array | undefined): number {
    const { c, G, n } = this;
    const c1 = c + 1;
    const cols = this.columnsPerSnp;
    const p = c + kept.length;
    const m = new Float64Array(p * p);
    const v = new Float64Array(p);
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
    const sol = v.slice();
    choleskySolveInPlace(m, p, sol);
    let q = yy;
    for (let j = 0; j < p; j++) q -= v[j]! * sol[j]!;
    if (!(q > 0)) return -Infinity;
    return -0.5 * n * (1 + LN_2PI + Math.log(q / n)) - 0.5 * this.logdet[g]!;
  }

  private fitFast(model: EigenModel, k: number, kept: number[], P: Float64Array, Q: Float64Array, AD: Float64Array | undefined): MlFit {
    const { G, deltas, prof, tMin } = this;
    const ls = new Float64Array(G);
    let best = 0;
    for (let g = 0; g < G; g++) {
      ls[g] = this.gridLogl(k, g, kept, P, Q, AD);
      if (ls[g]! > ls[best]!) best = g;
    }
    prof.bind(model);
    const tOf = (g: number): number => (deltas[g] === 0 ? tMin : deltas[g] === Infinity ? T_MAX : Math.log(deltas[g]!));
    const lo = tOf(Math.max(0, best - 1));
    const hi = tOf(Math.min(G - 1, best + 1));
    const start = this.tNull > lo && this.tNull < hi ? this.tNull : tOf(best);
    let nw = newtonMaximize(prof, start, lo, hi);
    if (nw.logl < ls[best]! - 1e-9 && deltas[best] !== 0 && deltas[best] !== Infinity) {
      nw = newtonMaximize(prof, tOf(best), lo, hi);
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
      converged: nw.converged,
    };
  }
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += a[i]! * b[i]!;
  return acc;
}
