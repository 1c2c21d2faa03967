/**
 * Genotype call tokens as text formats write them (HapMap, CSV/TSV matrices), turned into counts
 * of one allele; and the choice of the counted allele (allele1) for formats that do not name it.
 *
 * Nucleotide calls are kept as their two allele letters; a site's alleles are then indexed 0 and 1
 * (HapMap: as its `alleles` column lists them; matrices: in the order they first appear), so a
 * sample's call becomes the count of allele index 1 (0, 1, 2; -1 missing) before allele1 is chosen.
 */

/** Tokens that mean "no call" in 0/1/2 count matrices. */
const MISSING_COUNT = new Set(['', 'NA', 'na', 'N/A', '-9', '.', 'NaN', 'nan']);

/**
 * A 0/1/2 count token: 0, 1 or 2; -1 for a missing value (NA, -9, '.', empty); -2 for anything else.
 * '0.0' style decimals of whole counts are accepted (Excel writes them).
 */
export function parseCount(t: string): number {
  if (t.length === 1) {
    const c = t.charCodeAt(0) - 48;
    if (c >= 0 && c <= 2) return c;
    return t === '.' ? -1 : -2;
  }
  if (MISSING_COUNT.has(t)) return -1;
  if (/^[012]\.0*$/.test(t)) return t.charCodeAt(0) - 48;
  return -2;
}

/** IUPAC one-letter codes of diploid SNP calls: the two alleles. */
const IUPAC: Readonly<Record<string, string>> = {
  A: 'AA', C: 'CC', G: 'GG', T: 'TT',
  R: 'AG', Y: 'CT', S: 'CG', W: 'AT', K: 'GT', M: 'AC',
};

/** Tokens that mean "no call" in nucleotide files. */
const MISSING_CALL = new Set(['N', 'NN', '--', '00', '0', './.', '.|.', 'N/N', '0/0', '-/-', '.', '', 'NA', '?', '??']);

const BASES = new Set(['A', 'C', 'G', 'T']);

/** Calls parsed so far (tokens repeat endlessly: AA, AG, GG, ...); bounded so odd files cannot grow it. */
const callCache = new Map<string, string | null | undefined>();

/**
 * A nucleotide call: its two allele letters ('AG'), null when missing, undefined when it is not a
 * SNP call. Accepted: two letters (AG), separated pairs (A/G, A|G, A G), IUPAC single letters
 * (R = A/G, ...; A = A/A); lower case too. Missing: N, NN, --, 00, 0, ./., N/N, NA, '.', empty.
 */
export function parseCall(token: string): string | null | undefined {
  const hit = callCache.get(token);
  if (hit !== undefined || callCache.has(token)) return hit;
  const v = parseCallUncached(token);
  if (callCache.size < 4096) callCache.set(token, v);
  return v;
}

function parseCallUncached(token: string): string | null | undefined {
  const t = token.toUpperCase();
  if (MISSING_CALL.has(t)) return null;
  if (t.length === 1) return IUPAC[t];
  let a: string;
  let b: string;
  if (t.length === 2) {
    a = t[0]!;
    b = t[1]!;
  } else if (t.length === 3 && (t[1] === '/' || t[1] === '|' || t[1] === ' ')) {
    a = t[0]!;
    b = t[2]!;
  } else {
    return undefined;
  }
  if (!BASES.has(a) || !BASES.has(b)) return undefined;
  return a + b;
}

/**
 * The counted allele of a biallelic site whose calls are counts of allele index 1: the minor allele
 * among the calls (PLINK's rule), index 1 on a tie. Returns 1 or 0: the index of allele1.
 */
export function minorAlleleIndex(count1: Int8Array, n: number): 0 | 1 {
  let copies1 = 0;
  let called = 0;
  for (let j = 0; j < n; j++) {
    const c = count1[j]!;
    if (c >= 0) {
      copies1 += c;
      called++;
    }
  }
  return copies1 <= 2 * called - copies1 ? 1 : 0;
}

/** Turn counts of allele index 1 into counts of allele index 0, in place (missing stays -1). */
export function flipCounts(count: Int8Array, n: number): void {
  for (let j = 0; j < n; j++) {
    const c = count[j]!;
    if (c >= 0) count[j] = 2 - c;
  }
}

/** Illumina A/B calls: AA, AB, BB (also A/B, A|B). */
const AB_CALL = /^([AB])[/| ]?([AB])$/;

/**
 * A call of a letter-coded matrix: a nucleotide call (parseCall) or an Illumina A/B call, as its
 * two allele letters; null when missing, undefined when neither.
 */
export function parseLetterCall(token: string): string | null | undefined {
  const c = parseCall(token);
  if (c !== undefined) return c;
  const m = AB_CALL.exec(token.toUpperCase());
  return m ? m[1]! + m[2]! : undefined;
}
