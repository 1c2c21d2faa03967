/**
 * BIMBAM mean genotypes, GEMMA's `-g` file, with its SNP annotation (`-a`).
 *
 * Genotype lines: `rs, allele1, allele0, d1, d2, ...`, the values separated by commas and/or
 * blanks (as GEMMA's strtok(", \t") reads them: runs of separators count as one, a trailing comma
 * is ignored), each d the mean count of allele1 in [0, 2], `NA` missing. The dosages are kept
 * (batches carry them; the codes are the rounded dosages).
 *
 * Samples: BIMBAM files carry no sample IDs; sample j is row j of the phenotype file. They are
 * named '1', '2', ... (1-based, FID = IID), so a GEMMA headerless phenotype file matches them by
 * position. A phenotype sheet with IDs matches only if its IDs are these row numbers.
 *
 * Annotation lines: `rs pos chr` (GEMMA's order; blanks or commas; further columns ignored; an
 * optional header line). SNPs the annotation does not list are kept (GEMMA drops nothing), on
 * chromosome '0' at position 0, and counted in a warning; so are all SNPs when no annotation is
 * given. Duplicate SNP IDs are counted in a warning, not refused: QC handles them.
 */
import { InputError } from './errors.js';
import type { GenotypeReader, GenotypeSamples, ReadSummary, SnpBatch } from './genotype-source.js';
import { DuplicateIds, SkipTally, SnpBatcher } from './snp-batcher.js';
import { headLines } from './text-head.js';
import { forEachLine, isBlank, parseStrictNumber, quote } from './text-lines.js';

const WHAT = 'BIMBAM genotype file';
const ANNO = 'BIMBAM SNP annotation file';

/** Split on runs of commas, spaces and tabs; no empty tokens at the ends. */
function tokens(line: string): string[] {
  const t = line.split(/[ \t,]+/);
  if (t.length > 0 && t[0] === '') t.shift();
  if (t.length > 0 && t[t.length - 1] === '') t.pop();
  return t;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * A plain decimal (digits, optionally '.' and digits; at most 15 digits) in line[start, end), or
 * NaN for anything else (the caller then parses it strictly). m / 10^k with both exact doubles
 * rounds once, so the value equals Number() of the text.
 */
function decimal(line: string, start: number, end: number): number {
  let m = 0;
  let k = -1;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      if (k >= 0) k++;
    } else if (c === 46 && k < 0) k = 0;
    else return NaN;
  }
  if (digits === 0 || digits > 15) return NaN;
  return k > 0 ? m / POW10[k]! : m;
}

/** The SNP ID and alleles (runs of blanks/commas between) into out; where the values start, or -1. */
function leadFields(line: string, out: string[]): number {
  const len = line.length;
  let at = 0;
  for (let k = 0; k < 3; k++) {
    let c = line.charCodeAt(at);
    while (c === 32 || c === 44 || c === 9) c = line.charCodeAt(++at);
    const start = at;
    while (at < len && c !== 32 && c !== 44 && c !== 9) c = line.charCodeAt(++at);
    if (at === start) return -1;
    out[k] = line.slice(start, at);
  }
  return at;
}

interface Anno {
  chr: string;
  pos: number;
}

function readAnno(path: string): Map<string, Anno> {
  const map = new Map<string, Anno>();
  let first = true;
  forEachLine(path, ANNO, (line, lineNo) => {
    if (isBlank(line)) return;
    const t = tokens(line);
    const header = first && t.length >= 2 && Number.isNaN(parseStrictNumber(t[1]!)) && t[1] !== 'NA' && /^[A-Za-z_]/.test(t[1]!);
    first = false;
    if (header) return;
    if (t.length < 3) {
      throw new InputError(
        `has ${t.length} value${t.length === 1 ? '' : 's'} on this line; an annotation line needs 3: SNP ID, position, chromosome`,
        { file: path, line: lineNo },
        'GEMMA annotation files list `rs pos chr` on each line, separated by blanks or commas',
      );
    }
    const rs = t[0]!;
    const p = t[1] === 'NA' ? 0 : parseStrictNumber(t[1]!);
    if (!Number.isInteger(p)) {
      throw new InputError(
        `position ${quote(t[1]!)} of SNP ${rs} is not a whole number`,
        { file: path, line: lineNo },
        'The second column of a GEMMA annotation file is the base-pair position (the order is rs pos chr)',
      );
    }
    if (!map.has(rs)) map.set(rs, { chr: t[2] === 'NA' ? '0' : t[2]!, pos: p });
  });
  if (map.size === 0) {
    throw new InputError('has no SNPs', { file: path }, 'A GEMMA annotation file lists `rs pos chr` on each line');
  }
  return map;
}

