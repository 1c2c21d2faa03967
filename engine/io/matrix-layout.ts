/**
 * The shape of a CSV/TSV genotype matrix, told from its header and first rows: the separator,
 * whether samples are rows or columns, which leading columns describe samples or SNPs, and
 * whether calls are 0/1/2 counts or letters (nucleotides, A/B).
 *
 * plink2's `--export A` (.raw: FID IID PAT MAT SEX PHENOTYPE rs_A ...) and `--export A-transpose`
 * (.traw: CHR SNP (C)M POS COUNTED ALT <FID_IID> ...) are recognised by their headers. Otherwise
 * the orientation is told, in this order, by the map file's SNP IDs (found in the header or in the
 * first column), by the header's first cell (sample/ID-like words or SNP/marker-like words), by
 * chr/pos columns after the first column (SNPs as rows), or by which side holds names that look
 * like SNP IDs (rs123, 1:12345, AX-..., ...). When none of these tells, opening is refused with a
 * message that says how to make it clear.
 */
import { InputError } from './errors.js';
import { parseCount, parseLetterCall } from './genotype-calls.js';
import { placeFromName } from './snp-map.js';
import { quote, splitWhitespace } from './text-lines.js';

export type Delimiter = '\t' | ',' | ';' | ' ';
export type Scheme = 'counts' | 'letters';

export interface MatrixLayout {
  delimiter: Delimiter;
  /** Columns in every row (a trailing empty column, as Excel writes, not counted). */
  width: number;
  /** Samples as rows (SNP-major only after a transpose) or as columns (streamed). */
  samplesAs: 'rows' | 'columns';
  /** plink2 export this is, if any. */
  plink: 'raw' | 'traw' | undefined;
  /** Index of the first genotype column. */
  first: number;
  /** Samples as rows: the columns of the sample ID and family ID (-1 = FID is the IID). */
  iidCol: number;
  fidCol: number;
  /** Samples as columns: the SNP ID column, and chr/pos/cM/allele columns (-1 when absent). */
  snpCol: number;
  chrCol: number;
  posCol: number;
  cmCol: number;
  a1Col: number;
  a2Col: number;
  scheme: Scheme;
}

const RAW_HEAD = ['FID', 'IID', 'PAT', 'MAT', 'SEX', 'PHENOTYPE'];
const TRAW_HEAD = ['CHR', 'SNP', '(C)M', 'POS', 'COUNTED', 'ALT'];

