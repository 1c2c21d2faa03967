import { createHash } from 'node:crypto';
import { heritabilityReport, type HeritabilityReport } from '../stats/heritability/heritability.js';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { InputError } from '../io/errors.js';
import { readSquareMatrix, type SquareMatrix } from '../io/matrix-text.js';
import type { DosageSource } from '../io/genotype-source.js';
import { openPlink, type BedFile, type Fam, type PlinkSet } from '../io/plink.js';
import { readSheet, type Sheet } from '../io/sheet.js';
import { famSheet } from '../io/sheet-fam.js';
import { markCollinear } from '../qc/collinear.js';
import { findDuplicateSnps, sameIdWarning } from '../qc/duplicates.js';
import { dropLowCallRate, sampleMissingCounts } from '../qc/sample-call-rate.js';
import { individualsOf, selectSamples, type SampleSelection } from '../qc/samples.js';
import { snpQc, SnpStatus, type SnpQcReport, type SnpStats } from '../qc/snps.js';
import { symEigenFast } from '../stats/kernels/eigen.js';
import { computeKinship, subsetAndCenter, type Kinship, type KinshipMode } from '../stats/kinship.js';
import { computeKinshipThreaded } from '../stats/kinship-threads.js';
import { pedigreeKinship, type PedigreeKinship, type PedigreeNote } from '../stats/pedigree-relationship.js';
import { kinshipInputFile } from '../protocol/settings.js';
import { independentColumns, leastSquares } from '../stats/linalg.js';
import { fitModel } from '../stats/lmm/fit.js';
import type { EigenModel, MlFit } from '../stats/lmm/model.js';
import { ProfileLikelihood } from '../stats/lmm/profile.js';
import { principalCovariates, type PrincipalCovariates } from './pcs.js';
import type { ScanSettings } from './settings.js';

/** Eigenvalues below this are set to 0 (GEMMA). */
export const EIGEN_ZERO = 1e-10;

export interface Timings {
  [step: string]: number;
}

/** A trait ready to scan: the chosen individuals and SNPs, the eigenbasis, the rotated phenotype and covariates, the null fit. */
export interface PreparedScan extends ScanSelection, TraitBasisFit {
  settings: ScanSettings;
  /** SNPs that built the kinship (0 for a kinship file or a pedigree). */
  kinshipSnps: number;
  /** A pedigree kinship's file, size, inbreeding and warnings. */
  kinshipPedigree?: PedigreeNote;
  /** The null model's h2 with its profile, posterior and bootstrap intervals (null: could not be computed, see warnings). */
  heritability: HeritabilityReport | null;
  timings: Timings;
}

/** The stages of a scan, in order (the protocol's run stages between 'queued' and 'done'). */
export const SCAN_STAGES = ['reading', 'qc', 'kinship', 'eigen', 'null-fit', 'scan'] as const;
export type ScanStage = (typeof SCAN_STAGES)[number];

/** Rate and time left, given with the 'scan' stage. */
export interface StageRate {
  /** Units per second since the stage started. */
  rate: number;
  /** Seconds left at that rate (null while unknown). */
  etaSeconds: number | null;
}

/** Progress of a stage: done of total units (SNPs for kinship and scan; 0 of 1, then 1 of 1, for the others). */
export type Progress = (stage: ScanStage, done: number, total: number, rate?: StageRate) => void;

/** The opened inputs of a scan: genotypes (a .bed on disk or any BedFile, e.g. from a project), sheets. */
export interface ScanInputs {
  plink: PlinkSet;
  pheno: Sheet;
  covar?: Sheet;
  /** The matrix of a `{ file }` kinship, or a `{ pedigree }` kinship's A over the .fam individuals, already made (e.g. in a project); otherwise the file is read. */
  kinship?: SquareMatrix | PedigreeKinship;
}

function worksheet(name: string | undefined): { worksheet?: string } {
  return name !== undefined ? { worksheet: name } : {};
}

