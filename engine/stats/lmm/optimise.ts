import { brentMaximize } from './brent.js';
import type { ProfileLikelihood } from './profile.js';

/**
 * Where on the ln(delta) axis the profile log-likelihood is searched.
 *
 * delta = sigmaE2 / sigmaA2 runs over (deltaMin, infinity]; delta = infinity (sigmaA2 = 0) is the
 * exact OLS limit. When K is positive definite, delta = 0 (sigmaE2 = 0) is a proper boundary and
 * deltaMin = 0. When K is singular (always, for the re-centred GRM), the likelihood has a
 * degenerate spike as delta -> 0 whenever the null space of K lies in the span of the fixed effects
 * (the intercept does, for the re-centred GRM): it grows like -1/2 ln delta without bound. So delta
 * stays >= 1e-5 (GEMMA's lambda <= 1e5), and the lower end is NOT a candidate maximum there: the
 * reported fit is the highest interior local maximum, and delta = 1e-5 ('delta-min') only when l
 * rises all the way down to it. (GEMMA also compares l at lambda = 1e5 and so can report the spike
 * when the interior peak is weak: small n, high heritability. Both agree whenever the peak is interior.)
 */
export const DELTA_MIN_SINGULAR = 1e-5;
/** Beyond this, the interior is indistinguishable from the sigmaA2 = 0 limit, which is evaluated exactly. */
export const T_MAX = Math.log(1e10);

export interface ProfileOptimum {
  /** ln delta of the maximum; +Infinity for sigmaA2 = 0, -Infinity for sigmaE2 = 0 (definite K). */
  t: number;
  logl: number;
  where: 'interior' | 'sigmaA2=0' | 'sigmaE2=0' | 'delta-min';
  evaluations: number;
  converged: boolean;
}

export function searchBounds(prof: ProfileLikelihood): { tMin: number; tMax: number } {
  return { tMin: prof.kernelIsDefinite ? Math.log(1e-12) : Math.log(DELTA_MIN_SINGULAR), tMax: T_MAX };
}

/** The value of l at the lower end of the search: delta = 0 exactly for definite K, else deltaMin. */
function lowerBoundary(prof: ProfileLikelihood, tMin: number): { t: number; logl: number; where: ProfileOptimum['where'] } {
  if (prof.kernelIsDefinite) return { t: -Infinity, logl: prof.evaluateDelta(0, false), where: 'sigmaE2=0' };
  return { t: tMin, logl: prof.evaluate(tMin, false), where: 'delta-min' };
}

/**
 * The local maximum of l(t) uphill from t0, kept in t0's basin: march uphill (Newton steps where l is
 * concave, short steps of 0.25 where it is not, at most 1 in ln delta) until dl/dt changes sign,
 * which brackets the maximum with dl/dt > 0 on its left and < 0 on its right; then safeguarded
 * Newton (bisection when a step leaves the bracket). Marching uphill with small steps cannot jump
 * across the maximum and the minimum beyond it, so a degenerate rise elsewhere (the delta -> 0 spike
 * of a singular K) is never reached from an interior start. Stops at tMin / tMax if l keeps rising.
 */
export function localMaximize(
  prof: ProfileLikelihood,
  t0: number,
  tMin: number,
  tMax: number,
  maxIter = 100,
): { t: number; logl: number; evaluations: number; converged: boolean } {
  let t = Math.min(Math.max(t0, tMin), tMax);
  let l = prof.evaluate(t, true);
  let g = prof.dlogl;
  let h = prof.d2logl;
  let evals = 1;
  const done = (gg: number, hh: number): boolean => Math.abs(gg) < 1e-9 || (hh < 0 && (gg * gg) / -hh < 2e-10);
  // Phase 1: march uphill to a sign change of the gradient.
  let lo = NaN; // gradient > 0 here
  let hi = NaN; // gradient < 0 here
  for (let iter = 0; iter < maxIter; iter++) {
    if (done(g, h)) return { t, logl: l, evaluations: evals, converged: true };
    let step = h < 0 ? -g / h : Math.sign(g) * 0.25;
    if (step > 1) step = 1;
    if (step < -1) step = -1;
    const tn = Math.min(Math.max(t + step, tMin), tMax);
    if (tn === t) return { t, logl: l, evaluations: evals, converged: true }; // at a bound, still rising
    const ln = prof.evaluate(tn, true);
    evals++;
    const gn = prof.dlogl;
    const hn = prof.d2logl;
    if (Math.sign(gn) !== Math.sign(g)) {
      [lo, hi] = g > 0 ? [t, tn] : [tn, t];
      if (ln > l) {
        t = tn;
        l = ln;
        g = gn;
        h = hn;
      }
      break;
    }
    t = tn;
    l = ln;
    g = gn;
    h = hn;
  }
  if (Number.isNaN(lo)) return { t, logl: l, evaluations: evals, converged: false };
  // Phase 2: safeguarded Newton inside [lo, hi].
  let bestT = t;
  let bestL = l;
  // Re-evaluate at the best end so that g and h belong to it.
  for (let iter = 0; iter < maxIter; iter++) {
    if (done(g, h) || hi - lo < 1e-12) break;
    let tn = h < 0 ? t - g / h : NaN;
    if (!(tn > lo && tn < hi)) tn = 0.5 * (lo + hi);
    const ln = prof.evaluate(tn, true);
    evals++;
    g = prof.dlogl;
    h = prof.d2logl;
    t = tn;
    l = ln;
    if (g > 0) lo = tn;
    else hi = tn;
    if (ln > bestL) {
      bestL = ln;
      bestT = tn;
    }
  }
  if (bestT !== t) {
    l = prof.evaluate(bestT, false);
    evals++;
    t = bestT;
  }
  return { t, logl: l, evaluations: evals, converged: true };
}

