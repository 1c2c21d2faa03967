import { gemmFast } from '../kernels/gemm.js';
import { choleskyInPlace, leastSquares } from '../linalg.js';
import { brentMaximize } from '../lmm/brent.js';
import { H2Likelihood, type HeritabilityBasis } from './h2-likelihood.js';
import { brentRoot } from './roots.js';

export interface PosteriorGridOptions {
  /** Credible level of the equal-tailed interval (default 0.95). */
  level?: number;
  /** Nodes of the grid over [0, 1] (default 4001; rounded up to an odd number for Simpson's rule). */
  gridPoints?: number;
  /** Points of the plotted curve (default about 200: every k-th node). */
  curvePoints?: number;
}

/** The posterior of h2 under a uniform prior, on a grid. */
export interface PosteriorGrid {
  level: number;
  gridPoints: number;
  /** Posterior mean E[h2 | y]. */
  mean: number;
  /** Posterior mode (the grid's best node refined by Brent's method). */
  mode: number;
  /** Equal-tailed credible interval: the (1 - level)/2 and (1 + level)/2 quantiles. */
  lower: number;
  upper: number;
  /** ln of the integral over [0, 1] of m(h2) (the marginal likelihood of H2Likelihood.logMarginal, constant dropped). */
  logNormaliser: number;
  /**
   * How the node h2 = 1 was evaluated: exactly ('exact', positive definite K), or, for a singular K
   * where H = K / t is singular, as the limit h2 -> 1 by cubic extrapolation of log m from the four
   * nodes below it ('extrapolated'). The limit is finite when K's null space lies in the span of the
   * fixed effects (the re-centred GRM with an intercept) and -Infinity (density 0) otherwise. Why the
   * cubic is accurate: with A an orthonormal basis of the complement of X, m(h2) is proportional to
   * |A'HA|^(-1/2) (y'A (A'HA)^-1 A'y)^(-(n - p)/2) and A'HA = (1 - h2) I + h2 A'KA / t is analytic and
   * positive definite on all of [0, 1] in the first case, so log m is smooth up to h2 = 1 and the
   * extrapolation error is O(step^4).
   */
  endpoint: 'exact' | 'extrapolated';
  /** The normalised posterior density p(h2 | y) at evenly spaced nodes, for plotting. */
  curve: { h2: number[]; density: number[] };
}

/**
 * The posterior of h2 on [0, 1] under a uniform prior, with b integrated out under a flat prior and
 * sigma^2 under p(sigma^2) ~ 1/sigma^2 (so it does not matter how V is scaled at each h2):
 *
 *   p(h2 | y) ~ m(h2),   log m(h2) = -1/2 ln|X'H^-1 X| - 1/2 ln|H| - (n - p)/2 ln(y'P y),
 *   H = h2 K / t + (1 - h2) I   (H2Likelihood.logMarginal, O(n p^2) per node in the eigenbasis).
 *
 * For the re-centred GRM this REML-type marginal has no spike as h2 -> 1: K's null space (the
 * intercept) lies in the span of X, and ln|X'H^-1 X| and ln|H| diverge with opposite signs and cancel.
 *
 * With more than two fixed effects the nodes below h2 = 1 are evaluated together (logMarginalNodes: one
 * matrix product for all their cross-products, so that the cost hardly grows with p); else, and for the
 * refinements of the mode, one by one (H2Likelihood).
 * Quadrature on gridPoints evenly spaced nodes (h = 1 / (gridPoints - 1)): Simpson's rule for the
 * normaliser Z and the mean. The CDF inside a cell is the integral of the quadratic through the
 * Simpson pair's three nodes (a cubic; at the pair's ends it is Simpson's value), and a quantile is
 * that cubic inverted by Brent's root finder in its cell. The mode is the best node refined by Brent's
 * maximiser on its two neighbouring cells (h2 = 0 or 1 when the density is highest there).
 */
