/**
 * The data each figure of a run is drawn from, gathered from the project alone (nothing is read
 * from the source files): the Manhattan and QQ series from the stored results, the PCs and the
 * kinship from the run's eigendecomposition (the project cache, or recomputed from the project's
 * genotypes), the regional r^2 and the genotype classes from the project's genotypes among the
 * run's analysed individuals.
 */
import { credibleSet } from '../stats/bayes/credible-sets.js';
import { DEFAULT_FINEMAP } from './finemap.js';
import { InputError } from '../io/errors.js';
import { decodeSnp, type BedFile, type Fam } from '../io/plink.js';
import type { Sheet } from '../io/sheet.js';
import type { GenotypeClass, GenotypeData, HeritabilityFigureData, KinshipData, ManhattanData, PcaData, QqData, RegionData, SampleColouring } from '../figures/data.js';
import { matchSheet } from '../qc/samples.js';
import { prepareScan, type PreparedScan, type ScanInputs } from '../scan/prepare.js';
import { gemmFast } from '../stats/kernels/gemm.js';
import { leastSquares } from '../stats/linalg.js';
import { ProjectCache } from '../store/cache.js';
import { projectInputs } from '../store/execute.js';
import type { Project } from '../store/project.js';
import { runSpec, type RunSpec } from '../store/runs.js';
import { ldR2 } from './ld.js';
import { withRunSamples } from './run-samples.js';

/** The run's inputs from the project, with the genotypes closed after `use`. */
function withInputs<T>(project: Project, runId: number, use: (inputs: ScanInputs, spec: RunSpec) => T): T {
  const spec = runSpec(project.db, runId);
  const inputs = projectInputs(project.db, spec);
  try {
    return use(inputs, spec);
  } finally {
    inputs.plink.bed.close();
  }
}

/** The run's prepared model: selection, eigendecomposition (cached in the project when writable), null fit. */
export function runBasis<T>(project: Project, runId: number, use: (prep: PreparedScan) => T, threads?: number): T {
  return withInputs(project, runId, (inputs, spec) => {
    const cache = new ProjectCache(project.db, spec.datasetId, !project.readonly);
    return use(prepareScan(spec.settings, undefined, inputs, cache, threads));
  });
}

function requireResults(project: Project, runId: number): void {
  const run = project.run(runId);
  if (run.rows === 0) {
    throw new InputError(
      `run ${runId} has no results yet (${run.status})`,
      { file: project.path },
      `Run or resume it first: kinscan resume --project ${project.path} --run ${runId}`,
    );
  }
}

export function manhattanData(project: Project, runId: number): ManhattanData {
  requireResults(project, runId);
  const series = project.manhattan(runId);
  // IDs are needed only for the few SNPs labelled or highlighted: looked up one by one, not the whole .bim.
  const snps = project.snpDescriptions(project.run(runId).datasetId);
  return {
    chrNames: series.chrNames,
    chr: series.chr,
    pos: series.pos,
    negLog10P: series.negLog10P,
    snp: series.snp,
    label: (k) => snps.info(series.snp[k]!).rs,
  };
}

export function qqData(project: Project, runId: number): QqData {
  requireResults(project, runId);
  const run = project.run(runId);
  const series = project.manhattan(runId);
  return { negLog10P: series.negLog10P, df: run.model === 'additive' ? 1 : 2, lambdaGc: run.lambdaGc ?? NaN };
}

/** Row of `sheet` for each analysed individual (-1 when the sheet lacks it), by the scan's own matching rules (matchSheet). */
function sheetRows(sheet: Sheet, fam: Fam, famIndex: Int32Array): Int32Array {
  const { rowOf } = matchSheet(fam, sheet);
  return Int32Array.from(famIndex, (i) => rowOf[i]!);
}

/** At most this many distinct whole numbers make a numeric column categorical (0/1 sex, batch 1..8). */
const MAX_NUMERIC_CATEGORIES = 8;

