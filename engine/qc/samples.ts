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

/** Key of a sheet row / fam row for matching. */
function keyer(useFid: boolean): (fid: string | undefined, iid: string) => string {
  return useFid ? (fid, iid) => `${fid ?? ''}\u0000${iid}` : (_fid, iid) => iid;
}

/** For each fam index, the row of `sheet` with the same ID, or -1. */
function matchRows(fam: Fam, sheet: Sheet, useFid: boolean): Int32Array {
  const key = keyer(useFid);
  const rowOf = new Map<string, number>();
  for (let r = 0; r < sheet.ids.length; r++) rowOf.set(key(sheet.fids?.[r], sheet.ids[r]!), r);
  const out = new Int32Array(fam.iid.length).fill(-1);
  for (let i = 0; i < fam.iid.length; i++) out[i] = rowOf.get(key(fam.fid[i], fam.iid[i]!)) ?? -1;
  return out;
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
 * Match a phenotype sheet (and optionally a covariate sheet) to the genotyped individuals, and
 * keep those with the trait and every covariate present (GEMMA's rule). Errors name the file and
 * what to do when nothing matches, the trait is constant, or too few individuals remain.
 */
export function selectSamples(fam: Fam, pheno: Sheet, trait: string, covar?: CovariateSpec): SampleSelection {
  requireColumns(pheno, [trait]);
  const traitValues = numericColumn(pheno, trait);
  const useFid = decideMatching(fam, pheno);
  const phenoRow = matchRows(fam, pheno, useFid);

  let covRow: Int32Array | undefined;
  const covValues: Float64Array[] = [];
  if (covar && covar.names.length > 0) {
    requireColumns(covar.sheet, covar.names);
    for (const name of covar.names) covValues.push(numericColumn(covar.sheet, name));
    covRow = matchRows(fam, covar.sheet, decideMatching(fam, covar.sheet));
  }

  const nFam = fam.iid.length;
  let matched = 0;
  let missingTrait = 0;
  let missingCovariate = 0;
  const keep: number[] = [];
  const famKeys = new Set<string>();
  const key = keyer(useFid);
  for (let i = 0; i < nFam; i++) famKeys.add(key(fam.fid[i], fam.iid[i]!));
  for (let i = 0; i < nFam; i++) {
    const r = phenoRow[i]!;
    if (r < 0) continue;
    matched++;
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

  const sheetOnly: string[] = [];
  let sheetOnlyCount = 0;
  for (let r = 0; r < pheno.ids.length; r++) {
    if (!famKeys.has(key(pheno.fids?.[r], pheno.ids[r]!))) {
      sheetOnlyCount++;
      if (sheetOnly.length < 5) sheetOnly.push(pheno.ids[r]!);
    }
  }

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