/** Open the files named in the settings. */
export function openScanInputs(settings: ScanSettings): ScanInputs {
  const plink = openPlink(settings.bfile);
  try {
    // No phenotype file: the .fam's phenotype columns, as a sheet (columns '1', '2', ...).
    const pheno = settings.pheno ? readSheet(settings.pheno, worksheet(settings.phenoWorksheet)) : famSheet(plink.fam);
    const covar = settings.covar && settings.covarNames.length > 0 ? readSheet(settings.covar, worksheet(settings.covarWorksheet)) : undefined;
    return covar ? { plink, pheno, covar } : { plink, pheno };
  } catch (e) {
    plink.bed.close();
    throw e;
  }
}

/**
 * A store for the expensive, reusable pieces of a prepared scan (a project caches them so that a
 * second run on the same individuals and SNPs recomputes nothing). Keys are content hashes.
 */
export interface PrepareCache {
  getKinship(key: string): Float64Array | undefined;
  putKinship(key: string, data: Float64Array, snps: number): void;
  getEigen(key: string): { s: Float64Array; u: Float64Array } | undefined;
  putEigen(key: string, s: Float64Array, u: Float64Array): void;
}

function sha256(...parts: (string | ArrayBufferView)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? p : new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  return h.digest('hex');
}

/** Rotate a vector: out = U^T v, with ut = U^T row-major (row i is eigenvector i). */
export function rotateVector(ut: Float64Array, n: number, v: Float64Array): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let acc = 0;
    for (let k = 0; k < n; k++) acc += ut[row + k]! * v[k]!;
    out[i] = acc;
  }
  return out;
}

/** The intercept and covariates (the sheet's, then the PCs) must be linearly independent, or the fixed effects are not identifiable. */
function checkCovariatesIndependent(w: Float64Array[], names: string[], pcNames: string[], file: string): void {
  const p = w.length;
  const gram = new Float64Array(p * p);
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) {
      let acc = 0;
      for (let i = 0; i < w[a]!.length; i++) acc += w[a]![i]! * w[b]![i]!;
      gram[a * p + b] = acc;
    }
  const kept = independentColumns(gram, p);
  if (kept.length < p) {
    const dropped = Array.from({ length: p }, (_, j) => j).filter((j) => !kept.includes(j));
    const at = dropped[0]! - 1;
    if (at >= names.length) {
      // The PCs are orthogonal to the intercept and to each other: a PC can only repeat the sheet's covariates.
      const pc = pcNames[at - names.length]!;
      throw new InputError(
        `${pc}, the principal component added by --pcs, is a linear combination of the intercept, the covariates and the PCs before it, over the analysed individuals`,
        { file },
        `Lower --pcs to ${at - names.length}, or leave out of --covar-names the covariates that already describe that structure`,
      );
    }
    const name = names[at]!;
    // Say which columns it repeats: its least-squares fit on the independent columns before it.
    const before = kept.filter((j) => j < dropped[0]!);
    const coef = leastSquares(before.map((j) => w[j]!), w[dropped[0]!]!);
    const terms = before
      .map((j, k) => ({ j, c: coef[k]! }))
      .filter((t) => Math.abs(t.c) > 1e-9)
      .map((t) => `${t.c.toPrecision(4).replace(/\.?0+$/, '')} × ${t.j === 0 ? 'the intercept' : `'${names[t.j - 1]}'`}`);
    throw new InputError(
      `the covariate '${name}' is a linear combination of the intercept and the covariates before it over the ${w[0]!.length} analysed individuals ('${name}' = ${terms.join(' + ') || '0'})`,
      { file },
      `Leave '${name}' out of --covar-names (the intercept is always included; a set of group indicators needs one group left out)`,
    );
  }
}

