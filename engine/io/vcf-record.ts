/**
 * One VCF record (a data line, as bytes) into a SnpRecord and its samples' 2-bit codes (and
 * dosages): the hot loop of VCF import, so it reads bytes and makes no strings but the SNP's own.
 *
 * Codes count ALT copies (allele1 = ALT, allele0 = REF), as plink2 --vcf does. GT: diploid 0/0
 * 0/1 1/1 (or |), haploid 0 and 1 read as homozygous (counted), missing `.` `./.`, and half-missing
 * `./1` read as missing (counted). DS: the ALT dosage in [0, 2], `.` missing.
 * Only biallelic SNPs are kept; the rest is skipped by reason (multi-allelic, indel, symbolic ALT,
 * no ALT), with a few examples each.
 *
 * The common case, FORMAT exactly GT with every call 3 bytes, is read whole by the scanner
 * (vcf-scan-wasm.ts), which leaves its fixed columns to `scanned`; any other record takes the
 * general path (`parse`), which also makes the messages.
 */
import { dosageCode, type SkippedSnps, type SnpRecord } from './genotype-source.js';
import { InputError } from './errors.js';
import { quote } from './text-lines.js';
import { FIXED_COLUMNS } from './vcf-header.js';

const TAB = 9;
/** Bytes looked at one by one for a column's tab before indexOf takes over. */
const NEAR_TAB_BYTES = 24;
const COLON = 58;
const SLASH = 47;
const PIPE = 124;
const DOT = 46;
const ZERO = 48;

/** General-path GT results: count of ALT (0..2), missing, with flags. */
const GT_MISSING = 3;
const GT_HAPLOID = 4;
const GT_HALF = 8;
const GT_BAD = 16;
/** Code of a GT_* value's count part. */
const GT_CODE = Uint8Array.of(0b11, 0b10, 0b00, 0b01);

/** One interned string per single-byte allele. */
const BASE_STRINGS: string[] = Array.from({ length: 256 }, (_, c) => String.fromCharCode(c).toUpperCase());
/** Bytes a SNP allele may be (either case). */
const IS_BASE = new Uint8Array(256);
for (const c of 'ACGTNacgtn') IS_BASE[c.charCodeAt(0)] = 1;

export const SKIP_REASONS = {
  multiAllelic: 'multi-allelic site (more than one ALT allele)',
  symbolic: 'symbolic ALT allele (such as <DEL> or *)',
  noAlt: "no ALT allele (ALT '.', a monomorphic site)",
  notSnp: 'indel or other non-SNP allele (REF or ALT not a single base)',
} as const;

function text(b: Buffer, s: number, e: number): string {
  for (let i = s; i < e; i++) if (b[i]! >= 128) return b.toString('utf8', s, e);
  return b.toString('latin1', s, e);
}

export class VcfRecordParser {
  haploid = 0;
  halfMissing = 0;
  unnamed = 0;
  readonly skipped = new Map<string, SkippedSnps>();
  private readonly n: number;
  private chrBytes = new Uint8Array(0);
  private chr = '';
  private fmtBytes = new Uint8Array(0);
  /** Subfield index of GT and of DS in the current FORMAT (-1: absent). */
  private gtKey = -1;
  private dsKey = -1;
  private lineStart = 0;
  private lineEnd = 0;

  constructor(
    private readonly path: string,
    private readonly samples: string[],
    private readonly headerLine: number,
    private readonly dosage: boolean,
    /** The header has a ##FORMAT=<ID=DS line. */
    private readonly dsDeclared: boolean,
  ) {
    this.n = samples.length;
  }

  /**
   * Parse the record b[s, e) at `line` (the general path: any FORMAT, any call). A kept SNP's
   * codes go to packed[off, off + bytesPerSnp) (zeroed), its dosages (dosage mode) to
   * dos[dosOff, dosOff + n); returns its SnpRecord, or undefined when the record is skipped
   * (counted in `skipped`).
   */
  parse(b: Buffer, s: number, e: number, line: number, packed: Uint8Array, off: number, dos: Float32Array | undefined, dosOff: number): SnpRecord | undefined {
    this.lineStart = s;
    this.lineEnd = e;
    // The nine tabs up to the first sample.
    const t1 = this.tab(b, s, e, line);
    const t2 = this.tab(b, t1 + 1, e, line);
    const t3 = this.tab(b, t2 + 1, e, line);
    const t4 = this.tab(b, t3 + 1, e, line);
    const t5 = this.tab(b, t4 + 1, e, line);
    const t6 = this.tab(b, t5 + 1, e, line);
    const t7 = this.tab(b, t6 + 1, e, line);
    const t8 = this.tab(b, t7 + 1, e, line);
    const t9 = this.tab(b, t8 + 1, e, line);
    const snp = this.describe(b, s, t1, t2, t3, t4, t5, line);
    if (snp === undefined) {
      this.checkColumns(b, t9 + 1, e, line);
      return undefined;
    }
    this.formatKeys(b, t8 + 1, t9, line, snp);
    this.general(b, t9 + 1, e, line, packed, off, dos, dosOff, snp);
    return snp;
  }

