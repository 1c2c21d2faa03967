/**
 * Everything a run report shows, gathered from the project: the run record and its sessions, the
 * source files with their sizes and SHA-256 (as recorded at import), the sample and SNP exclusions
 * of the summary, the kinship, model, method, null fit, lambda_GC, the software versions, the
 * command that reproduces the run and the methods paragraph. Figures and top hits are made by the
 * caller and passed in.
 */
import { basename } from 'node:path';
import { InputError } from '../../io/errors.js';
import { kinshipInputFile } from '../../protocol/settings.js';
import type { ScanSettings } from '../../scan/settings.js';
import { sourceFiles, type SourceFile } from '../../store/files.js';
import type { Project } from '../../store/project.js';
import { VERSION } from '../../version.js';
import { formatCount, formatPercent, formatThreshold } from './format.js';
import { methodsParagraph, methodText, MODEL_EQUATION, modelText, testText } from './methods.js';
import { reproduceCommand, reproduceCommandLines } from './reproduce.js';
import type { ReportFinemap } from './finemap-words.js';
import { reportHeritability } from './heritability-words.js';
import type { CountRow, ReportData, ReportFigure, ReportHit, ReportInput, ReportThreshold } from './types.js';
import { softwareVersions } from './versions.js';

export interface ReportExtras {
  figures: ReportFigure[];
  hits: ReportHit[];
  /** Credible sets around the hits (null: the run has no Bayes factors). */
  finemap?: ReportFinemap | null;
  /** The significance threshold of the figures and hits (default genome-wide, 5e-8). */
  threshold?: ReportThreshold;
  /** The results file the reproduce command writes (default RESULTS.tsv). */
  reproduceOut?: string;
}

export const GENOME_WIDE: ReportThreshold = { p: 5e-8, label: 'genome-wide' };

const ROLE_WORDS: Record<SourceFile['role'], string> = {
  bed: 'genotypes (.bed)',
  bim: 'SNP map (.bim)',
  fam: 'individuals (.fam)',
  genotypes: 'genotypes',
  map: 'SNP map',
  sheet: 'sheet',
  matrix: 'kinship matrix',
  pedigree: 'pedigree',
};

function inputsOf(files: SourceFile[], role?: string): ReportInput[] {
  return files.map((f) => ({ role: role ?? ROLE_WORDS[f.role], name: f.name, path: f.path, size: f.size, mtime: f.mtime, sha256: f.sha256 }));
}

/** PVE in words: what it estimates under the model, and what it does not. */
export function pveMeaning(kinshipType: ReportData['kinship']['type']): string {
  const what = kinshipType === 'file' ? 'the supplied relatedness matrix' : kinshipType === 'pedigree' ? 'the pedigree relationship matrix A' : 'the genomic relationship matrix';
  return (
    `PVE = t·σₐ² / (t·σₐ² + σₑ²), with t = tr(K)/n the scale of K, is the proportion of the phenotypic variance left after the fixed effects ` +
    `that the model attributes to ${what}. Under the model it is an estimate of ${kinshipType === 'pedigree' ? 'narrow-sense heritability (as in an animal model)' : 'SNP heritability'}: the share of the variance explained by ` +
    `${kinshipType === 'file' ? 'the relatedness the matrix describes' : kinshipType === 'pedigree' ? 'the relatedness the pedigree records' : 'the SNPs that built K'}. Caveats: it is a maximum-likelihood estimate ` +
    '(biased downwards in small samples compared with REML, which GEMMA reports as pve); it depends on the SNPs in K and on how K is scaled; ' +
    'shared environment or maternal effects that follow relatedness are counted in it; and it describes this sample and trait, ' +
    'not the heritability of the trait in another population.'
  );
}

/** lambda_GC in plain words. */
export function lambdaReading(lambda: number | null, model: ScanSettings['model']): string {
  if (lambda === null || !Number.isFinite(lambda)) return 'Not available: no SNP was tested.';
  const how =
    `lambda_GC is the median of the SNPs' chi-square statistics${model === 'add-dom' ? ' (each p-value as a 1-df chi-square)' : ''} ` +
    'divided by 0.4549, the median expected when no SNP is associated. ';
  if (lambda < 0.95) {
    return how + 'Below 1: the statistics are somewhat smaller than expected under no association (deflation); the test is conservative here, which small samples or a kinship that absorbs part of the signal can cause.';
  }
  if (lambda <= 1.05) return how + 'Close to 1: no sign of systematic inflation of the test statistics (such as unmodelled population structure) beyond what the model accounts for.';
  if (lambda <= 1.1) {
    return how + 'Slightly above 1: mild inflation. A polygenic trait with many small true effects gives values like this, so it does not by itself indicate confounding; the QQ plot shows where the excess lies.';
  }
  return how + 'Clearly above 1: the test statistics are inflated. This can come from population structure or relatedness that the kinship does not capture, or from a strongly polygenic trait; check the QQ plot and the kinship before reading the hits.';
}

