/**
 * Reads a per-SNP results table for plotting without a project: Kinscan's RESULTS.tsv (or its CSV
 * export), GEMMA's .assoc.txt (-lmm 1/2/4, -lm), or any tab/comma/whitespace table with a header
 * naming the chromosome, position, SNP ID and a p-value column. -log10 p is taken from the text
 * itself (mantissa and exponent), so p-values below the double range (1e-350) keep their size.
 */
import { InputError } from './errors.js';
import { forEachLine, isBlank, quote } from './text-lines.js';

export interface ResultsTable {
  path: string;
  /** Distinct chromosome names in order of first appearance; `chr` indexes into this. */
  chrNames: string[];
  chr: Int32Array;
  pos: Float64Array;
  rs: string[];
  negLog10P: Float64Array;
  /** Degrees of freedom of the run's test when the table says (Kinscan's df column; the largest): 1 or 2. */
  df?: 1 | 2;
  /** The column the p-values came from. */
  pColumn: string;
}

const WHAT = 'results table';
const CHR = ['chr', 'chrom', 'chromosome', '#chrom', 'chr_name'];
const POS = ['ps', 'pos', 'bp', 'position', 'base_pair_location'];
const RS = ['rs', 'snp', 'id', 'rsid', 'variant_id', 'marker'];
/** Preferred first: Kinscan's own -log10 p, then p-value columns. */
const NEGLOG = ['neglog10_p', 'log10p', 'neg_log10_p', 'mlog10p'];
const P = ['p_lrt', 'p', 'pval', 'p_value', 'p_wald', 'p_score', 'p-value'];

const NUMBER_TEXT = /^([+]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+))?$/;

/** -log10 of a p-value written as text; NaN when it is not a p-value in (0, 1]. */
export function negLog10OfText(s: string): number {
  const m = NUMBER_TEXT.exec(s);
  if (!m) return NaN;
  const mantissa = Number(m[1]);
  const exponent = m[2] === undefined ? 0 : Number(m[2]);
  if (!(mantissa > 0)) return NaN;
  const v = -(Math.log10(mantissa) + exponent);
  return v >= -1e-12 ? Math.max(0, v) : NaN;
}

function splitterOf(header: string): (line: string) => string[] {
  if (header.includes('\t')) return (l) => l.split('\t').map((c) => c.trim());
  if (header.includes(',')) return (l) => l.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
  return (l) => l.trim().split(/\s+/);
}

function findColumn(names: string[], wanted: string[]): number {
  const lower = names.map((n) => n.toLowerCase());
  for (const w of wanted) {
    const i = lower.indexOf(w);
    if (i >= 0) return i;
  }
  return -1;
}

/** Read a results table; errors name the file, the line and what to do. */
export function readResultsTable(path: string): ResultsTable {
  let split: ((line: string) => string[]) | undefined;
  let header: string[] = [];
  let iChr = -1;
  let iPos = -1;
  let iRs = -1;
  let iP = -1;
  let iDf = -1;
  let pIsNegLog = false;
  let headerLine = 0;
  const chrIndex = new Map<string, number>();
  const chrNames: string[] = [];
  const chr: number[] = [];
  const pos: number[] = [];
  const rs: string[] = [];
  const neg: number[] = [];
  const dfs = new Set<number>();
  forEachLine(path, WHAT, (line, lineNo) => {
    if (isBlank(line)) return;
    if (!split) {
      split = splitterOf(line);
      header = split(line);
      headerLine = lineNo;
      iChr = findColumn(header, CHR);
      iPos = findColumn(header, POS);
      iRs = findColumn(header, RS);
      iDf = findColumn(header, ['df']);
      const iNeg = findColumn(header, NEGLOG);
      pIsNegLog = iNeg >= 0;
      iP = iNeg >= 0 ? iNeg : findColumn(header, P);
      const missing = [iChr < 0 ? 'chromosome (chr)' : '', iPos < 0 ? 'position (ps, pos, bp)' : '', iP < 0 ? 'p-value (p_lrt, p, p_wald, neglog10_p)' : '']
        .filter(Boolean)
        .join(', ');
      if (missing) {
        throw new InputError(
          `the header has no ${missing} column (columns: ${header.slice(0, 12).join(', ')}${header.length > 12 ? ', ...' : ''})`,
          { file: path, line: lineNo },
          'Give a Kinscan RESULTS.tsv, a GEMMA .assoc.txt, or a table whose header names chr, ps and p_lrt (or p)',
        );
      }
      return;
    }
    const cells = split(line);
    if (cells.length < header.length) {
      throw new InputError(`has ${cells.length} columns where the header has ${header.length}`, { file: path, line: lineNo }, 'Check that the file is complete and not cut off');
    }
    const c = cells[iChr]!;
    let code = chrIndex.get(c);
    if (code === undefined) {
      code = chrNames.length;
      chrIndex.set(c, code);
      chrNames.push(c);
    }
    const p = Number(cells[iPos]);
    if (!Number.isFinite(p)) throw new InputError(`the position ${quote(cells[iPos]!)} is not a number`, { file: path, line: lineNo }, 'Positions must be whole numbers of base pairs');
    const text = cells[iP]!;
    let v: number;
    if (pIsNegLog) v = text === 'inf' ? Infinity : Number(text);
    else v = negLog10OfText(text);
    if (Number.isNaN(v) && !/^(NA|nan|NaN|-nan|\.|)$/.test(text)) {
      throw new InputError(`the p-value ${quote(text)} in column ${header[iP]} is not a number in (0, 1]`, { file: path, line: lineNo }, 'Use NA for a SNP without a p-value');
    }
    chr.push(code);
    pos.push(p);
    rs.push(iRs >= 0 ? cells[iRs]! : `${c}:${p}`);
    neg.push(v);
    if (iDf >= 0) dfs.add(Number(cells[iDf]));
  });
  if (!split) throw new InputError(`${WHAT} is empty`, { file: path }, 'Give a results file with a header line and one row per SNP');
  if (neg.length === 0) throw new InputError('has a header but no rows', { file: path, line: headerLine }, 'Give a results file with one row per SNP');
  const out: ResultsTable = {
    path,
    chrNames,
    chr: Int32Array.from(chr),
    pos: Float64Array.from(pos),
    rs,
    negLog10P: Float64Array.from(neg),
    pColumn: header[iP]!,
  };
  // An add-dom run tests some SNPs (no heterozygotes...) with 1 df: the run's test is the larger.
  const d = Math.max(...dfs);
  if (d === 1 || d === 2) out.df = d;
  return out;
}