  /**
   * A record the scanner read whole (vcf-scan-wasm.ts: FORMAT GT, every call four bytes, its codes
   * written): its fixed columns, ending at the tabs t1..t5, and its half-missing calls.
   */
  scanned(b: Buffer, s: number, t1: number, t2: number, t3: number, t4: number, t5: number, e: number, line: number, half: number): SnpRecord | undefined {
    this.lineStart = s;
    this.lineEnd = e;
    const snp = this.describe(b, s, t1, t2, t3, t4, t5, line);
    if (snp !== undefined) this.halfMissing += half;
    return snp;
  }

  /** CHROM, POS, ID, REF and ALT (ending at tabs t1..t5): the SnpRecord, or undefined when skipped (counted). */
  private describe(b: Buffer, s: number, t1: number, t2: number, t3: number, t4: number, t5: number, line: number): SnpRecord | undefined {
    const chr = this.chrom(b, s, t1, line);
    const pos = this.position(b, t1 + 1, t2, line);
    // Alleles: REF t3+1..t4, ALT t4+1..t5.
    const reason = this.skipReason(b, t3 + 1, t4, t4 + 1, t5);
    if (reason !== undefined) {
      const id = this.id(b, t2 + 1, t3, chr, pos, line, false);
      let sk = this.skipped.get(reason);
      if (sk === undefined) this.skipped.set(reason, (sk = { reason, count: 0, examples: [] }));
      sk.count++;
      if (sk.examples.length < 5) sk.examples.push({ id, line });
      return undefined;
    }
    const rs = this.id(b, t2 + 1, t3, chr, pos, line, true);
    return { chr, rs, cm: 0, pos, allele1: BASE_STRINGS[b[t4 + 1]!]!, allele0: BASE_STRINGS[b[t3 + 1]!]!, line };
  }

  /**
   * Any FORMAT, any call: walks each sample's field to its GT (and, for dosages, DS) subfields. A
   * sample whose field stops before a subfield (VCF lets trailing ones be dropped) has it missing;
   * a missing DS falls back to the sample's GT call, as plink2 does (its own DS export leaves DS
   * out where the dosage is a hard call).
   */
  private general(b: Buffer, p: number, e: number, line: number, packed: Uint8Array, off: number, dos: Float32Array | undefined, dosOff: number, snp: SnpRecord): void {
    const n = this.n;
    const gtKey = this.gtKey;
    const dsKey = dos !== undefined ? this.dsKey : -1;
    const lastKey = Math.max(gtKey, dsKey);
    for (let j = 0; j < n; j++) {
      let gs = -1;
      let ge = -1;
      let ds = -1;
      let de = -1;
      let q = p;
      for (let f = 0; ; f++) {
        const sub = q;
        while (q < e && b[q] !== COLON && b[q] !== TAB) q++;
        if (f === gtKey) {
          gs = sub;
          ge = q;
        } else if (f === dsKey) {
          ds = sub;
          de = q;
        }
        if (q >= e || b[q] === TAB) break;
        if (f === lastKey) {
          // Past the subfields wanted: on to the tab.
          while (q < e && b[q] !== TAB) q++;
          break;
        }
        q++;
      }
      if (q === p) throw this.callError(line, j, snp, 'has an empty sample field', "Missing calls are written ./. (or '.'); check for doubled tabs");
      let g = gs < 0 ? GT_MISSING : gtValue(b, gs, ge);
      if ((g & GT_BAD) !== 0) throw this.badGt(b, gs, ge, line, j, snp);
      if (dos !== undefined) {
        let d = ds < 0 || (de - ds === 1 && b[ds] === DOT) ? NaN : this.dosageValue(b, ds, de, line, j, snp);
        if (!Number.isNaN(d)) g = 0; // the dosage is used, not the call: nothing to count
        else if ((g & 3) !== GT_MISSING) d = g & 3;
        dos[dosOff + j] = d;
        packed[off + (j >> 2)] = packed[off + (j >> 2)]! | (dosageCode(d) << ((j & 3) << 1));
      } else {
        packed[off + (j >> 2)] = packed[off + (j >> 2)]! | (GT_CODE[g & 3]! << ((j & 3) << 1));
      }
      if ((g & GT_HAPLOID) !== 0) this.haploid++;
      if ((g & GT_HALF) !== 0) this.halfMissing++;
      if (j < n - 1) {
        if (q >= e) throw this.columnsError(b, line, snp);
        p = q + 1;
      } else if (q < e) throw this.columnsError(b, line, snp);
    }
  }