/** The individuals and SNPs of a scan, chosen before any kinship is built. */
export interface ScanSelection {
  plink: PlinkSet;
  samples: SampleSelection;
  snpStats: SnpStats;
  snpReport: SnpQcReport;
  /** 1 for SNPs that pass QC (they build the kinship and are tested). */
  include: Uint8Array;
  tested: Int32Array;
  /** Stated warnings of the selection (e.g. a SNP ID at two positions), for the run log and summary. */
  warnings?: string[];
}

/** What depends on the kinship: its eigenbasis, the rotated phenotype and covariates, the null fit. */
export interface TraitBasisFit {
  n: number;
  /** Eigenvalues of the re-centred kinship of the analysed individuals (those below 1e-10 set to 0). */
  s: Float64Array;
  /** U^T, row-major n x n: row i is the eigenvector of s[i]. Rotating is x* = U^T x. */
  u: Float64Array;
  yStar: Float64Array;
  wStar: Float64Array[];
  /** The PCs added as covariates (setting pcs), after the sheet's covariates in wStar. */
  pcs: PrincipalCovariates;
  nullFit: MlFit;
  kinshipScale: number;
}

/**
 * Match samples and apply the filters (sections "Data" and "QC" of docs/model.md): the samples'
 * (trait and covariates present, then the call rate over all SNPs, as PLINK's --mind), then the
 * SNPs' among the individuals left (duplicates, missing rate, MAF, one class, HWE), then, with
 * covariates beyond the intercept, GEMMA's collinearity rule on the SNPs that passed.
 */
export function selectScan(settings: ScanSettings, opened: ScanInputs): ScanSelection {
  const { plink, pheno } = opened;
  const covar = opened.covar && settings.covarNames.length > 0 ? { sheet: opened.covar, names: settings.covarNames } : undefined;
  let samples = selectSamples(plink.fam, pheno, settings.trait, covar);
  if (settings.minCallRate > 0) samples = dropLowCallRate(samples, sampleMissingCounts(plink.bed), plink.bed.nSnps, settings.minCallRate, plink.bed.path);
  else samples = { ...samples, report: { ...samples.report, lowCallRate: 0 } };
  const dups = findDuplicateSnps(plink.bim);
  const opts = { maf: settings.maf, maxMissing: settings.maxMissing, hwe: settings.hwe };
  // SNP filters count each individual once, however many observations it has.
  const { stats: snpStats, report: snpReport } = snpQc(plink.bed, individualsOf(samples.famIndex), opts, dups.count > 0 ? dups.duplicate : undefined, plink.dosage);
  snpReport.failedCollinear = markCollinear(plink.bed, samples.famIndex, samples.covariates, snpStats.af, snpStats.status, SnpStatus.Pass, SnpStatus.Collinear, plink.dosage);
  snpReport.pass -= snpReport.failedCollinear;
  const warnings: string[] = [];
  const sameId = sameIdWarning(dups, basename(plink.bim.path));
  if (sameId) warnings.push(sameId);
  const include = new Uint8Array(plink.bed.nSnps);
  let nTested = 0;
  for (let j = 0; j < include.length; j++) {
    if (snpStats.status[j] === SnpStatus.Pass) {
      include[j] = 1;
      nTested++;
    }
  }
  const tested = new Int32Array(nTested);
  for (let j = 0, t = 0; j < include.length; j++) if (include[j]) tested[t++] = j;
  if (nTested === 0) {
    throw new InputError(
      `no SNP passes the filters among the ${samples.famIndex.length} analysed individuals (${filterCounts(snpReport, settings)})`,
      { file: plink.bed.path },
      'Relax --maf, --max-miss or --hwe, or check that the genotype file matches the phenotype sheet',
    );
  }
  return { plink, samples, snpStats, snpReport, include, tested, warnings };
}

