/**
 * PLINK 1 binary genotype sets: .fam (samples), .bim (SNPs), .bed (packed genotypes).
 *
 * .bed layout (SNP-major, the only mode PLINK 1.9 writes):
 *   bytes 0-2: magic 0x6c 0x1b, mode 0x01 (SNP-major)
 *   then nSnps blocks of bytesPerSnp = ceil(nSamples / 4) bytes each.
 *
 * Genotype decoding (matches PLINK 1.9 and GEMMA's ReadFile_bed):
 *   within each byte, sample j of the SNP sits at bits 2*(j%4) (low) and
 *   2*(j%4)+1 (high), low bits first; i.e. code = (byte >> (2*(j%4))) & 3.
 *   code 0 (0b00) = homozygous for allele1 (.bim column 5)  -> 2 copies of allele1
 *   code 2 (0b10) = heterozygous                           -> 1
 *   code 3 (0b11) = homozygous for allele0 (.bim column 6) -> 0
 *   code 1 (0b01) = missing                                -> -1
 * So decoded values count copies of allele1 (.bim column 5), which is what
 * GEMMA reports as "allele1" and uses for its "af" column.
 * Padding bits of the last byte of a SNP are ignored.
 */
import { closeSync, existsSync, fstatSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from './errors.js';
import type { DosageSource } from './genotype-source.js';
import { openInput, readFully } from './open-input.js';
import { forEachLine, isBlank, parseStrictNumber, quote, splitWhitespace } from './text-lines.js';

// ---------------------------------------------------------------------------
// .fam

export interface Fam {
  fid: string[];
  iid: string[];
  father: string[];
  mother: string[];
  /** 1 = male, 2 = female, 0 = unknown (anything other than 1/2/M/F). */
  sex: Int8Array;
  /** Column 6. NaN for missing: `-9`, `NA`/`na`/`NaN`/`nan`, `.`, and for non-numeric text (see `phenoText`). */
  pheno: Float64Array;
  /**
   * All phenotype columns: column 6 and any further columns (GEMMA-style .fam
   * files carry several phenotypes). phenos[0] === pheno. Missing as above.
   */
  phenos: Float64Array[];
  /**
   * Per phenotype column, the first non-numeric, non-missing value found (e.g.
   * `case`), or undefined. Such values were read as NaN; `famPhenotype`
   * throws for a column that has one.
   */
  phenoText: ({ line: number; value: string } | undefined)[];
  /** 1-based line of each sample in the .fam file. */
  line: Int32Array;
  /** True when IIDs alone are unique (FID+IID pairs always are). When false, matching to a sheet needs FIDs. */
  iidUnique: boolean;
  path: string;
}

const MISSING_TOKENS = new Set(['NA', 'na', 'Na', 'NaN', 'nan', 'NAN', '.', '']);

function parsePheno(tok: string): number | undefined {
  if (MISSING_TOKENS.has(tok)) return NaN;
  const v = parseStrictNumber(tok);
  if (Number.isNaN(v)) return undefined;
  return v === -9 ? NaN : v;
}

export function readFam(path: string): Fam {
  const fid: string[] = [];
  const iid: string[] = [];
  const father: string[] = [];
  const mother: string[] = [];
  const sex: number[] = [];
  const lines: number[] = [];
  let phenoCols: number[][] = [];
  let phenoText: ({ line: number; value: string } | undefined)[] = [];
  let nCols = -1;
  let firstLine = 0;
  const seenPair = new Map<string, number>();
  const seenIid = new Set<string>();
  let iidUnique = true;

  forEachLine(path, 'PLINK .fam file', (line, lineNo) => {
    if (isBlank(line)) return;
    const t = splitWhitespace(line);
    if (t.length < 6) {
      throw new InputError(
        `has ${t.length} column${t.length === 1 ? '' : 's'}, but a .fam line needs 6 (FID IID father mother sex phenotype)`,
        { file: path, line: lineNo },
        'Fix or remove this line; columns are separated by spaces or tabs',
      );
    }
    if (nCols < 0) {
      nCols = t.length;
      firstLine = lineNo;
      phenoCols = Array.from({ length: nCols - 5 }, () => []);
      phenoText = Array.from({ length: nCols - 5 }, () => undefined);
    } else if (t.length !== nCols) {
      throw new InputError(
        `has ${t.length} columns, but line ${firstLine} has ${nCols}`,
        { file: path, line: lineNo },
        'Every .fam line must have the same number of columns; fix this line',
      );
    }
    const f = t[0];
    const i = t[1];
    const key = f + '\u0000' + i;
    const prev = seenPair.get(key);
    if (prev !== undefined) {
      throw new InputError(
        `sample FID ${quote(f)} IID ${quote(i)} appears twice (lines ${prev} and ${lineNo})`,
        { file: path, line: lineNo },
        'Each FID+IID pair must be unique; remove or rename the duplicate sample',
      );
    }
    seenPair.set(key, lineNo);
    if (seenIid.has(i)) iidUnique = false;
    else seenIid.add(i);
    fid.push(f);
    iid.push(i);
    father.push(t[2]);
    mother.push(t[3]);
    const s = t[4];
    sex.push(s === '1' || s === 'M' || s === 'm' ? 1 : s === '2' || s === 'F' || s === 'f' ? 2 : 0);
    for (let k = 0; k < nCols - 5; k++) {
      const tok = t[5 + k];
      const v = parsePheno(tok);
      if (v === undefined) {
        if (phenoText[k] === undefined) phenoText[k] = { line: lineNo, value: tok };
        phenoCols[k].push(NaN);
      } else {
        phenoCols[k].push(v);
      }
    }
    lines.push(lineNo);
  });

  if (iid.length === 0) {
    throw new InputError(
      'PLINK .fam file is empty (no samples)',
      { file: path },
      'A .fam file needs one line per sample: FID IID father mother sex phenotype',
    );
  }
  const phenos = phenoCols.map((c) => Float64Array.from(c));
  return {
    fid,
    iid,
    father,
    mother,
    sex: Int8Array.from(sex),
    pheno: phenos[0],
    phenos,
    phenoText,
    line: Int32Array.from(lines),
    iidUnique,
    path,
  };
}

/**
 * Phenotype column `n` of a .fam file, 1-based like GEMMA's `-n` (1 = column 6).
 * Throws if the column does not exist or holds non-numeric text.
 */
export function famPhenotype(fam: Fam, n = 1): Float64Array {
  if (!Number.isInteger(n) || n < 1 || n > fam.phenos.length) {
    throw new InputError(
      `has ${fam.phenos.length} phenotype column${fam.phenos.length === 1 ? '' : 's'} (columns 6${fam.phenos.length > 1 ? `-${5 + fam.phenos.length}` : ''}), so phenotype number ${n} does not exist`,
      { file: fam.path },
      `Choose a phenotype number from 1 to ${fam.phenos.length}, or give phenotypes in a separate sheet`,
    );
  }
  const bad = fam.phenoText[n - 1];
  if (bad !== undefined) {
    throw new InputError(
      `column ${n + 5} (phenotype ${n}): ${quote(bad.value)} is not a number`,
      { file: fam.path, line: bad.line },
      'Use numbers, with NA or -9 for missing values',
    );
  }
  return fam.phenos[n - 1];
}

// ---------------------------------------------------------------------------
// .bim

export interface Bim {
  chr: string[];
  rs: string[];
  cm: Float64Array;
  pos: Float64Array;
  /** Column 5: the allele counted by the decoded genotypes (code 0b00 = two copies). */
  allele1: string[];
  /** Column 6. */
  allele0: string[];
  /** SNP IDs that occur more than once (each listed once; e.g. "."). Accepted, not an error. */
  duplicateRs: string[];
  path: string;
}

export function readBim(path: string): Bim {
  const chr: string[] = [];
  const rs: string[] = [];
  const cm: number[] = [];
  const pos: number[] = [];
  const a1: string[] = [];
  const a0: string[] = [];
  const seen = new Set<string>();
  const dup = new Set<string>();
  // Chromosome names and alleles repeat: keep one string of each (a million-SNP .bim then costs
  // one string per SNP, its ID, instead of four).
  const pool = new Map<string, string>();
  const intern = (v: string): string => {
    const have = pool.get(v);
    if (have !== undefined) return have;
    pool.set(v, v);
    return v;
  };

  forEachLine(path, 'PLINK .bim file', (line, lineNo) => {
    if (isBlank(line)) return;
    const t = splitWhitespace(line);
    if (t.length !== 6) {
      throw new InputError(
        `has ${t.length} column${t.length === 1 ? '' : 's'}, but a .bim line needs exactly 6 (chromosome, SNP ID, cM, base-pair position, allele1, allele0)`,
        { file: path, line: lineNo },
        'Fix this line; columns are separated by spaces or tabs',
      );
    }
    const id = t[1];
    const g = parseStrictNumber(t[2]);
    if (Number.isNaN(g)) {
      throw new InputError(
        `SNP ${quote(id)}: genetic position (column 3) ${quote(t[2])} is not a number`,
        { file: path, line: lineNo },
        'Use 0 when the cM position is unknown',
      );
    }
    const p = parseStrictNumber(t[3]);
    if (Number.isNaN(p) || !Number.isInteger(p)) {
      throw new InputError(
        `SNP ${quote(id)}: base-pair position (column 4) ${quote(t[3])} is not a whole number`,
        { file: path, line: lineNo },
        'Column 4 must hold the base-pair coordinate; use 0 when it is unknown',
      );
    }
    if (seen.has(id)) dup.add(id);
    else seen.add(id);
    chr.push(intern(t[0]));
    rs.push(id);
    cm.push(g);
    pos.push(p);
    a1.push(intern(t[4]));
    a0.push(intern(t[5]));
  });

  if (rs.length === 0) {
    throw new InputError(
      'PLINK .bim file is empty (no SNPs)',
      { file: path },
      'A .bim file needs one line per SNP: chromosome, SNP ID, cM, position, allele1, allele0',
    );
  }
  return {
    chr,
    rs,
    cm: Float64Array.from(cm),
    pos: Float64Array.from(pos),
    allele1: a1,
    allele0: a0,
    duplicateRs: [...dup],
    path,
  };
}

// ---------------------------------------------------------------------------
// .bed

export interface BedFile {
  path: string;
  nSamples: number;
  nSnps: number;
  /** ceil(nSamples / 4). */
  bytesPerSnp: number;
  /**
   * Copy `count` SNPs starting at SNP `start` (SNP-major packed bytes,
   * bytesPerSnp each) into `out` at offset 0. Reads from disk with
   * fs.readSync on the open descriptor.
   */
  readPacked(start: number, count: number, out: Uint8Array): void;
  close(): void;
}

const BED_MAGIC0 = 0x6c;
const BED_MAGIC1 = 0x1b;

function looksLikeText(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  for (const c of b) {
    if (!(c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 0xc2)) return false;
  }
  return true;
}

/**
 * Open a SNP-major .bed. Checks the magic bytes 0x6c 0x1b, the mode byte 0x01
 * and that the size is exactly 3 + nSnps * ceil(nSamples/4). `sources` names
 * the .fam/.bim the counts came from, for the size-mismatch message.
 */
export function openBed(
  path: string,
  nSamples: number,
  nSnps: number,
  sources?: { fam?: string; bim?: string },
): BedFile {
  if (!Number.isInteger(nSamples) || nSamples <= 0 || !Number.isInteger(nSnps) || nSnps <= 0) {
    throw new RangeError(`openBed: nSamples and nSnps must be positive integers (got ${nSamples}, ${nSnps})`);
  }
  const fd = openInput(path, 'PLINK .bed file');
  let ok = false;
  try {
    const size = fstatSync(fd).size;
    const bytesPerSnp = Math.ceil(nSamples / 4);
    const expected = 3 + nSnps * bytesPerSnp;
    if (size === 0) {
      throw new InputError(
        'PLINK .bed file is empty (0 bytes)',
        { file: path },
        'The file was probably not written completely; recreate it (e.g. plink --bfile <prefix> --make-bed --out <new prefix>)',
      );
    }
    const head = new Uint8Array(Math.min(size, 64));
    readFully(fd, head, 0, head.length, 0);
    if (head.length < 3 || head[0] !== BED_MAGIC0 || head[1] !== BED_MAGIC1) {
      const shown = Array.from(head.subarray(0, 3), (b) => '0x' + b.toString(16).padStart(2, '0')).join(' ');
      const text = looksLikeText(head);
      throw new InputError(
        text
          ? 'is a text file, not a PLINK binary .bed file (it does not start with the .bed magic bytes 0x6c 0x1b)'
          : `does not start with the PLINK .bed magic bytes 0x6c 0x1b (found ${shown})`,
        { file: path },
        text
          ? 'Give the binary .bed file; text genotypes (.ped/.map, VCF) must first be converted with plink --make-bed'
          : 'This is not a PLINK 1 .bed file (or it is a pre-1.0 one); convert your genotypes with plink --make-bed',
      );
    }
    const mode = head[2];
    if (mode === 0x00) {
      throw new InputError(
        'is an individual-major .bed file (mode byte 0x00); only SNP-major .bed files are supported',
        { file: path },
        'Convert it to SNP-major with plink --bfile <prefix> --make-bed --out <new prefix>',
      );
    }
    if (mode !== 0x01) {
      throw new InputError(
        `has mode byte 0x${mode.toString(16).padStart(2, '0')} after the magic bytes, which is not PLINK 1 .bed format; it looks like a PLINK 2 .pgen file`,
        { file: path },
        'Convert it to PLINK 1 binary format with plink2 --pfile <prefix> --make-bed --out <new prefix>',
      );
    }
    if (size !== expected) {
      const body = size - 3;
      const fits =
        body > 0 && body % bytesPerSnp === 0
          ? ` (its size fits ${body / bytesPerSnp} SNPs at ${nSamples} samples)`
          : '';
      const famName = sources?.fam !== undefined ? basename(sources.fam) : 'the .fam';
      const bimName = sources?.bim !== undefined ? basename(sources.bim) : 'the .bim';
      const counts =
        sources !== undefined
          ? ` (${nSamples} samples from ${famName}, ${nSnps} SNPs from ${bimName})`
          : ` for ${nSamples} samples and ${nSnps} SNPs`;
      throw new InputError(
        `size mismatch: the file is ${size} bytes, expected ${expected} bytes = 3 + ${nSnps} SNPs x ${bytesPerSnp} bytes${counts}${fits}`,
        { file: path },
        `The .bed is ${size < expected ? 'truncated' : 'longer than expected'}, or ${bimName} (SNP count) or ${famName} (sample count) does not belong to this .bed; use the .bed, .bim and .fam written together by PLINK`,
      );
    }
    let closed = false;
    const bed: BedFile = {
      path,
      nSamples,
      nSnps,
      bytesPerSnp,
      readPacked(start: number, count: number, out: Uint8Array): void {
        if (closed) throw new Error(`readPacked: ${path} is closed`);
        if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > nSnps) {
          throw new RangeError(`readPacked: SNPs ${start}..${start + count} out of range 0..${nSnps}`);
        }
        const len = count * bytesPerSnp;
        if (out.length < len) {
          throw new RangeError(`readPacked: output holds ${out.length} bytes, needs ${len}`);
        }
        if (len === 0) return;
        const got = readFully(fd, out, 0, len, 3 + start * bytesPerSnp);
        if (got !== len) {
          throw new InputError(
            `ended early while reading SNPs ${start + 1}-${start + count} (file changed on disk?)`,
            { file: path, snp: String(start + Math.floor(got / bytesPerSnp)) },
            'Make sure the file is not being written or replaced while it is analysed',
          );
        }
      },
      close(): void {
        if (!closed) {
          closed = true;
          closeSync(fd);
        }
      },
    };
    ok = true;
    return bed;
  } finally {
    if (!ok) closeSync(fd);
  }
}