export function posteriorGrid(basis: HeritabilityBasis, opts: PosteriorGridOptions = {}): PosteriorGrid {
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`posterior of h2: level must be in (0, 1), got ${level}`);
  let nodes = Math.max(5, Math.round(opts.gridPoints ?? 4001));
  if (nodes % 2 === 0) nodes++;
  const cells = nodes - 1;
  const step = 1 / cells;
  const lik = new H2Likelihood(basis);
  const logm = new Float64Array(nodes);
  // One node at a time for p <= 2 (its unrolled loops are faster there), all nodes at once beyond.
  if (basis.wStar.length <= 2) for (let k = 0; k < cells; k++) logm[k] = lik.logMarginal(k * step, (cells - k) * step);
  else logMarginalNodes(basis, cells, logm);
  let endpoint: PosteriorGrid['endpoint'] = 'exact';
  const atOne = lik.logMarginal(1, 0);
  if (Number.isFinite(atOne)) logm[cells] = atOne;
  else {
    // The limit h2 -> 1 of log m (smooth up to 1 when it is finite): the cubic through the last four nodes.
    endpoint = 'extrapolated';
    const c = cells;
    const cubic = 4 * logm[c - 1]! - 6 * logm[c - 2]! + 4 * logm[c - 3]! - logm[c - 4]!;
    logm[c] = Number.isFinite(cubic) ? cubic : -Infinity;
  }
  let top = -Infinity;
  let best = 0;
  for (let k = 0; k < nodes; k++) {
    if (logm[k]! > top) {
      top = logm[k]!;
      best = k;
    }
  }
  if (!Number.isFinite(top)) throw new RangeError('posterior of h2: the marginal likelihood is not finite anywhere on [0, 1]');
  const f = new Float64Array(nodes);
  for (let k = 0; k < nodes; k++) f[k] = Number.isFinite(logm[k]!) ? Math.exp(logm[k]! - top) : 0;

  // Cumulative integral at every node: per Simpson pair, its two cells by the quadratic's integrals.
  const cum = new Float64Array(nodes);
  let meanAcc = 0;
  for (let k = 0; k < cells; k += 2) {
    const f0 = f[k]!;
    const f1 = f[k + 1]!;
    const f2 = f[k + 2]!;
    cum[k + 1] = cum[k]! + (step / 12) * (5 * f0 + 8 * f1 - f2);
    cum[k + 2] = cum[k]! + (step / 3) * (f0 + 4 * f1 + f2);
    const x0 = k * step;
    meanAcc += (step / 3) * (x0 * f0 + 4 * (x0 + step) * f1 + (x0 + 2 * step) * f2);
  }
  const z = cum[cells]!;
  const mean = meanAcc / z;

  /** The CDF at x in [0, 1]: the Simpson pair's quadratic integrated from the pair's start. */
  const cdfAt = (x: number): number => {
    let j = Math.floor(x / (2 * step));
    if (j * 2 >= cells) j = cells / 2 - 1;
    const k = 2 * j;
    const u = (x - k * step) / step; // in [0, 2]
    const f0 = f[k]!;
    const f1 = f[k + 1]!;
    const f2 = f[k + 2]!;
    // q(u) = f0 + u (-3 f0 + 4 f1 - f2)/2 + u^2 (f0 - 2 f1 + f2)/2, integrated over [0, u].
    const b1 = (-3 * f0 + 4 * f1 - f2) / 2;
    const b2 = (f0 - 2 * f1 + f2) / 2;
    return (cum[k]! + step * (f0 * u + (b1 * u * u) / 2 + (b2 * u * u * u) / 3)) / z;
  };
  const quantile = (prob: number): number => {
    const target = prob * z;
    // The first node whose cumulative integral reaches the target; the quantile is in the cell before it.
    let lo = 0;
    let hi = cells;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! >= target) hi = mid;
      else lo = mid;
    }
    const a = lo * step;
    const b = hi === cells ? 1 : hi * step;
    return brentRoot((x) => cdfAt(x) - prob, a, b, cdfAt(a) - prob, cdfAt(b) - prob, 1e-13);
  };
  const alpha = 1 - level;
  const lower = quantile(alpha / 2);
  const upper = quantile(1 - alpha / 2);

  // Mode: Brent on the best node's neighbouring cells; the boundary node itself when it is best there.
  const evalAt = (x: number): number => (x >= 1 ? logm[cells]! : lik.logMarginal(x, 1 - x));
  const a = Math.max(0, best - 1) * step;
  const b = Math.min(cells, best + 1) * step;
  const br = brentMaximize(evalAt, a, b, 1e-12);
  let mode = br.t;
  let modeValue = br.value;
  if (best === 0 && logm[0]! >= modeValue) {
    mode = 0;
    modeValue = logm[0]!;
  }
  if (best === cells && logm[cells]! >= modeValue) mode = 1;

  const curvePoints = Math.max(3, Math.round(opts.curvePoints ?? 200));
  const every = Math.max(1, Math.round(cells / (curvePoints - 1)));
  const curve = { h2: [] as number[], density: [] as number[] };
  for (let k = 0; k <= cells; k += every) {
    curve.h2.push(k * step);
    curve.density.push(f[k]! / z);
  }
  if (curve.h2[curve.h2.length - 1] !== 1) {
    curve.h2.push(1);
    curve.density.push(f[cells]! / z);
  }
  return { level, gridPoints: nodes, mean, mode, lower, upper, logNormaliser: Math.log(z) + top, endpoint, curve };
}