/** Brent on a bracket, then Newton to polish: the maximum of l inside [a, b]. */
function refine(prof: ProfileLikelihood, a: number, b: number, tMin: number, tMax: number): { t: number; logl: number; evaluations: number } {
  const br = brentMaximize((t) => prof.evaluate(t, false), a, b, 1e-10);
  const nw = localMaximize(prof, br.t, Math.max(tMin, a), Math.min(tMax, b), 20);
  return nw.logl >= br.value ? { t: nw.t, logl: nw.logl, evaluations: br.evaluations + nw.evaluations } : { t: br.t, logl: br.value, evaluations: br.evaluations + nw.evaluations };
}

function best(prof: ProfileLikelihood, interior: { t: number; logl: number }, tMin: number, evaluations: number, converged: boolean): ProfileOptimum {
  let out: ProfileOptimum = { t: interior.t, logl: interior.logl, where: 'interior', evaluations, converged };
  const lInf = prof.evaluateSigmaA2Zero();
  if (lInf > out.logl + 1e-12 || (interior.t >= T_MAX && lInf >= out.logl - 1e-9)) {
    out = { t: Infinity, logl: lInf, where: 'sigmaA2=0', evaluations: evaluations + 1, converged: true };
  }
  const low = lowerBoundary(prof, tMin);
  const lowIsCandidate = prof.kernelIsDefinite || interior.t <= tMin + 1e-9;
  if (lowIsCandidate && (low.logl > out.logl + 1e-12 || (interior.t <= tMin && low.logl >= out.logl - 1e-12))) {
    out = { t: low.t, logl: low.logl, where: low.where, evaluations: evaluations + 2, converged: true };
  }
  return out;
}

/**
 * The exact optimiser: l on a dense grid of ln delta, every local maximum of the grid refined by
 * Brent and Newton, both boundaries evaluated exactly; the best of these. Slow (hundreds of
 * evaluations) and robust: used for the null model (once per phenotype), for every model with
 * --method exact, and as the reference the fast route (engine/scan/fit-block.ts) is tested against.
 */
export function exactMaximize(prof: ProfileLikelihood, gridPoints = 400): ProfileOptimum {
  const { tMin, tMax } = searchBounds(prof);
  const ts = new Float64Array(gridPoints);
  const ls = new Float64Array(gridPoints);
  for (let k = 0; k < gridPoints; k++) {
    ts[k] = tMin + ((tMax - tMin) * k) / (gridPoints - 1);
    ls[k] = prof.evaluate(ts[k]!, false);
  }
  let bestInterior = { t: ts[0]!, logl: -Infinity };
  let evals = gridPoints;
  // With singular K the lowest grid point is a candidate only when no interior maximum exists.
  const first = prof.kernelIsDefinite ? 0 : 1;
  for (let k = first; k < gridPoints; k++) {
    const left = k > 0 ? ls[k - 1]! : -Infinity;
    const right = k < gridPoints - 1 ? ls[k + 1]! : -Infinity;
    if (ls[k]! >= left && ls[k]! >= right) {
      const a = ts[Math.max(0, k - 1)]!;
      const b = ts[Math.min(gridPoints - 1, k + 1)]!;
      const r = refine(prof, a, b, tMin, tMax);
      evals += r.evaluations;
      if (r.logl > bestInterior.logl) bestInterior = r;
    }
  }
  if (bestInterior.logl === -Infinity) bestInterior = { t: tMin, logl: ls[0]! };
  return best(prof, bestInterior, tMin, evals, true);
}
