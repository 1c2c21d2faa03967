/**
 * The phenotypes of a .fam (column 6 and any further columns, as GEMMA reads them) as a Sheet, so
 * that a scan without a phenotype sheet takes the same path as one with: IDs are the .fam's IIDs
 * with its FIDs, columns are named '1', '2', ... as GEMMA's -n numbers them.
 */
import type { Fam } from './plink.js';
import type { Sheet } from './sheet.js';

/** Column name of the .fam's phenotype `k` (0-based): '1' is column 6, as GEMMA's -n 1. */
export function famPhenotypeName(k: number): string {
  return String(k + 1);
}

export function famSheet(fam: Fam): Sheet {
  const columns = fam.phenos.map((_, k) => famPhenotypeName(k));
  const values = new Map<string, Float64Array>();
  const text = new Map<string, string[]>();
  const textFirst = new Map<string, { line: number; value: string }>();
  fam.phenos.forEach((v, k) => {
    const bad = fam.phenoText[k];
    if (bad === undefined) values.set(columns[k]!, v);
    else {
      // A column with words (e.g. case/control): numericColumn then names the first one, as famPhenotype does.
      text.set(columns[k]!, Array.from(v, (x) => (Number.isNaN(x) ? 'NA' : String(x))));
      textFirst.set(columns[k]!, bad);
    }
  });
  return {
    path: fam.path,
    idColumn: 'IID',
    fidColumn: 'FID',
    ids: fam.iid,
    fids: fam.fid,
    columns,
    values,
    text,
    textFirst,
    line: fam.line,
    headerLine: 0,
    delimiter: 'whitespace',
    warnings: [],
  };
}
