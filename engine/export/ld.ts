/**
 * Linkage disequilibrium from a run's own genotypes: r^2, the squared Pearson correlation of
 * allele-1 counts (0/1/2) between a lead SNP and other SNPs over the analysed individuals,
 * pairwise-complete (only individuals called at both SNPs count). No reference panel is needed.
 *
 * PLINK 1.9's `--r2` gives the same numbers when no call is missing (test/export/ld.test.ts); with
 * missing calls PLINK handles them its own way, so the two may differ there.
 */
import { CODE_TO_COUNT, type BedFile } from '../io/plink.js';

/**
 * r^2 between SNP `lead` and each SNP of `snps` (indices into the .bed), over the individuals
 * `samples` (indices into the .fam). NaN where a SNP, or the lead, is constant over the shared calls
 * or fewer than two individuals are called at both.
 */
export function ldR2(bed: BedFile, samples: Int32Array, lead: number, snps: Int32Array): Float64Array {
  const n = samples.length;
  const byteOf = new Int32Array(n);
  const shiftOf = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const s = samples[i]!;
    if (s < 0 || s >= bed.nSamples) throw new RangeError(`ldR2: sample index ${s} out of range 0..${bed.nSamples - 1}`);
    byteOf[i] = s >> 2;
    shiftOf[i] = (s & 3) << 1;
  }
  const checkSnp = (j: number): void => {
    if (!Number.isInteger(j) || j < 0 || j >= bed.nSnps) throw new RangeError(`ldR2: SNP index ${j} out of range 0..${bed.nSnps - 1}`);
  };
  const packed = new Uint8Array(bed.bytesPerSnp);
  const decode = (j: number, out: Int8Array): void => {
    checkSnp(j);
    bed.readPacked(j, 1, packed);
    for (let i = 0; i < n; i++) out[i] = CODE_TO_COUNT[(packed[byteOf[i]!]! >> shiftOf[i]!) & 3]!;
  };
  const leadCounts = new Int8Array(n);
  decode(lead, leadCounts);
  const other = new Int8Array(n);
  const out = new Float64Array(snps.length);
  for (let k = 0; k < snps.length; k++) {
    decode(snps[k]!, other);
    // Integer sums: exact in doubles for any realistic n.
    let shared = 0;
    let sumLead = 0;
    let sumOther = 0;
    let sumLead2 = 0;
    let sumOther2 = 0;
    let sumCross = 0;
    for (let i = 0; i < n; i++) {
      const a = leadCounts[i]!;
      const b = other[i]!;
      if (a < 0 || b < 0) continue;
      shared++;
      sumLead += a;
      sumOther += b;
      sumLead2 += a * a;
      sumOther2 += b * b;
      sumCross += a * b;
    }
    const varLead = shared * sumLead2 - sumLead * sumLead;
    const varOther = shared * sumOther2 - sumOther * sumOther;
    const cov = shared * sumCross - sumLead * sumOther;
    out[k] = shared < 2 || varLead <= 0 || varOther <= 0 ? NaN : Math.min(1, (cov * cov) / (varLead * varOther));
  }
  return out;
}
