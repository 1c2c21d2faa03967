/**
 * Which individuals a scan analyses: a sheet matched to the .fam (matchSheet, shared with the
 * ID-matching report of engine/store/matching.ts), then GEMMA's rule: the trait and every covariate
 * present (selectSamples).
 */
import { basename } from 'node:path';
import { InputError } from '../io/errors.js';
import type { Fam } from '../io/plink.js';
import { isMissingValue, numericColumn, requireColumns, type Sheet } from '../io/sheet.js';
import { dummyCode } from './dummy-coding.js';

/** Which individuals enter the fit, and why the others do not. */
export interface SampleReport {
  /** Individuals in the .fam. */
  genotyped: number;
  /** Rows of the phenotype sheet. */
  sheetRows: number;
  /** Sheet rows whose ID is in the .fam. */
  matched: number;
  /** Sheet IDs not in the .fam (a few examples; the count is sheetOnlyCount). */
  sheetOnly: string[];
  sheetOnlyCount: number;
  /** Genotyped individuals with no row in the sheet. */
  genotypedOnly: number;
  /** Matched individuals dropped because the trait is missing. */
  missingTrait: number;
  /** Dropped because a covariate is missing (after the trait check). */
  missingCovariate: number;
  /** Dropped for a call rate below minCallRate (sample-call-rate.ts; after the covariate check). Absent in runs recorded before the setting. */
  lowCallRate?: number;
  /** How IDs were matched: by IID, by FID and IID, or by row order (GEMMA's headerless files). */
  matchedBy: MatchedBy;
  /** Individuals analysed. */
  analysed: number;
  /** Observations analysed: more than `analysed` when individuals have several sheet rows (repeated measures, Z != I). */
  observations?: number;
}

export interface SampleSelection {
  /**
   * Per observation, the .fam index of its individual, in .fam order (an individual's several
   * observations, in sheet order, next to each other). Without repeated measures, one per analysed
   * individual; with them, this is Z: the kinship over observations is Z K Z^T (docs/model.md).
   */
  famIndex: Int32Array;
  /** The trait per observation. */
  y: Float64Array;
  /** Covariate columns (intercept not included), each over the analysed individuals; a text covariate as its indicator columns. */
  covariates: Float64Array[];
  /** One name per column: the sheet's column name, or 'column=level' for an indicator of a text covariate. */
  covariateNames: string[];
  report: SampleReport;
}

/** The distinct individuals (.fam indices, ascending) of a selection's observations. */
export function individualsOf(famIndex: Int32Array): Int32Array {
  let distinct = 0;
  for (let k = 0; k < famIndex.length; k++) if (k === 0 || famIndex[k] !== famIndex[k - 1]) distinct++;
  if (distinct === famIndex.length) return famIndex;
  const out = new Int32Array(distinct);
  for (let k = 0, d = 0; k < famIndex.length; k++) if (k === 0 || famIndex[k] !== famIndex[k - 1]) out[d++] = famIndex[k]!;
  return out;
}

export interface CovariateSpec {
  sheet: Sheet;
  names: string[];
}

/** How a sheet's rows were matched to the genotyped individuals. */
export type MatchedBy = 'IID' | 'FID+IID' | 'row order';

/** How a sheet's rows correspond to the genotyped individuals. */
export interface SheetMatch {
  /** Matched on FID and IID (the sheet has an FID column), on IID alone, or row r to individual r (a positional sheet). */
  matchedBy: MatchedBy;
  /** For each .fam index, the (first) sheet row with the same ID, or -1. */
  rowOf: Int32Array;
  /** For .fam indices with several sheet rows (repeated observations), their further rows in sheet order. */
  moreRows: Map<number, number[]>;
  /** Genotyped individuals with a sheet row. */
  matched: number;
  /** .fam indices with no row in the sheet, in .fam order. */
  genotypedOnly: Int32Array;
  /** Sheet rows whose ID is not in the .fam, in sheet order. */
  sheetOnly: Int32Array;
}

/** Key of a sheet row / fam row for matching. */
function keyer(useFid: boolean): (fid: string | undefined, iid: string) => string {
  return useFid ? (fid, iid) => `${fid ?? ''}\u0000${iid}` : (_fid, iid) => iid;
}

function decideMatching(fam: Fam, sheet: Sheet): boolean {
  if (sheet.fids) return true;
  if (!fam.iidUnique) {
    throw new InputError(
      `individual IDs repeat across families in ${basename(fam.path)}, and the sheet has no FID column`,
      { file: sheet.path },
      'Add an FID column (family ID) next to the IID column so each row names one individual',
    );
  }
  return false;
}

/**
 * A positional sheet (GEMMA's headerless -p / -c file): row r is the r-th individual of the .fam,
 * so the two must have the same number of rows.
 */