/** Nodes per block of logMarginalNodes (its weight matrix is n x NODE_BLOCK). */
const NODE_BLOCK = 256;

/**
 * log m(h2) (H2Likelihood.logMarginal) at the nodes h2_k = k / cells, k = 0..cells-1, into out[k],
 * all at once: with d_ki = h2_k s_i / t + 1 - h2_k and W the (n x nodes) matrix of 1 / d_ki, every
 * cross-product the marginal needs, M_k = X'W_k X, c_k = X'W_k y and y'W_k y, is one row of
 * [x_j x_l, x_j y, y y]^T W (i.e. one matrix product, (p + 1)(p + 2)/2 x n by n x nodes, in blocks of
 * nodes), then Q_k = y'W_k y - c_k' M_k^-1 c_k. y is first replaced by its least-squares residual on X
 * (y'Py does not change, and no part of y that X explains meets the large weights near h2 = 1).
 * ln|H_k| = sum_i ln d_ki takes one logarithm per 16 factors. -Infinity where H_k or M_k is singular.
 */
function logMarginalNodes(basis: HeritabilityBasis, cells: number, out: Float64Array): void {
  const { s, wStar: x } = basis;
  const n = s.length;
  const p = x.length;
  const t = basis.kinshipScale;
  const bOls = p > 0 ? leastSquares(x, basis.yStar) : new Float64Array(0);
  const y = Float64Array.from(basis.yStar);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) y[i] = y[i]! - bOls[j]! * x[j]![i]!;
  // Rows of the left factor: x_j x_l (l <= j), then x_j y, then y y.
  const pairs = (p * (p + 1)) / 2;
  const rows = pairs + p + 1;
  const left = new Float64Array(rows * n);
  let r = 0;
  for (let j = 0; j < p; j++)
    for (let l = 0; l <= j; l++, r++) for (let i = 0; i < n; i++) left[r * n + i] = x[j]![i]! * x[l]![i]!;
  for (let j = 0; j < p; j++, r++) for (let i = 0; i < n; i++) left[r * n + i] = x[j]![i]! * y[i]!;
  for (let i = 0; i < n; i++) left[r * n + i] = y[i]! * y[i]!;
  const step = 1 / cells;
  const wm = new Float64Array(n * NODE_BLOCK);
  const prod = new Float64Array(NODE_BLOCK);
  const logdet = new Float64Array(NODE_BLOCK);
  const sums = new Float64Array(rows * NODE_BLOCK);
  const m = new Float64Array(p * p);
  const c = new Float64Array(p);
  for (let k0 = 0; k0 < cells; k0 += NODE_BLOCK) {
    const kb = Math.min(NODE_BLOCK, cells - k0);
    prod.fill(1, 0, kb);
    logdet.fill(0, 0, kb);
    for (let i = 0; i < n; i++) {
      const si = s[i]!;
      const row = i * kb;
      for (let q = 0; q < kb; q++) {
        const k = k0 + q;
        const d = ((k * step) / t) * si + (cells - k) * step;
        wm[row + q] = 1 / d;
        prod[q] = prod[q]! * d;
      }
      if ((i & 15) === 15 || i === n - 1) for (let q = 0; q < kb; q++) {
        logdet[q] = logdet[q]! + Math.log(prod[q]!);
        prod[q] = 1;
      }
    }
    gemmFast(left, wm, sums, rows, n, kb);
    for (let q = 0; q < kb; q++) {
      // Every d_ki > 0 here (h2 < 1); M_k may still be singular to working precision.
      let ok = Number.isFinite(logdet[q]!);
      let qv = sums[(rows - 1) * kb + q]!;
      let logdetM = 0;
      if (ok && p > 0) {
        let rr = 0;
        for (let j = 0; j < p; j++) for (let l = 0; l <= j; l++, rr++) m[j * p + l] = sums[rr * kb + q]!;
        for (let j = 0; j < p; j++) c[j] = sums[(pairs + j) * kb + q]!;
        if (!choleskyInPlace(m, p)) ok = false;
        else {
          for (let j = 0; j < p; j++) logdetM += 2 * Math.log(m[j * p + j]!);
          // Q = y'Wy - c' M^-1 c = y'Wy - |L^-1 c|^2.
          for (let j = 0; j < p; j++) {
            let v = c[j]!;
            for (let l = 0; l < j; l++) v -= m[j * p + l]! * c[l]!;
            v /= m[j * p + j]!;
            c[j] = v;
            qv -= v * v;
          }
        }
      }
      out[k0 + q] = ok && qv > 0 ? -0.5 * logdetM - 0.5 * logdet[q]! - 0.5 * (n - p) * Math.log(qv) : -Infinity;
    }
  }
}
