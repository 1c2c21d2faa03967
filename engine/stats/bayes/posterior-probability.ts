/**
 * The posterior probability of association of a SNP whose Bayes factor is BF, for a prior
 * probability pi that the SNP is associated (the same for every SNP):
 *
 *   ppa = pi BF / (pi BF + 1 - pi)
 *
 * computed from ln BF without overflow. pi = 1e-4 says: before looking at the data, about one SNP
 * in 10,000 is expected to be associated with the trait.
 */
export function posteriorProbability(lnBf: number, priorProbability: number): number {
  if (Number.isNaN(lnBf)) return NaN;
  // logit(ppa) = ln BF + ln(pi / (1 - pi)).
  const logit = lnBf + Math.log(priorProbability) - Math.log1p(-priorProbability);
  return logit > 0 ? 1 / (1 + Math.exp(-logit)) : Math.exp(logit) / (1 + Math.exp(logit));
}
