import type { BedFile } from '../io/plink.js';
import { forEachSnpBlock } from '../io/snp-blocks.js';

/**
 * Genotype counts of one packed byte (four individuals) restricted to a 4-bit mask of them:
 * COUNT_k[(mask << 8) | byte] = how many of the masked individuals have 2-bit code k
 * (0b00 hom allele 1, 0b01 missing, 0b10 het; 0b11 is the rest).
 */
const COUNT_0 = new Uint8Array(16 * 256);
const COUNT_1 = new Uint8Array(16 * 256);
const COUNT_2 = new Uint8Array(16 * 256);
for (let mask = 0; mask < 16; mask++) {
  for (let v = 0; v < 256; v++) {
    const at = (mask << 8) | v;
    for (let q = 0; q < 4; q++) {
      if (!((mask >> q) & 1)) continue;
      const code = (v >> (2 * q)) & 3;
      if (code === 0) COUNT_0[at]!++;
      else if (code === 1) COUNT_1[at]!++;
      else if (code === 2) COUNT_2[at]!++;
    }
  }
}

/** The packed bytes that hold analysed individuals, each with the mask of its analysed individuals. */
function byteMasks(analysed: Int32Array): { pos: Int32Array; mask: Int32Array } {
  const masks = new Map<number, number>();
  for (const i of analysed) masks.set(i >> 2, (masks.get(i >> 2) ?? 0) | (1 << (i & 3)));
  const pos = Int32Array.from([...masks.keys()].sort((a, b) => a - b));
  const mask = Int32Array.from(pos, (b) => masks.get(b)! << 8);
  return { pos, mask };
}

/** Why a SNP is not tested. */
export enum SnpStatus {
  Pass = 0,
  /** Missing rate among the analysed individuals above the limit. */
  Missing = 1,
  /** Minor allele frequency below the limit. */
  Maf = 2,
  /** A single genotype class among the analysed individuals (monomorphic, or all heterozygous). */
  SingleClass = 3,
}

export interface SnpQcOptions {
  /** Minimum minor allele frequency (default 0.01). */
  maf: number;
  /** Maximum missing rate (default 0.05). */
  maxMissing: number;
}

export const DEFAULT_SNP_QC: SnpQcOptions = { maf: 0.01, maxMissing: 0.05 };

/** Per-SNP summaries over the analysed individuals. */
export interface SnpStats {
  /** Frequency of allele 1 (.bim column 5) among the analysed individuals with a call. */
  af: Float64Array;
  nMiss: Int32Array;
  /** Number of genotype classes (0, 1, 2 copies) observed. */
  classes: Uint8Array;
  status: Uint8Array;
}

export interface SnpQcReport {
  total: number;
  pass: number;
  failedMissing: number;
  failedMaf: number;
  singleClass: number;
  options: SnpQcOptions;
}

/**
 * Count genotypes of every SNP among the analysed individuals (fam indices) and apply GEMMA's
 * filters in GEMMA's order: missing rate, then minor allele frequency, then a single genotype class.
 */
export function snpQc(bed: BedFile, analysed: Int32Array, opts: SnpQcOptions = DEFAULT_SNP_QC): { stats: SnpStats; report: SnpQcReport } {
  const m = bed.nSnps;
  const n = analysed.length;
  const stats: SnpStats = {
    af: new Float64Array(m),
    nMiss: new Int32Array(m),
    classes: new Uint8Array(m),
    status: new Uint8Array(m),
  };
  const { pos, mask } = byteMasks(analysed);
  const nb = pos.length;
  const report: SnpQcReport = { total: m, pass: 0, failedMissing: 0, failedMaf: 0, singleClass: 0, options: opts };
  const bps = bed.bytesPerSnp;
  forEachSnpBlock(bed, 1024, (start, count, packed) => {
    for (let s = 0; s < count; s++) {
      const off = s * bps;
      // counts by 2-bit code: 0b00 hom allele1 (2 copies), 0b01 missing, 0b10 het, 0b11 hom allele0;
      // four individuals per table look-up.
      let c0 = 0;
      let c1 = 0;
      let c2 = 0;
      for (let b = 0; b < nb; b++) {
        const at = mask[b]! | packed[off + pos[b]!]!;
        c0 += COUNT_0[at]!;
        c1 += COUNT_1[at]!;
        c2 += COUNT_2[at]!;
      }
      const c3 = n - c0 - c1 - c2;
      const j = start + s;
      const called = n - c1;
      stats.nMiss[j] = c1;
      stats.af[j] = called > 0 ? (2 * c0 + c2) / (2 * called) : NaN;
      stats.classes[j] = (c0 > 0 ? 1 : 0) + (c2 > 0 ? 1 : 0) + (c3 > 0 ? 1 : 0);
      const af = stats.af[j]!;
      let status = SnpStatus.Pass;
      if (c1 / n > opts.maxMissing) status = SnpStatus.Missing;
      else if (!(Math.min(af, 1 - af) >= opts.maf)) status = SnpStatus.Maf;
      else if (stats.classes[j]! < 2) status = SnpStatus.SingleClass;
      stats.status[j] = status;
      if (status === SnpStatus.Pass) report.pass++;
      else if (status === SnpStatus.Missing) report.failedMissing++;
      else if (status === SnpStatus.Maf) report.failedMaf++;
      else report.singleClass++;
    }
  });
  return { stats, report };
}