function matchByRow(fam: Fam, sheet: Sheet): SheetMatch {
  const nFam = fam.iid.length;
  const n = sheet.ids.length;
  if (n !== nFam) {
    throw new InputError(
      `has ${n} row${n === 1 ? '' : 's'} but ${basename(fam.path)} lists ${nFam} genotyped individuals; a file without a header row (GEMMA's format) is matched by row order, so it needs one row per genotyped individual`,
      { file: sheet.path },
      `Give one line per individual of ${basename(fam.path)}, in its order (NA for a missing value), or add a header row with an ID column so rows are matched by ID`,
    );
  }
  return { matchedBy: 'row order', rowOf: Int32Array.from({ length: nFam }, (_, i) => i), moreRows: new Map(), matched: nFam, genotypedOnly: new Int32Array(0), sheetOnly: new Int32Array(0) };
}

/**
 * Match a sheet's rows to the genotyped individuals: by FID and IID when the sheet has an FID
 * column, else by IID (which then must be unique in the .fam). The .fam's IDs are unique (its
 * reader checks); a sheet ID may have several rows, the individual's repeated observations.
 */
export function matchSheet(fam: Fam, sheet: Sheet): SheetMatch {
  if (sheet.positional) return matchByRow(fam, sheet);
  const useFid = decideMatching(fam, sheet);
  const key = keyer(useFid);
  const rowsOfKey = new Map<string, number | number[]>();
  for (let r = 0; r < sheet.ids.length; r++) {
    const k = key(sheet.fids?.[r], sheet.ids[r]!);
    const had = rowsOfKey.get(k);
    rowsOfKey.set(k, had === undefined ? r : typeof had === 'number' ? [had, r] : (had.push(r), had));
  }
  const nFam = fam.iid.length;
  const rowOf = new Int32Array(nFam).fill(-1);
  const moreRows = new Map<number, number[]>();
  const hit = new Uint8Array(sheet.ids.length);
  const genotypedOnly: number[] = [];
  let matched = 0;
  for (let i = 0; i < nFam; i++) {
    const rows = rowsOfKey.get(key(fam.fid[i], fam.iid[i]!));
    if (rows === undefined) {
      genotypedOnly.push(i);
      continue;
    }
    const first = typeof rows === 'number' ? rows : rows[0]!;
    rowOf[i] = first;
    hit[first] = 1;
    if (typeof rows !== 'number') {
      moreRows.set(i, rows.slice(1));
      for (const r of rows) hit[r] = 1;
    }
    matched++;
  }
  const sheetOnly: number[] = [];
  for (let r = 0; r < hit.length; r++) if (!hit[r]) sheetOnly.push(r);
  return { matchedBy: useFid ? 'FID+IID' : 'IID', rowOf, moreRows, matched, genotypedOnly: Int32Array.from(genotypedOnly), sheetOnly: Int32Array.from(sheetOnly) };
}

/** A column of 1s in every row of a positional (GEMMA -c) sheet: GEMMA's intercept column. */
function isInterceptColumn(sheet: Sheet, name: string): boolean {
  const v = sheet.positional ? sheet.values.get(name) : undefined;
  return v !== undefined && v.length > 0 && v.every((x) => x === 1);
}

/**
 * Match a phenotype sheet (and optionally a covariate sheet) to the genotyped individuals, and
 * keep those with the trait and every covariate present (GEMMA's rule). Errors name the file and
 * what to do when nothing matches, the trait is constant, or too few individuals remain.
 */
