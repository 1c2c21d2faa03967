import { chi2UpperQuantile } from '../chisq.js';
import { searchBounds } from '../lmm/optimise.js';
import { ProfileLikelihood } from '../lmm/profile.js';
import { H2Likelihood, type HeritabilityBasis } from './h2-likelihood.js';
import { h2AtDeltaMin, mlHeritability, nullModelOf, type MlHeritability } from './ml-estimate.js';
import { brentRoot } from './roots.js';

export interface ProfileIntervalOptions {
  /** Coverage of the interval (default 0.95). */
  level?: number;
  /** Points of the plotted curve (default 200). */
  curvePoints?: number;
}

/** Which end of a likelihood interval was cut off by the parameter space [0, 1]. */
export type ClippedEnd = 'lower' | 'upper' | 'both' | null;

/** The profile-likelihood interval of h2 and its curve. */
export interface ProfileInterval {
  /** The ML estimate (the scan's null PVE) and where the maximum lies. */
  ml: MlHeritability;
  level: number;
  /** chi2_1 quantile of `level`: the interval is {h2 : 2 (l_max - l(h2)) <= threshold}. */
  threshold: number;
  lower: number;
  upper: number;
  /** An end at 0 or 1 where the likelihood had not dropped by threshold / 2: the interval is cut there. */
  clipped: ClippedEnd;
  /**
   * l(h2) - l_max at curvePoints values of h2 evenly over [0, 1] and at the estimate, in increasing h2.
   * For a singular K the last point is h2 = t / (t + 1e-5) (delta = 1e-5, the lower end of the ML
   * search), not 1, where l has the degenerate delta -> 0 rise. null where l is not finite.
   */
  curve: { h2: number[]; logLikRatio: (number | null)[] };
}

/** Step in logit(h2) = ln(t / delta) when walking out from the estimate to bracket an end. */
const LOGIT_STEP = 0.05;
/** Ends are refined to this in h2. */
const H2_TOL = 1e-10;

function logistic(u: number): { h2: number; oneMinusH2: number } {
  return u >= 0 ? { h2: 1 / (1 + Math.exp(-u)), oneMinusH2: Math.exp(-u) / (1 + Math.exp(-u)) } : { h2: Math.exp(u) / (1 + Math.exp(u)), oneMinusH2: 1 / (1 + Math.exp(u)) };
}

/**
 * The ML profile log-likelihood over h2 and its likelihood-ratio interval.
 *
 *   l(h2) = max over b, sigma of the log-likelihood with V = sigma^2 (h2 K / t + (1 - h2) I)
 *   (= ProfileLikelihood's l(delta) at delta = t (1 - h2) / h2; h2 = 0 is sigmaA2 = 0, exactly),
 *   estimate: the ML of optimise.ts (the scan's null PVE), l_max = l(estimate),
 *   interval: the connected piece around the estimate of {h2 : 2 (l_max - l(h2)) <= chi2_1,level},
 *
 * found by walking out from the estimate in steps of 0.05 in logit(h2) (the axis ln delta of the
 * optimiser) to the first point past the threshold, then Brent's root finder in h2 to 1e-10. The walk
 * spans the optimiser's range of delta, [1e-5 (singular K) or 1e-12, 1e10]; past 1e10 the end is
 * sought between there and h2 = 0 exactly. For a singular K the likelihood rises without bound as
 * delta -> 0 (optimise.ts): when the walk reaches delta = 1e-5 without crossing, the upper end is 1,
 * clipped; it is never extended through that degenerate rise.
 */
