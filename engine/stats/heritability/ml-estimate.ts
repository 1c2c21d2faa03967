import type { EigenModel } from '../lmm/model.js';
import { DELTA_MIN_SINGULAR, exactMaximize, type ProfileOptimum } from '../lmm/optimise.js';
import { ProfileLikelihood } from '../lmm/profile.js';
import { h2FromDelta, type HeritabilityBasis } from './h2-likelihood.js';

/** The ML estimate of h2 = t / (t + delta): the null model's PVE, by the scan's own rule. */
export interface MlHeritability {
  /** h2 = t / (t + delta); 0 when sigmaA2 = 0, 1 when sigmaE2 = 0 (positive definite K only). */
  h2: number;
  /** 1 - h2, computed as delta / (t + delta) so that it keeps its digits near h2 = 1. */
  oneMinusH2: number;
  /** delta = sigmaE2 / sigmaA2 at the maximum (Infinity for sigmaA2 = 0, 0 for sigmaE2 = 0). */
  delta: number;
  /** The maximised ML log-likelihood. */
  logl: number;
  /** Where the maximum lies (optimise.ts): 'delta-min' is the lower end of delta for a singular K. */
  where: ProfileOptimum['where'];
}

/** The null model of a basis as the LMM code sees it. */
export function nullModelOf(basis: HeritabilityBasis): EigenModel {
  return { n: basis.s.length, s: basis.s, y: basis.yStar, x: basis.wStar };
}

/** delta at an optimum of optimise.ts (its t is ln delta, +-Infinity at the boundaries). */
export function deltaOfOptimum(opt: Pick<ProfileOptimum, 't' | 'where'>): number {
  if (opt.where === 'sigmaA2=0') return Infinity;
  if (opt.where === 'sigmaE2=0') return 0;
  return Math.exp(opt.t);
}

/** h2 and 1 - h2 of delta, both to full relative precision. */
export function h2Pair(delta: number, t: number): { h2: number; oneMinusH2: number } {
  if (delta === Infinity) return { h2: 0, oneMinusH2: 1 };
  return { h2: h2FromDelta(delta, t), oneMinusH2: delta / (t + delta) };
}

/**
 * The ML estimate of h2 exactly as the scan's null fit finds it (fitModel 'exact' = optimise.ts
 * exactMaximize: a dense grid of ln delta, each grid maximum refined, the highest interior local
 * maximum, the boundaries sigmaA2 = 0 exactly and, for a singular K, delta = 1e-5 only when l rises
 * all the way down to it; never the degenerate delta -> 0 spike of a singular K).
 */
export function mlHeritability(basis: HeritabilityBasis): MlHeritability {
  const prof = new ProfileLikelihood(basis.s, Math.max(1, basis.wStar.length));
  prof.bind(nullModelOf(basis));
  const opt = exactMaximize(prof);
  const delta = deltaOfOptimum(opt);
  return { ...h2Pair(delta, basis.kinshipScale), delta, logl: opt.logl, where: opt.where };
}

/** The largest h2 the ML rule can return for a singular K: delta = DELTA_MIN_SINGULAR. */
export function h2AtDeltaMin(t: number): { h2: number; oneMinusH2: number } {
  return h2Pair(DELTA_MIN_SINGULAR, t);
}