function kinshipDescription(type: ReportData['kinship']['type'], snps: number, file: string | undefined, analysed: number, genotyped: number, ped?: ReportData['kinship']['pedigree']): string {
  const after = `The matrix is restricted to the ${formatCount(analysed)} analysed individuals and centred again (K ← PKP, P = I − 11ᵀ/n) before its eigendecomposition; eigenvalues below 1e-10 are set to 0.`;
  if (type === 'pedigree') {
    const size = ped
      ? ` (${formatCount(ped.animals)} animals; computed over the ${formatCount(ped.used)} that are genotyped or their ancestors; ${formatCount(ped.inbred)} inbred, mean F ${ped.meanF.toFixed(4)}, max F ${ped.maxF.toFixed(4)})`
      : '';
    return (
      `The numerator relationship matrix A of the pedigree ${file ?? ''}${size}, by Henderson’s tabular method (an animal j with sire s and dam d is related to an older animal i by a_ij = (a_is + a_id)/2, and a_jj = 1 + F_j with F_j = a_sd/2: inbreeding included), ` +
      `over the ${formatCount(genotyped)} genotyped individuals matched by .fam IID. ${after}`
    );
  }
  if (type === 'file') return `Read from the file ${file ?? ''}: one row and column per .fam individual, in .fam order. ${after}`;
  const core =
    type === 'centered'
      ? 'Centered genomic relationship matrix K = (1/m) Σ (g − ḡ)(g − ḡ)ᵀ (GEMMA’s -gk 1)'
      : 'Standardized genomic relationship matrix K = (1/m) Σ zzᵀ, z = (g − ḡ)/sd(g) (GEMMA’s -gk 2)';
  return (
    `${core}, summed over the m = ${formatCount(snps)} SNPs that passed the filters; g is a SNP’s 0/1/2 counts of allele 1 in all ` +
    `${formatCount(genotyped)} genotyped individuals, ḡ their mean (a missing call set to it). ${after}`
  );
}

function count(project: Project, sql: string, ...args: (number | string)[]): number {
  return Number(project.db.prepare(sql).pluck().get(...args));
}