export function profileInterval(basis: HeritabilityBasis, opts: ProfileIntervalOptions = {}): ProfileInterval {
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`profile interval: level must be in (0, 1), got ${level}`);
  const curvePoints = Math.max(3, Math.round(opts.curvePoints ?? 200));
  const threshold = chi2UpperQuantile(Math.log1p(-level), 1);
  const ml = mlHeritability(basis);
  const lik = new H2Likelihood(basis);
  const t = basis.kinshipScale;
  const lmax = lik.profileLogLik(ml.h2, ml.oneMinusH2);
  const excess = (h2: number, oneMinusH2 = 1 - h2): number => 2 * (lmax - lik.profileLogLik(h2, oneMinusH2)) - threshold;

  // The optimiser's range of delta, as logit(h2) = ln t - ln delta.
  const prof = new ProfileLikelihood(basis.s, Math.max(1, basis.wStar.length));
  prof.bind(nullModelOf(basis));
  const { tMin, tMax } = searchBounds(prof);
  const uLo = Math.log(t) - tMax;
  const uHi = Math.log(t) - tMin;
  const uHat = ml.where === 'sigmaA2=0' ? uLo : ml.where === 'interior' ? Math.log(t) - Math.log(ml.delta) : uHi;

  /** Walk from uHat in direction dir until the excess turns positive; then the root in h2. */
  const end = (dir: 1 | -1): { value: number; clipped: boolean } => {
    let u = uHat;
    let prev = logistic(u);
    for (;;) {
      const un = dir > 0 ? Math.min(u + LOGIT_STEP, uHi) : Math.max(u - LOGIT_STEP, uLo);
      if (un === u) break;
      const cur = logistic(un);
      const f = excess(cur.h2, cur.oneMinusH2);
      if (f > 0) {
        const fPrev = excess(prev.h2, prev.oneMinusH2);
        if (fPrev > 0) return { value: prev.h2, clipped: false }; // the estimate itself is past the threshold (never for an exact ML)
        const [a, b, fa, fb] = dir > 0 ? [prev.h2, cur.h2, fPrev, f] : [cur.h2, prev.h2, f, fPrev];
        return { value: brentRoot((h) => excess(h), a, b, fa, fb, H2_TOL), clipped: false };
      }
      u = un;
      prev = cur;
    }
    // At the end of the optimiser's range without crossing.
    if (dir > 0 && !lik.kernelIsDefinite) return { value: 1, clipped: true };
    const edge = dir > 0 ? 1 : 0;
    const fEdge = excess(edge, 1 - edge);
    if (!(fEdge > 0)) return { value: edge, clipped: true };
    const fPrev = excess(prev.h2, prev.oneMinusH2);
    const [a, b, fa, fb] = dir > 0 ? [prev.h2, 1, fPrev, fEdge] : [0, prev.h2, fEdge, fPrev];
    return { value: brentRoot((h) => excess(h), a, b, fa, fb, H2_TOL), clipped: false };
  };
  const lo = end(-1);
  const hi = end(1);
  const clipped: ClippedEnd = lo.clipped && hi.clipped ? 'both' : lo.clipped ? 'lower' : hi.clipped ? 'upper' : null;

  // The curve, with the estimate among its points.
  const top = lik.kernelIsDefinite ? { h2: 1, oneMinusH2: 0 } : h2AtDeltaMin(t);
  const pts: { h2: number; oneMinusH2: number }[] = [];
  for (let k = 0; k < curvePoints; k++) {
    const h2 = k / (curvePoints - 1);
    pts.push(k === curvePoints - 1 ? top : { h2, oneMinusH2: 1 - h2 });
  }
  if (!pts.some((p) => p.h2 === ml.h2)) pts.push({ h2: ml.h2, oneMinusH2: ml.oneMinusH2 });
  pts.sort((a, b) => a.h2 - b.h2);
  const curve = { h2: [] as number[], logLikRatio: [] as (number | null)[] };
  for (const p of pts) {
    const l = lik.profileLogLik(p.h2, p.oneMinusH2) - lmax;
    curve.h2.push(p.h2);
    curve.logLikRatio.push(Number.isFinite(l) ? l : null);
  }
  return { ml, level, threshold, lower: lo.value, upper: hi.value, clipped, curve };
}
