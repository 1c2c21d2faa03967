/**
 * One genotype block's counts and compressed bytes, the same on the helper thread and on the
 * importing thread (block-deflate.ts). The counts decide the deflate level: a block whose calls
 * carry less than one bit per genotype (rare variants, mostly one homozygote: deflate at least
 * halves it, and fast) is deflated at level 1; a block of common variants, which deflate shrinks
 * by a third at most at some 60 MB/s (slower than reading the VCF), goes into zlib's stored
 * blocks (level 0). Either is a zlib stream with its Adler-32 checksum, read back the same way.
 */
import { countPacked, emptyCounts, type ByteMasks, type GenotypeCounts } from '../qc/snps.js';
import { deflate } from './codec.js';

/** Below this many bits per genotype a block is deflated (deflate then at least halves it). */
export const DEFLATE_BELOW_BITS = 1;

/** Mean entropy, in bits per genotype, of the blocks' SNPs' call frequencies (four codes). */
export function genotypeEntropy(counts: GenotypeCounts): number {
  const { n, hom1, missing, het } = counts;
  const snps = hom1.length;
  if (snps === 0 || n === 0) return 0;
  let bits = 0;
  for (let s = 0; s < snps; s++) {
    const a = hom1[s]!;
    const m = missing[s]!;
    const h = het[s]!;
    const b = n - a - m - h;
    if (a > 0) bits -= a * Math.log2(a / n);
    if (m > 0) bits -= m * Math.log2(m / n);
    if (h > 0) bits -= h * Math.log2(h / n);
    if (b > 0) bits -= b * Math.log2(b / n);
  }
  return bits / (n * snps);
}

export interface CompressedBlock {
  data: Uint8Array;
  counts: GenotypeCounts;
  dosage?: Uint8Array;
}

/** Count a block's calls per SNP and compress it (and its Float32 dosages, always deflated). */
export function compressBlock(bytes: Uint8Array, nSamples: number, bytesPerSnp: number, masks: ByteMasks, dosage?: Uint8Array): CompressedBlock {
  const snps = bytes.length / bytesPerSnp;
  const counts = emptyCounts(nSamples, snps);
  countPacked(bytes, snps, bytesPerSnp, masks, counts, 0);
  const level = genotypeEntropy(counts) < DEFLATE_BELOW_BITS ? 1 : 0;
  return { data: deflate(bytes, level), counts, ...(dosage ? { dosage: deflate(dosage) } : {}) };
}
