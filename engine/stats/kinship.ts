import type { DosageSource } from '../io/genotype-source.js';
import { decodeSnp, type BedFile } from '../io/plink.js';
import { forEachSnpBlock } from '../io/snp-blocks.js';
import { gemmFast } from './kernels/gemm.js';

/**
 * 'centered': K = (1/m) sum_j (g_j - mean_j)(g_j - mean_j)^T  (GEMMA -gk 1)
 * 'standardized': each centred SNP also divided by its standard deviation (GEMMA -gk 2)
 */
export type KinshipMode = 'centered' | 'standardized';

export interface Kinship {
  n: number;
  /** Row-major n x n. */
  data: Float64Array;
  /** SNPs that entered the sum. */
  snps: number;
  mode: KinshipMode;
}

/**
 * One SNP's column of G: allele-1 counts (-1 = missing), or dosages (NaN = missing; GEMMA's
 * BimbamKin), centred by their mean over the individuals with a value, a missing one set to that
 * mean (so 0 once centred), and for 'standardized' divided by the sd of the mean-imputed vector.
 */
export function centreSnp(counts: Int8Array | Float32Array, mode: KinshipMode, out: Float64Array): void {
  const n = counts.length;
  let sum = 0;
  let sumSq = 0;
  let called = 0;
  for (let i = 0; i < n; i++) {
    const c = counts[i]!;
    // False for both a missing count (-1) and a missing dosage (NaN).
    if (c >= 0) {
      sum += c;
      sumSq += c * c;
      called++;
    }
  }
  const mean = called > 0 ? sum / called : 0;
  let scale = 1;
  if (mode === 'standardized') {
    const variance = (sumSq + mean * mean * (n - called)) / n - mean * mean;
    if (variance > 0) scale = 1 / Math.sqrt(variance);
  }
  for (let i = 0; i < n; i++) {
    const c = counts[i]!;
    out[i] = c >= 0 ? (c - mean) * scale : 0;
  }
}

/** SNPs read per call while walking a kinship's SNPs. */
const READ_SNPS = 1024;

/**
 * Walk the SNPs with include[j] != 0 in order: their allele-1 counts from the 2-bit calls
 * (onCounts), or, for a dataset with dosages, their dosages (onDosage).
 */
export function forEachKinshipSnp(
  bed: BedFile,
  include: Uint8Array,
  dosage: DosageSource | undefined,
  onCounts: (counts: Int8Array) => void,
  onDosage: (values: Float32Array) => void,
): void {
  const n = bed.nSamples;
  if (dosage) {
    const buf = new Float32Array(READ_SNPS * n);
    for (let start = 0; start < bed.nSnps; start += READ_SNPS) {
      const count = Math.min(READ_SNPS, bed.nSnps - start);
      let any = false;
      for (let s = 0; s < count && !any; s++) any = include[start + s] !== 0;
      if (!any) continue;
      dosage.readDosage(start, count, buf);
      for (let s = 0; s < count; s++) if (include[start + s]) onDosage(buf.subarray(s * n, (s + 1) * n));
    }
    return;
  }
  const counts = new Int8Array(n);
  forEachSnpBlock(bed, READ_SNPS, (start, count, packed) => {
    for (let s = 0; s < count; s++) {
      if (!include[start + s]) continue;
      decodeSnp(packed, s * bed.bytesPerSnp, n, counts);
      onCounts(counts);
    }
  });
}

/** SNPs per rank-b update K += G_b G_b^T (G_b is n x b). */
const BLOCK = 256;

/**
 * The genomic relationship matrix over all individuals of the .bed, from the SNPs with include[j] != 0,
 * following GEMMA: each SNP's allele-1 counts, a missing call set to the SNP's mean over the
 * individuals with a call, centred by that mean (and for 'standardized' scaled by 1/sd, the sd of
 * the imputed vector); K = G G^T / m, accumulated block by block as matrix products.
 */
export function computeKinship(bed: BedFile, include: Uint8Array, mode: KinshipMode, onProgress?: (done: number, total: number) => void, dosage?: DosageSource): Kinship {
  const n = bed.nSamples;
  const k = new Float64Array(n * n);
  const tmp = new Float64Array(n * n);
  const g = new Float64Array(n * BLOCK); // sample-major: g[i * BLOCK + j]
  const gt = new Float64Array(BLOCK * n); // SNP-major: gt[j * n + i]
  let total = 0;
  for (let j = 0; j < include.length; j++) if (include[j]) total++;
  let used = 0;
  let filled = 0;

  const flush = (): void => {
    if (filled === 0) return;
    // Pack the filled columns contiguously when the block is short (last block).
    const b = filled;
    let a = g;
    let bt = gt;
    if (b < BLOCK) {
      a = new Float64Array(n * b);
      for (let i = 0; i < n; i++) for (let j = 0; j < b; j++) a[i * b + j] = g[i * BLOCK + j]!;
      bt = gt.subarray(0, b * n);
    }
    gemmFast(a, bt, tmp, n, b, n);
    for (let x = 0; x < n * n; x++) k[x] = k[x]! + tmp[x]!;
    filled = 0;
    onProgress?.(used, total);
  };

  const add = (centre: (row: Float64Array) => void): void => {
    const col = filled;
    const row = gt.subarray(col * n, (col + 1) * n);
    centre(row);
    for (let i = 0; i < n; i++) g[i * BLOCK + col] = row[i]!;
    filled++;
    used++;
    if (filled === BLOCK) flush();
  };
  forEachKinshipSnp(
    bed,
    include,
    dosage,
    (counts) => add((row) => centreSnp(counts, mode, row)),
    (values) => add((row) => centreSnp(values, mode, row)),
  );
  flush();
  const inv = used > 0 ? 1 / used : 0;
  for (let x = 0; x < n * n; x++) k[x] = k[x]! * inv;
  return { n, data: k, snps: used, mode };
}

/**
 * K restricted to the analysed individuals (fam indices) and centred again, K <- P K P with
 * P = I - 1 1^T / n (GEMMA does this before the eigendecomposition; it changes ML fits whenever
 * individuals were dropped).
 */
export function subsetAndCenter(kin: Float64Array, nAll: number, idx: Int32Array): Float64Array {
  const n = idx.length;
  const out = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    const ra = idx[a]! * nAll;
    for (let b = 0; b < n; b++) out[a * n + b] = kin[ra + idx[b]!]!;
  }
  const rowMean = new Float64Array(n);
  let grand = 0;
  for (let a = 0; a < n; a++) {
    let s = 0;
    for (let b = 0; b < n; b++) s += out[a * n + b]!;
    rowMean[a] = s / n;
    grand += s;
  }
  grand /= n * n;
  // Symmetric K: column means equal row means.
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) out[a * n + b] = out[a * n + b]! - rowMean[a]! - rowMean[b]! + grand;
  return out;
}