// ---------------------------------------------------------------------------
// whole set

export interface PlinkSet {
  prefix: string;
  fam: Fam;
  bim: Bim;
  bed: BedFile;
  /** Dosages, for genotypes imported from a dosage input (BIMBAM, VCF DS); bed then holds them rounded. */
  dosage?: DosageSource;
}

/** Strip a trailing .bed/.bim/.fam (any case) from a PLINK prefix. */
export function plinkPrefix(prefixOrFile: string): string {
  return prefixOrFile.replace(/\.(bed|bim|fam)$/i, '');
}

/** The three files of a PLINK set, or an InputError naming the missing ones. */
export function checkPlinkFiles(prefix: string): { p: string; files: { bed: string; bim: string; fam: string } } {
  const p = plinkPrefix(prefix);
  const files = { bed: p + '.bed', bim: p + '.bim', fam: p + '.fam' };
  const missing = (['bed', 'bim', 'fam'] as const).filter((k) => !isFile(files[k]));
  if (missing.length > 0) {
    const names = missing.map((k) => basename(files[k]));
    const present = (['bed', 'bim', 'fam'] as const).filter((k) => !missing.includes(k)).map((k) => '.' + k);
    throw new InputError(
      `PLINK set incomplete: ${names.join(', ')} not found${present.length ? ` (found ${present.join(', ')})` : ''}`,
      { file: files[missing[0]] },
      `A PLINK set needs ${basename(p)}.bed, ${basename(p)}.bim and ${basename(p)}.fam side by side; check the prefix and the file names`,
    );
  }
  return { p, files };
}

