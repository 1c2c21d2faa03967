/**
 * SNP quality control among the analysed individuals: genotype counts per SNP from the packed .bed
 * bytes (four individuals per table look-up), and GEMMA's filters on those counts. The counting and
 * the filters are separate so a QC preview (engine/store/qc-preview.ts) applies the same filters to
 * counts it has stored or computed, and reports exactly what a scan reports.
 */
import type { DosageSource } from '../io/genotype-source.js';
import type { BedFile } from '../io/plink.js';
import { forEachSnpBlock } from '../io/snp-blocks.js';
import { hweExactP } from './hwe.js';

/**
 * Genotype counts of one packed byte (four individuals) restricted to a 4-bit mask of them, three
 * counts in one number: COUNTS[(mask << 8) | byte] = n00 + n01 * 2^16 + n10 * 2^32, how many of the
 * masked individuals have 2-bit code 0b00 (hom allele 1), 0b01 (missing), 0b10 (het). Sums of these
 * stay exact integers (below 2^53) and each field below 2^16 for up to COUNT_RUN bytes.
 */
const COUNTS = new Float64Array(16 * 256);
for (let mask = 0; mask < 16; mask++) {
  for (let v = 0; v < 256; v++) {
    let packed = 0;
    for (let q = 0; q < 4; q++) {
      if (!((mask >> q) & 1)) continue;
      const code = (v >> (2 * q)) & 3;
      if (code === 0) packed += 1;
      else if (code === 1) packed += 2 ** 16;
      else if (code === 2) packed += 2 ** 32;
    }
    COUNTS[(mask << 8) | v] = packed;
  }
}
/** The COUNTS row of a byte of four counted individuals. */
const FULL_MASK = 15 << 8;
/** COUNTS of bytes of four counted individuals. */
const COUNTS_FULL = COUNTS.subarray(FULL_MASK, FULL_MASK + 256);

/** Bytes summed before the packed fields are split (16383 * 4 individuals < 2^16). */
const COUNT_RUN = 16383;

/** The packed bytes that hold some individuals, each with the (shifted) mask of those individuals in it. */
export interface ByteMasks {
  /** Individuals counted. */
  n: number;
  /** Byte offsets within a SNP's packed bytes, ascending. */
  pos: Int32Array;
  /** Per byte: its 4-bit mask of counted individuals, shifted left by 8 (a COUNTS row). */
  mask: Int32Array;
  /** Bytes 0, 1, ... in order, each of all four individuals but maybe the last (every individual counted: an import's counts). */
  dense: boolean;
}

/** The byte masks of a set of individuals (indices into the .fam, each once). */
export function byteMasks(individuals: Int32Array): ByteMasks {
  const masks = new Map<number, number>();
  for (const i of individuals) masks.set(i >> 2, (masks.get(i >> 2) ?? 0) | (1 << (i & 3)));
  const pos = Int32Array.from([...masks.keys()].sort((a, b) => a - b));
  const mask = Int32Array.from(pos, (b) => masks.get(b)! << 8);
  const dense = pos.every((p, b) => p === b && (b === pos.length - 1 || mask[b] === FULL_MASK));
  return { n: individuals.length, pos, mask, dense };
}

/** The byte masks of all nSamples individuals (the padding of the last byte left out). */
export function allByteMasks(nSamples: number): ByteMasks {
  return byteMasks(Int32Array.from({ length: nSamples }, (_, i) => i));
}

/**
 * Genotype counts per SNP among n individuals: code 0b00 (two copies of allele 1), 0b01 (missing),
 * 0b10 (heterozygous); the rest (two copies of allele 0) is n minus the three.
 */
export interface GenotypeCounts {
  n: number;
  hom1: Int32Array;
  missing: Int32Array;
  het: Int32Array;
}

export function emptyCounts(n: number, nSnps: number): GenotypeCounts {
  return { n, hom1: new Int32Array(nSnps), missing: new Int32Array(nSnps), het: new Int32Array(nSnps) };
}

/**
 * Count `count` SNPs of packed bytes (bytesPerSnp each) among the individuals of `masks`, into
 * `out` from SNP `at`.
 */
