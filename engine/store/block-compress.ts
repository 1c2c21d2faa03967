/**
 * One genotype block's counts and compressed bytes, the same on the helper thread and on the
 * importing thread (block-deflate.ts). Deflate (level 1) pays on real genotypes: linkage
 * disequilibrium repeats calls from SNP to SNP and rare variants are mostly one homozygote, so
 * it shrinks blocks 2-5x at some 190 MB/s (mouse HS1940: to 0.23). On calls without such structure
 * (independent common SNPs, as simulators write them) it saves a third at best at 55 MB/s, slower
 * than reading the VCF. So each block is deflated, and kept deflated when that at least halves it;
 * a block that does not halve is stored (zlib's stored blocks, level 0: 1.5 GB/s), and so are the
 * next PROBE_EVERY - 1 blocks without trying, before deflate is tried again. Either way a zlib
 * stream with its Adler-32 checksum, read back the same way. The decisions depend only on the
 * blocks, in order, so the bytes stored are the same on either thread.
 */
import { countPacked, emptyCounts, type ByteMasks, type GenotypeCounts } from '../qc/snps.js';
import { deflate } from './codec.js';

/** After a block that deflate does not halve, blocks stored before deflate is tried again. */
export const PROBE_EVERY = 16;

export interface CompressedBlock {
  data: Uint8Array;
  counts: GenotypeCounts;
  dosage?: Uint8Array;
  /** The genotype bytes are deflated (else in stored blocks). */
  deflated: boolean;
}

/** Compresses an import's blocks in order (one per import). */
export class BlockCompressor {
  /**
   * `storing`: blocks still to store without trying deflate, as `storing` of the compressor that
   * did the blocks before (the importing thread's, when the helper takes over).
   */
  constructor(
    private readonly nSamples: number,
    private readonly bytesPerSnp: number,
    private readonly masks: ByteMasks,
    public storing = 0,
  ) {}

  /** Count a block's calls per SNP and compress it (and its Float32 dosages, always deflated). */
  compress(bytes: Uint8Array, dosage?: Uint8Array): CompressedBlock {
    const snps = bytes.length / this.bytesPerSnp;
    const counts = emptyCounts(this.nSamples, snps);
    countPacked(bytes, snps, this.bytesPerSnp, this.masks, counts, 0);
    let data: Uint8Array | undefined;
    if (this.storing > 0) this.storing--;
    else {
      const tried = deflate(bytes, 1);
      if (tried.length <= bytes.length / 2) data = tried;
      else this.storing = PROBE_EVERY - 1;
    }
    return { data: data ?? deflate(bytes, 0), counts, deflated: data !== undefined, ...(dosage ? { dosage: deflate(dosage) } : {}) };
  }
}
