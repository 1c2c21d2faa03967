/**
 * The one way to run a scan: `runScan` reads the inputs (or takes them opened, e.g. from a project),
 * prepares the trait (QC, kinship, eigendecomposition, null fit; prepare.ts), starts the worker pool
 * while it does, runs the per-SNP loop over the pool (or in this thread) from a position to a
 * position, reports progress by stage with the rate and ETA, stops when asked, and hands every
 * block's rows to the caller in file order. With settings.loco each chromosome is tested against
 * the kinship of the others (loco.ts). Every caller goes through it:
 *   - the CLI's file route and the tests' references: scanToFiles (below) writes RESULTS.tsv;
 *   - the project route (CLI, service): engine/store/execute.ts commits each block to the project;
 *   - the bench runs the CLI.
 * The genotypes are closed when the scan ends, however it ends; so are the workers.
 */
import type { HeritabilityReport } from '../stats/heritability/heritability.js';
import { closeSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { InputError } from '../io/errors.js';
import { plinkPaths, refuseOverwrite } from '../io/output-guard.js';
import { kinshipInputFile } from '../protocol/settings.js';
import type { PedigreeNote } from '../stats/pedigree-relationship.js';
import { VERSION } from '../version.js';
import { forEachLocoPart } from './loco.js';
import { pcRecords, type PcRecord } from './pcs.js';
import { ScanPool, selectionPoolSpec } from './pool.js';
import {
  fitBasis,
  heritabilityOf,
  kinshipOf,
  openScanInputs,
  prepareScan,
  selectScan,
  type PrepareCache,
  type PreparedScan,
  type Progress,
  type ScanInputs,
  type StageRate,
} from './prepare.js';
import { formatRow, lambdaGc, RESULT_HEADER } from './results.js';
import { DEFAULT_BLOCK, type ScanProgress, type ScanRow, type ScanSkips } from './scan.js';
import { scanBlocks } from './scheduler.js';
import type { ScanSettings } from './settings.js';

/** Progress of the per-SNP loop, with the rate and the time left. */
export interface RateProgress extends ScanProgress, StageRate {}

/** A scan to run. */
export interface ScanRequest {
  settings: ScanSettings;
  /** Already opened inputs (a project's copies); otherwise the files named in the settings are read. Closed when the scan ends. */
  inputs?: ScanInputs;
  /** Where the kinship and eigendecomposition are kept between scans (a project's cache). */
  cache?: PrepareCache;
  /** Worker threads (default: all cores); 1 runs in this thread. */
  threads?: number;
  /** Tested SNPs per block (rotated together; one commit each in a project). Default DEFAULT_BLOCK. */
  blockSize?: number;
  /** Start at this position of the tested-SNP list (resume); not with loco. */
  from?: number;
  /** Stop before this position (default: the end); not with loco. */
  to?: number;
  progress?: Progress;
  /** Polled between blocks; true stops the scan after the blocks in flight. */
  shouldStop?: () => boolean;
  /** Called once the trait is prepared, before any block; throwing refuses the scan (nothing is tested). */
  onPrepared?: (prep: PreparedScan) => void;
  /** Called when the per-SNP loop starts (e.g. to start handling Ctrl-C). */
  onScanStart?: () => void;
  /** Each block's rows in file order, with the position reached; `prep` is the part's (a chromosome's, with loco). */
  onBlock: (rows: ScanRow[], progress: RateProgress, prep: PreparedScan) => void;
}

/** How a scan ended. */
export interface ScanOutcome {
  /** The prepared trait (with loco: the genome-wide kinship and null fit). Its genotypes are closed. */
  prep: PreparedScan;
  /** Position of the tested-SNP list reached (prep.tested.length when the scan is complete). */
  done: number;
  complete: boolean;
  /** SNPs skipped in this call as collinear with the covariates. */
  skips: ScanSkips;
  /** With loco: each chromosome's null fit. */
  loco?: LocoSummary[];
}

/** Run a scan (see the module comment). */
export async function runScan(req: ScanRequest): Promise<ScanOutcome> {
  const threads = Math.max(1, req.threads ?? availableParallelism());
  const blockSize = req.blockSize ?? DEFAULT_BLOCK;
  let inputs = req.inputs;
  if (!inputs) {
    req.progress?.('reading', 0, 1);
    inputs = openScanInputs(req.settings);
    req.progress?.('reading', 1, 1);
  }
  try {
    return req.settings.loco ? await runLoco(req, inputs, threads, blockSize) : await runWhole(req, inputs, threads, blockSize);
  } finally {
    inputs.plink.bed.close();
  }
}

/** Rate and ETA of the loop from its start time and first position. */
function rateOf(start: number, first: number, done: number, end: number): StageRate {
  const secs = (performance.now() - start) / 1000;
  const rate = secs > 0 ? (done - first) / secs : 0;
  return { rate, etaSeconds: rate > 0 ? (end - done) / rate : null };
}

async function runWhole(req: ScanRequest, inputs: ScanInputs, threads: number, blockSize: number): Promise<ScanOutcome> {
  const { settings } = req;
  // The workers start as soon as the individuals are known and boot during the kinship and eigendecomposition.
  let pool: ScanPool | undefined;
  try {
    const prep = prepareScan(settings, req.progress, inputs, req.cache, threads, (sel) => {
      if (threads > 1) pool = ScanPool.start({ ...selectionPoolSpec(settings, sel, threads), blockSize });
    });
    req.onPrepared?.(prep);
    const total = prep.tested.length;
    const from = Math.min(req.from ?? 0, total);
    const to = Math.min(req.to ?? total, total);
    req.onScanStart?.();
    const start = performance.now();
    let done = from;
    const skips = await scanBlocks(prep, {
      threads,
      ...(pool ? { pool } : {}),
      blockSize,
      from,
      to,
      ...(req.shouldStop ? { shouldStop: req.shouldStop } : {}),
      onBlock: (rows, p) => {
        done = p.done;
        const rate = rateOf(start, from, p.done, to);
        req.onBlock(rows, { ...p, ...rate }, prep);
        req.progress?.('scan', p.done, p.total, rate);
      },
    });
    pool = undefined; // closed by scanBlocks
    prep.timings['scan'] = (performance.now() - start) / 1000;
    return { prep, done, complete: done === total, skips };
  } finally {
    await pool?.close();
  }
}

async function runLoco(req: ScanRequest, inputs: ScanInputs, threads: number, blockSize: number): Promise<ScanOutcome> {
  const { settings } = req;
  if (typeof settings.kinship === 'object') {
    throw new InputError('--loco builds the kinship from the genotypes chromosome by chromosome, so it cannot use a kinship file or a pedigree', { file: kinshipInputFile(settings.kinship) }, 'Use --kinship centered or standardized with --loco');
  }
  if ((req.from ?? 0) !== 0 || req.to !== undefined) throw new RangeError('runScan: a leave-one-chromosome-out scan runs whole (no from or to)');
  // The genome-wide fit (for the summary's null model) and its kinship, which every chromosome's reuses.
  req.progress?.('qc', 0, 1);
  const sel = selectScan(settings, inputs);
  req.progress?.('qc', 1, 1);
  const tk = performance.now();
  const kin = kinshipOf(sel.plink.bed, sel.include, settings.kinship, threads, req.progress, sel.plink.dosage);
  const tb = performance.now();
  const basis = fitBasis(settings, sel, { kinship: kin.data }, threads, req.progress);
  const th = performance.now();
  const h2 = heritabilityOf(basis);
  const warnings = [...(sel.warnings ?? []), ...h2.warnings];
  const prep: PreparedScan = {
    settings,
    ...sel,
    ...basis,
    kinshipSnps: kin.snps,
    heritability: h2.report,
    ...(warnings.length > 0 ? { warnings } : {}),
    timings: { kinship: (tb - tk) / 1000, 'eigen+null': (th - tb) / 1000, heritability: (performance.now() - th) / 1000 },
  };
  req.onPrepared?.(prep);
  const total = sel.tested.length;
  const parts: LocoSummary[] = [];
  const skips: ScanSkips = { collinear: 0 };
  let offset = 0;
  let stopped = false;
  req.onScanStart?.();
  const start = performance.now();
  await forEachLocoPart(
    settings,
    sel,
    kin.data,
    kin.snps,
    threads,
    basis.pcs,
    async (part) => {
      const ts = performance.now();
      let reached = 0;
      const sk = await scanBlocks(part.prep, {
        threads,
        blockSize,
        ...(req.shouldStop ? { shouldStop: req.shouldStop } : {}),
        onBlock: (rows, p) => {
          reached = p.done;
          const done = offset + p.done;
          const rate = rateOf(start, 0, done, total);
          req.onBlock(rows, { done, total, ...rate }, part.prep);
          req.progress?.('scan', done, total, rate);
        },
      });
      skips.collinear += sk.collinear;
      if (reached < part.prep.tested.length) stopped = true;
      for (const [k, v] of Object.entries(part.prep.timings)) prep.timings[k] = (prep.timings[k] ?? 0) + v;
      prep.timings['scan'] = (prep.timings['scan'] ?? 0) + (performance.now() - ts) / 1000;
      const nf = part.prep.nullFit;
      const t = part.prep.kinshipScale;
      parts.push({ chr: part.chr, tested: part.prep.tested.length, kinship_snps: part.kinshipSnps, logl_h0: nf.logl, sigma_a2: nf.sigmaA2, sigma_e2: nf.sigmaE2, pve: (t * nf.sigmaA2) / (t * nf.sigmaA2 + nf.sigmaE2) });
      offset += stopped ? reached : part.prep.tested.length;
      return !stopped;
    },
    req.progress,
  );
  return { prep, done: offset, complete: !stopped && offset === total, skips, loco: parts };
}

// ---------------------------------------------------------------- the summary

/** What RESULTS.summary.json holds. */
export interface ScanSummary {
  software: { name: 'kinscan'; version: string };
  complete: boolean;
  settings: ScanSettings;
  samples: PreparedScan['samples']['report'];
  /** The fixed effects besides the SNP's: intercept, the sheet's covariates, then PC1.. (setting pcs). */
  covariates: string[];
  /** The principal components of the kinship added as covariates (setting pcs), with their eigenvalues; absent in runs recorded before the setting. */
  pcs?: PcRecord[];
  snps: {
    total: number;
    /** SNPs that passed QC and were to be tested. */
    planned: number;
    tested: number;
    failedMissing: number;
    failedMaf: number;
    singleClass: number;
    /** HWE exact test p below the setting hwe (absent, like the next two, in runs recorded before these filters). */
    failedHwe?: number;
    /** Same ID and position as an earlier SNP. */
    failedDuplicate?: number;
    /** Genotypes with r2 > 0.9999 on the covariates (GEMMA's rule; engine/qc/collinear.ts), not tested. */
    failedCollinear?: number;
    /** SNPs that passed QC but whose model was not identifiable once fitted (a SNP collinear with the covariates and PCs). */
    collinearWithCovariates: number;
    /** Tested SNPs whose row is flagged (the `flag` column is not empty), and by flag. */
    flagged: number;
    flaggedBelowNull: number;
    flaggedNotConverged: number;
    maf: number;
    maxMissing: number;
    /** The HWE p threshold (0: none). */
    hwe?: number;
  };
  /** Stated warnings about the inputs (e.g. a SNP ID at two positions). */
  warnings?: string[];
  /** source: centered, standardized, or the kinship file or pedigree; pedigree: a pedigree kinship's size and inbreeding. */
  kinship: { source: string; snps: number; scale: number; pedigree?: Omit<PedigreeNote, 'warnings'> };
  null: {
    logl_h0: number;
    sigma_a2: number;
    sigma_e2: number;
    delta: number;
    pve: number;
    beta: number[];
    se: number[];
    boundary: string;
  };
  /** The null model's h2 (PVE) with its profile-likelihood, posterior and parametric-bootstrap intervals (absent in runs recorded before them; null when they could not be computed). */
  heritability?: HeritabilityReport | null;
  lambda_gc: number;
  /** With --loco: each chromosome's null fit against the kinship of the other chromosomes. */
  loco?: LocoSummary[];
  model: ScanSettings['model'];
  method: ScanSettings['method'];
  wall_seconds: number;
  timings_seconds: Record<string, number>;
}

export interface LocoSummary {
  chr: string;
  tested: number;
  kinship_snps: number;
  logl_h0: number;
  sigma_a2: number;
  sigma_e2: number;
  pve: number;
}

/** A pedigree kinship as the summary records it (its warnings are the summary's). */
function pedigreeRecord(p: PedigreeNote): Omit<PedigreeNote, 'warnings'> {
  const { warnings: _warnings, ...rest } = p;
  return rest;
}

/** Counts of flagged rows, as the summary reports them. */
export interface FlagCounts {
  flagged: number;
  belowNull: number;
  notConverged: number;
}

/** Count the flags of some rows into `into`. */
export function countFlags(rows: ScanRow[], into: FlagCounts): void {
  for (const r of rows) {
    if (r.flag === '') continue;
    into.flagged++;
    if (r.flag.includes('below-null')) into.belowNull++;
    if (r.flag.includes('not-converged')) into.notConverged++;
  }
}

export function summarise(prep: PreparedScan, skips: ScanSkips, lambda: number, tested: number, complete: boolean, wall: number, flags: FlagCounts): ScanSummary {
  const nf = prep.nullFit;
  const t = prep.kinshipScale;
  const st = prep.settings;
  return {
    software: { name: 'kinscan', version: VERSION },
    complete,
    settings: st,
    samples: prep.samples.report,
    covariates: ['intercept', ...prep.samples.covariateNames, ...prep.pcs.names],
    pcs: pcRecords(prep.pcs),
    snps: {
      total: prep.snpReport.total,
      planned: prep.tested.length,
      tested,
      failedMissing: prep.snpReport.failedMissing,
      failedMaf: prep.snpReport.failedMaf,
      singleClass: prep.snpReport.singleClass,
      failedHwe: prep.snpReport.failedHwe,
      failedDuplicate: prep.snpReport.failedDuplicate,
      failedCollinear: prep.snpReport.failedCollinear,
      collinearWithCovariates: skips.collinear,
      flagged: flags.flagged,
      flaggedBelowNull: flags.belowNull,
      flaggedNotConverged: flags.notConverged,
      maf: st.maf,
      maxMissing: st.maxMissing,
      hwe: st.hwe,
    },
    warnings: prep.warnings ?? [],
    kinship: {
      source: kinshipInputFile(st.kinship) ?? String(st.kinship),
      snps: prep.kinshipSnps,
      scale: t,
      ...(prep.kinshipPedigree ? { pedigree: pedigreeRecord(prep.kinshipPedigree) } : {}),
    },
    null: {
      logl_h0: nf.logl,
      sigma_a2: nf.sigmaA2,
      sigma_e2: nf.sigmaE2,
      delta: nf.delta,
      pve: (t * nf.sigmaA2) / (t * nf.sigmaA2 + nf.sigmaE2),
      beta: Array.from(nf.beta),
      se: Array.from(nf.se),
      boundary: nf.where,
    },
    heritability: prep.heritability,
    lambda_gc: lambda,
    model: st.model,
    method: st.method,
    wall_seconds: wall,
    timings_seconds: prep.timings,
  };
}

// ---------------------------------------------------------------- the file route

/** Where the summary of OUT goes: OUT without .tsv/.txt, plus .summary.json. */
export function summaryPath(out: string): string {
  return out.replace(/\.(tsv|txt)$/i, '') + '.summary.json';
}

/** Every file a scan reads, as named in its settings. */
export function scanInputPaths(settings: ScanSettings): string[] {
  const paths = settings.bfile ? plinkPaths(settings.bfile) : [];
  if (settings.pheno) paths.push(settings.pheno);
  if (settings.covar) paths.push(settings.covar);
  const kinshipFile = kinshipInputFile(settings.kinship);
  if (kinshipFile !== undefined) paths.push(kinshipFile);
  return paths;
}

/** Refuse an --out (or the .partial and .summary.json written beside it) that is one of the scan's inputs. */
export function refuseScanOverwrite(settings: ScanSettings, out: string, extra: string[] = []): void {
  const inputs = [...scanInputPaths(settings), ...extra];
  for (const target of [out, `${out}.partial`, summaryPath(out)]) refuseOverwrite(target, inputs, 'the scan', 'Choose another file name for --out');
}

export interface RunToFilesOptions {
  progress?: Progress;
  shouldStop?: () => boolean;
  threads?: number;
  /** Already opened inputs (otherwise the files named in the settings are read). */
  inputs?: ScanInputs;
  /** The kinship and eigendecomposition kept between scans. */
  cache?: PrepareCache;
  /** Called when preparation is over and the per-SNP scan starts (e.g. to start handling Ctrl-C). */
  onScanStart?: () => void;
}

/**
 * A whole scan (runScan) written to a TSV, one row per tested SNP, and a summary JSON beside it.
 * The TSV is written to OUT.partial and renamed when complete; a stopped scan leaves OUT.partial
 * and a summary with complete = false. OUT never overwrites an input.
 */
export async function scanToFiles(settings: ScanSettings, out: string, opts: RunToFilesOptions = {}): Promise<ScanSummary> {
  refuseScanOverwrite(settings, out);
  const t0 = performance.now();
  const partial = `${out}.partial`;
  const lnPs: number[] = [];
  const flags: FlagCounts = { flagged: 0, belowNull: 0, notConverged: 0 };
  let fd: number | undefined;
  let outcome: ScanOutcome;
  try {
    outcome = await runScan({
      settings,
      ...(opts.inputs ? { inputs: opts.inputs } : {}),
      ...(opts.cache ? { cache: opts.cache } : {}),
      ...(opts.threads ? { threads: opts.threads } : {}),
      ...(opts.progress ? { progress: opts.progress } : {}),
      ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
      onScanStart: () => {
        // The caller's start (the CLI's Ctrl-C handler) first: once OUT.partial exists, a stop is handled.
        opts.onScanStart?.();
        fd = openSync(partial, 'w');
        writeSync(fd, RESULT_HEADER + '\n');
      },
      onBlock: (rows, _p, prep) => {
        if (rows.length > 0) writeSync(fd!, rows.map((r) => formatRow(r, prep.plink.bim, settings.bayes.priorProbability)).join('\n') + '\n');
        for (const r of rows) lnPs.push(r.lnP);
        countFlags(rows, flags);
      },
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const { prep, complete } = outcome;
  if (complete) renameSync(partial, out);
  const summary = summarise(prep, outcome.skips, lambdaGc(Float64Array.from(lnPs)), lnPs.length, complete, (performance.now() - t0) / 1000, flags);
  if (outcome.loco) summary.loco = outcome.loco;
  writeFileSync(summaryPath(out), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
