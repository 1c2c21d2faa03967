/**
 * A look at a genotype file other than a PLINK set (VCF, BIMBAM, HapMap, CSV/TSV matrices) before
 * it is added: its format, individuals, first SNPs with their first genotypes, whether it has
 * dosages, whether a SNP annotation (map) file is wanted, and what its reader left out.
 *
 * Read with the import's own reader (genotype-format.ts openGenotypes), so the preview shows what
 * the import will read and fails where the import would. Only the first batch of SNPs is read: a
 * private sentinel thrown from the batch callback stops the reader, whose files are closed in its
 * `finally` (byte-chunks via forEachLine / the VCF's withLines). A file that ends within the first
 * batch is read whole, so its skipped SNPs and warnings are the import's. Samples-as-rows matrices
 * are read whole by their reader before the first batch (it transposes them); they are small.
 */
import { compressionOf, openByteChunks, type Compression } from './byte-chunks.js';
import { InputError } from './errors.js';
import { openGenotypes } from './genotype-format.js';
import { bytesPerSnp, type GenotypeReader, type ReadSummary, type SkippedSnps, type SnpBatch } from './genotype-source.js';
import { detectLayout } from './matrix-layout.js';
import { readSnpMap } from './snp-map.js';
import { headLines } from './text-head.js';
import { readVcfHeader, VCF_WHAT } from './vcf-header.js';
import { ByteLines } from './vcf-lines.js';
import { openVcf } from './vcf.js';

/** SNPs shown, individuals named, and genotypes shown per SNP. */
export const PREVIEW_SNPS = 10;
export const PREVIEW_IDS = 10;
export const PREVIEW_CALLS = 8;
/** SNPs read at most (one reader batch): enough to see what the reader skips, quick on any file. */
const PREVIEW_BATCH = 1024;

export interface PreviewSnp {
  chr: string;
  rs: string;
  pos: number;
  allele1: string;
  allele0: string;
  /** Line (or, for samples-as-rows matrices, column) of the SNP in its file. */
  line: number;
  /** The first individuals' genotypes: copies of allele1 (0, 1, 2) or dosages in [0, 2]; null = missing. */
  calls: (number | null)[];
}

export interface GenotypePreview {
  kind: 'genotypes';
  path: string;
  format: 'vcf' | 'bimbam' | 'hapmap' | 'matrix';
  compression: Compression;
  /** Matrices: samples as rows or as columns (null for other formats, or when only a map file tells). */
  layout: 'samples-as-rows' | 'samples-as-columns' | null;
  /** Matrices written by plink2 --export A (.raw) or A-transpose (.traw). */
  plinkExport: 'raw' | 'traw' | null;
  individuals: number;
  sampleIds: string[];
  snps: PreviewSnp[];
  /** The calls shown are dosages (BIMBAM; a VCF read with its DS). */
  dosages: boolean;
  /** A VCF whose header declares DS dosages: they can be read instead of the GT calls. */
  dosageOption: boolean;
  /** A SNP annotation / map file: given, wanted (the SNPs read have no chromosome or position), or not needed. */
  annotation: 'given' | 'expected' | 'not-needed';
  /** SNPs in the file, when known without reading it all (else null: counted when added). */
  snpCount: number | null;
  /** The whole file was read (it ends within the first batch): skipped and warnings are the import's. */
  complete: boolean;
  /** What the reader left out: by reason when complete; else the records between the SNPs read, reasons counted when added. */
  skipped: SkippedSnps[];
  warnings: string[];
}

export interface GenotypePreviewOptions {
  /** BIMBAM's annotation file or a matrix's map file. */
  anno?: string;
  /** Read a VCF's DS dosages (the calls shown are then dosages). */
  dosage?: boolean;
  /** Open the file as a VCF whatever its content says (its name says VCF): the VCF reader then names what is wrong. */
  asVcf?: boolean;
}

/** Thrown from the batch callback to stop the reader after the first batch. */
const ENOUGH = Symbol('genotype preview: first batch read');

/** The reason given for records left out before the file is read whole. */
export const LEFT_OUT_SO_FAR = 'not read as SNPs (the reasons are counted when the file is added)';

