/**
 * The QC screen's SNP counts computed a second way, from the files alone: the .bed decoded byte by
 * byte (PLINK 1 SNP-major: 00 = two copies of allele 1, 01 = missing, 10 = one copy, 11 = none),
 * the analysed individuals taken from the sheet (trait and covariates present), and GEMMA's filters
 * in GEMMA's order (missing rate > max, then MAF < min, then a single genotype class).
 */
import { readFileSync } from 'node:fs';

export interface SnpCounts {
  total: number;
  missing: number;
  maf: number;
  singleClass: number;
  kept: number;
}

/** Row indices in the .fam of the individuals whose listed columns are all present in the CSV sheet. */
export function analysedRows(famFile: string, sheetFile: string, columns: string[]): number[] {
  const [head, ...lines] = readFileSync(sheetFile, 'utf8').split('\n').filter((l) => l !== '');
  const names = (head ?? '').split(',');
  const cols = columns.map((c) => names.indexOf(c));
  if (cols.some((c) => c < 0)) throw new Error(`${sheetFile} lacks one of ${columns.join(', ')}`);
  const present = new Set<string>();
  for (const line of lines) {
    const cells = line.split(',');
    if (cols.every((c) => !['', 'NA', '.', '-9'].includes(cells[c] ?? ''))) present.add(cells[0] as string);
  }
  const iids = readFileSync(famFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split(/\s+/)[1] as string);
  return iids.flatMap((iid, i) => (present.has(iid) ? [i] : []));
}

export function referenceSnpCounts(bedFile: string, nFam: number, rows: number[], maf: number, maxMissing: number): SnpCounts {
  const bed = readFileSync(bedFile);
  const stride = Math.ceil(nFam / 4);
  const total = (bed.length - 3) / stride;
  const out: SnpCounts = { total, missing: 0, maf: 0, singleClass: 0, kept: 0 };
  for (let j = 0; j < total; j++) {
    const base = 3 + j * stride;
    const c = [0, 0, 0, 0]; // codes 00, 01, 10, 11
    for (const i of rows) c[((bed[base + (i >> 2)] as number) >> ((i & 3) * 2)) & 3]!++;
    const [hom1, miss, het, hom2] = c as [number, number, number, number];
    const called = rows.length - miss;
    const af = (2 * hom1 + het) / (2 * called);
    if (miss / rows.length > maxMissing) out.missing++;
    else if (!(Math.min(af, 1 - af) >= maf)) out.maf++;
    else if ((hom1 > 0 ? 1 : 0) + (het > 0 ? 1 : 0) + (hom2 > 0 ? 1 : 0) < 2) out.singleClass++;
    else out.kept++;
  }
  return out;
}
