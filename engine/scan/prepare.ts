import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { InputError } from '../io/errors.js';
import { readSquareMatrix, type SquareMatrix } from '../io/matrix-text.js';
import { openPlink, type BedFile, type Fam, type PlinkSet } from '../io/plink.js';
import { readSheet, type Sheet } from '../io/sheet.js';
import { selectSamples, type SampleSelection } from '../qc/samples.js';
import { snpQc, SnpStatus, type SnpQcReport, type SnpStats } from '../qc/snps.js';
import { symEigenFast } from '../stats/kernels/eigen.js';
import { computeKinship, subsetAndCenter, type Kinship, type KinshipMode } from '../stats/kinship.js';
import { computeKinshipThreaded } from '../stats/kinship-threads.js';
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
  /** SNPs that built the kinship (0 for a kinship file). */
  kinshipSnps: number;
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
  /** The matrix of a `{ file }` kinship, already read (e.g. from a project); otherwise the file is read. */
  kinship?: SquareMatrix;
}

/** Open the files named in the settings. */
export function openScanInputs(settings: ScanSettings): ScanInputs {
  const plink = openPlink(settings.bfile);
  try {
    const pheno = readSheet(settings.pheno);
    const covar = settings.covar && settings.covarNames.length > 0 ? readSheet(settings.covar) : undefined;
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
    throw new InputError(
      `the covariate '${name}' is a linear combination of the intercept and the covariates before it, over the analysed individuals`,
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

/** Match samples and apply the SNP filters (sections "Data" and "QC" of docs/model.md). */
export function selectScan(settings: ScanSettings, opened: ScanInputs): ScanSelection {
  const { plink, pheno } = opened;
  const covar = opened.covar && settings.covarNames.length > 0 ? { sheet: opened.covar, names: settings.covarNames } : undefined;
  const samples = selectSamples(plink.fam, pheno, settings.trait, covar);
  const { stats: snpStats, report: snpReport } = snpQc(plink.bed, samples.famIndex, { maf: settings.maf, maxMissing: settings.maxMissing });
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
      `no SNP passes the filters among the ${samples.famIndex.length} analysed individuals ` +
        `(${snpReport.failedMissing} missing rate > ${settings.maxMissing}, ${snpReport.failedMaf} MAF < ${settings.maf}, ${snpReport.singleClass} with one genotype class)`,
      { file: plink.bed.path },
      'Relax --maf or --max-miss, or check that the genotype file matches the phenotype sheet',
    );
  }
  return { plink, samples, snpStats, snpReport, include, tested };
}

/** The eigenbasis of a selection: s (eigenvalues below 1e-10 set to 0) and u = U^T, row-major n x n. */
export interface Eigenbasis {
  s: Float64Array;
  u: Float64Array;
}

/** Subset a kinship over all genotyped individuals to the analysed ones, re-centre it and decompose it. */
export function eigenOf(kinship: Float64Array, sel: ScanSelection, threads = 1, progress?: Progress): Eigenbasis {
  const n = sel.samples.famIndex.length;
  progress?.('eigen', 0, 1);
  const kc = subsetAndCenter(kinship, sel.plink.fam.iid.length, sel.samples.famIndex);
  const e = symEigenFast(kc, n, threads);
  for (let i = 0; i < n; i++) if (e.values[i]! < EIGEN_ZERO) e.values[i] = 0;
  progress?.('eigen', 1, 1);
  return { s: e.values, u: e.vectorsT };
}

/** Where a scan's kinship comes from, for messages: the kinship file, else the genotypes. */
function kinshipSource(settings: ScanSettings, sel: ScanSelection): string {
  return typeof settings.kinship === 'object' ? settings.kinship.file : sel.plink.bed.path;
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
  checkCovariatesIndependent(w, samples.covariateNames, added.names, settings.covar ?? settings.pheno);
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

/** The kinship of the SNPs with include[j] = 1, on worker threads when possible. */
export function kinshipOf(bed: BedFile, include: Uint8Array, mode: KinshipMode, threads: number, progress?: Progress): Kinship {
  const onKin = (d: number, t: number): void => progress?.('kinship', d, t);
  return computeKinshipThreaded(bed, include, mode, threads, onKin) ?? computeKinship(bed, include, mode, onKin);
}

/** A kinship matrix file: n x n in .fam order (`loaded`: its matrix, already read, e.g. from a project). */
export function readKinshipFile(file: string, fam: Fam, loaded?: SquareMatrix): Float64Array {
  const km = loaded ?? readSquareMatrix(file);
  const nAll = fam.iid.length;
  if (km.n !== nAll) {
    throw new InputError(
      `the kinship matrix is ${km.n} x ${km.n} but ${basename(fam.path)} lists ${nAll} individuals`,
      { file },
      'A kinship file must have one row and column per .fam individual, in .fam order (as GEMMA writes it)',
    );
  }
  return km.data;
}

/** The cache keys of a selection's kinship and eigendecomposition (content hashes), with a kinship file's matrix. */
export interface BasisKeys {
  kinship: string;
  eigen: string;
  /** A `{ file }` kinship over all genotyped individuals, read (its key is the hash of its values). */
  fileKinship?: Float64Array;
}

/** The cache keys of the kinship and eigendecomposition a scan of `sel` uses (`loaded`: a kinship file's matrix, already read). */
export function basisKeys(settings: ScanSettings, sel: ScanSelection, loaded?: SquareMatrix): BasisKeys {
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
    const kin = kinshipOf(sel.plink.bed, sel.include, settings.kinship as KinshipMode, threads, progress);
    kinship = kin.data;
    cache?.putKinship(keys.kinship, kin.data, kin.snps);
  }
  onKinship?.();
  const eigen = eigenOf(kinship, sel, threads, progress);
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
    return { settings, ...sel, ...basis, kinshipSnps, timings };
  } catch (e) {
    // Genotypes opened here are closed here; given ones stay with their owner.
    if (!inputs) opened.plink.bed.close();
    throw e;
  }
}