export function openPlink(prefix: string): PlinkSet {
  const { p, files } = checkPlinkFiles(prefix);
  const fam = readFam(files.fam);
  const bim = readBim(files.bim);
  const bed = openBed(files.bed, fam.iid.length, bim.rs.length, { fam: files.fam, bim: files.bim });
  return { prefix: p, fam, bim, bed };
}

/**
 * The samples and genotypes of a PLINK set without its SNP table: the .bim is only counted (for
 * commands such as kinship, which need no SNP names; a million-SNP .bim held in memory costs ~100 MB).
 */
export function openPlinkGenotypes(prefix: string): { prefix: string; fam: Fam; nSnps: number; bed: BedFile } {
  const { p, files } = checkPlinkFiles(prefix);
  const fam = readFam(files.fam);
  let nSnps = 0;
  forEachLine(files.bim, 'PLINK .bim file', (line) => {
    if (!isBlank(line)) nSnps++;
  });
  if (nSnps === 0) {
    throw new InputError('PLINK .bim file is empty (no SNPs)', { file: files.bim }, 'A .bim file needs one line per SNP: chromosome, SNP ID, cM, position, allele1, allele0');
  }
  const bed = openBed(files.bed, fam.iid.length, nSnps, { fam: files.fam, bim: files.bim });
  return { prefix: p, fam, nSnps, bed };
}

