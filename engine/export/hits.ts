/**
 * Top hits of a run: the SNPs past a p-value threshold clumped into peaks, PLINK-style and greedy.
 * The best remaining SNP leads a peak; every other remaining SNP past the threshold on its
 * chromosome within `windowBp` of it joins the peak when its r^2 with the lead (from the run's own
 * genotypes and individuals, engine/export/ld.ts) is at least `r2` (or on distance alone when r2
 * is null). A SNP joins one peak at most; those that join none lead their own. A SNP with no known
 * position (0 or negative in the .bim, such as GEMMA's -9) is near no other SNP: it is a peak alone.
 *
 * Only what is needed is read: the SNPs past the threshold (through the index on (run_id, lnp)) and,
 * for r^2, the genotypes of those SNPs.
 */
import { fmt } from '../scan/results.js';
import { formatLnP } from '../stats/chisq.js';
import type { Hit, Project } from '../store/project.js';
import { ldR2 } from './ld.js';
import { openRunSamples, type RunSamples } from './run-samples.js';

export interface ClumpOptions {
  /** p-value threshold: SNPs with p <= this are clumped (default 5e-8). */
  p?: number;
  /** Largest distance from the lead, in base pairs (default 500,000). */
  windowBp?: number;
  /** Least r^2 with the lead to join its peak (default 0.1); null: distance alone. */
  r2?: number | null;
}

export const DEFAULT_CLUMP: Required<ClumpOptions> = { p: 5e-8, windowBp: 500_000, r2: 0.1 };

/** A peak: its lead SNP's row, and the SNPs past the threshold that joined it. */
export interface Peak extends Hit {
  /** The lead's p-value (0 when it is below the double range: see lnP). */
  p: number;
  /** First and last position (bp) of the peak's SNPs. */
  start: number;
  end: number;
  /** SNPs past the threshold in the peak, the lead included. */
  nSnps: number;
  /** The peak's SNPs (dataset indices) and their IDs, by position. */
  members: number[];
  memberRs: string[];
}

/** Count of a run's SNPs with ln p <= lnThreshold (the (run_id, lnp) index answers it). */
function countPast(project: Project, runId: number, lnThreshold: number): number {
  return project.db.prepare('SELECT count(*) FROM results INDEXED BY results_lnp WHERE run_id = ? AND lnp <= ?').pluck().get(runId, lnThreshold) as number;
}

/** Clump a run's SNPs with p <= opts.p into peaks, best lead first. */
export function clumpHits(project: Project, runId: number, opts: ClumpOptions = {}): Peak[] {
  const p = opts.p ?? DEFAULT_CLUMP.p;
  const windowBp = opts.windowBp ?? DEFAULT_CLUMP.windowBp;
  const r2 = opts.r2 === undefined ? DEFAULT_CLUMP.r2 : opts.r2;
  if (!(p > 0 && p <= 1)) throw new RangeError(`clumpHits: p threshold must be in (0, 1], got ${p}`);
  if (!(windowBp >= 0)) throw new RangeError(`clumpHits: window must be >= 0 bp, got ${windowBp}`);
  if (r2 !== null && !(r2 >= 0 && r2 <= 1)) throw new RangeError(`clumpHits: r2 must be in [0, 1] or null, got ${r2}`);
  project.run(runId);
  const hits = project.topHits(runId, countPast(project, runId, Math.log(p)));
  if (hits.length === 0) return [];

  // SNPs past the threshold per chromosome, by position.
  const byPosition = (a: number, b: number): number => hits[a]!.pos - hits[b]!.pos || hits[a]!.snp - hits[b]!.snp;
  const byChr = new Map<string, { order: number[]; pos: Float64Array }>();
  const lists = new Map<string, number[]>();
  hits.forEach((h, k) => {
    let list = lists.get(h.chr);
    if (!list) lists.set(h.chr, (list = []));
    list.push(k);
  });
  for (const [chr, list] of lists) {
    list.sort(byPosition);
    byChr.set(chr, { order: list, pos: Float64Array.from(list, (k) => hits[k]!.pos) });
  }
  /** First index of sorted `pos` with pos[i] >= x. */
  const lowerBound = (pos: Float64Array, x: number): number => {
    let lo = 0;
    let hi = pos.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pos[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  let ld: RunSamples | undefined;
  const assigned = new Uint8Array(hits.length);
  const peaks: Peak[] = [];
  try {
    for (let k = 0; k < hits.length; k++) {
      if (assigned[k]) continue;
      const lead = hits[k]!;
      const { order, pos } = byChr.get(lead.chr)!;
      const near: number[] = [];
      // A SNP without a position (0 or negative in the .bim, e.g. GEMMA's -9) is near no other SNP.
      if (lead.pos > 0) {
        for (let i = lowerBound(pos, Math.max(1, lead.pos - windowBp)); i < order.length && pos[i]! <= lead.pos + windowBp; i++) {
          const c = order[i]!;
          if (!assigned[c] && c !== k) near.push(c);
        }
      }
      let joined = near;
      if (r2 !== null && near.length > 0) {
        ld ??= openRunSamples(project, runId);
        const values = ldR2(ld.bed, ld.samples, lead.snp, Int32Array.from(near, (c) => hits[c]!.snp));
        joined = near.filter((_, i) => values[i]! >= r2);
      }
      const members = [k, ...joined].sort(byPosition);
      for (const c of members) assigned[c] = 1;
      peaks.push({
        ...lead,
        p: Math.exp(lead.lnP),
        start: hits[members[0]!]!.pos,
        end: hits[members[members.length - 1]!]!.pos,
        nSnps: members.length,
        members: members.map((c) => hits[c]!.snp),
        memberRs: members.map((c) => hits[c]!.rs),
      });
    }
  } finally {
    ld?.close();
  }
  return peaks;
}

/** Columns of a peak table (TSV, the XLSX 'Top hits' sheet). */
export const PEAK_COLUMNS = [
  'lead_rs',
  'chr',
  'ps',
  'allele1',
  'allele0',
  'af',
  'beta_a',
  'se_a',
  'beta_d',
  'se_d',
  'p_lrt',
  'neglog10_p',
  'start',
  'end',
  'n_snps',
  'members',
] as const;

/** A peak as text, in PEAK_COLUMNS order, with the number formats of RESULTS.tsv. */
export function formatPeak(peak: Peak): string[] {
  return [
    peak.rs,
    peak.chr,
    String(peak.pos),
    peak.allele1,
    peak.allele0,
    peak.af.toFixed(4),
    fmt(peak.betaA),
    fmt(peak.seA),
    fmt(peak.betaD),
    fmt(peak.seD),
    formatLnP(peak.lnP),
    fmt(peak.negLog10P, 10),
    String(peak.start),
    String(peak.end),
    String(peak.nSnps),
    peak.memberRs.join(','),
  ];
}

/** Peaks as a TSV (header and one line per peak). */
export function peaksTsv(peaks: Peak[]): string {
  return [PEAK_COLUMNS.join('\t'), ...peaks.map((p) => formatPeak(p).join('\t'))].join('\n') + '\n';
}
