/**
 * The per-SNP loop of a scan in this thread: decode a block of tested SNPs, rotate it by U^T with
 * one matrix product, fit every SNP (fit-block.ts). An internal of the one scan entry (run.ts
 * runScan), which runs it here or on the worker pool (scheduler.ts, pool.ts).
 */
import { forEachSnpBlock } from '../io/snp-blocks.js';
import { gemmFast } from '../stats/kernels/gemm.js';
import { BlockFitter, type Gemm, type ScanRow, type SnpInfo } from './fit-block.js';
import { effectPrior } from './settings.js';
import { GenotypeDecoder } from './genotypes.js';
import type { PreparedScan } from './prepare.js';

export type { ScanRow } from './fit-block.js';

export interface ScanProgress {
  done: number;
  total: number;
}

export interface ScanOptions {
  /** Tested SNPs per block (rotated together as one matrix product). */
  blockSize?: number;
  /** Start at this position in prep.tested (resume). */
  from?: number;
  /** Stop before this position in prep.tested (default: all). */
  to?: number;
  onBlock: (rows: ScanRow[], progress: ScanProgress) => void;
  /** Polled between blocks; returning true stops the scan. */
  shouldStop?: () => boolean;
}

/** SNPs skipped inside the scan, with reasons (beyond the QC filters). */
export interface ScanSkips {
  /** Xa collinear with the covariates. */
  collinear: number;
}

export const DEFAULT_BLOCK = 256;

/**
 * Decode SNPs [pos, pos + count) of prep.tested into SNP-major genotype rows (Xa, or Xa and Xd per SNP)
 * of length n, reading the packed bytes that span them. Returns the SNPs' facts for the fitter.
 */
export function decodeBlock(prep: PreparedScan, decoder: GenotypeDecoder, pos: number, count: number, cols: number, xRaw: Float64Array): SnpInfo[] {
  const { n, tested, plink, snpStats } = prep;
  const bps = plink.bed.bytesPerSnp;
  const first = tested[pos]!;
  const last = tested[pos + count - 1]!;
  const info: SnpInfo[] = [];
  let b = 0;
  const infoOf = (snp: number): SnpInfo => ({ snp, af: snpStats.af[snp]!, nMiss: snpStats.nMiss[snp]!, classes: snpStats.classes[snp]! });
  if (plink.dosage) {
    const nAll = plink.dosage.nSamples;
    const values = new Float32Array((last - first + 1) * nAll);
    plink.dosage.readDosage(first, last - first + 1, values);
    for (; b < count; b++) {
      const snp = tested[pos + b]!;
      const xa = xRaw.subarray(b * cols * n, b * cols * n + n);
      const xd = cols === 2 ? xRaw.subarray(b * cols * n + n, b * cols * n + 2 * n) : undefined;
      decoder.decodeDosage(values, (snp - first) * nAll, xa, xd);
      info.push(infoOf(snp));
    }
    return info;
  }
  forEachSnpBlock(
    plink.bed,
    Math.min(1024, last - first + 1),
    (start, cnt, packed) => {
      for (let k = 0; k < cnt && b < count; k++) {
        const snp = start + k;
        if (snp !== tested[pos + b]) continue;
        const xa = xRaw.subarray(b * cols * n, b * cols * n + n);
        const xd = cols === 2 ? xRaw.subarray(b * cols * n + n, b * cols * n + 2 * n) : undefined;
        decoder.decode(packed, k * bps, xa, xd);
        info.push(infoOf(snp));
        b++;
      }
    },
    first,
    last + 1,
  );
  return info;
}

/** out (r x n) = in (r x n) transposed to n x r, or back: a plain out-of-place transpose. */
function transpose(src: Float64Array, rows: number, cols: number, dst: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) dst[j * rows + i] = src[row + j]!;
  }
}

/**
 * Rotate r genotype rows (SNP-major, r x n) by U^T: X*^T = (U^T X)^T. Computed as U^T (n x n) times
 * X (n x r), the product shape the SIMD kernel runs fastest (about 1.6x the r x n times n x n form),
 * with the block transposed in and out (O(n r), small next to the O(n^2 r) product).
 */
export function rotateBlock(gemm: Gemm, ut: Float64Array, n: number, xRaw: Float64Array, xRot: Float64Array, work: Float64Array, r: number): void {
  transpose(xRaw, r, n, work); // work: n x r
  gemm(ut, work.subarray(0, n * r), xRaw.subarray(0, n * r), n, n, r); // xRaw reused: n x r
  transpose(xRaw, n, r, xRot); // xRot: r x n
}

/**
 * Test SNPs [from, to) of prep.tested in this thread: decode a block, rotate all its genotype
 * columns with one matrix product (X^T U: each row becomes U^T x), fit each SNP (fit-block.ts).
 * Blocks are delivered in file order. The worker pool (pool.ts) runs the same steps on several threads.
 */
export function scanBlocksHere(prep: PreparedScan, opts: ScanOptions, gemm: Gemm = gemmFast): ScanSkips {
  const { n, u, tested, settings } = prep;
  const fitter = new BlockFitter(prep, settings.model, settings.method, gemm, effectPrior(settings));
  const cols = fitter.columnsPerSnp;
  const blockSize = opts.blockSize ?? DEFAULT_BLOCK;
  const decoder = new GenotypeDecoder(prep.samples.famIndex);
  const xRaw = new Float64Array(blockSize * cols * n);
  const xRot = new Float64Array(blockSize * cols * n);
  const work = new Float64Array(blockSize * cols * n);
  const skips: ScanSkips = { collinear: 0 };
  const to = Math.min(opts.to ?? tested.length, tested.length);
  let pos = opts.from ?? 0;
  while (pos < to) {
    if (opts.shouldStop?.()) break;
    const count = Math.min(blockSize, to - pos);
    const info = decodeBlock(prep, decoder, pos, count, cols, xRaw);
    rotateBlock(gemm, u, n, xRaw, xRot, work, count * cols);
    const { rows, collinear } = fitter.fitBlock(xRot, info);
    skips.collinear += collinear;
    pos += count;
    opts.onBlock(rows, { done: pos, total: tested.length });
  }
  return skips;
}
