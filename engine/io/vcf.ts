/**
 * VCF genotypes (plain, gzip or bgzip, told apart by content): a GenotypeReader over the GT calls,
 * or over the DS dosages when asked. Samples come from the #CHROM line (FID = IID); biallelic SNPs
 * are kept, the rest skipped and counted (vcf-record.ts). A SNP without an ID (ID '.') is named
 * chromosome:position, where plink2 would need --set-missing-var-ids.
 *
 * The file is streamed twice at most: once when opened, for the header, and once per read().
 */
import type { ByteChunks } from './byte-chunks.js';
import { openVcfChunks } from './vcf-inflate.js';
import { InputError } from './errors.js';
import { bytesPerSnp, type GenotypeReader, type ReadSummary, type SnpBatch, type SnpRecord } from './genotype-source.js';
import { readVcfHeader, VCF_WHAT, type VcfHeader } from './vcf-header.js';
import { ByteLines } from './vcf-lines.js';
import { VcfRecordParser } from './vcf-record.js';

export interface VcfOptions {
  /** Read the DS dosages instead of the GT calls. */
  dosage?: boolean;
}

const DEFAULT_BATCH = 1024;

function plural(n: number, one: string, many = one + 's'): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function openVcf(path: string, opts: VcfOptions = {}): GenotypeReader {
  const dosage = opts.dosage === true;
  const header = withLines(path, (lines) => readVcfHeader(path, lines));
  const samples = { fid: header.samples.slice(), iid: header.samples, where: Int32Array.from(header.samples, (_, j) => j + 10) };
  return {
    format: 'vcf',
    path,
    files: [path],
    samples,
    dosage,
    snpsHint: undefined,
    read: (onBatch, ro) => readRecords(path, header, dosage, onBatch, ro?.batchSnps ?? DEFAULT_BATCH, ro?.progress),
    close() {
      // Nothing stays open between reads.
    },
  };
}

function withLines<T>(path: string, fn: (lines: ByteLines, chunks: ByteChunks) => T): T {
  const chunks = openVcfChunks(path, VCF_WHAT);
  try {
    return fn(new ByteLines(chunks), chunks);
  } finally {
    chunks.close();
  }
}

function readRecords(
  path: string,
  header: VcfHeader,
  dosage: boolean,
  onBatch: (batch: SnpBatch) => void,
  batchSnps: number,
  progress: ((done: number, total: number) => void) | undefined,
): ReadSummary {
  const n = header.samples.length;
  const bps = bytesPerSnp(n);
  const batch = Math.max(1, Math.floor(batchSnps));
  return withLines(path, (lines, chunks) => {
    // Skip the header again (it was checked when opening).
    while (lines.lineNo < header.line && lines.next());
    const parser = new VcfRecordParser(path, header.samples, header.line, dosage, header.formats.has('DS'));
    let snps: SnpRecord[] = [];
    let packed = new Uint8Array(batch * bps);
    let dos = dosage ? new Float32Array(batch * n) : undefined;
    let delivered = 0;
    let records = 0;
    let lastProgress = 0;
    const flush = (): void => {
      const k = snps.length;
      const out: SnpBatch = { snps, packed: k === batch ? packed : packed.slice(0, k * bps) };
      if (dos !== undefined) out.dosage = k === batch ? dos : dos.slice(0, k * n);
      onBatch(out);
      delivered += k;
      snps = [];
      packed = new Uint8Array(batch * bps);
      if (dosage) dos = new Float32Array(batch * n);
      if (progress !== undefined && delivered - lastProgress >= 16384) {
        lastProgress = delivered;
        progress(chunks.consumed(), chunks.fileBytes);
      }
    };
    while (lines.next()) {
      const { buf, start, end, lineNo } = lines;
      if (end === start) continue;
      if (buf[start] === 35) {
        throw new InputError('has a header line (starting with #) among the records', { file: path, line: lineNo }, 'Header lines must all come before the records; the file may be two VCFs pasted together');
      }
      records++;
      const snp = parser.parse(buf, lines.view, start, end, lineNo, packed, snps.length * bps, dos, snps.length * n);
      if (snp === undefined) continue;
      snps.push(snp);
      if (snps.length === batch) flush();
    }
    if (snps.length > 0) flush();
    progress?.(chunks.fileBytes, chunks.fileBytes);

    const skipped = [...parser.skipped.values()];
    if (delivered === 0) {
      const why = skipped.map((s) => `${plural(s.count, 'record')}: ${s.reason}`).join('; ');
      throw new InputError(
        records === 0 ? 'has no variant records below its #CHROM header line: no SNPs to read' : `has no biallelic SNPs to read (${why})`,
        { file: path, line: records === 0 ? header.line : lines.lineNo },
        records === 0
          ? 'The file is empty below its #CHROM line; export the VCF again with its variants'
          : 'Kinscan reads biallelic SNPs; split multi-allelic sites first (bcftools norm -m -any) or give a file with SNPs',
      );
    }
    const warnings: string[] = [];
    if (parser.haploid > 0) warnings.push(`${plural(parser.haploid, 'haploid call')} (such as 0 or 1) read as homozygous (0/0, 1/1)`);
    if (parser.halfMissing > 0) warnings.push(`${plural(parser.halfMissing, 'half-missing call')} (such as ./1) read as missing`);
    if (parser.unnamed > 0) warnings.push(`${plural(parser.unnamed, 'SNP')} without an ID (ID '.') named chromosome:position`);
    return { snps: delivered, skipped, warnings };
  });
}
