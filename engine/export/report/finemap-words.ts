/**
 * The report's fine-mapping section in data and plain words: what a Bayes factor, a posterior
 * probability of association and a credible set are, said with the run's own numbers.
 */
import type { Finemap } from '../finemap.js';
import { formatCount, formatPercent, formatThreshold } from './format.js';

/** The report's view of a run's credible sets (plain JSON). */
export interface ReportFinemap {
  level: number;
  windowBp: number;
  p: number;
  priorProbability: number;
  sigmaA: number[];
  regions: {
    chr: string;
    start: number;
    end: number;
    leadRs: string;
    leadNegLog10P: number;
    leadLog10Bf: number | null;
    leadPpa: number | null;
    snps: number;
    setSize: number;
    coverage: number | null;
    /** The set's SNPs, highest posterior inclusion probability first (at most 8 shown). */
    members: { rs: string; pip: number | null }[];
  }[];
  unplaced: number;
  paragraph: string;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** One in N, for a prior probability: 1e-4 -> 'one in 10,000'. */
export function oneIn(probability: number): string {
  const n = Math.round(1 / probability);
  return `one in ${formatCount(n)}`;
}

export function reportFinemap(fm: Finemap, sigmaA: number[]): ReportFinemap {
  const regions = fm.regions.map((r) => ({
    chr: r.chr,
    start: r.start,
    end: r.end,
    leadRs: r.lead.rs,
    leadNegLog10P: r.lead.negLog10P,
    leadLog10Bf: finiteOrNull(r.lead.log10Bf),
    leadPpa: finiteOrNull(r.lead.ppa),
    snps: r.snps,
    setSize: r.members.length,
    coverage: finiteOrNull(r.coverage),
    members: r.members.slice(0, 8).map((s) => ({ rs: s.rs, pip: finiteOrNull(s.pip) })),
  }));
  return { level: fm.level, windowBp: fm.windowBp, p: fm.p, priorProbability: fm.priorProbability, sigmaA, regions, unplaced: fm.unplaced.length, paragraph: finemapParagraph(fm, sigmaA) };
}

/** The plain-words paragraph: how sure, which SNPs, and what it does not say. */
export function finemapParagraph(fm: Finemap, sigmaA: number[]): string {
  const level = formatPercent(fm.level);
  const prior = `${oneIn(fm.priorProbability)} (${fm.priorProbability})`;
  const bf =
    `For each SNP the Bayes factor (BF) says how much better the data are explained with the SNP’s effect than without it, ` +
    `averaged over plausible effect sizes (BIMBAM’s prior: effects of ${sigmaA.join(', ')} residual standard deviations, in the same mixed model as the test). ` +
    `If, before the scan, ${prior} SNPs is expected to be associated with the trait, a SNP’s posterior probability of association (PPA) is how likely it is to be associated once the data are seen.`;
  if (fm.regions.length === 0) {
    return `${bf} No SNP reached p < ${formatThreshold(fm.p)}, so no region was fine-mapped.`;
  }
  const top = fm.regions[0]!;
  const single = fm.regions.filter((r) => r.members.length === 1).length;
  const largest = Math.max(...fm.regions.map((r) => r.members.length));
  const sizes = fm.regions.map((r) => r.members.length).sort((a, b) => a - b);
  const median = sizes[Math.floor((sizes.length - 1) / 2)]!;
  const cs =
    `Around each SNP with p < ${formatThreshold(fm.p)} a window of ±${formatCount(fm.windowBp / 1000)} kb was taken, overlapping windows merged: ${formatCount(fm.regions.length)} region${fm.regions.length === 1 ? '' : 's'}. ` +
    `Assuming one causal variant per region, each SNP’s posterior inclusion probability is its share of the region’s Bayes factors, and the ${level} credible set is the smallest group of SNPs that together hold ${level} of that probability: ` +
    `the candidates the data cannot tell apart. ${single === fm.regions.length ? 'Every set is a single SNP' : `${formatCount(single)} of ${formatCount(fm.regions.length)} sets are a single SNP; the median set has ${formatCount(median)}, the largest ${formatCount(largest)}`}. ` +
    `The strongest region’s lead SNP, ${top.lead.rs}, has PPA ${Number.isFinite(top.lead.ppa) ? top.lead.ppa.toFixed(3) : 'NA'}.`;
  const caveat =
    ` A credible set is conditional on the assumptions: a region with two causal variants, or a causal variant that was not genotyped, is not described by it, and a small set is not proof that its SNP is causal (it may tag one nearby).` +
    (fm.unplaced.length > 0 ? ` ${formatCount(fm.unplaced.length)} SNP${fm.unplaced.length === 1 ? '' : 's'} past the threshold have no known position and are in no region.` : '');
  return `${bf} ${cs}${caveat}`;
}