/** A sheet column over the analysed individuals (`famIndex`: their .fam indices), as categories or numbers. */
export function colouringOf(sheets: Sheet[], column: string, fam: Fam, famIndex: Int32Array): SampleColouring {
  const sheet = sheets.find((s) => s.columns.includes(column));
  if (!sheet) {
    const names = [...new Set(sheets.flatMap((s) => s.columns))];
    throw new InputError(`has no column '${column}' to colour the PCA by`, { file: sheets[0]?.path }, `Available columns: ${names.join(', ')}`);
  }
  const rows = sheetRows(sheet, fam, famIndex);
  const numeric = sheet.values.get(column);
  if (numeric) {
    const values = Float64Array.from(rows, (r) => (r < 0 ? NaN : numeric[r]!));
    const distinct = new Set<number>();
    for (const v of values) if (!Number.isNaN(v)) distinct.add(v);
    const whole = [...distinct].every((v) => Number.isInteger(v));
    if (whole && distinct.size <= MAX_NUMERIC_CATEGORIES) {
      return { name: column, kind: 'categorical', values: Array.from(values, (v) => (Number.isNaN(v) ? '' : String(v))) };
    }
    return { name: column, kind: 'continuous', values };
  }
  const text = sheet.text.get(column)!;
  return { name: column, kind: 'categorical', values: Array.from(rows, (r) => (r < 0 ? '' : text[r]!.trim())).map((v) => (/^(NA|na|NaN|\.|-9)?$/.test(v) ? '' : v)) };
}

/** The run's sheets (phenotypes first). */
function runSheets(project: Project, spec: RunSpec): Sheet[] {
  const out = [project.loadSheet(spec.phenoSheetId)];
  if (spec.covarSheetId !== undefined) out.push(project.loadSheet(spec.covarSheetId));
  return out;
}

/**
 * The top `count` principal components of an eigendecomposition (s ascending, u = U^T row-major
 * n x n): eigenvectors scaled by the square root of their eigenvalue, and each eigenvalue's share
 * of the trace (the sum of all eigenvalues).
 */
export function topPcs(s: Float64Array, u: Float64Array, n: number, count: number): { pcs: Float64Array[]; varianceExplained: number[] } {
  const m = Math.min(count, n);
  let trace = 0;
  for (let i = 0; i < n; i++) trace += s[i]!;
  const pcs: Float64Array[] = [];
  const varianceExplained: number[] = [];
  // Eigenvalues are ascending: PC k is row n - 1 - k of U^T.
  for (let k = 0; k < m; k++) {
    const row = n - 1 - k;
    const scale = Math.sqrt(Math.max(0, s[row]!));
    const pc = new Float64Array(n);
    for (let i = 0; i < n; i++) pc[i] = u[row * n + i]! * scale;
    // Sign convention: the largest |loading| is positive, so the figure does not flip between runs.
    let at = 0;
    for (let i = 1; i < n; i++) if (Math.abs(pc[i]!) > Math.abs(pc[at]!)) at = i;
    if (pc[at]! < 0) for (let i = 0; i < n; i++) pc[i] = -pc[i]!;
    pcs.push(pc);
    varianceExplained.push(trace > 0 ? s[row]! / trace : NaN);
  }
  return { pcs, varianceExplained };
}

/**
 * The top `count` principal components of the relatedness matrix the scan used (the kinship of
 * the analysed individuals, re-centred): eigenvectors scaled by the square root of their
 * eigenvalue, and each eigenvalue's share of the trace.
 */
export function pcaData(project: Project, runId: number, opts: { count?: number; colourBy?: string; threads?: number } = {}): PcaData {
  return runBasis(
    project,
    runId,
    (prep) => {
      const { pcs, varianceExplained } = topPcs(prep.s, prep.u, prep.n, opts.count ?? 10);
      const fam = prep.plink.fam;
      const sampleIds = Array.from(prep.samples.famIndex, (i) => fam.iid[i]!);
      const spec = runSpec(project.db, runId);
      const data: PcaData = { pcs, varianceExplained, sampleIds };
      if (opts.colourBy) data.colour = colouringOf(runSheets(project, spec), opts.colourBy, fam, prep.samples.famIndex);
      return data;
    },
    opts.threads,
  );
}

function kinshipDescription(prep: PreparedScan): string {
  const k = prep.settings.kinship;
  const kind = typeof k === 'object' ? ('file' in k ? `from the file ${k.file}` : `the relationship matrix A of the pedigree ${k.pedigree}`) : k === 'centered' ? 'centred (GEMMA -gk 1)' : 'standardized (GEMMA -gk 2)';
  const snps = prep.kinshipSnps > 0 ? `, ${prep.kinshipSnps.toLocaleString('en-US')} SNPs` : '';
  return `${kind}${snps}; re-centred over the ${prep.n.toLocaleString('en-US')} analysed individuals, as the scan used it`;
}

/** The relatedness matrix the scan used, K = U diag(s) U^T over the analysed individuals. */
export function kinshipData(project: Project, runId: number, threads?: number): KinshipData {
  return runBasis(
    project,
    runId,
    (prep) => {
      const { n, s, u } = prep;
      // K = (U^T)^T diag(s) U^T: scale the rows of U^T by s, then one product.
      const scaledRows = new Float64Array(n * n);
      for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) scaledRows[k * n + i] = u[k * n + i]! * s[k]!;
      const ut = new Float64Array(n * n);
      for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) ut[i * n + k] = u[k * n + i]!;
      const kin = new Float64Array(n * n);
      gemmFast(ut, scaledRows, kin, n, n, n);
      const fam = prep.plink.fam;
      return { n, k: kin, sampleIds: Array.from(prep.samples.famIndex, (i) => fam.iid[i]!), description: kinshipDescription(prep) };
    },
    threads,
  );
}

