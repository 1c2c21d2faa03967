import { bootstrapTable, invertBootstrap, type BootstrapOptions, type BootstrapTable } from './bootstrap-interval.js';
import type { HeritabilityBasis } from './h2-likelihood.js';
import type { MlHeritability } from './ml-estimate.js';
import { posteriorGrid } from './posterior-grid.js';
import { profileInterval, type ClippedEnd } from './profile-interval.js';

export interface HeritabilityOptions {
  /** Level of all three intervals (default 0.95). */
  level?: number;
  /** Points of the profile curve (default 200). */
  profileCurvePoints?: number;
  /** Nodes of the posterior grid (default 4001) and points of its curve (default 200). */
  posteriorGridPoints?: number;
  posteriorCurvePoints?: number;
  /** Sizes and seed of the bootstrap (bootstrap-interval.ts defaults); its level is `level`. */
  bootstrap?: Omit<BootstrapOptions, 'level'>;
  /** A table already computed for this basis's s and X* at this level (it does not depend on y). */
  table?: BootstrapTable;
}

/**
 * h2 = PVE = t sigmaA2 / (t sigmaA2 + sigmaE2) (t = tr(K)/n) of the null model, with three intervals.
 * A plain JSON-able record: every number is finite or null.
 */
export interface HeritabilityReport {
  /** The ML estimate: the null model's PVE the scan reports. */
  estimate: number;
  /** Where the ML lies: 'interior', 'sigmaA2=0' (h2 = 0), 'sigmaE2=0' (h2 = 1) or 'delta-min' (singular K: delta = 1e-5, h2 = t / (t + 1e-5)). */
  where: MlHeritability['where'];
  /** The maximised ML log-likelihood of the null model. */
  logLik: number;
  /** Level of the three intervals. */
  level: number;
  /**
   * Likelihood-ratio interval {h2 : 2 (l_max - l(h2)) <= chi2_1 quantile} around the estimate;
   * `clipped` names an end cut off at 0 or 1. Its coverage is poor near the boundaries.
   */
  profile: {
    lower: number;
    upper: number;
    clipped: ClippedEnd;
    /** The chi2_1 quantile (3.841459 at 0.95). */
    threshold: number;
    /** l(h2) - l_max for plotting (null where not finite). */
    curve: { h2: number[]; logLikRatio: (number | null)[] };
  };
  /**
   * Posterior of h2 under a uniform prior on [0, 1] (b flat, p(sigma^2) ~ 1/sigma^2 integrated out):
   * mean, mode and the equal-tailed credible interval.
   */
  posterior: {
    mean: number;
    mode: number;
    lower: number;
    upper: number;
    gridPoints: number;
    /** How h2 = 1 was evaluated: 'exact' (positive definite K) or 'extrapolated' (the limit, singular K). */
    endpoint: 'exact' | 'extrapolated';
    /** The normalised density for plotting. */
    curve: { h2: number[]; density: number[] };
  };
  /**
   * ALBI's parametric-bootstrap confidence interval (coverage right near 0 and 1 too): the true h2 whose
   * acceptance region holds the estimate, from `replicates` simulated phenotypes at each of `gridPoints`
   * true values, generator seed `seed`, each value's tail probabilities pooled with its `window` neighbours
   * on either side.
   */
  bootstrap: { lower: number; upper: number; replicates: number; gridPoints: number; seed: number; window: number };
}

function finite(x: number, what: string): number {
  if (!Number.isFinite(x)) throw new RangeError(`heritability report: ${what} is not finite (${x})`);
  return x;
}

/** The ML h2 of a trait's null model with its profile, posterior and bootstrap intervals. */
export function heritabilityReport(basis: HeritabilityBasis, opts: HeritabilityOptions = {}): HeritabilityReport {
  const level = opts.level ?? 0.95;
  const prof = profileInterval(basis, { level, curvePoints: opts.profileCurvePoints ?? 200 });
  const post = posteriorGrid(basis, { level, gridPoints: opts.posteriorGridPoints ?? 4001, curvePoints: opts.posteriorCurvePoints ?? 200 });
  const table = opts.table ?? bootstrapTable(basis, { ...opts.bootstrap, level });
  if (table.level !== level) throw new RangeError(`heritability report: the bootstrap table is for level ${table.level}, not ${level}`);
  const boot = invertBootstrap(table, prof.ml.h2);
  return {
    estimate: finite(prof.ml.h2, 'the estimate'),
    where: prof.ml.where,
    logLik: finite(prof.ml.logl, 'the log-likelihood'),
    level,
    profile: {
      lower: finite(prof.lower, 'the profile lower end'),
      upper: finite(prof.upper, 'the profile upper end'),
      clipped: prof.clipped,
      threshold: prof.threshold,
      curve: prof.curve,
    },
    posterior: {
      mean: finite(post.mean, 'the posterior mean'),
      mode: finite(post.mode, 'the posterior mode'),
      lower: finite(post.lower, 'the credible lower end'),
      upper: finite(post.upper, 'the credible upper end'),
      gridPoints: post.gridPoints,
      endpoint: post.endpoint,
      curve: { h2: post.curve.h2, density: post.curve.density.map((d) => finite(d, 'a posterior density value')) },
    },
    bootstrap: {
      lower: finite(boot.lower, 'the bootstrap lower end'),
      upper: finite(boot.upper, 'the bootstrap upper end'),
      replicates: table.replicates,
      gridPoints: table.h2.length,
      seed: table.seed,
      window: table.window,
    },
  };
}
