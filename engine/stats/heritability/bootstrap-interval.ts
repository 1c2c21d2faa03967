import { gemmFast } from '../kernels/gemm.js';
import { choleskyInPlace } from '../linalg.js';
import { LN_2PI } from '../lmm/model.js';
import { DELTA_MIN_SINGULAR, T_MAX } from '../lmm/optimise.js';
import { Rng } from '../random.js';
import type { HeritabilityBasis } from './h2-likelihood.js';
import { h2AtDeltaMin, h2Pair } from './ml-estimate.js';
import { normalCdfPair, normalQuantile } from './normal.js';

export interface BootstrapOptions {
  /** Coverage of the interval (default 0.95). */
  level?: number;
  /** True values of h2, evenly spaced over [0, 1] (default 41: a step of 0.025). */
  gridPoints?: number;
  /** Simulated phenotypes per true h2 (default 400). */
  replicates?: number;
  /** Seed of the generator (default 1). The same seed gives the same table. */
  seed?: number;
  /**
   * Half-width w of the window of true values whose replicates invertBootstrap pools (default 2; 0: none).
   * The table draws 2 w + 1 independent sets of replicates and uses them in turn along the grid.
   */
  window?: number;
  /**
   * Spacing of the coarse ln(delta) grid each replicate's ML search starts from, where
   * |logit h2| <= 7 (h2 in [0.0009, 0.9991]); beyond, up to 2.5 (default 0.9).
   */
  searchStep?: number;
}

/**
 * The sampling distribution of the ML estimator of h2 at each true h2 of a grid, for one kinship
 * and one set of fixed effects (it depends on s and X* only, not on the phenotype), with the
 * acceptance regions that invertBootstrap turns into an interval for any observed estimate.
 */
export interface BootstrapTable {
  level: number;
  seed: number;
  replicates: number;
  /** Half-width of the pooling window (BootstrapOptions.window): any 2 window + 1 consecutive true values have independent replicates. */
  window: number;
  /** The true values, h2_g = g / (gridPoints - 1). */
  h2: Float64Array;
  /** The replicates' ML estimates at each true h2, sorted ascending. */
  estimates: Float64Array[];
  /** The estimator's upper boundary: 1 for a positive definite K, else t / (t + 1e-5) (optimise.ts). */
  top: number;
  /** Fraction of replicates whose estimate is exactly 0 (sigmaA2 = 0), per true h2. */
  atomZero: Float64Array;
  /** Fraction whose estimate is the upper boundary `top` (sigmaE2 = 0, or delta = 1e-5 for a singular K), per true h2. */
  atomTop: Float64Array;
}

/**
 * ALBI's parametric bootstrap (Schweiger et al. 2016, AJHG 98: "Fast and accurate construction of
 * confidence intervals for heritability"), in the eigenbasis of K.
 *
 * For each true h2 on the grid, B replicate phenotypes y*_i = sqrt(h2 s_i / t + 1 - h2) z_i,
 * z_i ~ N(0, 1) (b = 0 and sigma = 1: the ML estimator of h2 is invariant to both). There are 2 w + 1
 * independent sets of z (w = `window`), used in turn along the grid (true value g uses set g mod (2 w + 1)),
 * so that the replicates of any 2 w + 1 neighbouring true values are independent and invertBootstrap can
 * pool them. Each replicate's ML h2 follows the rule of optimise.ts exactMaximize, on coarser grids:
 *   1. l(delta) on a grid of ln delta over the optimiser's range (steps of `searchStep` where
 *      |logit h2| <= 7, of up to 2.5 beyond), and at sigmaA2 = 0 (and delta = 0 for a positive definite K);
 *   2. every interior local maximum of that grid (its lowest point excluded for a singular K) refined
 *      on 25 points (FINE_POINTS) spanning its two neighbouring cells: the maximum of the cubic through
 *      the best point, its neighbours and the next on the higher side (within 3e-5 of the exact
 *      optimiser's h2 in test/stats/heritability.test.ts);
 *   3. the highest of these; sigmaA2 = 0 (h2 = 0 exactly) when l there is at least as high, and the
 *      lower end of delta (h2 = top) only when l rises all the way to it (optimise.ts `best`).
 * Since ln|H| and X'WX do not depend on y, and
 *   y'W y = sum_i z_i^2 (v_i / d_i),  X'W y = sum_i z_i x_i (sqrt(v_i) / d_i),  d_i = (s_i + delta) / (t + delta),
 *   v_i = h2 s_i / t + 1 - h2,
 * every grid of step 1 and 2 is two matrix products of the (B x n) matrices Z and Z o Z of the set by
 * (n x points (p + 1)) weights, and Q = y'Wy - (X'Wy)' M^-1 (X'Wy), l = -n/2 (1 + ln 2 pi + ln(Q/n))
 * - 1/2 ln|H|: O(n p) per grid point and replicate, no logarithms over i. (H is K + delta I scaled
 * to h2 K / t + (1 - h2) I, which leaves l unchanged and keeps its digits near sigmaA2 = 0.)
 */