/** What each SNP filter removed, in words, in the order they apply (the filters that removed nothing left out). */
export function filterCounts(r: SnpQcReport, settings: Pick<ScanSettings, 'maf' | 'maxMissing' | 'hwe'>): string {
  const parts: [number, string][] = [
    [r.failedDuplicate, 'duplicates of an earlier SNP (same ID and position)'],
    [r.failedMissing, `missing rate > ${settings.maxMissing}`],
    [r.failedMaf, `MAF < ${settings.maf}`],
    [r.singleClass, 'with one genotype class'],
    [r.failedHwe, `HWE p < ${settings.hwe > 0 && settings.hwe < 1e-3 ? settings.hwe.toExponential() : settings.hwe}`],
    [r.failedCollinear, 'collinear with the covariates (r2 > 0.9999)'],
  ];
  const said = parts.filter(([c]) => c > 0).map(([c, w]) => `${c} ${w}`);
  return said.length > 0 ? said.join(', ') : 'none removed by a filter';
}

/** The eigenbasis of a selection: s (eigenvalues below 1e-10 set to 0) and u = U^T, row-major n x n. */
export interface Eigenbasis {
  s: Float64Array;
  u: Float64Array;
}

/** A kinship whose smallest eigenvalue is below -PSD_RTOL times its largest is not a relationship matrix. */
export const PSD_RTOL = 1e-6;

/**
 * Subset a kinship over all genotyped individuals to the analysed ones, re-centre it and decompose
 * it. `outside`: the file the kinship came from; it is then checked to be positive semi-definite
 * (a kinship Kinscan computes is so by construction).
 */
export function eigenOf(kinship: Float64Array, sel: ScanSelection, threads = 1, progress?: Progress, outside?: string): Eigenbasis {
  const n = sel.samples.famIndex.length;
  progress?.('eigen', 0, 1);
  const kc = subsetAndCenter(kinship, sel.plink.fam.iid.length, sel.samples.famIndex);
  const e = symEigenFast(kc, n, threads);
  if (outside !== undefined) checkPositiveSemidefinite(e.values, outside);
  for (let i = 0; i < n; i++) if (e.values[i]! < EIGEN_ZERO) e.values[i] = 0;
  progress?.('eigen', 1, 1);
  return { s: e.values, u: e.vectorsT };
}

function checkPositiveSemidefinite(values: Float64Array, file: string): void {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (min < -PSD_RTOL * Math.max(max, 0)) {
    throw new InputError(
      `the kinship matrix is not positive semi-definite over the ${values.length} analysed individuals: its smallest eigenvalue is ${min.toPrecision(4)} (the largest is ${max.toPrecision(4)}), so it cannot be a relationship matrix`,
      { file },
      'Recompute it with a kinship tool (e.g. GEMMA -gk, or kinscan kinship), and check that its rows and columns are the same individuals in the same order',
    );
  }
}

/** Where a scan's kinship comes from, for messages: the kinship file or pedigree, else the genotypes. */
function kinshipSource(settings: ScanSettings, sel: ScanSelection): string {
  return kinshipInputFile(settings.kinship) ?? sel.plink.bed.path;
}

/**
 * From a kinship over all genotyped individuals (or an eigendecomposition): subset to the
 * analysed individuals, re-centre, decompose (eigenOf), rotate y and the covariates, and fit the
 * null model. The covariates are the intercept, the sheet's, then the top settings.pcs PCs of this
 * basis, or `pcs` when given (with loco: the genome-wide kinship's, for every chromosome).
 */
