/**
 * What a file is, before it is added to a project: a PLINK binary set (by its .bed/.bim/.fam name or
 * the .bed magic bytes), any other genotype file (VCF, BIMBAM, HapMap, a CSV/TSV genotype matrix,
 * plink2's .raw/.traw; gzip or bgzip-compressed ones looked into; genotype-preview.ts), a
 * phenotype/covariate sheet, a kinship matrix, or something Kinscan does not read (each said in an
 * InputError naming the file and what Kinscan reads). Quick on big files: a PLINK set's .bed is
 * checked by its first bytes and its size, its .fam and .bim by counting lines; other genotype
 * files by their first batch of SNPs; a kinship matrix by its first rows and the file size. A sheet
 * is read whole by readSheet, so the preview shows the ID column, the column types and the errors
 * an import would give.
 *
 * Genotypes are told from sheets by content: a VCF or HapMap header, BIMBAM lines (genotype-format.ts),
 * or a table whose cells are mostly genotype codes (0/1/2, AA/AB/BB, A/G, AG) across many columns
 * (a sheet with a few 0/1 columns stays a sheet). A table of numbers only is a kinship matrix when
 * it is about square, else one of GEMMA's headerless phenotype or covariate files (a sheet).
 */
import { closeSync, fstatSync } from 'node:fs';
import { basename } from 'node:path';
import { openByteChunks } from './byte-chunks.js';
import { InputError } from './errors.js';
import { detectGenotypeFormat } from './genotype-format.js';
import { looksLikeGenotypeMatrix } from './genotype-sniff.js';
import { previewGenotypes, type GenotypePreview, type GenotypePreviewOptions } from './genotype-preview.js';
import { SYMMETRY_RTOL } from './matrix-text.js';
import { checkPlinkFiles, openBed, plinkPrefix } from './plink.js';
import { parseSheetValue, readSheet, type Sheet, type SheetDelimiter } from './sheet.js';
import { readXlsxCells } from './xlsx.js';
import { openInput, readFully } from './open-input.js';
import { parseStrictNumber, splitWhitespace } from './text-lines.js';

/** Rows of a sheet, .fam or .bim shown. */
export const PREVIEW_ROWS = 10;
/** Rows and columns of a kinship matrix's top-left corner shown. */
export const PREVIEW_CORNER = 5;
/** Most frequent values listed for a text column. */
export const PREVIEW_VALUES = 5;

export interface PlinkPreview {
  kind: 'plink';
  prefix: string;
  files: { bed: string; bim: string; fam: string };
  /** Non-blank lines of the .fam and of the .bim (the size of the .bed agrees with them). */
  individuals: number;
  snps: number;
  /** The first lines of the .fam (FID, IID, father, mother, sex, phenotypes...) and of the .bim (chromosome, SNP, cM, position, allele 1, allele 0), split into fields. */
  famHead: string[][];
  bimHead: string[][];
}

export type ColumnPreview =
  | { name: string; type: 'id' | 'fid' }
  | { name: string; type: 'numeric'; present: number; missing: number; min: number | null; max: number | null }
  /** `values`: the most frequent present values, most frequent first (ties in order of first appearance). */
  | { name: string; type: 'text'; present: number; missing: number; distinct: number; values: { value: string; count: number }[] };

export interface SheetPreview {
  kind: 'sheet';
  path: string;
  delimiter: SheetDelimiter;
  headerLine: number;
  rows: number;
  idColumn: string;
  fidColumn?: string;
  /** The FID column (if any), the ID column, then the data columns in file order. */
  columns: ColumnPreview[];
  /** The first rows, one cell per column above: text as written, numbers as numbers, missing values as null. */
  head: (string | number | null)[][];
  /** An .xlsx workbook: the worksheet read and all of its worksheets. */
  worksheet?: string;
  worksheets?: string[];
}

export interface KinshipPreview {
  kind: 'kinship';
  path: string;
  /** Values in the first row: the matrix is n x n. */
  n: number;
  /** The top-left corner, up to PREVIEW_CORNER x PREVIEW_CORNER. */
  corner: number[][];
}

export type FilePreview = PlinkPreview | SheetPreview | KinshipPreview | GenotypePreview;

export interface PreviewOptions {
  /** A genotype file's SNP annotation or map file (BIMBAM -a, a matrix's map), read with it. */
  anno?: string;
  /** A VCF's DS dosages read instead of its GT calls. */
  dosage?: boolean;
  /** An .xlsx workbook's worksheet (default: the first). */
  worksheet?: string;
}