export function bootstrapTable(basis: HeritabilityBasis, opts: BootstrapOptions = {}): BootstrapTable {
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap of h2: level must be in (0, 1), got ${level}`);
  const nTrue = Math.max(2, Math.round(opts.gridPoints ?? 41));
  const reps = Math.max(1, Math.round(opts.replicates ?? 400));
  const seed = opts.seed ?? 1;
  const window = Math.max(0, Math.round(opts.window ?? 2));
  const searchStep = opts.searchStep ?? 0.9;
  if (!(searchStep > 0)) throw new RangeError(`bootstrap of h2: searchStep must be > 0, got ${searchStep}`);
  const { s, wStar } = basis;
  const t = basis.kinshipScale;
  const n = s.length;
  let definite = true;
  for (let i = 0; i < n; i++) if (!(s[i]! > 0)) definite = false;
  const tMin = definite ? Math.log(1e-12) : Math.log(DELTA_MIN_SINGULAR);
  const tMax = T_MAX;
  const top = definite ? 1 : h2AtDeltaMin(t).h2;

  // The coarse grid, then sigmaA2 = 0 (column nSearch), then delta = 0 for a definite K (column nSearch + 1).
  const ts = searchGrid(tMin, tMax, Math.log(t), searchStep);
  const nSearch = ts.length;
  const coarseDeltas = [...Array.from(ts, (v) => Math.exp(v)), Infinity, ...(definite ? [0] : [])];
  const coarse = gridSet(s, wStar, coarseDeltas, t);
  const fineCells = new Map<number, { ts: Float64Array; set: GridSet }>();
  const fineCell = (k: number): { ts: Float64Array; set: GridSet } => {
    let c = fineCells.get(k);
    if (!c) {
      const a = ts[Math.max(0, k - 1)]!;
      const b = ts[Math.min(nSearch - 1, k + 1)]!;
      const fts = new Float64Array(FINE_POINTS);
      for (let j = 0; j < FINE_POINTS; j++) fts[j] = a + ((b - a) * j) / (FINE_POINTS - 1);
      c = { ts: fts, set: gridSet(s, wStar, Array.from(fts, (v) => Math.exp(v)), t) };
      fineCells.set(k, c);
    }
    return c;
  };

  // 2 window + 1 independent sets of z, used in turn along the grid.
  const blocks = 2 * window + 1;
  const rng = new Rng(seed);
  const pool = new Float64Array(blocks * reps * n);
  for (let k = 0; k < pool.length; k++) pool[k] = rng.normal();
  const z2 = new Float64Array(reps * n);
  const zRows = new Float64Array(reps * n);
  const z2Rows = new Float64Array(reps * n);

  const v = new Float64Array(n);
  const hs = new Float64Array(nTrue);
  const estimates: Float64Array[] = [];
  const atomZero = new Float64Array(nTrue);
  const atomTop = new Float64Array(nTrue);
  const bestT = new Float64Array(reps);
  const bestL = new Float64Array(reps);
  const first = definite ? 0 : 1;
  const cols = coarse.count;
  for (let h = 0; h < nTrue; h++) {
    const h2 = h / (nTrue - 1);
    hs[h] = h2;
    for (let i = 0; i < n; i++) v[i] = (h2 * s[i]!) / t + (1 - h2);
    const block = h % blocks;
    const z = pool.subarray(block * reps * n, (block + 1) * reps * n);
    for (let k = 0; k < z.length; k++) z2[k] = z[k]! * z[k]!;
    const lc = gridLogLik(coarse, z, z2, reps, n, v);
    // Interior local maxima of the coarse grid, grouped by grid cell.
    const members = new Map<number, number[]>();
    for (let b = 0; b < reps; b++) {
      bestL[b] = -Infinity;
      const row = b * cols;
      for (let k = first; k < nSearch; k++) {
        const lk = lc[row + k]!;
        const left = k > 0 ? lc[row + k - 1]! : -Infinity;
        const right = k < nSearch - 1 ? lc[row + k + 1]! : -Infinity;
        if (lk > -Infinity && lk >= left && lk >= right) {
          let list = members.get(k);
          if (!list) members.set(k, (list = []));
          list.push(b);
        }
      }
    }
    for (const [k, list] of members) {
      const cell = fineCell(k);
      const rows = list.length;
      let zk = z;
      let z2k = z2;
      if (rows < reps) {
        // Gather the member replicates' rows (all replicates: the matrices as they are).
        zk = zRows.subarray(0, rows * n);
        z2k = z2Rows.subarray(0, rows * n);
        for (let r = 0; r < rows; r++) {
          const from = list[r]! * n;
          const to = r * n;
          for (let i = 0; i < n; i++) {
            zk[to + i] = z[from + i]!;
            z2k[to + i] = z2[from + i]!;
          }
        }
      }
      const lf = gridLogLik(cell.set, zk, z2k, rows, n, v);
      for (let r = 0; r < rows; r++) {
        const b = list[r]!;
        const m = interpolatedMaximum(cell.ts, lf.subarray(r * FINE_POINTS, (r + 1) * FINE_POINTS));
        if (m.l > bestL[b]!) {
          bestL[b] = m.l;
          bestT[b] = m.t;
        }
      }
    }
    const est = new Float64Array(reps);
    let zeros = 0;
    let tops = 0;
    for (let b = 0; b < reps; b++) {
      const row = b * cols;
      if (bestL[b] === -Infinity) {
        bestT[b] = ts[0]!;
        bestL[b] = lc[row]!;
      }
      const where = boundaryRule(bestT[b]!, bestL[b]!, lc[row + nSearch]!, definite ? lc[row + nSearch + 1]! : lc[row]!, tMin, definite);
      if (where === 'sigmaA2=0') {
        est[b] = 0;
        zeros++;
      } else if (where === 'interior') est[b] = h2Pair(Math.exp(bestT[b]!), t).h2;
      else {
        est[b] = top;
        tops++;
      }
    }
    est.sort();
    estimates.push(est);
    atomZero[h] = zeros / reps;
    atomTop[h] = tops / reps;
  }
  return { level, seed, replicates: reps, window, h2: hs, estimates, top, atomZero, atomTop };
}

/**
 * The coarse grid of ln delta over [tMin, tMax], ascending: steps of at most `step` where
 * |logit h2| = |ln t - ln delta| <= 7, and of at most 2.5 beyond (the likelihood is flat there,
 * approaching its boundary values). Both ends are grid points.
 */
export function searchGrid(tMin: number, tMax: number, lnT: number, step: number): Float64Array {
  const core = 7;
  const knots = [tMin, Math.min(Math.max(lnT - core, tMin), tMax), Math.min(Math.max(lnT + core, tMin), tMax), tMax];
  const out: number[] = [tMin];
  for (let k = 0; k < 3; k++) {
    const a = knots[k]!;
    const b = knots[k + 1]!;
    if (!(b > a)) continue;
    const pieces = Math.ceil((b - a) / (k === 1 ? step : 2.5) - 1e-9);
    for (let j = 1; j <= pieces; j++) out.push(j === pieces ? b : a + ((b - a) * j) / pieces);
  }
  return Float64Array.from(out);
}

/** Points of the fine grid over two coarse cells around a coarse maximum. */
const FINE_POINTS = 25;

/** A set of delta values with what does not depend on the phenotype: weights, ln|H|, chol(X'WX). */
interface GridSet {
  count: number;
  /** ln|H| = sum_i ln d_i per point. */
  logdet: Float64Array;
  /** Cholesky factors of M = X'WX, p x p each; usable[g] = 0 where M is singular. */
  chol: Float64Array;
  usable: Uint8Array;
  /** w[i, g] = 1 / d_i(delta_g), d_i = (s_i + delta) / (t + delta) (1 at delta = Infinity: sigmaA2 = 0), n x count. */
  w: Float64Array;
  /** wx[i, g p + j] = x_ij w[i, g], n x count p. */
  wx: Float64Array;
}

function gridSet(s: Float64Array, x: Float64Array[], deltas: number[], t: number): GridSet {
  const n = s.length;
  const p = x.length;
  const count = deltas.length;
  const logdet = new Float64Array(count);
  const chol = new Float64Array(count * p * p);
  const usable = new Uint8Array(count);
  const w = new Float64Array(n * count);
  const wx = new Float64Array(n * count * p);
  for (let g = 0; g < count; g++) {
    // H scaled to h2 K / t + (1 - h2) I, d_i = (s_i + delta) / (t + delta): l is the same, and near
    // sigmaA2 = 0 (d_i -> 1) ln|H| = sum log1p(h2 (s_i - t) / t) keeps its digits (sum ln(s_i + delta)
    // would carry an absolute rounding error of ~1e-11 into the comparison with l at sigmaA2 = 0).
    const { h2, oneMinusH2 } = h2Pair(deltas[g]!, t);
    const a = h2 / t;
    const m = chol.subarray(g * p * p, (g + 1) * p * p);
    let ld = 0;
    let ok = true;
    for (let i = 0; i < n; i++) {
      const d = a * s[i]! + oneMinusH2;
      if (!(d > 0)) {
        ok = false;
        break;
      }
      const wi = 1 / d;
      ld += Math.log1p((h2 * (s[i]! - t)) / t);
      w[i * count + g] = wi;
      for (let j = 0; j < p; j++) {
        const xj = x[j]![i]!;
        wx[(i * count + g) * p + j] = wi * xj;
        for (let k = 0; k <= j; k++) m[j * p + k] += wi * xj * x[k]![i]!;
      }
    }
    logdet[g] = ld;
    usable[g] = ok && (p === 0 || choleskyInPlace(m, p)) ? 1 : 0;
  }
  return { count, logdet, chol, usable, w, wx };
}

/**
 * l at every point of a grid set for `rows` replicates y_ri = sqrt(v_i) z_ri (z, z2 = z o z: rows x n),
 * as a rows x count matrix: Q = y'Wy - c' M^-1 c with c = X'Wy, l = -n/2 (1 + ln 2 pi + ln(Q / n)) - 1/2 ln|H|.
 */
function gridLogLik(set: GridSet, z: Float64Array, z2: Float64Array, rows: number, n: number, v: Float64Array): Float64Array {
  const { count, logdet, chol, usable } = set;
  const p = set.wx.length / (n * count);
  const wv = new Float64Array(n * count);
  const wxv = new Float64Array(n * count * p);
  for (let i = 0; i < n; i++) {
    const vi = v[i]!;
    const sv = Math.sqrt(vi);
    for (let g = 0; g < count; g++) wv[i * count + g] = set.w[i * count + g]! * vi;
    const base = i * count * p;
    for (let k = 0; k < count * p; k++) wxv[base + k] = set.wx[base + k]! * sv;
  }
  const quad = new Float64Array(rows * count);
  gemmFast(z2, wv, quad, rows, n, count);
  const cross = new Float64Array(rows * count * p);
  if (p > 0) gemmFast(z, wxv, cross, rows, n, count * p);
  const out = new Float64Array(rows * count);
  const c = new Float64Array(p);
  const constant = -0.5 * n * (1 + LN_2PI - Math.log(n));
  const pp = p * p;
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < count; g++) {
      const at = r * count + g;
      if (!usable[g]) {
        out[at] = -Infinity;
        continue;
      }
      let q = quad[at]!;
      if (p === 1) {
        const l00 = chol[g]!;
        const u = cross[at]! / l00;
        q -= u * u;
      } else if (p > 1) {
        // q -= c' M^-1 c = |L^-1 c|^2 (forward substitution only).
        const base = at * p;
        const lo = g * pp;
        for (let j = 0; j < p; j++) {
          let vj = cross[base + j]!;
          for (let k = 0; k < j; k++) vj -= chol[lo + j * p + k]! * c[k]!;
          vj /= chol[lo + j * p + j]!;
          c[j] = vj;
          q -= vj * vj;
        }
      }
      out[at] = q > 0 ? constant - 0.5 * n * Math.log(q) - 0.5 * logdet[g]! : -Infinity;
    }
  }
  return out;
}

/**
 * The maximum of a function known at evenly spaced points: the best point, refined by the maximum of
 * the cubic through it, its neighbours and the next point on the higher side (the parabola through
 * three points when four are not available). A best point at either end is returned as it is.
 */
export function interpolatedMaximum(ts: Float64Array, ls: ArrayLike<number>): { t: number; l: number } {
  const m = ts.length;
  let j = 0;
  for (let k = 1; k < m; k++) if (ls[k]! > ls[j]!) j = k;
  const lj = ls[j]!;
  if (j === 0 || j === m - 1 || !Number.isFinite(ls[j - 1]!) || !Number.isFinite(ls[j + 1]!)) return { t: ts[j]!, l: lj };
  const h = ts[1]! - ts[0]!;
  const i0 = ls[j + 1]! > ls[j - 1]! ? j - 1 : j - 2;
  if (i0 >= 0 && i0 + 3 < m && Number.isFinite(ls[i0]! + ls[i0 + 1]! + ls[i0 + 2]! + ls[i0 + 3]!)) {
    // Newton form on x = (t - t_i0) / h at x = 0, 1, 2, 3, expanded to c0 + c1 x + c2 x^2 + c3 x^3.
    const f0 = ls[i0]!;
    const d1 = ls[i0 + 1]! - f0;
    const d2 = ls[i0 + 2]! - 2 * ls[i0 + 1]! + f0;
    const d3 = ls[i0 + 3]! - 3 * ls[i0 + 2]! + 3 * ls[i0 + 1]! - f0;
    const c1 = d1 - d2 / 2 + d3 / 3;
    const c2 = d2 / 2 - d3 / 2;
    const c3 = d3 / 6;
    const xj = j - i0;
    // Roots of c1 + 2 c2 x + 3 c3 x^2 with a negative second derivative, within one step of x_j.
    const roots: number[] = [];
    if (Math.abs(c3) < 1e-14 * (Math.abs(c2) + Math.abs(c1))) {
      if (c2 !== 0) roots.push(-c1 / (2 * c2));
    } else {
      const disc = c2 * c2 - 3 * c3 * c1;
      if (disc >= 0) {
        const sq = Math.sqrt(disc);
        const qq = -(c2 + Math.sign(c2 || 1) * sq);
        roots.push(qq / (3 * c3));
        if (qq !== 0) roots.push(c1 / qq);
      }
    }
    for (const x of roots) {
      if (x >= xj - 1 && x <= xj + 1 && 2 * c2 + 6 * c3 * x < 0) {
        const l = f0 + x * (c1 + x * (c2 + x * c3));
        if (l >= lj) return { t: ts[i0]! + x * h, l };
      }
    }
  }
  const a = ls[j - 1]!;
  const b = ls[j + 1]!;
  const curv = a - 2 * lj + b;
  if (!(curv < 0)) return { t: ts[j]!, l: lj };
  return { t: ts[j]! + (0.5 * h * (a - b)) / curv, l: lj - ((b - a) * (b - a)) / (8 * curv) };
}

/**
 * optimise.ts `best`: the interior maximum (t, l), or sigmaA2 = 0 (l there: lInf) when that is higher
 * (or the interior one sits at the top of the range), or the lower end of delta (l there: lLow) when it
 * is a candidate (a definite K, or no interior maximum above the lower end) and is higher.
 */
function boundaryRule(t: number, l: number, lInf: number, lLow: number, tMin: number, definite: boolean): 'interior' | 'sigmaA2=0' | 'sigmaE2=0' | 'delta-min' {
  let where: 'interior' | 'sigmaA2=0' | 'sigmaE2=0' | 'delta-min' = 'interior';
  let best = l;
  if (lInf > best + 1e-12 || (t >= T_MAX && lInf >= best - 1e-9)) {
    where = 'sigmaA2=0';
    best = lInf;
  }
  const lowIsCandidate = definite || t <= tMin + 1e-9;
  if (lowIsCandidate && (lLow > best + 1e-12 || (t <= tMin && lLow >= best - 1e-12))) where = definite ? 'sigmaE2=0' : 'delta-min';
  return where;
}

/** The interval {true h2 : the observed estimate lies in its acceptance region}. */
export interface BootstrapInterval {
  lower: number;
  upper: number;
}

/**
 * Invert the acceptance regions of a bootstrap table at an observed ML estimate x.
 *
 * Acceptance region of probability level = 1 - alpha at a true h2: equal tails of alpha/2, except
 * that when the atom at a boundary holds at least alpha/2 of the estimates that end is closed at the
 * boundary and the other tail gets the whole alpha (ALBI's rule). In terms of the estimator's
 * distribution at the true h2: x is accepted iff
 *   P(est <= x) >= aLo  and  P(est >= x) >= aHi,
 *   aLo = alpha if only the upper atom holds >= alpha/2, else alpha/2 (with the lower atom >= alpha/2,
 *         P(est <= x) >= P(est = 0) >= alpha/2 holds for every x: the lower end is closed),
 *   aHi = alpha if only the lower atom holds >= alpha/2, else alpha/2.
 * Each of the four probabilities (the two tails at x and the two atoms) is estimated at every true value
 * on the probit scale by a local probit regression over the 2 w + 1 neighbouring true values (independent
 * replicates; localProbit), which pools their replicates; between grid points the probits are interpolated
 * linearly in h2 (P(est <= x) ~ Phi((x - h2) / sd) is nearly linear there even when the grid step is not
 * small against the estimator's spread), and the set of accepted h2 is found exactly for those lines:
 * its ends are the interval.
 */
export function invertBootstrap(table: BootstrapTable, x: number): BootstrapInterval {
  const alpha = 1 - table.level;
  const G = table.h2.length;
  // Counts per true value: estimates <= x, >= x, at 0, at the top.
  const cBelow = new Float64Array(G);
  const cAbove = new Float64Array(G);
  const cZero = new Float64Array(G);
  const cTop = new Float64Array(G);
  const size = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    const e = table.estimates[g]!;
    const B = e.length;
    size[g] = B;
    cBelow[g] = upperBound(e, x);
    cAbove[g] = B - lowerBound(e, x);
    cZero[g] = Math.round(table.atomZero[g]! * B);
    cTop[g] = Math.round(table.atomTop[g]! * B);
  }
  // Each probability on the probit scale at every true value, pooled over the window of neighbours.
  const smooth = (c: Float64Array): Float64Array => {
    const out = new Float64Array(G);
    for (let g = 0; g < G; g++) out[g] = localProbit(table.h2, c, size, g, table.window);
    return out;
  };
  const below = smooth(cBelow);
  const above = smooth(cAbove);
  const atom0 = smooth(cZero);
  const atom1 = smooth(cTop);
  const half = normalQuantile(alpha / 2);
  const whole = normalQuantile(alpha);
  const accepted = (g: number, u: number): boolean => {
    const lerp = (v: Float64Array): number => v[g]! + u * ((v[g + 1] ?? v[g]!) - v[g]!);
    const closedLo = lerp(atom0) >= half;
    const closedHi = lerp(atom1) >= half;
    const aLo = closedHi && !closedLo ? whole : half;
    const aHi = closedLo && !closedHi ? whole : half;
    return (closedLo || lerp(below) >= aLo) && (closedHi || lerp(above) >= aHi);
  };
  let lower = NaN;
  let upper = NaN;
  for (let g = 0; g < G - 1; g++) {
    // Breakpoints inside the segment: where an interpolated quantity meets one of its thresholds.
    const cuts = [0, 1];
    const addCut = (v: Float64Array, level: number): void => {
      const d = v[g + 1]! - v[g]!;
      if (d !== 0) {
        const u = (level - v[g]!) / d;
        if (u > 0 && u < 1) cuts.push(u);
      }
    };
    for (const v of [atom0, atom1]) addCut(v, half);
    for (const v of [below, above]) {
      addCut(v, half);
      addCut(v, whole);
    }
    cuts.sort((a, b) => a - b);
    const h0 = table.h2[g]!;
    const dh = table.h2[g + 1]! - h0;
    const take = (u0: number, u1: number): void => {
      const a = h0 + u0 * dh;
      const b = h0 + u1 * dh;
      if (!(a >= lower)) lower = a;
      if (!(b <= upper)) upper = b;
    };
    for (let c = 0; c < cuts.length; c++) {
      const u = cuts[c]!;
      if (accepted(g, u)) take(u, u);
      if (c + 1 < cuts.length && cuts[c + 1]! > u && accepted(g, 0.5 * (u + cuts[c + 1]!))) take(u, cuts[c + 1]!);
    }
  }
  if (Number.isNaN(lower)) {
    // No true h2 accepts x (Monte Carlo noise at a boundary): the true h2 whose median estimate is nearest.
    let bestG = 0;
    let bestD = Infinity;
    for (let g = 0; g < G; g++) {
      const e = table.estimates[g]!;
      const d = Math.abs(e[e.length >> 1]! - x);
      if (d < bestD) {
        bestD = d;
        bestG = g;
      }
    }
    lower = upper = table.h2[bestG]!;
  }
  return { lower, upper };
}

/**
 * The probit of a probability at true value g from counts c_j of size_j at the true values h_j,
 * |j - g| <= w: the binomial maximum-likelihood fit of Phi(a + b (h_j - h_g)) (Fisher scoring), a.
 * Pseudo-counts of 1/2 success and 1/2 failure spread over the window keep a and b finite when the
 * counts are all 0 or all full (their pull on a tail probability of 0.025 is below 1% relative for
 * B = 400). w = 0: the probit of (c_g + 1/2) / (size_g + 1).
 */
export function localProbit(h: Float64Array, c: Float64Array, size: Float64Array, g: number, w: number): number {
  const lo = Math.max(0, g - w);
  const hi = Math.min(h.length - 1, g + w);
  const m = hi - lo + 1;
  let cs = 0;
  let ns = 0;
  let span = 0;
  for (let j = lo; j <= hi; j++) {
    cs += c[j]!;
    ns += size[j]!;
    span = Math.max(span, Math.abs(h[j]! - h[g]!));
  }
  let a = normalQuantile((cs + 0.5) / (ns + 1));
  if (m === 1 || !(span > 0)) return a;
  let b = 0;
  const k = 1 / Math.sqrt(2 * Math.PI);
  for (let iter = 0; iter < 50; iter++) {
    let s0 = 0;
    let s1 = 0;
    let i00 = 0;
    let i01 = 0;
    let i11 = 0;
    for (let j = lo; j <= hi; j++) {
      const d = h[j]! - h[g]!;
      const eta = a + b * d;
      const { p, q } = normalCdfPair(eta);
      const pq = Math.max(p * q, 1e-300);
      const dens = k * Math.exp(-0.5 * eta * eta);
      const cj = c[j]! + 0.5 / m;
      const nj = size[j]! + 1 / m;
      const u = ((cj - nj * p) * dens) / pq;
      const wgt = (nj * dens * dens) / pq;
      s0 += u;
      s1 += u * d;
      i00 += wgt;
      i01 += wgt * d;
      i11 += wgt * d * d;
    }
    const det = i00 * i11 - i01 * i01;
    if (!(det > 0)) break;
    let da = (i11 * s0 - i01 * s1) / det;
    let db = (i00 * s1 - i01 * s0) / det;
    // Damped: at most 1 in a and 1 / span in b per step.
    const f = Math.max(1, Math.abs(da), Math.abs(db) * span);
    da /= f;
    db /= f;
    a += da;
    b += db;
    if (Math.abs(da) < 1e-10 && Math.abs(db) * span < 1e-10) break;
  }
  return a;
}

/** Number of entries of sorted a that are < x. */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of entries of sorted a that are <= x. */
function upperBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