export function fitBasis(
  settings: ScanSettings,
  sel: ScanSelection,
  source: { kinship: Float64Array } | Eigenbasis,
  threads = 1,
  progress?: Progress,
  pcs?: PrincipalCovariates,
): TraitBasisFit {
  const { samples } = sel;
  const n = samples.famIndex.length;
  const { s, u } = 'kinship' in source ? eigenOf(source.kinship, sel, threads, progress) : source;
  let trace = 0;
  for (let i = 0; i < n; i++) trace += s[i]!;
  const added = pcs ?? principalCovariates(s, u, n, settings.pcs, kinshipSource(settings, sel));
  const ones = new Float64Array(n).fill(1);
  const w = [ones, ...samples.covariates, ...added.vectors];
  checkCovariatesIndependent(w, samples.covariateNames, added.names, settings.covar ?? (settings.pheno || sel.plink.fam.path));
  // Fit on y minus its least-squares fit on the covariates: every model contains W, so the
  // likelihoods do not change, and the part of y that W explains (its mean lies in a zero-eigenvalue
  // direction of the re-centred K) no longer meets weights of 1/delta where it would cancel.
  const bOls = leastSquares(w, samples.y);
  const yc = Float64Array.from(samples.y);
  for (let j = 0; j < w.length; j++) for (let i = 0; i < n; i++) yc[i] = yc[i]! - bOls[j]! * w[j]![i]!;
  const yStar = rotateVector(u, n, yc);
  const wStar = w.map((c) => rotateVector(u, n, c));
  const nullModel: EigenModel = { n, s, y: yStar, x: wStar };
  progress?.('null-fit', 0, 1);
  const prof = new ProfileLikelihood(s, wStar.length + 2);
  // The null model is fitted once per trait: by the exact optimiser, or by EM when EM was asked for.
  const nullFit = fitModel(nullModel, prof, { method: settings.method === 'fast' ? 'exact' : settings.method });
  // Report the null model's fixed effects on the original y.
  for (let j = 0; j < w.length; j++) nullFit.beta[j] = nullFit.beta[j]! + bOls[j]!;
  progress?.('null-fit', 1, 1);
  return { n, s, u, yStar, wStar, pcs: added, nullFit, kinshipScale: trace / n };
}

/**
 * The null model's heritability (PVE) with its three intervals (engine/stats/heritability): about
 * 0.9 s at n = 1,940 (mouse), nearly all of it the parametric bootstrap, once per trait. A failure
 * there does not stop the scan: it is stated.
 */
export function heritabilityOf(basis: TraitBasisFit): { report: HeritabilityReport | null; warnings: string[] } {
  try {
    return { report: heritabilityReport(basis), warnings: [] };
  } catch (e) {
    return { report: null, warnings: [`the heritability intervals could not be computed (${(e as Error).message}); the scan is not affected`] };
  }
}

/** The kinship of the SNPs with include[j] = 1, on worker threads when possible. */
export function kinshipOf(bed: BedFile, include: Uint8Array, mode: KinshipMode, threads: number, progress?: Progress, dosage?: DosageSource): Kinship {
  const onKin = (d: number, t: number): void => progress?.('kinship', d, t);
  return computeKinshipThreaded(bed, include, mode, threads, onKin, dosage) ?? computeKinship(bed, include, mode, onKin, dosage);
}

/**
 * A kinship matrix file over the .fam individuals in .fam order (`loaded`: its matrix, already read,
 * e.g. from a project): as it is when it has no IDs (GEMMA's format, in .fam order), else
 * reordered by its IDs (matched to the .fam's IIDs, or FID_IID when IIDs repeat).
 */
export function readKinshipFile(file: string, fam: Fam, loaded?: SquareMatrix): Float64Array {
  const km = loaded ?? readSquareMatrix(file);
  const nAll = fam.iid.length;
  if (km.ids) return kinshipInFamOrder(file, fam, km.data, km.ids);
  if (km.n !== nAll) {
    throw new InputError(
      `the kinship matrix is ${km.n} x ${km.n} but ${basename(fam.path)} lists ${nAll} individuals`,
      { file },
      'A kinship file must have one row and column per .fam individual, in .fam order (as GEMMA writes it)',
    );
  }
  return km.data;
}