/** Gather a run's report. The run must have been prepared (it has a summary); a run that is not done is reported as incomplete. */
export function gatherReport(project: Project, runId: number, extras: ReportExtras): ReportData {
  const run = project.run(runId);
  const summary = project.summary(runId);
  if (!summary) {
    throw new InputError(
      `run ${runId} is ${run.status} and has no results summary yet`,
      { file: project.path },
      run.status === 'queued' ? `Run it first (kinscan resume --project ${project.path} --run ${runId})` : 'Finish the run before writing its report',
    );
  }
  const dataset = project.dataset(run.datasetId);
  const pheno = project.sheet(run.phenoSheetId);
  const covar = run.covarSheetId !== null ? project.sheet(run.covarSheetId) : undefined;
  const matrixFiles = run.matrixId !== null ? sourceFiles(project.db, { matrix: run.matrixId }) : [];

  const inputs: ReportInput[] = [
    ...inputsOf(dataset.files),
    ...inputsOf(pheno.files, covar && covar.id === pheno.id ? 'phenotype and covariate sheet' : 'phenotype sheet'),
    ...(covar && covar.id !== pheno.id ? inputsOf(covar.files, 'covariate sheet') : []),
    ...inputsOf(matrixFiles),
  ];

  const sm = summary.samples;
  const sampleRows: CountRow[] = [
    { label: 'Genotyped individuals (.fam)', count: sm.genotyped, kind: 'total' },
    { label: 'Rows of the phenotype sheet', count: sm.sheetRows, kind: 'info' },
    { label: `Genotyped individuals with a sheet row (matched by ${sm.matchedBy})`, count: sm.matched, kind: 'info' },
    {
      label: 'Sheet rows with no genotypes (not used)',
      count: sm.sheetOnlyCount,
      kind: 'info',
      ...(sm.sheetOnly.length > 0 ? { note: `e.g. ${sm.sheetOnly.slice(0, 3).join(', ')}` } : {}),
    },
    { label: 'Excluded: genotyped, no sheet row', count: sm.genotypedOnly, kind: 'excluded' },
    { label: `Excluded: trait ‘${run.trait}’ missing`, count: sm.missingTrait, kind: 'excluded' },
    { label: 'Excluded: a covariate missing', count: sm.missingCovariate, kind: 'excluded' },
    ...(summary.settings.minCallRate > 0
      ? [{ label: `Excluded: called at fewer than ${formatPercent(summary.settings.minCallRate)} of all SNPs`, count: sm.lowCallRate ?? 0, kind: 'excluded' as const }]
      : []),
    { label: 'Analysed individuals', count: sm.analysed, kind: 'total' },
  ];

  const sn = summary.snps;
  const oneDf = count(project, 'SELECT count(*) FROM results WHERE run_id = ? AND df = 1', runId);
  const snpRows: CountRow[] = [
    { label: 'SNPs in the genotype file', count: sn.total, kind: 'total' },
    ...(sn.failedDuplicate ? [{ label: 'Excluded: a duplicate of an earlier SNP (same ID and position)', count: sn.failedDuplicate, kind: 'excluded' as const }] : []),
    { label: `Excluded: missing rate > ${formatPercent(sn.maxMissing)} among the analysed individuals`, count: sn.failedMissing, kind: 'excluded' },
    { label: `Excluded: minor allele frequency < ${sn.maf}`, count: sn.failedMaf, kind: 'excluded' },
    { label: 'Excluded: a single genotype class (monomorphic or all heterozygous)', count: sn.singleClass, kind: 'excluded' },
    ...(sn.hwe ? [{ label: `Excluded: Hardy-Weinberg exact test p < ${formatThreshold(sn.hwe)}`, count: sn.failedHwe ?? 0, kind: 'excluded' as const }] : []),
    ...(sn.failedCollinear ? [{ label: 'Excluded: collinear with the covariates (r² > 0.9999, GEMMA’s rule)', count: sn.failedCollinear, kind: 'excluded' as const }] : []),
    { label: 'Passed the filters (built the kinship, to be tested)', count: sn.planned, kind: 'info' },
    { label: 'Not tested: collinear with the covariates', count: sn.collinearWithCovariates, kind: 'excluded' },
    ...(summary.complete ? [] : [{ label: 'Not tested: the scan was stopped', count: sn.planned - sn.collinearWithCovariates - sn.tested, kind: 'excluded' as const }]),
    { label: 'SNPs tested', count: sn.tested, kind: 'total' },
    ...(summary.model === 'add-dom' ? [{ label: 'of which tested with 1 df (two genotype classes)', count: oneDf, kind: 'info' as const }] : []),
  ];

  const settings = summary.settings;
  const kinshipType: ReportData['kinship']['type'] = typeof settings.kinship === 'object' ? ('pedigree' in settings.kinship ? 'pedigree' : 'file') : settings.kinship;
  const matrixFile = matrixFiles[0];
  const kinshipFile = typeof settings.kinship === 'object' ? (matrixFile?.name ?? basename(kinshipInputFile(settings.kinship)!)) : undefined;
  const ped = summary.kinship.pedigree;
  const pedigree = ped ? { animals: ped.animals, used: ped.used, inbred: ped.inbred, meanF: ped.meanF, maxF: ped.maxF } : undefined;

  const threshold = extras.threshold ?? GENOME_WIDE;
  const snpsPast = count(project, 'SELECT count(*) FROM results WHERE run_id = ? AND lnp < ?', runId, Math.log(threshold.p));

  // The command names the files as recorded at import (absolute paths), whose hashes the report lists.
  const sourceSettings: ScanSettings = {
    ...settings,
    bfile: dataset.prefix,
    pheno: pheno.path,
    ...(covar ? { covar: covar.path } : {}),
    ...(typeof settings.kinship === 'object' && matrixFile
      ? { kinship: 'pedigree' in settings.kinship ? { ...settings.kinship, pedigree: matrixFile.path } : { file: matrixFile.path } }
      : {}),
  };
  const out = extras.reproduceOut ?? 'RESULTS.tsv';
  let reproduce: ReportData['reproduce'];
  try {
    reproduce = {
      command: reproduceCommand(sourceSettings, { out }),
      display: reproduceCommandLines(sourceSettings, { out }),
      note:
        `Run with kinscan ${run.softwareVersion} on the input files listed above (the same SHA-256), from any folder: it writes ${out} ` +
        `and its .summary.json, the TSV byte-identical to this run's export (kinscan export --project … --run ${run.id}). ` +
        'The thread count does not change the results.',
    };
  } catch (e) {
    reproduce = { command: null, display: null, note: `No command line reproduces this run: ${(e as Error).message}` };
  }

  const nf = summary.null;
  const beta = nf.beta ?? [];
  const se = nf.se ?? [];
  const lambda = typeof summary.lambda_gc === 'number' && Number.isFinite(summary.lambda_gc) ? summary.lambda_gc : null;
  const timings = summary.timings_seconds ?? {};

  const data: Omit<ReportData, 'methods'> = {
    title: `Kinscan run ${run.id}: ${run.trait}`,
    generatedAt: new Date().toISOString(),
    generatedBy: VERSION,
    project: { path: project.path, name: basename(project.path) },
    run: {
      id: run.id,
      trait: run.trait,
      status: run.status,
      complete: run.status === 'done' && summary.complete,
      createdAt: run.createdAt,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      wallSeconds: run.wallSeconds,
      softwareVersion: run.softwareVersion,
      sessions: project.runSessions(runId),
      log: project.runLog(runId),
      blockSize: run.blockSize,
      error: run.error,
      timings,
    },
    dataset: { name: dataset.name, samples: dataset.nSamples, snps: dataset.nSnps, format: dataset.format, dosage: dataset.dosage },
    settings,
    inputs,
    samples: { report: sm, rows: sampleRows },
    snps: {
      total: sn.total,
      failedMissing: sn.failedMissing,
      failedMaf: sn.failedMaf,
      singleClass: sn.singleClass,
      failedHwe: sn.failedHwe ?? 0,
      failedDuplicate: sn.failedDuplicate ?? 0,
      failedCollinear: sn.failedCollinear ?? 0,
      hwe: sn.hwe ?? 0,
      planned: sn.planned,
      collinearWithCovariates: sn.collinearWithCovariates,
      tested: sn.tested,
      oneDf,
      maf: sn.maf,
      maxMissing: sn.maxMissing,
      rows: snpRows,
    },
    covariates: summary.covariates,
    pcCovariates: summary.pcs?.length ?? 0,
    kinship: {
      type: kinshipType,
      ...(kinshipFile !== undefined ? { file: kinshipFile } : {}),
      ...(pedigree ? { pedigree } : {}),
      snps: summary.kinship.snps,
      scale: summary.kinship.scale,
      description: kinshipDescription(kinshipType, summary.kinship.snps, kinshipFile, sm.analysed, sm.genotyped, pedigree),
    },
    model: {
      model: summary.model,
      method: summary.method,
      equation: MODEL_EQUATION,
      modelText: modelText(summary.model),
      methodText: methodText(summary.method),
      testText: testText(summary.model),
    },
    nullFit: {
      logl: nf.logl_h0,
      sigmaA2: nf.sigma_a2,
      sigmaE2: nf.sigma_e2,
      delta: typeof nf.delta === 'number' && Number.isFinite(nf.delta) ? nf.delta : null,
      pve: nf.pve,
      boundary: nf.boundary,
      fixed: summary.covariates.map((name, j) => ({ name, beta: beta[j] ?? NaN, se: se[j] ?? NaN })),
      pveMeaning: pveMeaning(kinshipType),
    },
    heritability: run.heritability ? reportHeritability(run.heritability) : null,
    lambdaGc: { value: lambda, reading: lambdaReading(lambda, summary.model) },
    threshold: { ...threshold, snpsPast },
    figures: extras.figures,
    hits: extras.hits,
    finemap: extras.finemap ?? null,
    versions: softwareVersions(project.db),
    reproduce,
  };
  return { ...data, methods: methodsParagraph(data) };
}

/** A one-line description of a threshold, for captions: 'p < 5 × 10^-8 (genome-wide)'. */
export function thresholdText(t: ReportThreshold): string {
  return `p < ${formatThreshold(t.p)} (${t.label})`;
}

