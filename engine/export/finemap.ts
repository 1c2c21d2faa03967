/**
 * Credible sets of a run (`kinscan finemap`, results.finemap, the report): every SNP past a p-value
 * threshold gets a window of +-windowBp around it; overlapping windows on a chromosome are merged
 * into one region; in each region, under one causal variant with equal priors, each tested SNP's
 * posterior inclusion probability is its share of the region's Bayes factors, and the credible set
 * is the smallest set of SNPs whose probabilities reach the level (engine/stats/bayes/credible-sets.ts).
 * The Bayes factors are the run's exact ones (results.log10_bf: the SNP's own test, 2 df or 1 df).
 */
import { InputError } from '../io/errors.js';
import { fmt } from '../scan/results.js';
import { credibleSet, mergeWindows } from '../stats/bayes/credible-sets.js';
import { posteriorProbability } from '../stats/bayes/posterior-probability.js';
import type { Project } from '../store/project.js';

export interface FinemapOptions {
  /** SNPs with p <= this lead a region (default 5e-8). */
  p?: number;
  /** Half-width of each lead's window, in bp (default 500,000). */
  windowBp?: number;
  /** Credible level (default 0.95). */
  level?: number;
}

export const DEFAULT_FINEMAP: Required<FinemapOptions> = { p: 5e-8, windowBp: 500_000, level: 0.95 };

/** A SNP of a region with its evidence. */
export interface FinemapSnp {
  snp: number;
  rs: string;
  pos: number;
  negLog10P: number;
  log10Bf: number;
  /** Posterior inclusion probability within its region. */
  pip: number;
}

export interface CredibleRegion {
  chr: string;
  /** The merged window (bp). */
  start: number;
  end: number;
  /** The region's best SNP by p-value, and its posterior probability of association (the run's prior). */
  lead: FinemapSnp & { ppa: number };
  /** SNPs past the threshold in the region (each opened a window). */
  leads: number;
  /** Tested SNPs in the region. */
  snps: number;
  /** The credible set, highest PIP first. */
  members: FinemapSnp[];
  /** Sum of the members' PIPs. */
  coverage: number;
}

export interface Finemap {
  p: number;
  windowBp: number;
  level: number;
  priorProbability: number;
  regions: CredibleRegion[];
  /** SNPs past the threshold with no known position (0 or negative in the .bim): in no region, not fine-mapped. */
  unplaced: (FinemapSnp & { chr: string })[];
}

/** The credible sets of a run's regions past the threshold, best region (by lead p) first. */
export function finemapRun(project: Project, runId: number, opts: FinemapOptions = {}): Finemap {
  const { p, windowBp, level } = { ...DEFAULT_FINEMAP, ...opts };
  if (!(p > 0 && p <= 1)) throw new RangeError(`finemap: p threshold must be in (0, 1], got ${p}`);
  if (!(windowBp >= 0)) throw new RangeError(`finemap: window must be >= 0 bp, got ${windowBp}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`finemap: level must be in (0, 1), got ${level}`);
  const run = project.run(runId);
  const priorProbability = run.settings.bayes.priorProbability;
  const past = project.db.prepare('SELECT count(*) FROM results INDEXED BY results_lnp WHERE run_id = ? AND lnp <= ?').pluck().get(runId, Math.log(p)) as number;
  const hits = project.topHits(runId, past);
  if (hits.length > 0 && hits.every((h) => Number.isNaN(h.log10Bf))) {
    throw new InputError(
      `run ${runId} was recorded before Kinscan computed Bayes factors, so it has no credible sets`,
      { file: project.path },
      'Run the scan again (same settings) to get Bayes factors, posterior probabilities and credible sets',
    );
  }
  const windows = mergeWindows(
    hits.map((h) => ({ chr: h.chr, pos: h.pos })),
    windowBp,
  );
  const regions: CredibleRegion[] = windows.map((w) => {
    const leadHit = w.leads.map((i) => hits[i]!).reduce((a, b) => (b.lnP < a.lnP || (b.lnP === a.lnP && b.snp < a.snp) ? b : a));
    const { snp, rs, pos, negLog10P, log10Bf } = project.region(runId, w.chr, w.start, w.end);
    const cs = credibleSet(
      log10Bf.map((v) => v * Math.LN10),
      level,
    );
    const at = (k: number): FinemapSnp => ({ snp: snp[k]!, rs: rs[k]!, pos: pos[k]!, negLog10P: negLog10P[k]!, log10Bf: log10Bf[k]!, pip: cs.pip[k]! });
    const leadIndex = Math.max(0, Array.prototype.indexOf.call(snp, leadHit.snp) as number);
    return {
      chr: w.chr,
      start: w.start,
      end: w.end,
      lead: { ...at(leadIndex), ppa: posteriorProbability(leadHit.log10Bf * Math.LN10, priorProbability) },
      leads: w.leads.length,
      snps: snp.length,
      members: Array.from(cs.members, at),
      coverage: cs.coverage,
    };
  });
  regions.sort((a, b) => b.lead.negLog10P - a.lead.negLog10P || a.lead.snp - b.lead.snp);
  const unplaced = hits.filter((h) => !(h.pos > 0)).map((h) => ({ chr: h.chr, snp: h.snp, rs: h.rs, pos: h.pos, negLog10P: h.negLog10P, log10Bf: h.log10Bf, pip: NaN }));
  return { p, windowBp, level, priorProbability, regions, unplaced };
}

/** Columns of the credible-sets table: one line per SNP of a set, regions in order, members by PIP. */
export const CREDIBLE_SET_COLUMNS = ['region', 'chr', 'start', 'end', 'lead_rs', 'lead_ppa', 'region_snps', 'set_size', 'coverage', 'rank', 'rs', 'ps', 'neglog10_p', 'log10_bf', 'pip', 'cumulative_pip'] as const;

/** The credible sets as a TSV (header, then one line per set member). */
export function credibleSetsTsv(fm: Finemap): string {
  const lines: string[] = [CREDIBLE_SET_COLUMNS.join('\t')];
  fm.regions.forEach((r, k) => {
    let cumulative = 0;
    r.members.forEach((s, rank) => {
      cumulative += s.pip;
      lines.push(
        [k + 1, r.chr, r.start, r.end, r.lead.rs, fmt(r.lead.ppa, 6), r.snps, r.members.length, fmt(r.coverage, 6), rank + 1, s.rs, s.pos, fmt(s.negLog10P, 6), fmt(s.log10Bf, 6), fmt(s.pip, 6), fmt(cumulative, 6)].join('\t'),
      );
    });
  });
  return lines.join('\n') + '\n';
}
