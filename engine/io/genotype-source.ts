/**
 * What every genotype reader hands on (PLINK 1, VCF, BIMBAM, HapMap, CSV/TSV matrices): the
 * samples, then the SNPs in batches in file order, each SNP as PLINK .bed 2-bit codes (and, for
 * dosage inputs, its dosages too). One shape for all formats, so a project imports them one way
 * (engine/store/datasets.ts) and the engine never knows where genotypes came from.
 *
 * Coding, as engine/io/plink.ts: codes count copies of allele1 (the "counted" allele, GEMMA's
 * allele1, whose frequency is `af`): 0b00 = 2 copies, 0b10 = 1, 0b11 = 0, 0b01 = missing; sample j
 * of a SNP at bits 2*(j%4) of byte floor(j/4); padding bits of the last byte 0.
 */

export const GENOTYPE_FORMATS = ['plink', 'vcf', 'bimbam', 'hapmap', 'matrix'] as const;
export type GenotypeFormat = (typeof GENOTYPE_FORMATS)[number];

/** The genotyped individuals, in the order of the genotype columns. */
export interface GenotypeSamples {
  /** Family IDs; formats without families give each sample its IID as FID (a sheet's FID column then matches too). */
  fid: string[];
  iid: string[];
  /** Where each sample was named, for messages: 1-based line (PLINK .fam) or column (VCF header, matrices). */
  where: Int32Array;
}

/** One SNP's description (a .bim row). */
export interface SnpRecord {
  /** Chromosome name as written (a string: 1, X, MT, Chr01, scaffold_12). */
  chr: string;
  rs: string;
  /** Genetic position (cM), 0 when unknown. */
  cm: number;
  /** Base-pair position, 0 when unknown. */
  pos: number;
  /** The counted allele (codes count its copies). */
  allele1: string;
  allele0: string;
  /** 1-based line (or column, for matrices with samples as rows) of the SNP in its file, for messages. */
  line: number;
}

/** A batch of SNPs, in file order. */
export interface SnpBatch {
  snps: SnpRecord[];
  /** snps.length * bytesPerSnp bytes, the .bed coding above. For dosage inputs: each dosage rounded to the nearest count. */
  packed: Uint8Array;
  /** Dosage inputs only: snps.length * nSamples copies of allele1 in [0, 2], SNP-major; NaN = missing. */
  dosage?: Float32Array;
}

/** SNPs a reader left out, by reason (e.g. "multi-allelic", "indel"), with a few examples. */
export interface SkippedSnps {
  reason: string;
  count: number;
  /** Up to 5 SNP IDs (or chr:pos) with their lines. */
  examples: { id: string; line: number }[];
}

export interface ReadSummary {
  /** SNPs delivered. */
  snps: number;
  skipped: SkippedSnps[];
  /** Stated warnings the user should see (e.g. "12 haploid calls read as homozygous"). */
  warnings: string[];
}

/**
 * An opened genotype input. `samples` is known once opened (headers read); `read` streams the SNPs
 * once, in file order (never the whole file in memory), and throws an InputError naming the file,
 * the line and what to do at the first bad record. Order is not required: the importer sorts
 * SNPs by chromosome and position when the file is not sorted.
 */
export interface GenotypeReader {
  readonly format: GenotypeFormat;
  /** The main file (for messages and the dataset's name). */
  readonly path: string;
  /** Every file the reader reads (hashed together as the dataset's identity). */
  readonly files: string[];
  readonly samples: GenotypeSamples;
  /** True when batches carry dosages (BIMBAM; VCF with DS asked for). */
  readonly dosage: boolean;
  /** SNPs expected, when the reader knows it up front (for progress); else undefined. */
  readonly snpsHint: number | undefined;
  /** Deliver every SNP; batches of at most `batchSnps` SNPs. progress is (bytes or lines done, total). */
  read(onBatch: (batch: SnpBatch) => void, opts?: { batchSnps?: number; progress?: (done: number, total: number) => void }): ReadSummary;
  close(): void;
}

/** ceil(n / 4): bytes per SNP in the .bed coding. */
export function bytesPerSnp(nSamples: number): number {
  return (nSamples + 3) >> 2;
}

/** The 2-bit code of a count of allele1 (0, 1, 2), or of a missing call (-1). */
export const COUNT_TO_CODE: Readonly<Uint8Array> = Uint8Array.of(0b11, 0b10, 0b00);
export const MISSING_CODE = 0b01;

/** Write sample j's code into a SNP's packed bytes (which must start zeroed). */
export function setCode(packed: Uint8Array, offset: number, j: number, code: number): void {
  packed[offset + (j >> 2)] = packed[offset + (j >> 2)]! | (code << ((j & 3) << 1));
}

/** The code of a dosage in [0, 2] (rounded to the nearest count; NaN = missing). */
export function dosageCode(d: number): number {
  if (Number.isNaN(d)) return MISSING_CODE;
  return d < 0.5 ? 0b11 : d < 1.5 ? 0b10 : 0b00;
}

/** Dosages of a dataset that has them (BIMBAM, VCF DS), beside its 2-bit hard calls. */
export interface DosageSource {
  nSamples: number;
  nSnps: number;
  /** Copy SNPs [start, start + count) into out (count * nSamples, SNP-major; NaN = missing). */
  readDosage(start: number, count: number, out: Float32Array): void;
}