function isFile(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Largest packed matrix loadPacked will allocate in one typed array. */
const MAX_PACKED = 2 ** 32 - 1;

/**
 * Load the whole packed genotype matrix (nSnps * bytesPerSnp bytes, SNP-major)
 * into memory, optionally backed by a SharedArrayBuffer so worker threads can
 * share it. Reads in blocks of about 16 MiB.
 */
export function loadPacked(bed: BedFile, shared = false): Uint8Array {
  const total = bed.nSnps * bed.bytesPerSnp;
  if (total > MAX_PACKED) {
    throw new InputError(
      `packed genotypes need ${total} bytes, more than fit in one in-memory block (${MAX_PACKED})`,
      { file: bed.path },
      'Split the data by chromosome (plink --chr) or read it in blocks',
    );
  }
  const out = shared ? new Uint8Array(new SharedArrayBuffer(total)) : new Uint8Array(total);
  const block = Math.max(1, Math.floor((16 << 20) / bed.bytesPerSnp));
  for (let s = 0; s < bed.nSnps; s += block) {
    const c = Math.min(block, bed.nSnps - s);
    bed.readPacked(s, c, out.subarray(s * bed.bytesPerSnp, (s + c) * bed.bytesPerSnp));
  }
  return out;
}

// ---------------------------------------------------------------------------
// decoding

/** 2-bit .bed code -> allele1 count: 0b00 -> 2, 0b01 -> missing (-1), 0b10 -> 1, 0b11 -> 0. */
export const CODE_TO_COUNT: Readonly<Int8Array> = Int8Array.of(2, -1, 1, 0);

/**
 * Byte lookup table: GENO_LUT[4*b + k] is the allele1 count (2/1/0, -1 for
 * missing) of the k-th sample (k = 0..3) packed in byte value b.
 */
export const GENO_LUT: Readonly<Int8Array> = (() => {
  const t = new Int8Array(256 * 4);
  for (let b = 0; b < 256; b++) {
    for (let k = 0; k < 4; k++) t[4 * b + k] = CODE_TO_COUNT[(b >> (2 * k)) & 3];
  }
  return t;
})();

/**
 * Decode one SNP: `packed[offset .. offset + ceil(nSamples/4))` -> `out[0 .. nSamples)`
 * as allele1 counts 0/1/2, -1 for missing.
 */
export function decodeSnp(packed: Uint8Array, offset: number, nSamples: number, out: Int8Array): void {
  const lut = GENO_LUT;
  const full = nSamples >> 2;
  let j = 0;
  for (let i = 0; i < full; i++) {
    const base = packed[offset + i] << 2;
    out[j] = lut[base];
    out[j + 1] = lut[base + 1];
    out[j + 2] = lut[base + 2];
    out[j + 3] = lut[base + 3];
    j += 4;
  }
  const rest = nSamples & 3;
  if (rest > 0) {
    const base = packed[offset + full] << 2;
    for (let k = 0; k < rest; k++) out[j + k] = lut[base + k];
  }
}