export function countPacked(packed: Uint8Array, count: number, bytesPerSnp: number, masks: ByteMasks, out: GenotypeCounts, at: number): void {
  const { pos, mask, dense } = masks;
  const nb = pos.length;
  for (let s = 0; s < count; s++) {
    const off = s * bytesPerSnp;
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    for (let b0 = 0; b0 < nb; b0 += COUNT_RUN) {
      const b1 = Math.min(nb, b0 + COUNT_RUN);
      let acc = 0;
      if (dense) {
        // Every individual: byte b at offset b, four of them in all but the last byte.
        const full = Math.min(b1, nb - 1);
        for (let b = b0; b < full; b++) acc += COUNTS_FULL[packed[off + b]!]!;
        if (b1 === nb) acc += COUNTS[mask[nb - 1]! | packed[off + nb - 1]!]!;
      } else {
        for (let b = b0; b < b1; b++) acc += COUNTS[mask[b]! | packed[off + pos[b]!]!]!;
      }
      const het = Math.floor(acc / 2 ** 32);
      const rest = acc - het * 2 ** 32;
      const miss = Math.floor(rest / 2 ** 16);
      c0 += rest - miss * 2 ** 16;
      c1 += miss;
      c2 += het;
    }
    out.hom1[at + s] = c0;
    out.missing[at + s] = c1;
    out.het[at + s] = c2;
  }
}

/** Genotype counts of every SNP of a .bed among some individuals (fam indices). */
export function countGenotypes(bed: BedFile, individuals: Int32Array): GenotypeCounts {
  const masks = byteMasks(individuals);
  const out = emptyCounts(individuals.length, bed.nSnps);
  const bps = bed.bytesPerSnp;
  forEachSnpBlock(bed, 1024, (start, count, packed) => countPacked(packed, count, bps, masks, out, start));
  return out;
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
  /** Hardy-Weinberg exact test p-value below the limit (setting hwe; hwe.ts). */
  Hwe = 4,
  /** Same ID and position as an earlier SNP (duplicates.ts). */
  Duplicate = 5,
  /** Genotypes collinear with the covariates (collinear.ts; set by selectScan after the others). */
  Collinear = 6,
}

export interface SnpQcOptions {
  /** Minimum minor allele frequency (default 0.01). */
  maf: number;
  /** Maximum missing rate (default 0.05). */
  maxMissing: number;
  /** Minimum Hardy-Weinberg exact test p-value; 0 (the default) tests nothing, as GEMMA's -hwe 0. */
  hwe?: number;
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
  /** HWE p below options.hwe. */
  failedHwe: number;
  /** Same ID and position as an earlier SNP. */
  failedDuplicate: number;
  /** Collinear with the covariates (counted by selectScan; 0 here). */
  failedCollinear: number;
  options: SnpQcOptions;
}

/**
 * GEMMA's filters on genotype counts, in GEMMA's order: missing rate, then minor allele frequency,
 * then a single genotype class, then Hardy-Weinberg (when opts.hwe > 0; hweP: the SNPs' p-values
 * when already at hand, e.g. kept by a preview). SNPs marked in `duplicate` (duplicates.ts) are
 * removed as duplicates before any of them.
 */