export function selectSamples(fam: Fam, pheno: Sheet, trait: string, covar?: CovariateSpec): SampleSelection {
  requireColumns(pheno, [trait]);
  const traitValues = numericColumn(pheno, trait);
  const match = matchSheet(fam, pheno);
  const useFid = match.matchedBy === 'FID+IID';
  const phenoRow = match.rowOf;

  let covRow: Int32Array | undefined;
  // Covariates in the phenotype sheet itself: an observation's covariates are on its own row.
  let covSameRows = false;
  // Per covariate: numbers (NaN missing), or a text column to dummy-code once the individuals are known.
  const covColumns: ({ values: Float64Array } | { text: string[] })[] = [];
  // GEMMA's headerless covariate files carry the intercept as a column of 1s; Kinscan always fits it (the reader said so).
  const covNames = covar ? covar.names.filter((name) => !isInterceptColumn(covar.sheet, name)) : [];
  if (covar && covar.names.length > 0) {
    requireColumns(covar.sheet, covar.names);
    for (const name of covNames) {
      const text = covar.sheet.text.get(name);
      covColumns.push(text ? { text } : { values: numericColumn(covar.sheet, name) });
    }
    if (covar.sheet.path === pheno.path) covSameRows = true;
    else {
      const cm = matchSheet(fam, covar.sheet);
      if (cm.moreRows.size > 0) {
        const [i, more] = cm.moreRows.entries().next().value as [number, number[]];
        throw new InputError(
          `has ${more.length + 1} rows for the individual ${fam.iid[i]} (lines ${[cm.rowOf[i]!, ...more].map((r) => covar.sheet.line[r]).join(', ')}), but it is a covariate sheet apart from the phenotype sheet, so which row goes with which observation is not known`,
          { file: covar.sheet.path },
          'Give one covariate row per individual, or put the covariates into the phenotype sheet, one row per observation',
        );
      }
      covRow = cm.rowOf;
    }
  }
  const covMissing = (cr: number): boolean => covColumns.some((c) => ('values' in c ? Number.isNaN(c.values[cr]!) : isMissingValue(c.text[cr]!)));

  const nFam = fam.iid.length;
  const matched = match.matched;
  let missingTrait = 0;
  let missingCovariate = 0;
  // One observation per usable sheet row: its individual, its phenotype row and its covariate row.
  const keep: number[] = [];
  const keepRow: number[] = [];
  const keepCovRow: number[] = [];
  for (let i = 0; i < nFam; i++) {
    const first = phenoRow[i]!;
    if (first < 0) continue;
    for (const r of [first, ...(match.moreRows.get(i) ?? [])]) {
      if (Number.isNaN(traitValues[r]!)) {
        missingTrait++;
        continue;
      }
      let cr = -1;
      if (covSameRows) cr = r;
      else if (covRow) cr = covRow[i]!;
      if ((covSameRows || covRow) && (cr < 0 || covMissing(cr))) {
        missingCovariate++;
        continue;
      }
      keep.push(i);
      keepRow.push(r);
      keepCovRow.push(cr);
    }
  }

  const sheetOnly = Array.from(match.sheetOnly.subarray(0, 5), (r) => pheno.ids[r]!);
  const sheetOnlyCount = match.sheetOnly.length;

  if (matched === 0) {
    throw new InputError(
      `no individual ID in the sheet matches the ${useFid ? 'FID and IID' : 'IID'} column of ${basename(fam.path)} ` +
        `(sheet IDs look like ${pheno.ids.slice(0, 3).map((s) => `'${s}'`).join(', ')}; .fam IIDs look like ${fam.iid
          .slice(0, 3)
          .map((s) => `'${s}'`)
          .join(', ')})`,
      { file: pheno.path },
      `Check that the ID column ('${pheno.idColumn}') holds the same IDs as the .fam file's second column`,
    );
  }

  const famIndex = Int32Array.from(keep);
  const n = famIndex.length;
  const y = Float64Array.from(keepRow, (r) => traitValues[r]!);
  const individuals = individualsOf(famIndex).length;
  const covariates: Float64Array[] = [];
  const covariateNames: string[] = [];
  const covariateOf: string[] = [];
  // Fewer than 3 individuals is refused below, before a text covariate's levels would be judged.
  if ((covRow || covSameRows) && n >= 3) {
    const rows = Int32Array.from(keepCovRow);
    covColumns.forEach((c, j) => {
      const name = covNames[j]!;
      if ('values' in c) {
        covariates.push(Float64Array.from(rows, (r) => c.values[r]!));
        covariateNames.push(name);
        covariateOf.push(name);
      } else {
        const coded = dummyCode(covar!.sheet, name, rows);
        covariates.push(...coded.columns);
        covariateNames.push(...coded.names);
        for (let k = 0; k < coded.names.length; k++) covariateOf.push(name);
      }
    });
  }

  const report: SampleReport = {
    genotyped: nFam,
    sheetRows: pheno.ids.length,
    matched,
    sheetOnly,
    sheetOnlyCount,
    genotypedOnly: nFam - matched,
    missingTrait,
    missingCovariate,
    matchedBy: match.matchedBy,
    analysed: individuals,
    ...(individuals < n ? { observations: n } : {}),
  };

  if (individuals < 3) {
    throw new InputError(
      `only ${individuals} individual${individuals === 1 ? '' : 's'} ha${individuals === 1 ? 's' : 've'} the trait '${trait}'${covar ? ' and every covariate' : ''} ` +
        `(${matched} matched the genotypes, ${missingTrait} missing the trait, ${missingCovariate} missing a covariate)`,
      { file: pheno.path },
      'A mixed-model scan needs many individuals with the trait; check the trait name and the missing-value codes (NA, -9, empty)',
    );
  }
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < n; k++) {
    min = Math.min(min, y[k]!);
    max = Math.max(max, y[k]!);
  }
  if (min === max) {
    throw new InputError(
      `the trait '${trait}' has the same value (${min}) in all ${n} analysed individuals`,
      { file: pheno.path },
      'A constant trait cannot be tested; pick another column or check the sheet',
    );
  }
  for (let c = 0; c < covariates.length; c++) {
    const v = covariates[c]!;
    if (v.every((x) => x === v[0])) {
      throw new InputError(
        `the covariate '${covariateNames[c]}' is constant over the analysed individuals (the intercept is always included)`,
        { file: covar!.sheet.path },
        `Leave '${covariateOf[c]}' out of --covar-names`,
      );
    }
  }
  return { famIndex, y, covariates, covariateNames, report };
}
