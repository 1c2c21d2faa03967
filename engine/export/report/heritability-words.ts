/** The report's heritability subsection: the ML h2 with its three intervals, in plain words. */
import type { HeritabilityReport } from '../../stats/heritability/heritability.js';
import type { HeritabilityView } from '../../protocol/methods.js';
import { formatCount, formatPercent } from './format.js';

const f3 = (x: number): string => x.toFixed(3);

export function reportHeritability(h: HeritabilityReport): HeritabilityView & { paragraph: string } {
  const level = formatPercent(h.level);
  const near = h.estimate < 0.1 || h.estimate > 0.9;
  const paragraph =
    `Heritability here is the proportion of the trait’s variance that the kinship explains (PVE), ${f3(h.estimate)} by maximum likelihood. ` +
    `Three ${level} intervals say how sure that is. The profile-likelihood interval (${f3(h.profile.lower)}–${f3(h.profile.upper)}) holds the values the data do not reject by a likelihood-ratio test` +
    `${h.profile.clipped ? `; it reaches the end of the range (${h.profile.clipped === 'lower' ? '0' : h.profile.clipped === 'upper' ? '1' : '0 and 1'})` : ''}. ` +
    `The posterior under a uniform prior on h² (fixed effects and the variance scale integrated out) has mean ${f3(h.posterior.mean)}, mode ${f3(h.posterior.mode)} and ${level} credible interval ${f3(h.posterior.lower)}–${f3(h.posterior.upper)}. ` +
    `The parametric-bootstrap interval (${f3(h.bootstrap.lower)}–${f3(h.bootstrap.upper)}; ALBI’s construction, Schweiger et al. 2016, from ${formatCount(h.bootstrap.replicates)} simulated traits at each of ${formatCount(h.bootstrap.gridPoints)} true values) ` +
    `keeps its coverage near 0 and 1, where the profile interval’s fails. ` +
    (near
      ? 'The estimate is near a boundary: read the bootstrap interval.'
      : 'Where the three agree, the estimate is well determined; the intervals describe the sampling of these individuals, not how the trait behaves in another population.');
  return {
    estimate: h.estimate,
    level: h.level,
    profile: { lower: h.profile.lower, upper: h.profile.upper },
    posterior: { mean: h.posterior.mean, mode: h.posterior.mode, lower: h.posterior.lower, upper: h.posterior.upper },
    bootstrap: { lower: h.bootstrap.lower, upper: h.bootstrap.upper, replicates: h.bootstrap.replicates, gridPoints: h.bootstrap.gridPoints },
    paragraph,
  };
}
