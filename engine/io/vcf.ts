/**
 * VCF genotypes (plain, gzip or bgzip, told apart by content): a GenotypeReader over the GT calls,
 * or over the DS dosages when asked. Samples come from the #CHROM line (FID = IID); biallelic SNPs
 * are kept, the rest skipped and counted (vcf-record.ts). A SNP without an ID (ID '.') is named
 * chromosome:position, where plink2 would need --set-missing-var-ids.
 *
 * The file is streamed twice at most: once when opened, for the header, and once per read(). A big
 * file is read on helper threads (vcf-read-thread.ts: one parses, one inflates BGZF), so the
 * caller stores one batch while the next ones are inflated and parsed.
 */
import { statSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { compressionOf, openByteChunks, type ByteChunks } from './byte-chunks.js';
import { InputError } from './errors.js';
import { bytesPerSnp, type GenotypeReader, type ReadSummary, type SnpBatch, type SnpRecord } from './genotype-source.js';
import { readVcfHeader, VCF_WHAT, type VcfHeader } from './vcf-header.js';
import { ByteLines, nextChunkAfter } from './vcf-lines.js';
import { batchesAhead, readOnHelper, type HelperScripts } from './vcf-read-thread.js';
import { VcfRecordParser } from './vcf-record.js';
import { M_ALT_END, M_CHROM_END, M_END, M_HALF, M_ID_END, M_POS_END, M_REF_END, M_START, META_WORDS, VcfScanner } from './vcf-scan-wasm.js';
import { workerScriptBeside } from './worker-script.js';

export interface VcfOptions {
  /** Read the DS dosages instead of the GT calls. */
  dosage?: boolean;
}

const DEFAULT_BATCH = 1024;
const LINE_BREAK = Uint8Array.of(10);
/** Below this size (on disk) a VCF is read on the calling thread: a helper's start costs more. */
const MIN_HELPER_BYTES = 4 << 20;

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
    read(onBatch, ro) {
      const batch = Math.max(1, Math.floor(ro?.batchSnps ?? DEFAULT_BATCH));
      const helpers = helperScripts(path);
      if (helpers !== undefined) {
        const n = header.samples.length;
        const job = { path, header: { ...header, formats: [...header.formats] }, dosage, batchSnps: batch, ahead: batchesAhead(batch * (bytesPerSnp(n) + (dosage ? 4 * n : 0))) };
        const summary = readOnHelper(helpers, job, onBatch, ro?.progress);
        if (summary !== undefined) return summary;
      }
      const chunks = openByteChunks(path, VCF_WHAT);
      try {
        return readVcfRecords(path, header, dosage, onBatch, batch, ro?.progress, chunks);
      } finally {
        chunks.close();
      }
    },
    close() {
      // Nothing stays open between reads.
    },
  };
}

/**
 * The helper threads' scripts for reading this file, when it is worth them: a big file, read from
 * a process's main thread (an engine host in a worker thread was seen to hang around a nested
 * helper: engine/store/block-deflate.ts), with the compiled scripts at hand; a BGZF file is
 * inflated on a helper of its own.
 */
function helperScripts(path: string): HelperScripts | undefined {
  if (!isMainThread || statSync(path).size < MIN_HELPER_BYTES) return undefined;
  const read = workerScriptBeside(import.meta.url, 'vcf-read-worker.js');
  const inflate = compressionOf(path, VCF_WHAT) === 'bgzf' ? workerScriptBeside(import.meta.url, 'bgzf-inflate-worker.js') : undefined;
  return read === undefined ? undefined : { read, ...(inflate !== undefined ? { inflate } : {}) };
}

function withLines<T>(path: string, fn: (lines: ByteLines) => T): T {
  const chunks = openByteChunks(path, VCF_WHAT);
  try {
    return fn(new ByteLines(chunks));
  } finally {
    chunks.close();
  }
}

/**
 * The records of a VCF whose header is known, from `chunks` (its decompressed bytes from the
 * start; the caller closes them), in batches of `batch` SNPs, each batch in buffers of its own.
 * The scanner (vcf-scan-wasm.ts) splits the lines and reads the common record whole; the parser
 * reads its fixed columns, and any other record (vcf-record.ts's general path).
 */
