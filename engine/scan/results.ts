import { chi2UpperQuantile, CHI2_1_MEDIAN, formatLnP } from '../stats/chisq.js';
import type { Bim } from '../io/plink.js';
import { posteriorProbability } from '../stats/bayes/posterior-probability.js';
import type { ScanRow } from './scan.js';

/**
 * Columns of RESULTS.tsv, in order. `log10_bf`: the exact Bayes factor of the SNP's test under
 * BIMBAM's prior (stats/bayes/conjugate-bf.ts), `log10_abf`: Wakefield's approximation, `ppa`: the
 * posterior probability of association for the run's prior probability (settings.bayes), NA in runs
 * recorded before Bayes factors; `flag`: '' or why the SNP's fit is not to be trusted (fit-block.ts ScanFlag).
 */
export const RESULT_COLUMNS = [
  'chr',
  'rs',
  'ps',
  'allele1',
  'allele0',
  'af',
  'n_miss',
  'df',
  'beta_a',
  'se_a',
  'beta_d',
  'se_d',
  'logl_h1',
  'delta_h1',
  'lrt',
  'p_lrt',
  'neglog10_p',
  'log10_bf',
  'log10_abf',
  'ppa',
  'flag',
] as const;

/** A number with `sig` significant digits; NA for NaN; inf for Infinity. */
export function fmt(x: number, sig = 8): string {
  if (Number.isNaN(x)) return 'NA';
  if (x === Infinity) return 'inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e15) return String(Number(x.toPrecision(sig)));
  return x.toExponential(sig - 1);
}

/** One row of RESULTS.tsv; priorProbability: the run's settings.bayes.priorProbability, for ppa. */
export function formatRow(r: ScanRow, bim: Bim, priorProbability: number): string {
  const j = r.snp;
  return [
    bim.chr[j]!,
    bim.rs[j]!,
    String(bim.pos[j]!),
    bim.allele1[j]!,
    bim.allele0[j]!,
    r.af.toFixed(4),
    String(r.nMiss),
    String(r.df),
    fmt(r.betaA),
    fmt(r.seA),
    fmt(r.betaD),
    fmt(r.seD),
    r.loglH1.toFixed(6),
    fmt(r.deltaH1),
    fmt(r.lrt, 10),
    formatLnP(r.lnP),
    fmt(-r.lnP / Math.LN10, 10),
    fmt(r.log10Bf),
    fmt(r.log10Abf),
    fmt(posteriorProbability(r.log10Bf * Math.LN10, priorProbability), 6),
    r.flag,
  ].join('\t');
}

export const RESULT_HEADER = RESULT_COLUMNS.join('\t');

/**
 * Genomic inflation factor: the median of the 1-df chi-square equivalents of the p-values over
 * 0.4549364. The 1-df equivalent is monotone in p, so it is the quantile of the median p.
 */
export function lambdaGc(lnPs: Float64Array): number {
  if (lnPs.length === 0) return NaN;
  const sorted = Float64Array.from(lnPs).sort();
  const m = sorted.length;
  const mid = m % 2 === 1 ? chi2UpperQuantile(sorted[(m - 1) / 2]!, 1) : (chi2UpperQuantile(sorted[m / 2 - 1]!, 1) + chi2UpperQuantile(sorted[m / 2]!, 1)) / 2;
  return mid / CHI2_1_MEDIAN;
}
