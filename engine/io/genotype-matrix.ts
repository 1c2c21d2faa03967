/**
 * CSV/TSV genotype matrices: samples as rows (first column sample IDs, header of SNP IDs) or as
 * columns (first column SNP IDs, header of sample IDs), told apart by matrix-layout.ts; plink2's
 * .raw (--export A) and .traw (--export A-transpose) too.
 *
 * Calls, one scheme per matrix: 0/1/2 counts of allele1 (NA, -9, '.', empty missing), or letters:
 * nucleotide pairs (A/G, AG, A|G, IUPAC letters; NN, --, 00 missing) or Illumina AA/AB/BB. For
 * letters the alleles are found per SNP and allele1 is the minor one among the calls (PLINK's rule;
 * on a tie the allele seen second); a SNP with more than two alleles is left out and counted; a
 * SNP with one allele is monomorphic (allele1 '0'). Count matrices name allele1 as the file does
 * (.raw: the rs_A suffix; .traw: COUNTED/ALT; allele columns; a .bim given as map: its allele1
 * and allele0), else 'B' for the counted allele and 'A' for the other, as Illumina's A/B coding.
 *
 * Chromosome and position: from the map file (snp-map.ts), the .traw or chr/pos columns, or the
 * SNP names (1:12345, chr1_12345, 1:12345:A:G); else chromosome '0' at position 0, in a warning.
 *
 * Samples as rows are SNP-major in the store, so the matrix is transposed: the whole matrix is
 * kept packed at 2 bits per call while the file is read once, then handed on SNP by SNP. Why not
 * re-read the file per slab of SNPs: a gzip file would be decompressed and split once per slab;
 * the packed copy is at most 1/8 of the text (a call takes at least 2 bytes: value and separator),
 * and such files are small anyway (spreadsheets stop at 16,384 columns). Opening reads the file's
 * first column once, for the sample IDs.
 */
import { InputError } from './errors.js';
import { flipCounts, minorAlleleIndex, parseCount, parseLetterCall } from './genotype-calls.js';
import type { GenotypeReader, GenotypeSamples, ReadSummary, SnpBatch, SnpRecord } from './genotype-source.js';
import { detectLayout, splitCells } from './matrix-layout.js';
import type { Delimiter, MatrixLayout } from './matrix-layout.js';
import { checkDuplicateSamples, dateIdWarning } from './sample-ids.js';
import { DuplicateIds, SkipTally, SnpBatcher } from './snp-batcher.js';
import { placeFromName, readSnpMap } from './snp-map.js';
import type { MapEntry } from './snp-map.js';
import { headLines } from './text-head.js';
import { forEachLine, isBlank, parseStrictNumber, quote } from './text-lines.js';

const WHAT = 'genotype matrix file';

/** Largest packed matrix a samples-as-rows file may need (bytes). */
const MAX_PACKED = 2 ** 31;

const COUNT_HINT = 'Calls of a count matrix are 0, 1 or 2 (copies of the counted allele); NA, -9, . or an empty cell when missing';
const LETTER_HINT = 'Calls of a letter matrix are nucleotide pairs (AG, A/G, A|G; NN or -- missing) or AA/AB/BB';

/** Cells of a row, with a trailing empty cell (Excel's trailing separator) dropped. */
function rowCells(line: string, layout: MatrixLayout): string[] {
  const t = splitCells(line, layout.delimiter);
  if (t.length === layout.width + 1 && t[t.length - 1] === '') t.pop();
  return t;
}

function raggedError(path: string, lineNo: number, got: number, layout: MatrixLayout, headerLine: number, line: string): InputError {
  const other = ([',', '\t', ';'] as Delimiter[]).find((d) => d !== layout.delimiter && line.includes(d));
  const name = layout.delimiter === '\t' ? 'tabs' : layout.delimiter === ' ' ? 'blanks' : `'${layout.delimiter}'`;
  return new InputError(
    `this row has ${got} column${got === 1 ? '' : 's'}, but the header (line ${headerLine}) has ${layout.width}`,
    { file: path, line: lineNo },
    other && got === 1
      ? `The header is separated by ${name} but this row by '${other === '\t' ? 'tab' : other}'; save the file with one separator throughout`
      : 'Every row needs one cell per column (empty or NA when missing); check for a cut-short row or an extra separator',
  );
}

/** The counted allele and SNP ID of a .raw column name rs_A or rs_A(/G). */
function rawName(name: string): { id: string; a1: string; a0: string | undefined } {
  const m = /^(.*)_([^_()]+)(?:\(\/([^)]*)\))?$/.exec(name);
  return m ? { id: m[1]!, a1: m[2]!, a0: m[3] } : { id: name, a1: 'B', a0: undefined };
}