/** A matrix with IDs, its rows and columns reordered to .fam order; every .fam individual must be there, and nobody else. */
function kinshipInFamOrder(file: string, fam: Fam, data: Float64Array, ids: string[]): Float64Array {
  const n = ids.length;
  const famKey = (i: number): string => (fam.iidUnique ? fam.iid[i]! : `${fam.fid[i]}_${fam.iid[i]}`);
  const at = new Map(ids.map((id, k) => [id, k]));
  const nAll = fam.iid.length;
  const pos = new Int32Array(nAll);
  const absent: string[] = [];
  const used = new Uint8Array(n);
  for (let i = 0; i < nAll; i++) {
    const k = at.get(famKey(i));
    if (k === undefined) absent.push(famKey(i));
    else {
      pos[i] = k;
      used[k] = 1;
    }
  }
  const extra = ids.filter((_, k) => !used[k]);
  if (absent.length > 0 || extra.length > 0) {
    const ex = (a: string[]): string => a.slice(0, 3).map((s) => `'${s}'`).join(', ') + (a.length > 3 ? ', ...' : '');
    const parts = [
      ...(absent.length > 0 ? [`${absent.length} individual${absent.length === 1 ? '' : 's'} of ${basename(fam.path)} ${absent.length === 1 ? 'is' : 'are'} not in it (${ex(absent)})`] : []),
      ...(extra.length > 0 ? [`${extra.length} of its IDs ${extra.length === 1 ? 'is' : 'are'} not in ${basename(fam.path)} (${ex(extra)})`] : []),
    ];
    throw new InputError(
      `the kinship matrix's IDs do not match the genotyped individuals: ${parts.join('; ')}`,
      { file },
      `Give a matrix with one row and column per individual of ${basename(fam.path)}, headed by their IIDs${fam.iidUnique ? '' : ' (FID_IID, as the IIDs repeat across families)'}`,
    );
  }
  const out = new Float64Array(nAll * nAll);
  for (let i = 0; i < nAll; i++) {
    const src = pos[i]! * n;
    const dst = i * nAll;
    for (let j = 0; j < nAll; j++) out[dst + j] = data[src + pos[j]!]!;
  }
  return out;
}

/** The cache keys of a selection's kinship and eigendecomposition (content hashes), with a kinship file's matrix. */
export interface BasisKeys {
  kinship: string;
  eigen: string;
  /** A `{ file }` or `{ pedigree }` kinship over all genotyped individuals, read (its key is the hash of its values). */
  fileKinship?: Float64Array;
  pedigree?: PedigreeNote;
}

/**
 * A pedigree's A over the .fam individuals, in .fam order, matched by IID (`loaded`: already made,
 * e.g. by a project when the run was recorded).
 */
export function pedigreeKinshipFor(settings: { pedigree: string; unlistedFounders?: boolean }, fam: Fam, loaded?: SquareMatrix | PedigreeKinship): PedigreeKinship {
  if (loaded && 'pedigree' in loaded && loaded.n === fam.iid.length) return loaded;
  if (loaded) throw new RangeError(`pedigreeKinshipFor: the stored A is ${loaded.n} x ${loaded.n} without its pedigree record, for ${fam.iid.length} individuals`);
  return pedigreeKinship(settings.pedigree, fam.iid, { listName: `the .fam file ${basename(fam.path)}`, ...(settings.unlistedFounders ? { unlistedAsFounders: true } : {}) });
}

/** The cache keys of the kinship and eigendecomposition a scan of `sel` uses (`loaded`: a kinship file's matrix, already read). */
export function basisKeys(settings: ScanSettings, sel: ScanSelection, loaded?: SquareMatrix): BasisKeys {
  if (typeof settings.kinship === 'object' && 'pedigree' in settings.kinship) {
    const a = pedigreeKinshipFor(settings.kinship, sel.plink.fam, loaded);
    const kinship = sha256('file', a.data);
    return { kinship, eigen: sha256('eigen', kinship, sel.samples.famIndex), fileKinship: a.data, pedigree: a.pedigree };
  }
  if (typeof settings.kinship === 'object') {
    const fileKinship = readKinshipFile(settings.kinship.file, sel.plink.fam, loaded);
    const kinship = sha256('file', fileKinship);
    return { kinship, eigen: sha256('eigen', kinship, sel.samples.famIndex), fileKinship };
  }
  const kinship = sha256('kinship', settings.kinship, sel.include);
  return { kinship, eigen: sha256('eigen', kinship, sel.samples.famIndex) };
}

