import { closeSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { VERSION } from '../version.js';
import { availableParallelism } from 'node:os';
import { InputError } from '../io/errors.js';
import { forEachLocoPart } from './loco.js';
import { fitBasis, kinshipOf, openScanInputs, prepareScan, selectScan, type PreparedScan, type Progress, type ScanInputs } from './prepare.js';
import { formatRow, lambdaGc, RESULT_HEADER } from './results.js';
import type { ScanRow, ScanSkips } from './scan.js';
import { ScanPool, selectionPoolSpec } from './pool.js';
import { scheduleScan } from './scheduler.js';
import type { ScanSettings } from './settings.js';

/** What RESULTS.summary.json holds. */
export interface ScanSummary {
  software: { name: 'kinscan'; version: string };
  complete: boolean;
  settings: ScanSettings;
  samples: PreparedScan['samples']['report'];
  covariates: string[];
  snps: {
    total: number;
    /** SNPs that passed QC and were to be tested. */
    planned: number;
    tested: number;
    failedMissing: number;
    failedMaf: number;
    singleClass: number;
    collinearWithCovariates: number;
    maf: number;
    maxMissing: number;
  };
  kinship: { source: string; snps: number; scale: number };
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

export function summarise(prep: PreparedScan, skips: ScanSkips, lambda: number, tested: number, complete: boolean, wall: number): ScanSummary {
  const nf = prep.nullFit;
  const t = prep.kinshipScale;
  const st = prep.settings;
  return {
    software: { name: 'kinscan', version: VERSION },
    complete,
    settings: st,
    samples: prep.samples.report,
    covariates: ['intercept', ...prep.samples.covariateNames],
    snps: {
      total: prep.snpReport.total,
      planned: prep.tested.length,
      tested,
      failedMissing: prep.snpReport.failedMissing,
      failedMaf: prep.snpReport.failedMaf,
      singleClass: prep.snpReport.singleClass,
      collinearWithCovariates: skips.collinear,
      maf: st.maf,
      maxMissing: st.maxMissing,
    },
    kinship: { source: typeof st.kinship === 'object' ? st.kinship.file : st.kinship, snps: prep.kinshipSnps, scale: t },
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
    lambda_gc: lambda,
    model: st.model,
    method: st.method,
    wall_seconds: wall,
    timings_seconds: prep.timings,
  };
}

export interface RunToFilesOptions {
  progress?: Progress;
  shouldStop?: () => boolean;
  threads?: number;
  /** Already opened inputs (otherwise the files named in the settings are read). */
  inputs?: ScanInputs;
  /** Called when preparation is over and the per-SNP scan starts (e.g. to start handling Ctrl-C). */
  onScanStart?: () => void;
}

/**
 * A whole scan written to a TSV (one row per tested SNP) and a summary JSON beside it.
 * The TSV is written to OUT.partial and renamed when complete; a stopped scan leaves
 * OUT.partial and a summary with complete = false. With settings.loco, each chromosome is
 * tested against the kinship of the others (loco.ts); the summary's null fit is the genome-wide one.
 */
export async function scanToFiles(settings: ScanSettings, out: string, opts: RunToFilesOptions = {}): Promise<ScanSummary> {
  const t0 = performance.now();
  const threads = opts.threads ?? availableParallelism();
  const partial = `${out}.partial`;
  const lnPs: number[] = [];
  const skips: ScanSkips = { collinear: 0 };
  let fd: number | undefined;
  let stopped = false;
  let prep: PreparedScan;
  const locoParts: LocoSummary[] = [];
  const write = (p: PreparedScan, offset: number, total: number) => (rows: ScanRow[], pr: { done: number }) => {
    if (rows.length > 0) writeSync(fd!, rows.map((r) => formatRow(r, p.plink.bim)).join('\n') + '\n');
    for (const r of rows) lnPs.push(r.lnP);
    opts.progress?.('scan', offset + pr.done, total);
  };
  const scanPart = async (p: PreparedScan, offset: number, total: number, pool?: ScanPool): Promise<void> => {
    const before = lnPs.length + skips.collinear;
    const sk = await scheduleScan(p, { threads, pool, onBlock: write(p, offset, total), shouldStop: opts.shouldStop });
    skips.collinear += sk.collinear;
    if (lnPs.length + skips.collinear - before < p.tested.length) stopped = true;
  };
  const begin = (): void => {
    fd = openSync(partial, 'w');
    writeSync(fd, RESULT_HEADER + '\n');
    opts.onScanStart?.();
  };

  if (!settings.loco) {
    // The scan's workers start as soon as the individuals are known and boot during the kinship
    // and eigendecomposition.
    let pool: ScanPool | undefined;
    try {
      prep = prepareScan(settings, opts.progress, opts.inputs, undefined, threads, (sel) => {
        if (threads > 1) pool = ScanPool.start(selectionPoolSpec(settings, sel, threads));
      });
    } catch (e) {
      await pool?.close();
      throw e;
    }
    const tScan = performance.now();
    try {
      begin();
      await scanPart(prep, 0, prep.tested.length, pool);
    } finally {
      await pool?.close();
      if (fd !== undefined) closeSync(fd);
      prep.plink.bed.close();
    }
    prep.timings['scan'] = (performance.now() - tScan) / 1000;
  } else {
    if (typeof settings.kinship === 'object') {
      throw new InputError('--loco builds the kinship from the genotypes chromosome by chromosome, so it cannot use a kinship file', { file: settings.kinship.file }, 'Use --kinship centered or standardized with --loco');
    }
    // The genome-wide fit (for the summary's null model) and its kinship, which every chromosome's reuses.
    const opened = opts.inputs ?? openScanInputs(settings);
    const sel = selectScan(settings, opened);
    const tk = performance.now();
    const kin = kinshipOf(sel.plink.bed, sel.include, settings.kinship, threads, opts.progress);
    const tb = performance.now();
    const basis = fitBasis(settings, sel, { kinship: kin.data }, threads);
    prep = { settings, ...sel, ...basis, kinshipSnps: kin.snps, timings: { kinship: (tb - tk) / 1000, 'eigen+null': (performance.now() - tb) / 1000 } };
    const total = sel.tested.length;
    let offset = 0;
    try {
      begin();
      await forEachLocoPart(settings, sel, kin.data, kin.snps, threads, async (part) => {
        const ts = performance.now();
        await scanPart(part.prep, offset, total);
        for (const [k, v] of Object.entries(part.prep.timings)) prep.timings[k] = (prep.timings[k] ?? 0) + v;
        prep.timings['scan'] = (prep.timings['scan'] ?? 0) + (performance.now() - ts) / 1000;
        const nf = part.prep.nullFit;
        const t = part.prep.kinshipScale;
        locoParts.push({ chr: part.chr, tested: part.prep.tested.length, kinship_snps: part.kinshipSnps, logl_h0: nf.logl, sigma_a2: nf.sigmaA2, sigma_e2: nf.sigmaE2, pve: (t * nf.sigmaA2) / (t * nf.sigmaA2 + nf.sigmaE2) });
        offset += part.prep.tested.length;
        return !stopped;
      });
    } finally {
      if (fd !== undefined) closeSync(fd);
      sel.plink.bed.close();
    }
  }
  const complete = !stopped && lnPs.length + skips.collinear === prep.tested.length;
  if (complete) renameSync(partial, out);
  const summary = summarise(prep, skips, lambdaGc(Float64Array.from(lnPs)), lnPs.length, complete, (performance.now() - t0) / 1000);
  if (settings.loco) summary.loco = locoParts;
  const summaryPath = out.replace(/\.(tsv|txt)$/i, '') + '.summary.json';
  writeFileSync(summaryPath, JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