/** Open a genotype matrix (plain or gzip), with its SNP map when given. */
export function openGenotypeMatrix(path: string, opts: { map?: string } = {}): GenotypeReader {
  const head = headLines(path, WHAT, 51);
  if (head.length === 0) {
    throw new InputError('is empty', { file: path }, 'A genotype matrix has a header row of SNP or sample IDs, then one row per sample or per SNP');
  }
  const map = opts.map !== undefined ? readSnpMap(opts.map) : undefined;
  const mapIds = map ? new Set(map.keys()) : undefined;
  const layout = detectLayout(path, WHAT, head[0]!, head.slice(1), mapIds);
  const headerLine = head[0]!.lineNo;
  const header = splitCells(head[0]!.line, layout.delimiter).slice(0, layout.width);
  const files = opts.map !== undefined ? [path, opts.map] : [path];
  const samples = layout.samplesAs === 'rows' ? rowSamples(path, layout, headerLine) : columnSamples(path, header, layout);
  const unit = layout.samplesAs === 'rows' ? 'line' : 'column';
  checkDuplicateSamples(samples.iid, samples.where, unit, path, layout.samplesAs === 'rows' ? 'first column' : 'header');
  const dateWarning = dateIdWarning(samples.iid, samples.where, unit, layout.samplesAs === 'rows' ? 'first column' : 'header');
  const n = samples.iid.length;

  /** Names a SNP, places it and names its alleles (for counts); records what could not be placed. */
  let unplaced = new SkipTally();
  function describe(id: string, line: number, cells: string[] | undefined, counted: { a1: string; a0: string | undefined } | undefined): SnpRecord {
    const m: MapEntry | undefined = map?.get(id);
    let chr = '0';
    let pos = 0;
    let cm = 0;
    if (cells && layout.chrCol >= 0 && layout.posCol >= 0) {
      chr = cells[layout.chrCol]!;
      pos = parseStrictNumber(cells[layout.posCol]!);
      if (!Number.isInteger(pos)) {
        throw new InputError(`position ${quote(cells[layout.posCol]!)} of SNP ${id} is not a whole number`, { file: path, line }, 'The position column holds base-pair positions');
      }
      if (layout.cmCol >= 0) cm = parseStrictNumber(cells[layout.cmCol]!) || 0;
    } else if (m) {
      ({ chr, pos, cm } = m);
    } else {
      const p = placeFromName(id);
      if (p) ({ chr, pos } = p);
      else unplaced.add('no place', id, line);
    }
    let allele1 = 'B';
    let allele0 = 'A';
    if (counted) {
      allele1 = counted.a1;
      allele0 = counted.a0 ?? (m?.alleles ? (m.alleles[0] === counted.a1 ? m.alleles[1] : m.alleles[0]) : '0');
    } else if (cells && layout.a1Col >= 0) {
      allele1 = cells[layout.a1Col]!;
      allele0 = layout.a2Col >= 0 ? cells[layout.a2Col]! : '0';
    } else if (m?.alleles) {
      [allele1, allele0] = m.alleles;
    }
    return { chr, rs: id, cm, pos, allele1, allele0, line };
  }

  function summary(delivered: number, skipped: SkipTally, dups: DuplicateIds): ReadSummary {
    const warnings: string[] = [];
    if (dateWarning) warnings.push(dateWarning);
    const u = unplaced.list()[0];
    if (u) {
      const from = map ? `in the map file ${opts.map}` : 'given by a map file';
      warnings.push(
        `${u.count} of ${delivered} SNPs have no chromosome and position (not ${from}, and their names are not like 1:12345), e.g. ${u.examples.map((e) => e.id).join(', ')}; they are placed on chromosome 0 at position 0`,
      );
    }
    const dw = dups.warning('genotype matrix');
    if (dw) warnings.push(dw);
    return { snps: delivered, skipped: skipped.list(), warnings };
  }

  function noSnps(skipped: SkipTally): InputError {
    const s = skipped.list();
    const why = s.length > 0 ? ` (${s.map((x) => `${x.count} ${x.reason}`).join(', ')} left out)` : '';
    return new InputError(`has no usable SNPs${why}`, { file: path }, 'Give SNPs with two alleles');
  }

  function badCall(tok: string, snp: string, sample: string, line: number, column: number): InputError {
    const counts = layout.scheme === 'counts';
    return new InputError(
      `call ${quote(tok)} of sample ${sample} at SNP ${snp} (column ${column}) is not ${counts ? 'a count 0, 1 or 2' : 'a genotype call'}`,
      { file: path, line },
      counts ? COUNT_HINT + (parseStrictNumber(tok) >= 0 && parseStrictNumber(tok) <= 2 ? '; dosages between the counts are read from BIMBAM files' : '') : LETTER_HINT,
    );
  }

  return {
    format: 'matrix',
    path,
    files,
    samples,
    dosage: false,
    snpsHint: layout.samplesAs === 'rows' ? layout.width - layout.first : undefined,
    read(onBatch: (batch: SnpBatch) => void, ro = {}): ReadSummary {
      const batcher = new SnpBatcher(n, ro.batchSnps, false, onBatch);
      const skipped = new SkipTally();
      unplaced = new SkipTally();
      const dups = new DuplicateIds();
      if (layout.samplesAs === 'columns') readSnpRows(batcher, skipped, dups, ro.progress);
      else readSampleRows(batcher, skipped, dups, ro.progress);
      batcher.flush();
      if (batcher.delivered === 0) throw noSnps(skipped);
      return summary(batcher.delivered, skipped, dups);
    },
    close(): void {},
  };

  /** Samples as columns: one SNP per line, streamed. */
  function readSnpRows(batcher: SnpBatcher, skipped: SkipTally, dups: DuplicateIds, progress: ((d: number, t: number) => void) | undefined): void {
    const count = new Int8Array(n);
    const first = layout.first;
    let rows = 0;
    forEachLine(path, WHAT, (line, lineNo) => {
      if (lineNo <= headerLine || isBlank(line)) return;
      const t = rowCells(line, layout);
      if (t.length !== layout.width) throw raggedError(path, lineNo, t.length, layout, headerLine, line);
      const id = t[layout.snpCol]!;
      if (progress && (++rows & 1023) === 0) progress(rows, 0);
      let a0 = -1;
      let a1 = -1;
      let multi = false;
      for (let j = 0; j < n; j++) {
        const tok = t[first + j]!;
        if (layout.scheme === 'counts') {
          const c = parseCount(tok);
          if (c === -2) throw badCall(tok, id, samples.iid[j]!, lineNo, first + j + 1);
          count[j] = c;
          continue;
        }
        const call = parseLetterCall(tok);
        if (call === undefined) throw badCall(tok, id, samples.iid[j]!, lineNo, first + j + 1);
        if (call === null) {
          count[j] = -1;
          continue;
        }
        let k = 0;
        for (let h = 0; h < 2; h++) {
          const ch = call.charCodeAt(h);
          if (a0 < 0 || ch === a0) a0 = ch;
          else if (a1 < 0 || ch === a1) {
            a1 = ch;
            k++;
          } else multi = true;
        }
        count[j] = k;
      }
      if (multi) {
        skipped.add('more than two alleles', id, lineNo);
        return;
      }
      dups.add(id, lineNo);
      if (layout.scheme === 'counts') {
        const counted = layout.plink === 'traw' ? { a1: t[layout.a1Col]!, a0: t[layout.a2Col] } : undefined;
        batcher.addCounts(describe(id, lineNo, t, counted), count);
      } else {
        addLetterSnp(batcher, describe(id, lineNo, t, undefined), count, a0, a1);
      }
    });
  }

  /** Samples as rows: the file read once into a packed sample-major copy, then handed on SNP by SNP. */
  function readSampleRows(batcher: SnpBatcher, skipped: SkipTally, dups: DuplicateIds, progress: ((d: number, t: number) => void) | undefined): void {
    const first = layout.first;
    const m = layout.width - first;
    const rowBytes = (m + 3) >> 2;
    if (rowBytes * n > MAX_PACKED) {
      throw new InputError(
        `is too large to turn around in memory (${n} samples x ${m} SNPs as rows)`,
        { file: path },
        'Give the matrix with SNPs as rows and samples as columns, which is read as it streams, or as PLINK or VCF files',
      );
    }
    const packed = new Uint8Array(rowBytes * n);
    const a0 = new Int16Array(m).fill(-1);
    const a1 = new Int16Array(m).fill(-1);
    const multi = new Uint8Array(m);
    const counts = layout.scheme === 'counts';
    const names = header.slice(first);
    let j = 0;
    forEachLine(path, WHAT, (line, lineNo) => {
      if (lineNo <= headerLine || isBlank(line)) return;
      const t = rowCells(line, layout);
      if (t.length !== layout.width) throw raggedError(path, lineNo, t.length, layout, headerLine, line);
      const off = j * rowBytes;
      for (let s = 0; s < m; s++) {
        const tok = t[first + s]!;
        let code: number;
        if (counts) {
          const c = parseCount(tok);
          if (c === -2) throw badCall(tok, names[s]!, samples.iid[j]!, lineNo, first + s + 1);
          code = c < 0 ? 3 : c;
        } else {
          const call = parseLetterCall(tok);
          if (call === undefined) throw badCall(tok, names[s]!, samples.iid[j]!, lineNo, first + s + 1);
          if (call === null) code = 3;
          else {
            code = 0;
            for (let h = 0; h < 2; h++) {
              const ch = call.charCodeAt(h);
              if (a0[s]! < 0 || ch === a0[s]) a0[s] = ch;
              else if (a1[s]! < 0 || ch === a1[s]) {
                a1[s] = ch;
                code++;
              } else multi[s] = 1;
            }
          }
        }
        packed[off + (s >> 2)] = packed[off + (s >> 2)]! | (code << ((s & 3) << 1));
      }
      j++;
      if (progress && (j & 63) === 0) progress(j, n);
    });
    // Hand on SNP-major, a block of SNPs at a time: each sample's bytes of the block read in order.
    const BLOCK = 1024;
    const block = new Int8Array(BLOCK * n);
    const count = new Int8Array(n);
    for (let s0 = 0; s0 < m; s0 += BLOCK) {
      const s1 = Math.min(m, s0 + BLOCK);
      for (let i = 0; i < n; i++) {
        const off = i * rowBytes;
        for (let s = s0; s < s1; s++) {
          const code = (packed[off + (s >> 2)]! >> ((s & 3) << 1)) & 3;
          block[(s - s0) * n + i] = code === 3 ? -1 : code;
        }
      }
      for (let s = s0; s < s1; s++) {
        const name = names[s]!;
        const column = first + s + 1;
        if (multi[s]) {
          skipped.add('more than two alleles', name, column);
          continue;
        }
        count.set(block.subarray((s - s0) * n, (s - s0 + 1) * n));
        if (counts) {
          const raw = layout.plink === 'raw' ? rawName(name) : undefined;
          const id = raw ? raw.id : name;
          dups.add(id, column);
          batcher.addCounts(describe(id, column, undefined, raw), count);
        } else {
          dups.add(name, column);
          addLetterSnp(batcher, describe(name, column, undefined, undefined), count, a0[s]!, a1[s]!);
        }
      }
    }
  }

  /** A letter-coded SNP whose counts are of its second-seen allele: allele1 = the minor allele. */
  function addLetterSnp(batcher: SnpBatcher, snp: SnpRecord, count: Int8Array, a0: number, a1: number): void {
    const first = a0 < 0 ? '0' : String.fromCharCode(a0);
    const second = a1 < 0 ? '0' : String.fromCharCode(a1);
    if (minorAlleleIndex(count, n) === 1) {
      snp.allele1 = second;
      snp.allele0 = first;
    } else {
      flipCounts(count, n);
      snp.allele1 = first;
      snp.allele0 = second;
    }
    batcher.addCounts(snp, count);
  }
}

