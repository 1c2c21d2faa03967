import { closeSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { VERSION } from '../version.js';
import { prepareScan, type PreparedScan, type Progress, type ScanInputs } from './prepare.js';
import { formatRow, lambdaGc, RESULT_HEADER } from './results.js';
import type { ScanSkips } from './scan.js';
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
  model: ScanSettings['model'];
  method: ScanSettings['method'];
  wall_seconds: number;
  timings_seconds: Record<string, number>;
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
 * OUT.partial and a summary with complete = false.
 */
export async function scanToFiles(settings: ScanSettings, out: string, opts: RunToFilesOptions = {}): Promise<ScanSummary> {
  const t0 = performance.now();
  const prep = prepareScan(settings, opts.progress, opts.inputs);
  const partial = `${out}.partial`;
  const fd = openSync(partial, 'w');
  const lnPs: number[] = [];
  let skips: ScanSkips;
  const tScan = performance.now();
  opts.onScanStart?.();
  try {
    writeSync(fd, RESULT_HEADER + '\n');
    skips = await scheduleScan(prep, {
      ...(opts.threads ? { threads: opts.threads } : {}),
      onBlock: (rows, pr) => {
        if (rows.length > 0) writeSync(fd, rows.map((r) => formatRow(r, prep.plink.bim)).join('\n') + '\n');
        for (const r of rows) lnPs.push(r.lnP);
        opts.progress?.('scan', pr.done, pr.total);
      },
      shouldStop: opts.shouldStop,
    });
  } finally {
    closeSync(fd);
    prep.plink.bed.close();
  }
  prep.timings['scan'] = (performance.now() - tScan) / 1000;
  const complete = lnPs.length + skips.collinear === prep.tested.length;
  if (complete) renameSync(partial, out);
  const summary = summarise(prep, skips, lambdaGc(Float64Array.from(lnPs)), lnPs.length, complete, (performance.now() - t0) / 1000);
  const summaryPath = out.replace(/\.(tsv|txt)$/i, '') + '.summary.json';
  writeFileSync(summaryPath, JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