export function applySnpQc(
  counts: GenotypeCounts,
  opts: SnpQcOptions = DEFAULT_SNP_QC,
  duplicate?: Uint8Array,
  dosage?: DosageSummary,
  hweP?: Float64Array,
): { stats: SnpStats; report: SnpQcReport } {
  const m = counts.hom1.length;
  const n = counts.n;
  const stats: SnpStats = {
    af: new Float64Array(m),
    nMiss: new Int32Array(m),
    classes: new Uint8Array(m),
    status: new Uint8Array(m),
  };
  const report: SnpQcReport = { total: m, pass: 0, failedMissing: 0, failedMaf: 0, singleClass: 0, failedHwe: 0, failedDuplicate: 0, failedCollinear: 0, options: opts };
  const hwe = opts.hwe ?? 0;
  const { hom1, missing, het } = counts;
  for (let j = 0; j < m; j++) {
    const c0 = hom1[j]!;
    const c1 = missing[j]!;
    const c2 = het[j]!;
    const c3 = n - c0 - c1 - c2;
    const called = n - c1;
    stats.nMiss[j] = c1;
    const af = dosage ? dosage.af[j]! : called > 0 ? (2 * c0 + c2) / (2 * called) : NaN;
    stats.af[j] = af;
    const bins = (c0 > 0 ? 1 : 0) + (c2 > 0 ? 1 : 0) + (c3 > 0 ? 1 : 0);
    // Dosages: GEMMA's rule, a SNP is tested unless all its values are equal; it has (at least) two classes then.
    const classes = dosage ? (dosage.polymorphic[j] ? Math.max(2, bins) : 1) : bins;
    stats.classes[j] = classes;
    let status = SnpStatus.Pass;
    if (duplicate?.[j]) status = SnpStatus.Duplicate;
    else if (c1 / n > opts.maxMissing) status = SnpStatus.Missing;
    else if (!(Math.min(af, 1 - af) >= opts.maf)) status = SnpStatus.Maf;
    else if (classes < 2) status = SnpStatus.SingleClass;
    else if (hwe > 0 && (hweP ? hweP[j]! : hweExactP(c0, c2, c3)) < hwe) status = SnpStatus.Hwe;
    stats.status[j] = status;
    if (status === SnpStatus.Pass) report.pass++;
    else if (status === SnpStatus.Missing) report.failedMissing++;
    else if (status === SnpStatus.Maf) report.failedMaf++;
    else if (status === SnpStatus.SingleClass) report.singleClass++;
    else if (status === SnpStatus.Hwe) report.failedHwe++;
    else report.failedDuplicate++;
  }
  return { stats, report };
}

/**
 * What the filters use of a dosage dataset, as GEMMA's ReadFile_geno computes it over the analysed
 * individuals: af = mean dosage / 2 over those with a value, and whether any two values differ. Its
 * GenotypeCounts are GEMMA's bins (hom1: d >= 1.5, het: 0.5 < d < 1.5, the rest hom0; NaN missing).
 */
export interface DosageSummary {
  af: Float64Array;
  polymorphic: Uint8Array;
}

/** Bins, allele frequency and polymorphism of every SNP's dosages among some individuals. */
export function summariseDosages(dosage: DosageSource, individuals: Int32Array): { counts: GenotypeCounts; summary: DosageSummary } {
  const m = dosage.nSnps;
  const nAll = dosage.nSamples;
  const n = individuals.length;
  const counts = emptyCounts(n, m);
  const summary: DosageSummary = { af: new Float64Array(m), polymorphic: new Uint8Array(m) };
  const per = 1024;
  const buf = new Float32Array(per * nAll);
  for (let start = 0; start < m; start += per) {
    const count = Math.min(per, m - start);
    dosage.readDosage(start, count, buf);
    for (let s = 0; s < count; s++) {
      const off = s * nAll;
      let hom1 = 0;
      let het = 0;
      let miss = 0;
      let sum = 0;
      let first = NaN;
      let poly = 0;
      for (let k = 0; k < n; k++) {
        const d = buf[off + individuals[k]!]!;
        if (d !== d) {
          miss++;
          continue;
        }
        sum += d;
        if (d >= 1.5) hom1++;
        else if (d > 0.5) het++;
        if (first !== first) first = d;
        else if (d !== first) poly = 1;
      }
      const j = start + s;
      counts.hom1[j] = hom1;
      counts.het[j] = het;
      counts.missing[j] = miss;
      summary.af[j] = n - miss > 0 ? sum / (2 * (n - miss)) : NaN;
      summary.polymorphic[j] = poly;
    }
  }
  return { counts, summary };
}

/**
 * Count genotypes of every SNP among the analysed individuals (fam indices) and apply GEMMA's
 * filters (`duplicate`: as applySnpQc); for a dataset with dosages, on its dosages.
 */
export function snpQc(
  bed: BedFile,
  analysed: Int32Array,
  opts: SnpQcOptions = DEFAULT_SNP_QC,
  duplicate?: Uint8Array,
  dosage?: DosageSource,
): { stats: SnpStats; report: SnpQcReport } {
  if (dosage) {
    const { counts, summary } = summariseDosages(dosage, analysed);
    return applySnpQc(counts, opts, duplicate, summary);
  }
  return applySnpQc(countGenotypes(bed, analysed), opts, duplicate);
}
