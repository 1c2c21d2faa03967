/**
 * Where the SNPs of a genotype matrix sit: a map file (SNP, chromosome, position), or the SNP
 * names themselves (1:12345, chr1_12345, 1:12345:A:G).
 *
 * Map files: CSV, TSV or blank-separated, header optional. With a header the columns are found by
 * name (SNP/rs/marker/id, chr/chrom/chromosome, pos/position/bp, optional cm); without one by
 * their count: 3 columns SNP chr pos (or GEMMA's rs pos chr, told apart by which column holds the
 * large numbers), 4 a PLINK .map (chr SNP cM pos), 6 a PLINK .bim (chr SNP cM pos allele1 allele0).
 */
import { InputError } from './errors.js';
import { forEachLine, isBlank, parseStrictNumber, quote } from './text-lines.js';

export interface MapEntry {
  chr: string;
  pos: number;
  cm: number;
  /** From a .bim: its allele1 and allele0. */
  alleles?: [string, string];
}

const WHAT = 'SNP map file';

const SNP_NAMES = /^(snp|snps|snp_?id|snp\.?name|rs|rs#|rsid|rs_?id|id|marker|markers|marker_?name|name|variant|variant_?id|locus|probe|probe_?id|probeset_?id)$/i;
const CHR_NAMES = /^(#?chr|#?chrom|chromosome|chr_?name|chr_?id)$/i;
const POS_NAMES = /^(pos|position|bp|bp_?pos|base_?pair|physical_?position|coordinate|start|pos_?bp)$/i;
const CM_NAMES = /^(cm|centimorgan|genetic_?position|genetic_?pos|map_?position)$/i;

function splitMapLine(line: string): string[] {
  const sep = line.includes('\t') ? '\t' : line.includes(',') ? ',' : line.includes(';') ? ';' : undefined;
  const parts = sep ? line.split(sep).map((s) => s.trim().replace(/^"(.*)"$/, '$1')) : line.trim().split(/[ ]+/);
  return parts;
}

/** Read a map file into SNP ID -> place (the first entry of a repeated ID is kept). */
export function readSnpMap(path: string): Map<string, MapEntry> {
  const rows: { t: string[]; lineNo: number }[] = [];
  let cols: { snp: number; chr: number; pos: number; cm: number; a1: number; a2: number } | undefined;
  let headerLine = 0;
  forEachLine(path, WHAT, (line, lineNo) => {
    if (isBlank(line)) return;
    const t = splitMapLine(line);
    if (rows.length === 0 && headerLine === 0) {
      const snp = t.findIndex((s) => SNP_NAMES.test(s));
      const chr = t.findIndex((s) => CHR_NAMES.test(s));
      const pos = t.findIndex((s) => POS_NAMES.test(s));
      if (snp >= 0 || chr >= 0 || pos >= 0) {
        if (snp < 0 || chr < 0 || pos < 0) {
          const missing = [snp < 0 ? 'SNP ID' : '', chr < 0 ? 'chromosome' : '', pos < 0 ? 'position' : ''].filter(Boolean).join(' and ');
          throw new InputError(
            `its header has no ${missing} column (columns: ${t.map((s) => quote(s, 20)).join(', ')})`,
            { file: path, line: lineNo },
            'Name the columns SNP, chr and pos (or give the file without a header, as SNP chr pos)',
          );
        }
        cols = { snp, chr, pos, cm: t.findIndex((s) => CM_NAMES.test(s)), a1: -1, a2: -1 };
        headerLine = lineNo;
        return;
      }
    }
    rows.push({ t, lineNo });
  });
  if (rows.length === 0) {
    throw new InputError('has no SNPs', { file: path }, 'A map file lists each SNP with its chromosome and position: SNP, chr, pos');
  }
  if (!cols) cols = columnsByCount(path, rows);
  const need = Math.max(cols.snp, cols.chr, cols.pos, cols.cm, cols.a2) + 1;
  const map = new Map<string, MapEntry>();
  for (const { t, lineNo } of rows) {
    if (t.length < need) {
      throw new InputError(
        `has ${t.length} column${t.length === 1 ? '' : 's'} on this line, ${need} needed`,
        { file: path, line: lineNo },
        'Every line of a map file needs the SNP ID, chromosome and position; check the separator (tabs, commas or blanks, the same on every line)',
      );
    }
    const snp = t[cols.snp]!;
    const p = t[cols.pos]!;
    const pos = p === 'NA' || p === '' ? 0 : parseStrictNumber(p);
    if (!Number.isInteger(pos)) {
      throw new InputError(
        `position ${quote(p)} of SNP ${snp} is not a whole number`,
        { file: path, line: lineNo },
        headerLine === 0 ? 'Without a header a 3-column map is read as SNP, chr, pos; add a header naming the columns if they are in another order' : 'The position column holds base-pair positions',
      );
    }
    const cmText = cols.cm >= 0 ? t[cols.cm]! : '';
    const cm = cols.cm >= 0 ? parseStrictNumber(cmText) : 0;
    if (map.has(snp)) continue;
    const entry: MapEntry = { chr: t[cols.chr] || '0', pos, cm: Number.isFinite(cm) ? cm : 0 };
    if (cols.a1 >= 0) entry.alleles = [t[cols.a1]!, t[cols.a2]!];
    map.set(snp, entry);
  }
  return map;
}

function columnsByCount(path: string, rows: { t: string[]; lineNo: number }[]): { snp: number; chr: number; pos: number; cm: number; a1: number; a2: number } {
  const w = rows[0]!.t.length;
  if (w === 4) return { chr: 0, snp: 1, cm: 2, pos: 3, a1: -1, a2: -1 };
  if (w === 6) return { chr: 0, snp: 1, cm: 2, pos: 3, a1: 4, a2: 5 };
  if (w === 3) {
    // SNP chr pos, or GEMMA's rs pos chr: positions are the larger numbers.
    let second = 0;
    let third = 0;
    for (const { t } of rows.slice(0, 1000)) {
      const b = parseStrictNumber(t[1] ?? '');
      const c = parseStrictNumber(t[2] ?? '');
      if (Number.isNaN(c) || b > c) second++;
      else if (Number.isNaN(b) || c > b) third++;
    }
    return second > third ? { snp: 0, pos: 1, chr: 2, cm: -1, a1: -1, a2: -1 } : { snp: 0, chr: 1, pos: 2, cm: -1, a1: -1, a2: -1 };
  }
  throw new InputError(
    `has ${w} column${w === 1 ? '' : 's'} and no header naming them`,
    { file: path, line: rows[0]!.lineNo },
    'Give a map with a header (SNP, chr, pos), or 3 columns SNP chr pos, a PLINK .map (4 columns) or a .bim (6 columns)',
  );
}

const NAME_PLACE = /^((?:chr)?(?:\d{1,3}|X|Y|XY|M|MT|W|Z|Un))[:_](\d+)(?:[:_].*)?$/i;

/** Chromosome and position written in a SNP name (1:12345, chr1_12345, 1:12345:A:G), or undefined. */
export function placeFromName(id: string): { chr: string; pos: number } | undefined {
  const m = NAME_PLACE.exec(id);
  if (!m) return undefined;
  return { chr: m[1]!, pos: Number(m[2]) };
}