  /** The next tab in [from, e). Most fixed columns are a few bytes: looked for byte by byte (a call of indexOf costs more), a long one (INFO) with indexOf. */
  private tab(b: Buffer, from: number, e: number, line: number): number {
    const near = Math.min(e, from + NEAR_TAB_BYTES);
    for (let t = from; t < near; t++) if (b[t] === TAB) return t;
    const t = near < e ? b.indexOf(TAB, near) : -1;
    if (t < 0 || t >= e) throw this.columnsError(b, line, undefined);
    return t;
  }

  /** Count the sample columns of a skipped record: a ragged line is an error even there. */
  private checkColumns(b: Buffer, p: number, e: number, line: number): void {
    let tabs = 0;
    for (let t = b.indexOf(TAB, p); t >= 0 && t < e; t = b.indexOf(TAB, t + 1)) tabs++;
    if (tabs !== this.n - 1) throw this.columnsError(b, line, undefined);
  }

  private columnsError(b: Buffer, line: number, snp: SnpRecord | undefined): InputError {
    let cols = 1;
    for (let i = this.lineStart; i < this.lineEnd; i++) if (b[i] === TAB) cols++;
    const want = this.n + FIXED_COLUMNS.length;
    return new InputError(
      `has ${cols} column${cols === 1 ? '' : 's'}, but the #CHROM header line (line ${this.headerLine}) has ${want} (9 fixed and ${this.n} sample${this.n === 1 ? '' : 's'})`,
      { file: this.path, line, ...(snp ? { snp: snp.rs } : {}) },
      cols < want ? 'The line is cut short or has missing fields; columns are separated by tabs, one per sample' : 'The line has extra fields; columns are separated by tabs, one per sample in the #CHROM line',
    );
  }

  private chrom(b: Buffer, s: number, e: number, line: number): string {
    const len = e - s;
    if (len === 0) throw new InputError('has an empty CHROM (column 1)', { file: this.path, line }, 'Every record needs its chromosome name in column 1');
    const prev = this.chrBytes;
    if (prev.length === len) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (prev[i] !== b[s + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.chr;
    }
    this.chrBytes = Uint8Array.from(b.subarray(s, e));
    this.chr = text(b, s, e);
    return this.chr;
  }

  private position(b: Buffer, s: number, e: number, line: number): number {
    let v = 0;
    for (let i = s; i < e; i++) {
      const d = b[i]! - ZERO;
      if (d < 0 || d > 9) v = NaN;
      else v = v * 10 + d;
    }
    if (e === s || !(v <= Number.MAX_SAFE_INTEGER)) {
      throw new InputError(
        `POS (column 2) ${quote(text(b, s, e))} is not a whole number`,
        { file: this.path, line },
        'POS must be the base-pair position, digits only (no commas, signs or decimals)',
      );
    }
    return v;
  }

  private id(b: Buffer, s: number, e: number, chr: string, pos: number, line: number, count: boolean): string {
    if (e - s === 1 && b[s] === DOT) {
      if (count) this.unnamed++;
      return `${chr}:${pos}`;
    }
    if (e === s) throw new InputError('has an empty ID (column 3)', { file: this.path, line }, "Write '.' for a SNP without an ID");
    return text(b, s, e);
  }

  private skipReason(b: Buffer, rs: number, re: number, as: number, ae: number): string | undefined {
    if (ae - as === 1 && b[as] === DOT) return SKIP_REASONS.noAlt;
    let symbolic = false;
    for (let i = as; i < ae; i++) {
      const c = b[i];
      if (c === 44) return SKIP_REASONS.multiAllelic;
      // <DEL>, *, and breakends such as G]17:198982]
      if (c === 60 || c === 42 || c === 91 || c === 93) symbolic = true;
    }
    if (symbolic) return SKIP_REASONS.symbolic;
    if (re - rs !== 1 || ae - as !== 1 || IS_BASE[b[rs]!] === 0 || IS_BASE[b[as]!] === 0) return SKIP_REASONS.notSnp;
    return undefined;
  }

  /** Find GT (and DS) among the record's FORMAT keys; the last record's answer when FORMAT repeats. */
  private formatKeys(b: Buffer, s: number, e: number, line: number, snp: SnpRecord): void {
    const len = e - s;
    const prev = this.fmtBytes;
    if (prev.length === len) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (prev[i] !== b[s + i]) {
          same = false;
          break;
        }
      }
      if (same) return;
    }
    const keys = b.toString('latin1', s, e).split(':');
    const gt = keys.indexOf('GT');
    const ds = keys.indexOf('DS');
    const where = { file: this.path, line, snp: snp.rs };
    // A record without DS in a file whose header declares DS holds hard calls only (plink2 writes
    // such records): its GT is read. Without DS in the header, the file has no dosages.
    if (this.dosage && ds < 0 && (!this.dsDeclared || gt < 0)) {
      throw new InputError(
        `FORMAT ${quote(keys.join(':'))} has no DS (dosage) field${this.dsDeclared ? ' and no GT' : ', and the header declares none (no ##FORMAT=<ID=DS line)'}, but dosages were asked for`,
        where,
        'Leave out the dosage option to read the hard calls (GT) instead',
      );
    }
    if (!this.dosage && gt < 0) {
      throw new InputError(
        `FORMAT ${quote(keys.join(':'))} has no GT (genotype) field`,
        where,
        ds >= 0 ? 'This file holds dosages: read it with the dosage option (DS)' : 'Each record needs GT calls for its samples; export the VCF with genotypes',
      );
    }
    this.fmtBytes = Uint8Array.from(b.subarray(s, e));
    this.gtKey = gt;
    this.dsKey = ds;
  }

  private dosageValue(b: Buffer, s: number, e: number, line: number, j: number, snp: SnpRecord): number {
    const v = parseDecimal(b, s, e);
    if (Number.isNaN(v)) {
      throw this.callError(line, j, snp, `has DS ${quote(text(b, s, e))}, which is not a number`, "DS must be the ALT dosage, a number from 0 to 2, or '.' when missing");
    }
    if (v < 0 || v > 2) {
      throw this.callError(line, j, snp, `has DS ${quote(text(b, s, e))}, outside 0 to 2`, 'DS must be the expected number of ALT copies, from 0 to 2 for a diploid sample; check how the file was made');
    }
    return v;
  }

  private badGt(b: Buffer, s: number, e: number, line: number, j: number, snp: SnpRecord): InputError {
    const gt = text(b, s, e);
    const alleles = gt.split(/[/|]/);
    if (alleles.length > 2) {
      return this.callError(line, j, snp, `has GT ${quote(gt)} with ${alleles.length} alleles`, 'Only haploid and diploid calls can be read; give diploid (or haploid) genotypes');
    }
    const big = alleles.find((a) => /^\d+$/.test(a) && Number(a) > 1);
    if (big !== undefined) {
      return this.callError(line, j, snp, `has GT ${quote(gt)}, but the site has one ALT allele (${snp.allele1}), so allele ${big} does not exist`, 'The record is inconsistent; fix it, or normalise the file (bcftools norm -m -any) and export it again');
    }
    return this.callError(line, j, snp, `has GT ${quote(gt)}, which is not a VCF genotype`, "GT holds allele numbers (0 = REF, 1 = ALT) separated by / or |, or '.' when missing, such as 0/1");
  }

  private callError(line: number, j: number, snp: SnpRecord, what: string, hint: string): InputError {
    return new InputError(`sample ${quote(this.samples[j]!)} (column ${FIXED_COLUMNS.length + j + 1}) ${what}`, { file: this.path, line, snp: snp.rs }, hint);
  }
}