/** The index of a SNP of the run's dataset by its ID (the first, if the .bim repeats it). */
export function snpIdOf(project: Project, runId: number, rs: string): number | undefined {
  return project.snpDescriptions(project.run(runId).datasetId).findRs(rs);
}

/** A SNP of the run's dataset by ID (rs) or by 'chr:pos'. */
function findSnp(project: Project, runId: number, snp: string): number {
  const byRs = snpIdOf(project, runId, snp);
  if (byRs !== undefined) return byRs;
  const m = /^([^:]+):(\d+)$/.exec(snp);
  if (m) {
    const byPos = project.snpDescriptions(project.run(runId).datasetId).findPosition(m[1]!, Number(m[2]));
    if (byPos !== undefined) return byPos;
  }
  throw new InputError(`has no SNP '${snp}' in the genotypes of run ${runId}`, { file: project.path }, 'Give a SNP ID as in the .bim file (second column), or chr:position');
}

/** The lead SNP: the one asked for, else the run's smallest p (among SNPs with a known position, when `placed`). */
function leadSnp(project: Project, runId: number, snp: string | undefined, placed = false): number {
  if (snp !== undefined) return findSnp(project, runId, snp);
  requireResults(project, runId);
  if (!placed) return project.topHits(runId, 1)[0]!.snp;
  const { pos } = project.snpArrays(project.run(runId).datasetId);
  let best: number | undefined;
  for (const snp of project.db.prepare('SELECT snp FROM results INDEXED BY results_lnp WHERE run_id = ? ORDER BY lnp, snp').pluck().iterate(runId) as Iterable<number>) {
    if (pos[snp]! > 0) {
      best = snp;
      break;
    }
  }
  if (best === undefined) {
    throw new InputError(`no tested SNP of run ${runId} has a known position`, { file: project.path }, 'A regional plot needs base-pair positions in the .bim file (column 4)');
  }
  return best;
}

/**
 * Tested SNPs around a SNP (default: the top hit with a known position): within `windowBp` of it, or
 * in `range` (a credible-set region, on the SNP's chromosome), with their r^2 with it among the
 * analysed individuals and the window's credible set at `level`.
 */
export function regionData(project: Project, runId: number, opts: { snp?: string; windowBp?: number; level?: number; range?: { chr: string; start: number; end: number } } = {}): RegionData {
  const window = opts.windowBp ?? 500_000;
  const lead = leadSnp(project, runId, opts.snp, true);
  const details = project.snpDetails(runId, { snp: lead })!;
  if (!details.result) {
    throw new InputError(
      `SNP ${details.info.rs} was not tested in run ${runId} (it did not pass QC, or was collinear with the covariates)`,
      { file: project.path },
      'Pick a tested SNP (kinscan hits lists the top ones)',
    );
  }
  const { chr, pos } = details.info;
  if (!(pos > 0)) {
    throw new InputError(
      `SNP ${details.info.rs} has no known position (${pos} in the .bim), so it has no region`,
      { file: project.path },
      'Pick a SNP with a base-pair position (without a SNP, the region plot shows the best SNP that has one)',
    );
  }
  if (opts.range && (opts.range.chr !== chr || opts.range.start > pos || opts.range.end < pos)) {
    throw new InputError(
      `SNP ${details.info.rs} (${chr}:${pos}) is not in the region ${opts.range.chr}:${opts.range.start}-${opts.range.end}`,
      { file: project.path },
      'Give a region that holds the SNP, or leave the region out to plot a window around it',
    );
  }
  const start = opts.range ? opts.range.start : Math.max(0, pos - window);
  const end = opts.range ? opts.range.end : pos + window;
  const reg = project.region(runId, chr, start, end);
  const r2 = withRunSamples(project, runId, (rs) => ldR2(rs.bed, rs.samples, lead, reg.snp));
  const credible = regionCredibleSet(reg.log10Bf, reg.snp, opts.level ?? DEFAULT_FINEMAP.level);
  return {
    chr,
    start,
    end,
    lead: { snp: lead, rs: details.info.rs, pos, negLog10P: details.result.negLog10P },
    snp: reg.snp,
    rs: reg.rs,
    pos: reg.pos,
    negLog10P: reg.negLog10P,
    r2,
    ...(credible ? { credible } : {}),
  };
}