/** Samples as rows: the IDs of the first column (and .raw's FID), read once over the file. */
function rowSamples(path: string, layout: MatrixLayout, headerLine: number): GenotypeSamples {
  const fid: string[] = [];
  const iid: string[] = [];
  const where: number[] = [];
  const lead = Math.max(layout.iidCol, layout.fidCol) + 1;
  forEachLine(path, WHAT, (line, lineNo) => {
    if (lineNo <= headerLine || isBlank(line)) return;
    const t = leadingCells(line, layout.delimiter, lead);
    const id = t[layout.iidCol] ?? '';
    if (id === '') {
      throw new InputError('this row has no sample ID in its first column', { file: path, line: lineNo }, 'Every row needs its sample ID in the first column');
    }
    iid.push(id);
    fid.push(layout.fidCol >= 0 ? (t[layout.fidCol] ?? id) : id);
    where.push(lineNo);
  });
  return { fid, iid, where: Int32Array.from(where) };
}

/** The first k cells of a line, without splitting the rest. */
function leadingCells(line: string, d: Delimiter, k: number): string[] {
  if (d === ' ') return splitCells(line, d).slice(0, k);
  let end = 0;
  for (let i = 0; i < k && end >= 0; i++) end = line.indexOf(d, end + (i > 0 ? 1 : 0));
  return splitCells(end < 0 ? line : line.slice(0, end), d).slice(0, k);
}

/** Samples as columns: the header's names after the SNP columns (.traw: FID_IID as written). */
function columnSamples(path: string, header: string[], layout: MatrixLayout): GenotypeSamples {
  const iid = header.slice(layout.first);
  const where = new Int32Array(iid.length);
  for (let j = 0; j < iid.length; j++) {
    where[j] = layout.first + j + 1;
    if (iid[j] === '') {
      throw new InputError(`the header has an empty sample name in column ${where[j]}`, { file: path }, 'Give every sample column a name in the header');
    }
  }
  return { fid: iid.slice(), iid, where };
}
