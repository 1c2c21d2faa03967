/**
 * SNPs collinear with the covariates, by GEMMA's rule (src/gemma_io.cpp, ReadFile_bed and
 * ReadFile_geno, "-r2"): over the analysed individuals, with g the SNP's genotypes (copies of
 * allele 1, the .bim's column 5; a missing call set to the SNP's mean 2 af) and W the intercept
 * and the covariates, a SNP is not tested when
 *   r2 = g' W (W'W)^-1 W' g / g' g > 0.9999,
 * i.e. the share of g's (uncentred) sum of squares that W explains. GEMMA applies it only when W
 * has more than the intercept, and so does Kinscan. The principal components added by --pcs are
 * not in W here (they come from the kinship, which is built from the SNPs chosen here); a SNP
 * exactly collinear with them is still caught when its model is fitted.
 */
import type { DosageSource } from '../io/genotype-source.js';
import type { BedFile } from '../io/plink.js';
import { forEachSnpBlock, subsetCodes } from '../io/snp-blocks.js';

/** GEMMA's r2_level. */
export const R2_LEVEL = 0.9999;

/**
 * An orthonormal basis of the span of the columns (each of length n): modified Gram-Schmidt,
 * twice over for orthogonality to working precision. A column already in the span of the ones
 * before it adds nothing (the covariates are checked for independence later, with a message).
 */
export function orthonormalBasis(columns: Float64Array[]): Float64Array[] {
  const basis: Float64Array[] = [];
  for (const c of columns) {
    const v = Float64Array.from(c);
    let norm0 = 0;
    for (let i = 0; i < v.length; i++) norm0 += v[i]! * v[i]!;
    for (let pass = 0; pass < 2; pass++) {
      for (const q of basis) {
        let a = 0;
        for (let i = 0; i < v.length; i++) a += q[i]! * v[i]!;
        for (let i = 0; i < v.length; i++) v[i] = v[i]! - a * q[i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
    if (!(norm > 1e-20 * norm0) || norm === 0) continue;
    const s = 1 / Math.sqrt(norm);
    for (let i = 0; i < v.length; i++) v[i] = v[i]! * s;
    basis.push(v);
  }
  return basis;
}

/** GEMMA's r2 of a genotype vector g on the span of `basis` (orthonormal): ||Q'g||^2 / ||g||^2 (0 for g = 0). */
export function snpR2(g: Float64Array, basis: Float64Array[]): number {
  let gg = 0;
  for (let i = 0; i < g.length; i++) gg += g[i]! * g[i]!;
  if (gg === 0) return 0;
  let explained = 0;
  for (const q of basis) {
    let a = 0;
    for (let i = 0; i < g.length; i++) a += q[i]! * g[i]!;
    explained += a * a;
  }
  return explained / gg;
}

/**
 * GEMMA's r2 of every SNP with want(j) true (NaN for the others) among the analysed individuals
 * (fam indices) on the intercept and `covariates` (each over the analysed individuals); af[j] is
 * the frequency of allele 1 among the called, for the missing calls. One pass over the genotypes:
 * their dosages when the dataset has them (GEMMA's BIMBAM route), else the 2-bit calls.
 */
export function covariateR2(
  bed: BedFile,
  famIndex: Int32Array,
  covariates: Float64Array[],
  af: Float64Array,
  want: (j: number) => boolean,
  dosage?: DosageSource,
): Float64Array {
  const n = famIndex.length;
  const basis = orthonormalBasis([new Float64Array(n).fill(1), ...covariates]);
  const { byte, shift } = subsetCodes(famIndex);
  const bps = bed.bytesPerSnp;
  const g = new Float64Array(n);
  const r2 = new Float64Array(bed.nSnps).fill(NaN);
  // Copies of allele 1 by 2-bit code: 0b00 two, 0b01 missing (set per SNP), 0b10 one, 0b11 none.
  const value = new Float64Array([2, 0, 1, 0]);
  if (dosage) {
    const per = 1024;
    const nAll = dosage.nSamples;
    const buf = new Float32Array(per * nAll);
    for (let start = 0; start < dosage.nSnps; start += per) {
      const count = Math.min(per, dosage.nSnps - start);
      dosage.readDosage(start, count, buf);
      for (let s = 0; s < count; s++) {
        const j = start + s;
        if (!want(j)) continue;
        const mean = 2 * af[j]!;
        const off = s * nAll;
        for (let k = 0; k < n; k++) {
          const d = buf[off + famIndex[k]!]!;
          g[k] = Number.isNaN(d) ? mean : d;
        }
        r2[j] = snpR2(g, basis);
      }
    }
    return r2;
  }
  forEachSnpBlock(bed, 1024, (start, count, packed) => {
    for (let s = 0; s < count; s++) {
      const j = start + s;
      if (!want(j)) continue;
      value[1] = 2 * af[j]!;
      const off = s * bps;
      for (let k = 0; k < n; k++) g[k] = value[(packed[off + byte[k]!]! >> shift[k]!) & 3]!;
      r2[j] = snpR2(g, basis);
    }
  });
  return r2;
}

/**
 * Mark (in `status`, as `mark`) the SNPs whose status is `pass` and whose r2 (covariateR2) exceeds
 * R2_LEVEL. Returns how many were marked; does nothing without covariates beyond the intercept.
 */
export function markCollinear(
  bed: BedFile,
  famIndex: Int32Array,
  covariates: Float64Array[],
  af: Float64Array,
  status: Uint8Array,
  pass: number,
  mark: number,
  dosage?: DosageSource,
): number {
  if (covariates.length === 0) return 0;
  return markAbove(covariateR2(bed, famIndex, covariates, af, (j) => status[j] === pass, dosage), status, pass, mark);
}

/** Mark the SNPs of status `pass` with r2[j] > R2_LEVEL as `mark`; how many. */
export function markAbove(r2: Float64Array, status: Uint8Array, pass: number, mark: number): number {
  let marked = 0;
  for (let j = 0; j < status.length; j++) {
    if (status[j] === pass && r2[j]! > R2_LEVEL) {
      status[j] = mark;
      marked++;
    }
  }
  return marked;
}
