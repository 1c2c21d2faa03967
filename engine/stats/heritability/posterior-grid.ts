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
   * fixed effects (the re-centred GRM with an intercept) and -Infinity (density 0) otherwise.
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
  for (let k = 0; k < cells; k++) logm[k] = lik.logMarginal(k * step, (cells - k) * step);
  let endpoint: PosteriorGrid['endpoint'] = 'exact';
  const atOne = lik.logMarginal(1, 0);
  if (Number.isFinite(atOne)) logm[cells] = atOne;
  else {
    // The limit h2 -> 1 of log m (smooth up to 1 when it is finite): the cubic through the last four nodes.
    endpoint = 'extrapolated';
    const c = cells;
    logm[c] = 4 * logm[c - 1]! - 6 * logm[c - 2]! + 4 * logm[c - 3]! - logm[c - 4]!;
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
