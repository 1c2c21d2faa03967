/**
 * Duplicate SNP IDs. A SNP whose ID, chromosome and position repeat an earlier SNP's is the same
 * marker twice (a merged file, a chip's replicate probe): it is removed, counted as a duplicate.
 * The same ID at another position is kept, with a warning naming the ID: results listed by ID
 * would be ambiguous, so the tables show chr:pos beside it. '.' is no ID (VCF's missing ID) and
 * is never a duplicate.
 */
import type { Bim } from '../io/plink.js';

export interface SnpDuplicates {
  /** 1 for a SNP that repeats an earlier SNP's ID and position (removed). */
  duplicate: Uint8Array;
  /** How many are marked in `duplicate`. */
  count: number;
  /** IDs that occur at more than one position (kept), in file order of their second position. */
  sameIdElsewhere: string[];
}

/** The duplicates of a .bim (cheap when Bim.duplicateRs is empty, as it almost always is). */
export function findDuplicateSnps(bim: Pick<Bim, 'rs' | 'chr' | 'pos' | 'duplicateRs'>): SnpDuplicates {
  const m = bim.rs.length;
  const duplicate = new Uint8Array(m);
  const repeated = new Set(bim.duplicateRs.filter((id) => id !== '.'));
  if (repeated.size === 0) return { duplicate, count: 0, sameIdElsewhere: [] };
  // For each repeated ID, the chr:pos places seen so far.
  const places = new Map<string, Set<string>>();
  const elsewhere = new Set<string>();
  let count = 0;
  for (let j = 0; j < m; j++) {
    const id = bim.rs[j]!;
    if (!repeated.has(id)) continue;
    const place = `${bim.chr[j]}:${bim.pos[j]}`;
    let seen = places.get(id);
    if (!seen) {
      places.set(id, (seen = new Set([place])));
      continue;
    }
    if (seen.has(place)) {
      duplicate[j] = 1;
      count++;
    } else {
      seen.add(place);
      elsewhere.add(id);
    }
  }
  return { duplicate, count, sameIdElsewhere: [...elsewhere] };
}

/** The warning for IDs kept at more than one position (null when there are none). */
export function sameIdWarning(d: SnpDuplicates, file: string): string | null {
  const ids = d.sameIdElsewhere;
  if (ids.length === 0) return null;
  const shown = ids.slice(0, 5).map((id) => `'${id}'`).join(', ');
  const more = ids.length > 5 ? ` and ${ids.length - 5} more` : '';
  return (
    `${ids.length === 1 ? 'the SNP ID' : `${ids.length} SNP IDs`} ${shown}${more} ${ids.length === 1 ? 'occurs' : 'occur'} at more than one position in ${file}; ` +
    'these SNPs are all tested, so look them up by chromosome and position (chr:pos), not by ID'
  );
}