/** GT subfield b[s, e) of a biallelic site: GT_* count and flags. */
function gtValue(b: Buffer, s: number, e: number): number {
  if (s >= e) return GT_BAD;
  let p = s;
  const a1 = b[p]!;
  let x: number;
  if (a1 === DOT) x = -1;
  else if (a1 === ZERO || a1 === ZERO + 1) x = a1 - ZERO;
  else return GT_BAD;
  p++;
  if (p === e) return x < 0 ? GT_MISSING : (2 * x) | GT_HAPLOID;
  const sep = b[p];
  if (sep !== SLASH && sep !== PIPE) return GT_BAD;
  p++;
  if (p !== e - 1) return GT_BAD;
  const a2 = b[p]!;
  let y: number;
  if (a2 === DOT) y = -1;
  else if (a2 === ZERO || a2 === ZERO + 1) y = a2 - ZERO;
  else return GT_BAD;
  if (x < 0 && y < 0) return GT_MISSING;
  if (x < 0 || y < 0) return GT_MISSING | GT_HALF;
  return x + y;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number in b[s, e): exact for the usual short dosages (digits and a point), NaN when not a number. */
function parseDecimal(b: Buffer, s: number, e: number): number {
  let m = 0;
  let digits = 0;
  let frac = -1;
  let i = s;
  for (; i < e; i++) {
    const c = b[i]!;
    if (c >= ZERO && c <= ZERO + 9) {
      m = m * 10 + (c - ZERO);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === DOT && frac < 0) frac = 0;
    else break;
  }
  // m / 10^frac is correctly rounded while both are exact doubles (Clinger's fast path).
  if (i === e && digits > 0 && digits <= 15 && frac <= 22) return frac > 0 ? m / POW10[frac]! : m;
  const str = b.toString('latin1', s, e);
  return DECIMAL.test(str) ? Number(str) : NaN;
}