export function previewGenotypes(path: string, opts: GenotypePreviewOptions = {}): GenotypePreview {
  const compression = compressionOf(path, 'genotype file');
  const reader = opts.asVcf
    ? openVcf(path, { dosage: opts.dosage === true })
    : openGenotypes(path, { ...(opts.anno !== undefined ? { anno: opts.anno } : {}), ...(opts.dosage ? { dosage: true } : {}) });
  let first: SnpBatch | undefined;
  let summary: ReadSummary | undefined;
  try {
    if (reader.format === 'plink') throw new Error('previewGenotypes: PLINK sets are previewed by preview.ts');
    try {
      summary = reader.read(
        (batch) => {
          first = batch;
          // A full first batch: the file goes on; a shorter one is the end, and read() returns its summary.
          if (batch.snps.length >= PREVIEW_BATCH) throw ENOUGH;
        },
        { batchSnps: PREVIEW_BATCH },
      );
    } catch (e) {
      if (e !== ENOUGH) throw e;
    }
  } finally {
    reader.close();
  }
  if (first === undefined) throw new Error('previewGenotypes: the reader delivered no SNPs and no error');
  const format = reader.format as GenotypePreview['format'];
  const vcfHeader = format === 'vcf' ? vcfHeaderOf(path) : undefined;
  const dosages = reader.dosage;
  const snps = previewSnps(reader, first);
  const placed = first.snps.some((s) => s.chr !== '0' || s.pos !== 0);
  const annotation: GenotypePreview['annotation'] =
    format === 'vcf' || format === 'hapmap' ? 'not-needed' : opts.anno !== undefined ? 'given' : format === 'bimbam' || !placed ? 'expected' : 'not-needed';
  const matrix = format === 'matrix' ? matrixLayout(path, opts.anno) : undefined;
  const complete = summary !== undefined;
  return {
    kind: 'genotypes',
    path,
    format,
    compression,
    layout: matrix?.layout ?? null,
    plinkExport: matrix?.plink ?? null,
    individuals: reader.samples.iid.length,
    sampleIds: reader.samples.iid.slice(0, PREVIEW_IDS),
    snps,
    dosages,
    dosageOption: vcfHeader?.formats.has('DS') ?? false,
    annotation,
    snpCount: summary ? summary.snps : (reader.snpsHint ?? null),
    complete,
    skipped: summary ? summary.skipped : leftOutBetween(first, vcfHeader ? vcfHeader.line + 1 : undefined),
    warnings: summary ? summary.warnings : [],
  };
}

/** The first SNPs of a batch with the first individuals' calls (dosages when the batch has them). */
function previewSnps(reader: GenotypeReader, batch: SnpBatch): PreviewSnp[] {
  const n = reader.samples.iid.length;
  const bps = bytesPerSnp(n);
  const shown = Math.min(n, PREVIEW_CALLS);
  return batch.snps.slice(0, PREVIEW_SNPS).map((s, i) => {
    const calls: (number | null)[] = [];
    for (let j = 0; j < shown; j++) {
      if (batch.dosage) {
        const d = batch.dosage[i * n + j]!;
        calls.push(Number.isNaN(d) ? null : Math.round(d * 1000) / 1000);
      } else {
        const code = (batch.packed[i * bps + (j >> 2)]! >> ((j & 3) << 1)) & 3;
        calls.push(CODE_COUNT[code]!);
      }
    }
    return { chr: s.chr, rs: s.rs, pos: s.pos, allele1: s.allele1, allele0: s.allele0, line: s.line, calls };
  });
}

/** The .bed 2-bit code as copies of allele1 (genotype-source.ts). */
const CODE_COUNT: readonly (number | null)[] = [2, null, 1, 0];

/**
 * Records the reader passed over among those read so far: the gaps between the lines of the SNPs
 * it delivered (and, for a VCF, between its header and the first SNP). Their reasons are known
 * only to the reader, which gives them once the file is read whole.
 */
function leftOutBetween(batch: SnpBatch, firstRecordLine: number | undefined): SkippedSnps[] {
  let count = 0;
  let prev = firstRecordLine !== undefined ? firstRecordLine - 1 : batch.snps[0]!.line;
  const examples: { id: string; line: number }[] = [];
  for (const s of batch.snps) {
    const gap = s.line - prev - 1;
    if (gap > 0) {
      count += gap;
      if (examples.length < 5) examples.push({ id: `line ${prev + 1}${gap > 1 ? `-${s.line - 1}` : ''}`, line: prev + 1 });
    }
    prev = s.line;
  }
  return count > 0 ? [{ reason: LEFT_OUT_SO_FAR, count, examples }] : [];
}

/** The VCF's header (its FORMAT IDs and #CHROM line), as the reader reads it. */
function vcfHeaderOf(path: string): { formats: Set<string>; line: number } {
  const chunks = openByteChunks(path, VCF_WHAT);
  try {
    const h = readVcfHeader(path, new ByteLines(chunks));
    return { formats: h.formats, line: h.line };
  } finally {
    chunks.close();
  }
}

/** A matrix's orientation, as its reader tells it (null when only the map file would tell, and none is given). */
function matrixLayout(path: string, anno: string | undefined): { layout: GenotypePreview['layout']; plink: 'raw' | 'traw' | null } | undefined {
  const what = 'genotype matrix file';
  const head = headLines(path, what, 51);
  if (head.length < 2) return undefined;
  try {
    const ids = anno !== undefined ? new Set(readSnpMap(anno).keys()) : undefined;
    const l = detectLayout(path, what, head[0]!, head.slice(1), ids);
    return { layout: l.samplesAs === 'rows' ? 'samples-as-rows' : 'samples-as-columns', plink: l.plink ?? null };
  } catch (e) {
    // The reader opened the file, so its layout was told; a second look that cannot tell shows none.
    if (e instanceof InputError) return undefined;
    throw e;
  }
}