const READS =
  'Kinscan reads genotypes (a PLINK binary set PREFIX.bed with PREFIX.bim and PREFIX.fam, VCF, BIMBAM, HapMap or a CSV/TSV genotype matrix), ' +
  'phenotype and covariate sheets (CSV, tab- or space-separated text with a header row) and kinship matrices (n lines of n numbers, e.g. GEMMA .cXX.txt)';

const HEAD_BYTES = 64 << 10;
/** Most bytes read to find a kinship matrix's first rows. */
const MATRIX_PROBE_BYTES = 16 << 20;
/** More numbers than this on each line of a header-less table: a kinship matrix, not one of GEMMA's phenotype or covariate files. */
const MAX_HEADERLESS_COLUMNS = 50;

function notRead(path: string, what: string, hint: string): InputError {
  return new InputError(what, { file: path }, hint);
}

function bcf(path: string): InputError {
  return notRead(path, 'is a BCF file (binary VCF); Kinscan reads VCF text, plain or bgzip-compressed', `Convert it with bcftools view -Oz -o ${basename(path).replace(/\.bcf$/i, '')}.vcf.gz ${basename(path)}, then give the .vcf.gz file`);
}

/** Detect what `path` is and describe it; an InputError for anything Kinscan does not read. */
export function previewFile(path: string, opts: PreviewOptions = {}): FilePreview {
  const fd = openInput(path, 'file');
  let size: number;
  let head: Uint8Array;
  try {
    size = fstatSync(fd).size;
    head = new Uint8Array(Math.min(size, HEAD_BYTES));
    head = head.subarray(0, readFully(fd, head, 0, head.length, 0));
  } finally {
    closeSync(fd);
  }
  const name = basename(path).toLowerCase();
  if (/\.(bed|bim|fam)$/.test(name)) return previewPlink(path);
  if (size === 0) throw notRead(path, 'is empty (0 bytes)', READS);
  const starts = (...bytes: number[]): boolean => bytes.every((b, k) => head[k] === b);
  if (starts(0x6c, 0x1b)) {
    if (head[2] === 0x01 || head[2] === 0x00) {
      throw notRead(path, 'is a PLINK .bed file by its first bytes, but its name does not end in .bed', 'Name it PREFIX.bed, beside PREFIX.bim and PREFIX.fam, and give that');
    }
    throw notRead(path, 'is a PLINK 2 .pgen file; Kinscan reads PLINK 1 binary sets', 'Convert it with plink2 --pfile PREFIX --make-bed --out PREFIX, then give PREFIX.bed');
  }
  if (/\.(pgen|pvar)$/.test(name)) {
    throw notRead(path, 'is part of a PLINK 2 set (.pgen/.pvar/.psam); Kinscan reads PLINK 1 binary sets', 'Convert it with plink2 --pfile PREFIX --make-bed --out PREFIX, then give PREFIX.bed');
  }
  if (starts(0x42, 0x43, 0x46) || /\.bcf$/.test(name)) throw bcf(path);
  const vcfName = /\.(vcf|vcf\.gz|vcf\.bgz)$/.test(name);
  if (starts(0x1f, 0x8b)) {
    // Compressed text (gzip or bgzip): what is inside decides, as the readers read it.
    const inside = decompressedHead(path);
    if (inside.subarray(0, 3).every((b, k) => b === [0x42, 0x43, 0x46][k]) && inside.length >= 3) throw bcf(path);
    if (vcfName || genotypeText(path, textOf(inside))) return previewGenotypes(path, genotypeOptions(opts, vcfName));
    throw notRead(
      path,
      'is a gzip-compressed file, and what it holds is not a genotype file (VCF, BIMBAM, HapMap or a genotype matrix)',
      `Decompress it first (e.g. gunzip ${basename(path)}) and give the file inside. ${READS}`,
    );
  }
  if (starts(...Array.from('SQLite format 3\u0000', (c) => c.charCodeAt(0)))) {
    throw notRead(path, 'is an SQLite database (a Kinscan project?), not a data file', 'Open a .kinscan file as a project; to add data, give PLINK files, a sheet or a kinship matrix');
  }
  // A zip file (an Excel workbook) goes to the sheet reader, which says how to save it as text.
  if (starts(0x50, 0x4b, 0x03, 0x04)) return previewSheet(path, opts.worksheet);
  if (head.subarray(0, 8192).includes(0)) throw notRead(path, 'is a binary file of a kind Kinscan does not read', READS);

  const text = textOf(head);
  const first = text.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) {
    if (size <= head.length) throw notRead(path, 'is empty (only blank lines)', READS);
    throw notRead(path, `starts with ${head.length} bytes of blank lines`, READS);
  }
  if (/\.(ped|map)$/.test(name)) {
    throw notRead(path, 'is part of a PLINK text set (.ped/.map); Kinscan reads PLINK binary sets', 'Convert it with plink --file PREFIX --make-bed --out PREFIX, then give PREFIX.bed');
  }
  if (vcfName || /\.hmp(\.txt)?$/.test(name) || genotypeText(path, text)) return previewGenotypes(path, genotypeOptions(opts, vcfName));
  const values = first.trim().split(/[ \t,]+/);
  if (values.every((v) => !Number.isNaN(parseStrictNumber(v)))) {
    // Numbers only: a kinship matrix when about square; else GEMMA's header-less -p / -c file, a sheet.
    const rows = rowsOf(text, size, head.length);
    if (values.length > MAX_HEADERLESS_COLUMNS || (rows >= values.length / 2 && rows <= values.length * 2)) return previewKinship(path, size);
    return previewSheet(path, opts.worksheet);
  }
  return previewSheet(path, opts.worksheet);
}

