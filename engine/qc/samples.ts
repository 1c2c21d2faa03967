/**
 * Which individuals a scan analyses: a sheet matched to the .fam (matchSheet, shared with the
 * ID-matching report of engine/store/matching.ts), then GEMMA's rule: the trait and every covariate
 * present (selectSamples).
 */
import { basename } from 'node:path';
import { InputError } from '../io/errors.js';
import type { Fam } from '../io/plink.js';
import { numericColumn, requireColumns, type Sheet } from '../io/sheet.js';

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
  /** How IDs were matched: by IID, or by FID and IID. */
  matchedBy: 'IID' | 'FID+IID';
  analysed: number;
}

export interface SampleSelection {
  /** Indices into the .fam of the analysed individuals, in .fam order. */
  famIndex: Int32Array;
  /** The trait for the analysed individuals. */
  y: Float64Array;
  /** Covariate columns (intercept not included), each over the analysed individuals. */
  covariates: Float64Array[];
  covariateNames: string[];
  report: SampleReport;
}

export interface CovariateSpec {
  sheet: Sheet;
  names: string[];
}

/** How a sheet's rows correspond to the genotyped individuals. */
export interface SheetMatch {
  /** Matched on FID and IID (the sheet has an FID column), or on IID alone. */
  matchedBy: 'IID' | 'FID+IID';
  /** For each .fam index, the sheet row with the same ID, or -1. */
  rowOf: Int32Array;
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
 * Match a sheet's rows to the genotyped individuals: by FID and IID when the sheet has an FID
 * column, else by IID (which then must be unique in the .fam). Both sides' IDs are unique (the
 * readers check), so the match is one to one.
 */
export function matchSheet(fam: Fam, sheet: Sheet): SheetMatch {
  const useFid = decideMatching(fam, sheet);
  const key = keyer(useFid);
  const rowOfKey = new Map<string, number>();
  for (let r = 0; r < sheet.ids.length; r++) rowOfKey.set(key(sheet.fids?.[r], sheet.ids[r]!), r);
  const nFam = fam.iid.length;
  const rowOf = new Int32Array(nFam).fill(-1);
  const hit = new Uint8Array(sheet.ids.length);
  const genotypedOnly: number[] = [];
  let matched = 0;
  for (let i = 0; i < nFam; i++) {
    const r = rowOfKey.get(key(fam.fid[i], fam.iid[i]!));
    if (r === undefined) {
      genotypedOnly.push(i);
      continue;
    }
    rowOf[i] = r;
    hit[r] = 1;
    matched++;
  }
  const sheetOnly: number[] = [];
  for (let r = 0; r < hit.length; r++) if (!hit[r]) sheetOnly.push(r);
  return { matchedBy: useFid ? 'FID+IID' : 'IID', rowOf, matched, genotypedOnly: Int32Array.from(genotypedOnly), sheetOnly: Int32Array.from(sheetOnly) };
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
  const covValues: Float64Array[] = [];
  if (covar && covar.names.length > 0) {
    requireColumns(covar.sheet, covar.names);
    for (const name of covar.names) covValues.push(numericColumn(covar.sheet, name));
    covRow = matchSheet(fam, covar.sheet).rowOf;
  }

  const nFam = fam.iid.length;
  const matched = match.matched;
  let missingTrait = 0;
  let missingCovariate = 0;
  const keep: number[] = [];
  for (let i = 0; i < nFam; i++) {
    const r = phenoRow[i]!;
    if (r < 0) continue;
    if (Number.isNaN(traitValues[r]!)) {
      missingTrait++;
      continue;
    }
    if (covRow) {
      const cr = covRow[i]!;
      if (cr < 0 || covValues.some((v) => Number.isNaN(v[cr]!))) {
        missingCovariate++;
        continue;
      }
    }
    keep.push(i);
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
  const y = new Float64Array(n);
  for (let k = 0; k < n; k++) y[k] = traitValues[phenoRow[famIndex[k]!]!]!;
  const covariates = covValues.map((v) => {
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = v[covRow![famIndex[k]!]!]!;
    return out;
  });

  const report: SampleReport = {
    genotyped: nFam,
    sheetRows: pheno.ids.length,
    matched,
    sheetOnly,
    sheetOnlyCount,
    genotypedOnly: nFam - matched,
    missingTrait,
    missingCovariate,
    matchedBy: useFid ? 'FID+IID' : 'IID',
    analysed: n,
  };

  if (n < 3) {
    throw new InputError(
      `only ${n} individual${n === 1 ? '' : 's'} ha${n === 1 ? 's' : 've'} the trait '${trait}'${covar ? ' and every covariate' : ''} ` +
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
        `the covariate '${covar!.names[c]}' is constant over the analysed individuals (the intercept is always included)`,
        { file: covar!.sheet.path },
        'Leave this covariate out of --covar-names',
      );
    }
  }
  return { famIndex, y, covariates, covariateNames: covar?.names ?? [], report };
}
