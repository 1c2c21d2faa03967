/**
 * The Hardy-Weinberg exact test of Wigginton, Cutler & Abecasis (2005, AJHG 76:887), as PLINK's
 * --hwe and --hardy compute it by default (no mid-p), and as GEMMA's -hwe filter applies it.
 *
 * Given n called genotypes with r copies of the rarer allele, the number of heterozygotes h has
 * P(h) proportional to 2^h / (hom_r! h! hom_c!) (h of r's parity); the p-value is the total
 * probability of the tables no more probable than the observed one. Probabilities are walked by
 * the ratio of neighbouring tables, relative to the observed table's (no factorials, any n), from
 * the observed table toward the most probable one and then along both tails until the terms no
 * longer change the sum in double precision. The walk is O(sqrt(n)) steps for a SNP near
 * equilibrium, which keeps the filter cheap on a million SNPs (about 2.5 s for a million SNPs of
 * 5,000 individuals on one core).
 */
import type { GenotypeCounts } from './snps.js';

/**
 * The observed table's probability, as the walk's unit: small, so that tables up to ~1e333 times
 * more probable (a p-value down to ~1e-333) fit in a double; PLINK starts from the same 2^-83.
 */
const OBSERVED = 2 ** -83;
/**
 * Tables within this relative distance of the observed one's probability are ties and count as
 * no more probable than it: the recurrence's rounding must not split tables of equal probability
 * (e.g. mirror tables) between the tail and the centre. PLINK uses the same 2^-44.
 */
const TIE = 2 ** -44;

/**
 * The exact HWE p-value of a SNP from its genotype counts among the called individuals: hom1
 * (two copies of one allele), het, hom2 (two copies of the other). 1 when nothing is called;
 * 0 when the p-value is below ~1e-333.
 */
export function hweExactP(hom1: number, het: number, hom2: number): number {
  const homr0 = Math.min(hom1, hom2);
  const homc0 = Math.max(hom1, hom2);
  const n = homr0 + het + homc0;
  if (n === 0) return 1;
  const rare = 2 * homr0 + het;
  const alleles = 2 * n;
  const tieLimit = OBSERVED * (1 + TIE);
  let tail = OBSERVED;
  let centre = 0;
  // Walking down: P(h - 2) / P(h) = h (h - 1) / (4 (hom_r + 1) (hom_c + 1)).
  // Walking up: P(h + 2) / P(h) = 4 hom_r hom_c / ((h + 2) (h + 1)).
  const aboveExpected = het * alleles > rare * (alleles - rare);
  // Toward the centre: tables more probable than the observed one are the centre; the first one
  // that is not starts this side's far tail, summed to the end of the side.
  let p = OBSERVED;
  let h = het;
  let hr = homr0;
  let hc = homc0;
  let inTail = false;
  for (;;) {
    if (aboveExpected) {
      if (h < 2) break;
      hr++;
      hc++;
      p *= (h * (h - 1)) / (4 * hr * hc);
      h -= 2;
    } else {
      if (hr < 1) break;
      h += 2;
      p *= (4 * hr * hc) / (h * (h - 1));
      hr--;
      hc--;
    }
    if (inTail) {
      const before = tail;
      tail += p;
      if (tail <= before) break;
    } else if (p < tieLimit) {
      tail += p;
      inTail = true;
    } else {
      centre += p;
      if (centre > Number.MAX_VALUE) return 0;
    }
  }
  if (centre === 0) return 1;
  // Away from the centre, from the observed table: every table is less probable than it.
  p = OBSERVED;
  h = het;
  hr = homr0;
  hc = homc0;
  for (;;) {
    if (aboveExpected) {
      if (hr < 1) break;
      h += 2;
      p *= (4 * hr * hc) / (h * (h - 1));
      hr--;
      hc--;
    } else {
      if (h < 2) break;
      hr++;
      hc++;
      p *= (h * (h - 1)) / (4 * hr * hc);
      h -= 2;
    }
    const before = tail;
    tail += p;
    if (tail <= before) break;
  }
  return Math.min(1, tail / (tail + centre));
}

/** The exact HWE p-value of every SNP of `counts` among its called individuals. */
export function hwePerSnp(counts: GenotypeCounts): Float64Array {
  const { n, hom1, het, missing } = counts;
  const out = new Float64Array(hom1.length);
  for (let j = 0; j < out.length; j++) out[j] = hweExactP(hom1[j]!, het[j]!, n - missing[j]! - hom1[j]! - het[j]!);
  return out;
}
