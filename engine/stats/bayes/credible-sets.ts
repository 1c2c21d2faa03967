/**
 * Fine-mapping a region under one causal variant (Maller et al. 2012; Wakefield 2009): if exactly
 * one SNP of the region is causal, each with the same prior probability, the posterior probability
 * that SNP j is the one (its posterior inclusion probability) is its share of the Bayes factors,
 *
 *   PIP_j = BF_j / sum_k BF_k,
 *
 * and the credible set at level L is the smallest set of SNPs whose PIPs add up to at least L: the
 * SNPs by decreasing PIP until the sum reaches L.
 */
export interface CredibleSet {
  /** PIP of every SNP of the region, in the input's order. */
  pip: Float64Array;
  /** Indices into the input of the set's SNPs, highest PIP first. */
  members: Int32Array;
  /** Sum of the members' PIPs (>= level unless the region is empty). */
  coverage: number;
}

/** PIPs and the level credible set of a region from its SNPs' ln Bayes factors (NaN: not counted). */
export function credibleSet(lnBf: Float64Array, level: number): CredibleSet {
  const n = lnBf.length;
  let max = -Infinity;
  for (let j = 0; j < n; j++) if (lnBf[j]! > max) max = lnBf[j]!;
  const pip = new Float64Array(n);
  let total = 0;
  for (let j = 0; j < n; j++) {
    const v = lnBf[j]!;
    const w = Number.isNaN(v) || !Number.isFinite(max) ? 0 : Math.exp(v - max);
    pip[j] = w;
    total += w;
  }
  if (total > 0) for (let j = 0; j < n; j++) pip[j] = pip[j]! / total;
  const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => pip[b]! - pip[a]! || a - b);
  const members: number[] = [];
  let coverage = 0;
  for (const j of order) {
    if (coverage >= level || pip[j]! === 0) break;
    members.push(j);
    coverage += pip[j]!;
  }
  return { pip, members: Int32Array.from(members), coverage };
}

/** A lead SNP's position, on its chromosome. */
export interface Lead {
  chr: string;
  pos: number;
}

/** A merged window on one chromosome: [start, end] in bp, and the leads it holds (input indices). */
export interface Window {
  chr: string;
  start: number;
  end: number;
  leads: number[];
}

/**
 * Windows of +-halfWidth bp around each lead, overlapping (or touching) windows on a chromosome
 * merged into one. A lead with no known position (<= 0, GEMMA's -9) is in no window: nothing is known
 * to be near it. Windows come out by chromosome (first appearance among the leads), then start.
 */
export function mergeWindows(leads: readonly Lead[], halfWidth: number): Window[] {
  const byChr = new Map<string, number[]>();
  leads.forEach((l, i) => {
    const list = byChr.get(l.chr) ?? [];
    list.push(i);
    byChr.set(l.chr, list);
  });
  const out: Window[] = [];
  for (const [chr, idx] of byChr) {
    const known = idx.filter((i) => leads[i]!.pos > 0).sort((a, b) => leads[a]!.pos - leads[b]!.pos);
    let cur: Window | undefined;
    for (const i of known) {
      const p = leads[i]!.pos;
      const start = Math.max(0, p - halfWidth);
      if (cur && start <= cur.end) {
        cur.end = Math.max(cur.end, p + halfWidth);
        cur.leads.push(i);
      } else {
        cur = { chr, start, end: p + halfWidth, leads: [i] };
        out.push(cur);
      }
    }
  }
  return out;
}
