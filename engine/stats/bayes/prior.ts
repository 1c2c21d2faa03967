/**
 * The prior on a SNP's effects under which Kinscan's Bayes factors are computed (BIMBAM's,
 * Servin and Stephens 2007): beta_a ~ N(0, sigma^2 sigmaA^2), beta_d ~ N(0, sigma^2 sigmaD^2),
 * independent, sigmaD = dominanceRatio * sigmaA, where sigma^2 is the residual variance (effects
 * are in units of the residual standard deviation). The Bayes factor is the average of the Bayes
 * factors at each sigmaA of the list (an equal-weight mixture prior).
 */
export interface EffectPrior {
  /** Prior standard deviations of the additive effect, in residual standard deviations. */
  sigmaA: readonly number[];
  /** sigmaD / sigmaA. */
  dominanceRatio: number;
}

/** BIMBAM's default prior (the scan's default, engine/protocol/settings.ts bayes). */
export const BIMBAM_PRIOR: EffectPrior = { sigmaA: [0.05, 0.1, 0.2, 0.4], dominanceRatio: 0.25 };

/** ln of the mean of exp(values): an average of Bayes factors from their logarithms. */
export function lnMeanExp(values: Float64Array | readonly number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  if (!Number.isFinite(max)) return max;
  let acc = 0;
  for (const v of values) acc += Math.exp(v - max);
  return max + Math.log(acc / values.length);
}