const SAMPLE_CORNER = /^(iid|fid|sample|samples|sample_?id|sample_?name|individual|individuals|ind|indiv|animal|animal_?id|strain|line|taxa|taxon|accession|genotype_?id|subject|mouse|plant|<marker>)$/i;
const SNP_CORNER = /^(snp|snps|snp_?id|snp\.?name|rs|rs#|rsid|marker|markers|marker_?name|variant|variant_?id|locus|loci|probe|probe_?id|probeset_?id|snp name)$/i;
const CHR_HEAD = /^(#?chr|#?chrom|chromosome)$/i;
const POS_HEAD = /^(pos|position|bp|bp_?pos|physical_?position)$/i;
const CM_HEAD = /^(cm|centimorgan|genetic_?position)$/i;
const A1_HEAD = /^(allele_?1|a1|counted|ref)$/i;
const A2_HEAD = /^(allele_?2|allele_?0|a2|a0|alt|other)$/i;
const SNP_LIKE = /^(?:rs\d+|ss\d+|(?:AX|Affx|Affy|SNP|BovineHD|ARS|BTA|BTB|BICF\w*|OAR\w*|Hapmap\w*|UNCHS|UNC|JAX\d*|gnf\d*|CEL|ilmn|ILMN|Ku|NC\d+|petM|mm\d*)[-_.:]?\w*)/i;

export function looksLikeSnpId(s: string): boolean {
  return SNP_LIKE.test(s) || placeFromName(s) !== undefined;
}

/** Remove blanks and double quotes around a cell. */
function cleanCell(s: string): string {
  if (s.length === 0) return s;
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(s.length - 1);
  if (a === 32 || a === 34 || b === 32 || b === 34 || a === 9 || b === 9) {
    const t = s.trim();
    return t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"' ? t.slice(1, -1) : t;
  }
  return s;
}

/** A line's cells for this separator. */
export function splitCells(line: string, d: Delimiter): string[] {
  if (d === ' ') return splitWhitespace(line);
  const t = line.split(d);
  for (let i = 0; i < t.length; i++) t[i] = cleanCell(t[i]!);
  return t;
}

function detectDelimiter(header: string): Delimiter | undefined {
  if (header.includes('\t')) return '\t';
  if (header.includes(',')) return ',';
  if (header.includes(';')) return ';';
  return splitWhitespace(header).length > 1 ? ' ' : undefined;
}

const HINT_LAYOUT =
  "Name the header's first cell 'sample' (samples as rows, SNP IDs across) or 'SNP' (SNPs as rows, sample IDs across), or give the map file of the SNPs";

/** Work out the layout from the header and up to ~50 first data rows. */
export function detectLayout(
  path: string,
  what: string,
  header: { line: string; lineNo: number },
  rows: { line: string; lineNo: number }[],
  mapIds: ReadonlySet<string> | undefined,
): MatrixLayout {
  const delimiter = detectDelimiter(header.line);
  if (!delimiter) {
    throw new InputError(
      `its header has a single column (${quote(header.line)}): no tab, comma, semicolon or blank separates the columns`,
      { file: path, line: header.lineNo },
      'Save the matrix as CSV or tab-separated text with one column per SNP or per sample',
    );
  }
  const h = splitCells(header.line, delimiter);
  let width = h.length;
  if (width > 2 && h[width - 1] === '') width--;
  if (rows.length === 0) {
    throw new InputError('has a header but no genotype rows', { file: path, line: header.lineNo }, 'Give the file with its genotype rows');
  }
  const cells = rows.map((r) => splitCells(r.line, delimiter));
  const base = {
    delimiter, width, iidCol: -1, fidCol: -1, snpCol: -1, chrCol: -1, posCol: -1, cmCol: -1, a1Col: -1, a2Col: -1,
  };
  const upper = h.slice(0, 6).map((s) => s.toUpperCase());
  if (RAW_HEAD.every((s, i) => upper[i] === s) && width > 6) {
    return { ...base, samplesAs: 'rows', plink: 'raw', first: 6, fidCol: 0, iidCol: 1, scheme: 'counts' };
  }
  if (TRAW_HEAD.every((s, i) => upper[i] === s) && width > 6) {
    return { ...base, samplesAs: 'columns', plink: 'traw', first: 6, chrCol: 0, snpCol: 1, cmCol: 2, posCol: 3, a1Col: 4, a2Col: 5, scheme: 'counts' };
  }
  if (width < 2) {
    throw new InputError('its header has a single column', { file: path, line: header.lineNo }, HINT_LAYOUT);
  }
  // Samples as columns may carry SNP description columns after the SNP ID.
  const info = { chrCol: -1, posCol: -1, cmCol: -1, a1Col: -1, a2Col: -1 };
  let first = 1;
  for (; first < width - 1; first++) {
    const s = h[first]!;
    if (CHR_HEAD.test(s)) info.chrCol = first;
    else if (POS_HEAD.test(s)) info.posCol = first;
    else if (CM_HEAD.test(s)) info.cmCol = first;
    else if (A1_HEAD.test(s)) info.a1Col = first;
    else if (A2_HEAD.test(s)) info.a2Col = first;
    else break;
  }
  const samplesAs = orientation(path, header.lineNo, h.slice(1, width), cells.map((c) => c[0] ?? ''), h[0]!, mapIds, first > 1);
  if (samplesAs === 'rows') first = 1;
  const scheme = detectScheme(cells, first, width);
  return samplesAs === 'rows'
    ? { ...base, samplesAs, plink: undefined, first, iidCol: 0, scheme }
    : { ...base, ...info, samplesAs, plink: undefined, first, snpCol: 0, scheme };
}

function orientation(
  path: string,
  lineNo: number,
  names: string[],
  firstCol: string[],
  corner: string,
  mapIds: ReadonlySet<string> | undefined,
  infoCols: boolean,
): 'rows' | 'columns' {
  if (mapIds) {
    const inHeader = names.filter((s) => mapIds.has(s)).length;
    const inColumn = firstCol.filter((s) => mapIds.has(s)).length;
    if (inHeader > 0 && inHeader / names.length > inColumn / firstCol.length) return 'rows';
    if (inColumn > 0 && inColumn / firstCol.length > inHeader / names.length) return 'columns';
  }
  if (infoCols) return 'columns';
  if (SAMPLE_CORNER.test(corner)) return 'rows';
  if (SNP_CORNER.test(corner)) return 'columns';
  const fh = names.filter(looksLikeSnpId).length / names.length;
  const fc = firstCol.filter(looksLikeSnpId).length / firstCol.length;
  if (fh >= 0.5 && fh > fc) return 'rows';
  if (fc >= 0.5 && fc > fh) return 'columns';
  throw new InputError(
    `cannot tell whether samples are rows or columns: neither the header (${quote(names.slice(0, 3).join(', '))}) nor the first column (${quote(firstCol.slice(0, 3).join(', '))}) looks like SNP IDs`,
    { file: path, line: lineNo },
    HINT_LAYOUT,
  );
}

/** Counts or letters: whichever most of the first rows' calls are. */
function detectScheme(cells: string[][], first: number, width: number): Scheme {
  let counts = 0;
  let letters = 0;
  for (const row of cells) {
    const end = Math.min(row.length, width);
    for (let i = first; i < end; i++) {
      const s = row[i]!;
      if (parseCount(s) >= 0) counts++;
      else if (parseLetterCall(s)) letters++;
    }
  }
  return letters > counts ? 'letters' : 'counts';
}
