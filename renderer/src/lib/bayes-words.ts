/**
 * The Bayesian numbers of the Results screen in plain words: what a Bayes factor and a posterior
 * probability of association (PPA) are for this run's prior, what a credible set is, and why the
 * heritability has three intervals. The statistics are in docs/model.md and engine/stats/bayes.
 */
import type { ScanSettings } from '../../../engine/protocol/settings.js';
import { priorWords } from './format-bayes.js';

type Bayes = ScanSettings['bayes'];

const list = (xs: readonly number[]): string => xs.map((x) => String(x)).join(', ');

/** The header tooltip of the log10 BF column. */
export const BF_HELP =
  'log10 of the Bayes factor for association: how many times more likely the data are if the SNP has an effect than if it has none ' +
  '(2 means 100 times). Exact, under the same mixed model, with BIMBAM’s prior on the effects (in units of the residual standard deviation).';

/** The header tooltip of the PPA column, for the run's prior probability (null: not known yet). */
export function ppaHelp(prior: number | null): string {
  const a = prior === null ? 'the run’s prior probability that a SNP is associated' : `a prior probability of ${priorWords(prior)} that a SNP is associated`;
  return `Posterior probability of association: how probable it is that the SNP is associated, from its Bayes factor and ${a}.`;
}

/** The one-line legend under the hits table. */
export function bayesLegend(bayes: Bayes | null): string {
  const sds = bayes ? list(bayes.priorSd) : '0.05, 0.1, 0.2, 0.4';
  const words = bayes ? priorWords(bayes.priorProbability) : null;
  const prior = words === null ? 'the run’s prior share of SNPs' : words.startsWith('1 in ') ? `1 SNP in ${words.slice(5)}` : `a share ${words} of SNPs`;
  return (
    `BF: Bayes factor for association (BIMBAM prior, effects ~ N(0, σ²) with σ = ${sds} residual sd, averaged). ` +
    `PPA: posterior probability of association if ${prior} is associated a priori (this run’s prior probability).`
  );
}

/** The hits table's note for a run recorded before Bayes factors. */
export const NO_BAYES = 'This run was recorded before Kinscan computed Bayes factors (shown as —); run it again to see them.';

/** The sentence under the Credible sets heading. */
export function credibleSetIntro(level: number): string {
  const pct = `${Number((level * 100).toPrecision(3))}%`;
  return (
    `Around each peak, a credible set is the smallest group of SNPs that contains the causal variant with ${pct} probability, ` +
    'assuming one causal variant per region. SNPs in strong linkage disequilibrium share the evidence, so a small set points to few candidates; ' +
    'each SNP’s share is its posterior inclusion probability (PIP).'
  );
}

/** Why nothing was fine-mapped: no SNP reaches the threshold (`pText` as the user typed or the default). */
export function noRegionWords(pText: string): string {
  return `No SNP reaches p ≤ ${pText}; lower the threshold to fine-map weaker peaks.`;
}

/** Why the heritability panel gives three intervals. */
export const THREE_INTERVALS =
  'Why three: the profile-likelihood interval relies on an approximation that fails when h² is near 0 or 1; the posterior interval ' +
  'averages over the uncertainty under a flat prior; the parametric bootstrap, from traits simulated under the fitted model, keeps its ' +
  'coverage right there too.';

/** The heritability panel of a run recorded before the intervals existed. */
export const NO_HERITABILITY =
  'This run was recorded before Kinscan estimated heritability intervals; run it again to see them.';
