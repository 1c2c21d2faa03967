/**
 * Is a table a genotype matrix or a phenotype sheet? Told from its first lines, for the preview
 * (preview.ts), before either reader is asked: plink2's .raw / .traw headers, or cells that are
 * mostly genotype codes (0/1/2, AA/AB/BB, A/G, AG, IUPAC letters) across many columns.
 *
 * A sheet may have a few 0/1 columns (sex, a treatment) or dummy-coded covariates: so at least
 * MIN_CODE_COLUMNS columns, and most of the non-ID columns, must hold codes; and a table of 0s
 * and 1s only (no 2, no letters) counts only when its header or first column names SNPs
 * (rs123, 1:12345, AX-...), as dummy covariates never do.
 */
import { parseCount, parseLetterCall } from './genotype-calls.js';
import { looksLikeSnpId, splitCells, type Delimiter } from './matrix-layout.js';

/** Fewest columns of codes a genotype matrix has here. */
const MIN_CODE_COLUMNS = 4;
/** Share of a column's present cells that must be codes, and of the non-ID columns that must be code columns. */
const CODE_SHARE = 0.9;
const COLUMN_SHARE = 0.8;
/** Data rows looked at. */
const ROWS = 50;

const RAW_HEAD = ['FID', 'IID', 'PAT', 'MAT', 'SEX', 'PHENOTYPE'];
const TRAW_HEAD = ['CHR', 'SNP', '(C)M', 'POS', 'COUNTED', 'ALT'];

function delimiterOf(header: string): Delimiter {
  if (header.includes('\t')) return '\t';
  if (header.includes(',')) return ',';
  if (header.includes(';')) return ';';
  return ' ';
}

/** What a cell is: a count code (0, 1, 2), a letter call, missing, or neither. */
function cellKind(s: string): 'count' | 'two' | 'letters' | 'missing' | 'other' {
  const c = parseCount(s);
  if (c === 2) return 'two';
  if (c >= 0) return 'count';
  if (c === -1) return 'missing';
  const l = parseLetterCall(s);
  if (l === null) return 'missing';
  return l === undefined ? 'other' : 'letters';
}

/** `text`: the start of the file (its last line may be cut). */
export function looksLikeGenotypeMatrix(text: string): boolean {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  lines.pop();
  const rows = lines.filter((l) => l.trim() !== '');
  if (rows.length < 2) return false;
  const d = delimiterOf(rows[0]!);
  const header = splitCells(rows[0]!, d);
  const upper = header.slice(0, 6).map((s) => s.toUpperCase());
  if (header.length > 6 && (RAW_HEAD.every((s, i) => upper[i] === s) || TRAW_HEAD.every((s, i) => upper[i] === s))) return true;
  const width = header.length;
  if (width - 1 < MIN_CODE_COLUMNS) return false;
  const data = rows.slice(1, ROWS + 1).map((l) => splitCells(l, d));
  let codeColumns = 0;
  let judged = 0;
  let sawTwo = false;
  let sawLetters = false;
  for (let c = 1; c < width; c++) {
    let present = 0;
    let codes = 0;
    for (const row of data) {
      const k = cellKind(row[c] ?? '');
      if (k === 'missing') continue;
      present++;
      if (k === 'other') continue;
      codes++;
      if (k === 'two') sawTwo = true;
      if (k === 'letters') sawLetters = true;
    }
    if (present === 0) continue;
    judged++;
    if (codes >= CODE_SHARE * present) codeColumns++;
  }
  if (codeColumns < MIN_CODE_COLUMNS || codeColumns < COLUMN_SHARE * judged) return false;
  if (sawTwo || sawLetters) return true;
  const names = header.slice(1);
  const firstCol = data.map((r) => r[0] ?? '');
  const share = (xs: string[]): number => xs.filter(looksLikeSnpId).length / Math.max(1, xs.length);
  return share(names) >= 0.5 || share(firstCol) >= 0.5;
}