/**
 * The credible set of the plotted window (one causal variant in it): PIPs and the smallest set
 * reaching `level` from the window's Bayes factors; none for a run recorded before Bayes factors.
 */
function regionCredibleSet(log10Bf: Float64Array, snp: Int32Array, level: number): RegionData['credible'] {
  if (!log10Bf.some((v) => Number.isFinite(v))) return undefined;
  const cs = credibleSet(
    log10Bf.map((v) => v * Math.LN10),
    level,
  );
  return { level, members: Int32Array.from(cs.members, (k) => snp[k]!), pip: cs.pip };
}

/** The heritability figure's data: the run's stored h2 report (curves and intervals). */
export function heritabilityData(project: Project, runId: number): HeritabilityFigureData {
  const run = project.run(runId);
  const h = run.heritability;
  if (!h) {
    throw new InputError(
      `run ${runId} has no heritability intervals (it was recorded before Kinscan computed them, or has not been prepared)`,
      { file: project.path },
      'Run the scan again (same settings) to get h2 with its intervals',
    );
  }
  const nums = (xs: (number | null)[]): Float64Array => Float64Array.from(xs, (x) => (x === null ? NaN : x));
  return {
    estimate: h.estimate,
    level: h.level,
    profile: { h2: Float64Array.from(h.profile.curve.h2), relativeLogl: nums(h.profile.curve.logLikRatio), lower: h.profile.lower, upper: h.profile.upper },
    posterior: { h2: Float64Array.from(h.posterior.curve.h2), density: Float64Array.from(h.posterior.curve.density), mean: h.posterior.mean, mode: h.posterior.mode, lower: h.posterior.lower, upper: h.posterior.upper },
    bootstrap: { lower: h.bootstrap.lower, upper: h.bootstrap.upper },
    trait: run.trait,
  };
}

/** Allele-1 counts of one SNP among the analysed individuals (-1 = missing). */
export function snpCounts(bed: BedFile, snp: number, famIndex: Int32Array): Int8Array {
  const packed = new Uint8Array(bed.bytesPerSnp);
  bed.readPacked(snp, 1, packed);
  const all = new Int8Array(bed.nSamples);
  decodeSnp(packed, 0, bed.nSamples, all);
  return Int8Array.from(famIndex, (i) => all[i]!);
}

/**
 * The phenotype of the analysed individuals by genotype class of one SNP. `adjusted`: the trait's
 * residuals after the run's covariates (least squares: the sheet's, and the PCs the run added as
 * covariates), plus the trait's mean.
 */
export function genotypeData(project: Project, runId: number, opts: { snp?: string; adjusted?: boolean } = {}): GenotypeData {
  const snp = leadSnp(project, runId, opts.snp);
  const details = project.snpDetails(runId, { snp })!;
  const { info } = details;
  const trait = project.run(runId).trait;
  // The run's PCs over its analysed individuals (the order of the selection below), from its cached eigenbasis.
  const pcs = opts.adjusted && runSpec(project.db, runId).settings.pcs > 0 ? runBasis(project, runId, (prep) => prep.pcs.vectors) : [];
  return withRunSamples(project, runId, (rs) => {
    const sel = rs.selection;
    const counts = snpCounts(rs.bed, snp, sel.famIndex);
    const n = counts.length;
    let y = sel.y;
    const adjusted = Boolean(opts.adjusted) && sel.covariates.length + pcs.length > 0;
    if (adjusted) {
      const w = [new Float64Array(n).fill(1), ...sel.covariates, ...pcs];
      const b = leastSquares(w, y);
      let mean = 0;
      for (let i = 0; i < n; i++) mean += y[i]!;
      mean /= n;
      const res = Float64Array.from(y);
      for (let j = 0; j < w.length; j++) for (let i = 0; i < n; i++) res[i] = res[i]! - b[j]! * w[j]![i]!;
      for (let i = 0; i < n; i++) res[i] = res[i]! + mean;
      y = res;
    }
    const a1 = info.allele1;
    const a0 = info.allele0;
    const label = [`${a0}${a0}`, `${a0}${a1}`, `${a1}${a1}`];
    const classes: GenotypeClass[] = ([0, 1, 2] as const).map((count) => {
      const values: number[] = [];
      for (let i = 0; i < n; i++) if (counts[i] === count) values.push(y[i]!);
      return { count, label: label[count]!, values: Float64Array.from(values) };
    });
    const out: GenotypeData = { rs: info.rs, chr: info.chr, pos: info.pos, allele1: a1, allele0: a0, trait, adjusted, classes };
    if (details.result) out.negLog10P = details.result.negLog10P;
    return out;
  });
}