/**
 * The eigenbasis of a scan of `sel`: from the cache, or decomposed from the kinship (the file's,
 * the cache's, or computed from the genotypes and stored in the cache) and stored in the cache.
 * onKinship is called once the kinship is at hand, when it was needed (for timings).
 */
export function selectionEigen(
  settings: ScanSettings,
  sel: ScanSelection,
  keys: BasisKeys,
  cache: PrepareCache | undefined,
  threads: number,
  progress?: Progress,
  onKinship?: () => void,
): Eigenbasis {
  const cached = cache?.getEigen(keys.eigen);
  if (cached) return cached;
  let kinship = keys.fileKinship ?? cache?.getKinship(keys.kinship);
  if (!kinship) {
    const kin = kinshipOf(sel.plink.bed, sel.include, settings.kinship as KinshipMode, threads, progress, sel.plink.dosage);
    kinship = kin.data;
    cache?.putKinship(keys.kinship, kin.data, kin.snps);
  }
  onKinship?.();
  const eigen = eigenOf(kinship, sel, threads, progress, keys.fileKinship ? kinshipSource(settings, sel) : undefined);
  cache?.putEigen(keys.eigen, eigen.s, eigen.u);
  return eigen;
}

/**
 * Read the inputs, choose the individuals and SNPs, build (or read) the kinship, decompose it,
 * rotate the phenotype and covariates, and fit the null model: everything that does not depend on
 * the SNP under test. Errors are InputErrors naming the file and what to do. onSelected is called
 * once the individuals and SNPs are chosen (e.g. to start the scan's worker threads meanwhile).
 */
export function prepareScan(
  settings: ScanSettings,
  progress?: Progress,
  inputs?: ScanInputs,
  cache?: PrepareCache,
  threads: number = availableParallelism(),
  onSelected?: (sel: ScanSelection) => void,
): PreparedScan {
  const timings: Timings = {};
  let t0 = performance.now();
  const lap = (name: string): void => {
    const t = performance.now();
    timings[name] = (timings[name] ?? 0) + (t - t0) / 1000;
    t0 = t;
  };
  if (!inputs) progress?.('reading', 0, 1);
  const opened = inputs ?? openScanInputs(settings);
  if (!inputs) progress?.('reading', 1, 1);
  try {
    progress?.('qc', 0, 1);
    const sel = selectScan(settings, opened);
    progress?.('qc', 1, 1);
    lap('read+qc');
    onSelected?.(sel);

    const keys = basisKeys(settings, sel, opened.kinship);
    const kinshipSnps = keys.fileKinship ? 0 : sel.tested.length;
    const eigen = selectionEigen(settings, sel, keys, cache, threads, progress, () => lap('kinship'));
    const basis = fitBasis(settings, sel, eigen, 1, progress);
    lap('eigen+null');
    const h2 = heritabilityOf(basis);
    lap('heritability');
    const warnings = [...(sel.warnings ?? []), ...(keys.pedigree?.warnings ?? []), ...h2.warnings];
    const ped = keys.pedigree ? { kinshipPedigree: keys.pedigree } : {};
    return { settings, ...sel, ...basis, kinshipSnps, timings, ...ped, heritability: h2.report, warnings };
  } catch (e) {
    // Genotypes opened here are closed here; given ones stay with their owner.
    if (!inputs) opened.plink.bed.close();
    throw e;
  }
}