function genotypeOptions(opts: PreviewOptions, asVcf: boolean): GenotypePreviewOptions {
  return { ...(opts.anno !== undefined ? { anno: opts.anno } : {}), ...(opts.dosage ? { dosage: true } : {}), ...(asVcf ? { asVcf: true } : {}) };
}

function textOf(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

/** The first HEAD_BYTES of a compressed file's content (as the readers see it). */
function decompressedHead(path: string): Uint8Array {
  const chunks = openByteChunks(path, 'compressed file');
  try {
    const parts: Uint8Array[] = [];
    let got = 0;
    for (let c = chunks.next(); c !== undefined && got < HEAD_BYTES; c = chunks.next()) {
      const take = c.subarray(0, HEAD_BYTES - got);
      parts.push(take.slice());
      got += take.length;
    }
    return Buffer.concat(parts);
  } finally {
    chunks.close();
  }
}

/** Non-blank lines of a text file: counted when `text` is all of it, else estimated from the size. */
function rowsOf(text: string, size: number, headBytes: number): number {
  const lines = text.split('\n');
  if (size > headBytes) lines.pop();
  const full = lines.filter((l) => l.trim() !== '');
  if (size <= headBytes) return full.length;
  const bytes = lines.reduce((a, l) => a + Buffer.byteLength(l) + 1, 0);
  return full.length === 0 ? 0 : Math.round((size / bytes) * full.length);
}

/**
 * Is this text (the start of a file) a genotype file other than PLINK? A VCF or HapMap header or
 * BIMBAM lines, as the import detects them (genotype-format.ts), or a genotype matrix (below).
 */
function genotypeText(path: string, text: string): boolean {
  const f = detectGenotypeFormat(path);
  if (f === 'vcf' || f === 'hapmap' || f === 'bimbam') return true;
  return f === 'matrix' && looksLikeGenotypeMatrix(text);
}

// ---------------------------------------------------------------------------
// PLINK

function previewPlink(path: string): PlinkPreview {
  const { p: prefix, files } = checkPlinkFiles(plinkPrefix(path));
  const fam = scanLines(files.fam, 'PLINK .fam file');
  const bim = scanLines(files.bim, 'PLINK .bim file');
  if (fam.lines === 0) throw new InputError('PLINK .fam file is empty (no samples)', { file: files.fam }, 'A .fam file needs one line per sample: FID IID father mother sex phenotype');
  if (bim.lines === 0) throw new InputError('PLINK .bim file is empty (no SNPs)', { file: files.bim }, 'A .bim file needs one line per SNP: chromosome, SNP ID, cM, position, allele1, allele0');
  // The .bed's magic bytes, mode and size against the two counts: the reader's own checks.
  openBed(files.bed, fam.lines, bim.lines, { fam: files.fam, bim: files.bim }).close();
  return { kind: 'plink', prefix, files, individuals: fam.lines, snps: bim.lines, famHead: fam.head, bimHead: bim.head };
}

const LINE_CHUNK = 1 << 20;

/**
 * Count the non-blank lines of a text file from its bytes (no strings but the first few lines, which
 * are returned split into fields). A NUL byte near the start means a binary file: an InputError.
 */
function scanLines(path: string, what: string): { lines: number; head: string[][] } {
  const fd = openInput(path, what);
  try {
    const size = fstatSync(fd).size;
    const buf = new Uint8Array(LINE_CHUNK);
    let lines = 0;
    let content = false;
    let position = 0;
    let headText = '';
    for (;;) {
      const got = readFully(fd, buf, 0, LINE_CHUNK, position);
      if (got === 0) break;
      const b = buf.subarray(0, got);
      if (position === 0) {
        if (b.subarray(0, 8192).includes(0)) throw new InputError(`${what} is a binary file, not text`, { file: path }, `Check that you gave the right file; a ${what} must be plain text`);
        headText = new TextDecoder('utf-8').decode(b.subarray(0, Math.min(got, HEAD_BYTES)));
      }
      position += got;
      let i = 0;
      while (i < got) {
        if (!content) {
          const c = b[i]!;
          if (c === 10 || c === 32 || c === 9 || c === 13) {
            i++;
            continue;
          }
          content = true;
        }
        const nl = b.indexOf(10, i);
        if (nl < 0) break;
        lines++;
        content = false;
        i = nl + 1;
      }
    }
    if (content) lines++;
    // Whole lines of the first bytes (the last piece is cut unless the file ends there).
    const pieces = headText.replace(/^\uFEFF/, '').split('\n');
    if (size > HEAD_BYTES) pieces.pop();
    const head = pieces.map(splitWhitespace).filter((f) => f.length > 0).slice(0, PREVIEW_ROWS);
    return { lines, head };
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------
// sheets

/**
 * A workbook whose first worksheet holds no table (a cover sheet, notes) is shown from its first
 * worksheet that does, unless one was asked for; its worksheets are listed to choose from.
 */
function readPreviewSheet(path: string, worksheet: string | undefined): Sheet {
  try {
    return readSheet(path, worksheet !== undefined ? { worksheet } : {});
  } catch (e) {
    if (worksheet !== undefined || !(e instanceof InputError)) throw e;
    let names: string[] = [];
    try {
      names = readXlsxCells(path).worksheets;
    } catch {
      throw e;
    }
    for (const name of names.slice(1)) {
      try {
        return readSheet(path, { worksheet: name });
      } catch {
        // Not a table either: try the next one.
      }
    }
    throw e;
  }
}

function previewSheet(path: string, worksheet?: string): SheetPreview {
  const sheet = readPreviewSheet(path, worksheet);
  const n = sheet.ids.length;
  const columns: ColumnPreview[] = [];
  const cells: ((r: number) => string | number | null)[] = [];
  if (sheet.fids !== undefined && sheet.fidColumn !== undefined) {
    const fids = sheet.fids;
    columns.push({ name: sheet.fidColumn, type: 'fid' });
    cells.push((r) => fids[r]!);
  }
  columns.push({ name: sheet.idColumn, type: 'id' });
  cells.push((r) => sheet.ids[r]!);
  for (const name of sheet.columns) {
    const v = sheet.values.get(name);
    if (v !== undefined) {
      let present = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const x of v) {
        if (Number.isNaN(x)) continue;
        present++;
        if (x < min) min = x;
        if (x > max) max = x;
      }
      columns.push({ name, type: 'numeric', present, missing: n - present, min: present > 0 ? min : null, max: present > 0 ? max : null });
      cells.push((r) => (Number.isNaN(v[r]!) ? null : v[r]!));
    } else {
      const t = sheet.text.get(name) ?? [];
      const tally = new Map<string, number>();
      let present = 0;
      for (const s of t) {
        if (Number.isNaN(parseSheetValue(s) ?? 0)) continue;
        present++;
        tally.set(s, (tally.get(s) ?? 0) + 1);
      }
      // Map order is first appearance; a stable sort keeps it among equal counts.
      const values = [...tally].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count).slice(0, PREVIEW_VALUES);
      columns.push({ name, type: 'text', present, missing: n - present, distinct: tally.size, values });
      cells.push((r) => (Number.isNaN(parseSheetValue(t[r]!) ?? 0) ? null : t[r]!));
    }
  }
  const head = Array.from({ length: Math.min(n, PREVIEW_ROWS) }, (_, r) => cells.map((cell) => cell(r)));
  const preview: SheetPreview = { kind: 'sheet', path, delimiter: sheet.delimiter, headerLine: sheet.headerLine, rows: n, idColumn: sheet.idColumn, columns, head };
  if (sheet.fidColumn !== undefined) preview.fidColumn = sheet.fidColumn;
  if (sheet.worksheet !== undefined) preview.worksheet = sheet.worksheet;
  if (sheet.worksheets !== undefined) preview.worksheets = sheet.worksheets;
  return preview;
}

// ---------------------------------------------------------------------------
// kinship matrices

const SQUARE_HINT = 'A kinship matrix has n lines of n numbers (e.g. GEMMA .cXX.txt); if this is a phenotype or covariate sheet, give it a header row with column names';

/** A kinship matrix from its first rows: n, the corner, the rows' lengths and symmetry, and the file size against n lines. */
function previewKinship(path: string, size: number): KinshipPreview {
  const fd = openInput(path, 'kinship matrix file');
  let text: string;
  let whole: boolean;
  try {
    // Enough bytes for PREVIEW_CORNER whole rows (or the whole file).
    let buf = new Uint8Array(Math.min(size, HEAD_BYTES));
    let got = readFully(fd, buf, 0, buf.length, 0);
    const rowsIn = (b: Uint8Array): number => {
      let k = 0;
      for (let i = b.indexOf(10); i >= 0 && k <= PREVIEW_CORNER; i = b.indexOf(10, i + 1)) k++;
      return k;
    };
    while (got < size && rowsIn(buf.subarray(0, got)) <= PREVIEW_CORNER && buf.length < MATRIX_PROBE_BYTES) {
      const bigger = new Uint8Array(Math.min(size, buf.length * 4, MATRIX_PROBE_BYTES));
      bigger.set(buf.subarray(0, got));
      got += readFully(fd, bigger, got, bigger.length - got, got);
      buf = bigger;
    }
    whole = got >= size;
    const bytes = buf.subarray(0, got);
    // Whole lines only, unless the file ends within what was read.
    text = new TextDecoder('utf-8').decode(whole ? bytes : bytes.subarray(0, bytes.lastIndexOf(10) + 1)).replace(/^\uFEFF/, '');
  } finally {
    closeSync(fd);
  }
  const lines: { no: number; values: string[]; bytes: number }[] = [];
  text.split('\n').forEach((l, k) => {
    if (l.trim() !== '') lines.push({ no: k + 1, values: l.trim().split(/[ \t,]+/), bytes: Buffer.byteLength(l) + 1 });
  });
  if (lines.length === 0) throw new InputError(`its first line is longer than ${MATRIX_PROBE_BYTES} bytes`, { file: path }, SQUARE_HINT);
  const n = lines[0]!.values.length;
  for (const l of lines) {
    if (l.values.length !== n) {
      throw new InputError(`row ${lines.indexOf(l) + 1} has ${l.values.length} values, but the first row has ${n}`, { file: path, line: l.no }, SQUARE_HINT);
    }
    const bad = l.values.find((v) => !Number.isFinite(parseStrictNumber(v)));
    if (bad !== undefined) throw new InputError(`'${bad}' is not a number`, { file: path, line: l.no }, 'A kinship matrix may contain only numbers; recompute it if it holds nan or inf');
  }
  if (whole && lines.length !== n) {
    throw new InputError(`has ${lines.length} row${lines.length === 1 ? '' : 's'} of ${n} values, so the matrix is not square`, { file: path }, SQUARE_HINT);
  }
  if (!whole) {
    // The rest of the file, at the average length of the rows read, against n rows in all.
    const perRow = lines.reduce((a, l) => a + l.bytes, 0) / lines.length;
    const about = Math.round(size / perRow);
    if (about < n / 2 || about > n * 2) {
      throw new InputError(`its first row has ${n} values, but the file holds about ${about} rows, so the matrix is not square`, { file: path }, SQUARE_HINT);
    }
  }
  const k = Math.min(n, PREVIEW_CORNER, lines.length);
  const corner = lines.slice(0, k).map((l) => l.values.slice(0, Math.min(n, PREVIEW_CORNER)).map(Number));
  // The reader's symmetry check (matrix-text.ts), on the corner.
  let maxDiag = 0;
  for (let i = 0; i < k; i++) maxDiag = Math.max(maxDiag, Math.abs(corner[i]![i]!));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < i; j++) {
      const a = corner[i]![j]!;
      const b = corner[j]![i]!;
      if (Math.abs(a - b) > SYMMETRY_RTOL * Math.max(Math.abs(a), Math.abs(b)) + 1e-12 * maxDiag) {
        throw new InputError(
          `the matrix is not symmetric: row ${i + 1}, column ${j + 1} is ${a} but row ${j + 1}, column ${i + 1} is ${b}`,
          { file: path, line: lines[i]!.no },
          SQUARE_HINT,
        );
      }
    }
  }
  return { kind: 'kinship', path, n, corner };
}