export function readVcfRecords(
  path: string,
  header: VcfHeader,
  dosage: boolean,
  onBatch: (batch: SnpBatch) => void,
  batch: number,
  progress: ((done: number, total: number) => void) | undefined,
  chunks: ByteChunks,
): ReadSummary {
  const n = header.samples.length;
  const bps = bytesPerSnp(n);
  const lines = new ByteLines(chunks);
  // Skip the header again (it was checked when opening).
  while (lines.lineNo < header.line && lines.next());
  const parser = new VcfRecordParser(path, header.samples, header.line, dosage, header.formats.has('DS'));
  const scanner = new VcfScanner(path, n, batch, !dosage);
  let lineNo = lines.lineNo;
  scanner.append(lines.rest(), lineNo);
  let snps: SnpRecord[] = [];
  let dos = dosage ? new Float32Array(batch * n) : undefined;
  let delivered = 0;
  let records = 0;
  let lastProgress = 0;
  const flush = (): void => {
    const k = snps.length;
    // The codes leave the scanner's memory in a buffer of their own.
    const out: SnpBatch = { snps, packed: scanner.codes.slice(0, k * bps) };
    if (dos !== undefined) out.dosage = k === batch ? dos : dos.slice(0, k * n);
    onBatch(out);
    delivered += k;
    snps = [];
    if (dosage) dos = new Float32Array(batch * n);
    if (progress !== undefined && delivered - lastProgress >= 16384) {
      lastProgress = delivered;
      progress(chunks.consumed(), chunks.fileBytes);
    }
  };
  let ended = false;
  for (;;) {
    const slot = snps.length;
    const got = scanner.scan(slot, batch - slot);
    const { window: b, meta, codes } = scanner;
    for (let i = 0; i < got; i++) {
      const m = META_WORDS * i;
      const start = meta[m + M_START]!;
      const end = meta[m + M_END]!;
      lineNo++;
      if (end === start) continue;
      if (b[start] === 35) {
        throw new InputError('has a header line (starting with #) among the records', { file: path, line: lineNo }, 'Header lines must all come before the records; the file may be two VCFs pasted together');
      }
      records++;
      const k = snps.length;
      const half = meta[m + M_HALF]!;
      let snp: SnpRecord | undefined;
      if (half >= 0) {
        snp = parser.scanned(b, start, meta[m + M_CHROM_END]!, meta[m + M_POS_END]!, meta[m + M_ID_END]!, meta[m + M_REF_END]!, meta[m + M_ALT_END]!, end, lineNo, half);
        // Its codes were written at line i's slot: moved up past the lines skipped before it.
        if (snp !== undefined && slot + i !== k) codes.copyWithin(k * bps, (slot + i) * bps, (slot + i + 1) * bps);
      } else {
        codes.fill(0, k * bps, (k + 1) * bps);
        snp = parser.parse(b, start, end, lineNo, codes, k * bps, dos, k * n);
      }
      if (snp !== undefined) snps.push(snp);
    }
    if (snps.length === batch) flush();
    else if (got < batch - slot) {
      // No further complete line in the window: more text, at least as much again as the line it
      // ends in holds so far (so a line of many chunks is scanned a few times, not once a chunk);
      // at the end, a last line without its line break.
      if (ended) break;
      const want = 2 * scanner.pending;
      do {
        const c = nextChunkAfter(chunks, lineNo);
        if (c === undefined) {
          ended = true;
          if (scanner.pending > 0) scanner.append(LINE_BREAK, lineNo);
          break;
        }
        scanner.append(c, lineNo);
      } while (scanner.pending < want);
      if (ended && scanner.pending === 0) break;
    }
  }
  if (snps.length > 0) flush();
  progress?.(chunks.fileBytes, chunks.fileBytes);

  const skipped = [...parser.skipped.values()];
  if (delivered === 0) {
    const why = skipped.map((s) => `${plural(s.count, 'record')}: ${s.reason}`).join('; ');
    throw new InputError(
      records === 0 ? 'has no variant records below its #CHROM header line: no SNPs to read' : `has no biallelic SNPs to read (${why})`,
      { file: path, line: records === 0 ? header.line : lineNo },
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
}