/** Open a BIMBAM mean-genotype file (plain or gzip), with its annotation file when given. */
export function openBimbam(genoPath: string, opts: { anno?: string } = {}): GenotypeReader {
  const head = headLines(genoPath, WHAT, 1)[0];
  if (!head) {
    throw new InputError('is empty (no SNP lines)', { file: genoPath }, 'A BIMBAM file has one line per SNP: SNP ID, allele1, allele0, then one value per sample');
  }
  const width = tokens(head.line).length;
  const n = width - 3;
  if (n < 1) {
    throw new InputError(
      `its first SNP line has ${width} value${width === 1 ? '' : 's'}; a BIMBAM line needs the SNP ID, two alleles and at least one genotype`,
      { file: genoPath, line: head.lineNo },
      'Check that this is a BIMBAM mean-genotype file (GEMMA -g): rs, allele1, allele0, d1, d2, ... separated by commas or blanks',
    );
  }
  const anno = opts.anno !== undefined ? readAnno(opts.anno) : undefined;
  const iid = Array.from({ length: n }, (_, j) => String(j + 1));
  const where = new Int32Array(n);
  for (let j = 0; j < n; j++) where[j] = j + 4;
  const samples: GenotypeSamples = { fid: iid.slice(), iid, where };
  const files = opts.anno !== undefined ? [genoPath, opts.anno] : [genoPath];

  return {
    format: 'bimbam',
    path: genoPath,
    files,
    samples,
    dosage: true,
    snpsHint: anno?.size,
    read(onBatch: (batch: SnpBatch) => void, ro = {}): ReadSummary {
      const batcher = new SnpBatcher(n, ro.batchSnps, true, onBatch);
      const d = new Float32Array(n);
      const dups = new DuplicateIds();
      const unplaced = new SkipTally();
      let snpsRead = 0;
      const fields: string[] = ['', '', ''];
      const ragged = (rs: string, got: number, lineNo: number): InputError =>
        new InputError(
          `SNP ${rs} has ${got} values, but the first SNP line (line ${head.lineNo}) has ${width} (SNP ID, 2 alleles, ${n} samples)`,
          { file: genoPath, line: lineNo },
          'Every line needs one value per sample (NA when missing); check for a cut-short line or a separator inside a value',
        );
      const badValue = (s: string, v: number, j: number, rs: string, lineNo: number): void => {
        if (Number.isNaN(v)) {
          throw new InputError(
            `value ${quote(s)} in column ${j + 4} (sample ${j + 1}) of SNP ${rs} is not a number`,
            { file: genoPath, line: lineNo },
            lineNo === head.lineNo
              ? 'BIMBAM files have no header line: every line is a SNP (ID, allele1, allele0, then numbers from 0 to 2, NA when missing); remove a header line'
              : 'BIMBAM genotypes are numbers from 0 to 2 (the mean count of allele1), NA when missing',
          );
        }
        if (v < 0 || v > 2) {
          throw new InputError(
            `value ${s} (column ${j + 4}, sample ${j + 1}) is outside 0..2`,
            { file: genoPath, line: lineNo, snp: rs },
            'BIMBAM uses the 0..2 mean-genotype scale (expected copies of allele1); rescale probabilities or 0..1 frequencies to it',
          );
        }
      };
      forEachLine(genoPath, WHAT, (line, lineNo) => {
        if (isBlank(line)) return;
        const lead = leadFields(line, fields);
        const rs = fields[0]!;
        if (lead < 0) throw ragged(rs, tokens(line).length, lineNo);
        const len = line.length;
        let at = lead;
        for (let j = 0; j < n; j++) {
          let c = line.charCodeAt(at);
          while (c === 32 || c === 44 || c === 9) c = line.charCodeAt(++at);
          const start = at;
          while (at < len && c !== 32 && c !== 44 && c !== 9) c = line.charCodeAt(++at);
          if (at === start) throw ragged(rs, 3 + j, lineNo);
          let v = at - start === 1 ? line.charCodeAt(start) - 48 : decimal(line, start, at);
          if (!(v >= 0 && v <= 2)) {
            const s = line.slice(start, at);
            v = s === 'NA' ? NaN : parseStrictNumber(s);
            if (s !== 'NA') badValue(s, v, j, rs, lineNo);
          }
          d[j] = v;
        }
        if (at < len && tokens(line.slice(at)).length > 0) throw ragged(rs, tokens(line).length, lineNo);
        dups.add(rs, lineNo);
        const a = anno?.get(rs);
        if (anno && !a) unplaced.add('not in the annotation', rs, lineNo);
        batcher.addDosages({ chr: a?.chr ?? '0', rs, cm: 0, pos: a?.pos ?? 0, allele1: fields[1]!, allele0: fields[2]!, line: lineNo }, d);
        // Progress in SNPs against the annotation's count (0 = unknown without one).
        if (ro.progress && (++snpsRead & 1023) === 0) ro.progress(snpsRead, anno?.size ?? 0);
      });
      batcher.flush();
      const total = batcher.delivered;
      if (total === 0) {
        throw new InputError('has no SNP lines', { file: genoPath }, 'A BIMBAM file has one line per SNP');
      }
      const warnings: string[] = [];
      if (!anno) {
        warnings.push(`no SNP annotation file given: the ${total} SNPs have no chromosome or position (chromosome 0, position 0); give GEMMA's annotation file (rs pos chr) to place them`);
      } else {
        const u = unplaced.list()[0];
        if (u) {
          warnings.push(
            `${u.count} of ${total} SNPs are not in the annotation file ${opts.anno} (e.g. ${u.examples.map((e) => `${e.id} at line ${e.line}`).join(', ')}); they are kept on chromosome 0 at position 0`,
          );
        }
      }
      const dw = dups.warning('BIMBAM file');
      if (dw) warnings.push(dw);
      ro.progress?.(total, anno?.size ?? total);
      return { snps: total, skipped: [], warnings };
    },
    close(): void {},
  };
}
