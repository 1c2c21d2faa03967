/**
 * The store's records in the protocol's shapes (engine/protocol/methods.ts): only the fields a
 * client needs, and numbers JSON can carry (NaN and infinities become null).
 */
import { posteriorProbability } from '../stats/bayes/posterior-probability.js';
import type { z } from 'zod';
import type { datasetSchema, HitRow, matrixSchema, RunSummary, runDetailSchema, sheetSchema } from '../protocol/methods.js';
import type { DatasetInfo, Hit, MatrixInfo, RunInfo, SheetInfo } from '../store/project.js';

/** A number, or null when it is NaN or infinite. */
export function finite(x: number | null | undefined): number | null {
  return x !== null && x !== undefined && Number.isFinite(x) ? x : null;
}

export function datasetView(d: DatasetInfo): z.infer<typeof datasetSchema> {
  const { skipped, warnings } = d.importSummary;
  return { id: d.id, name: d.name, prefix: d.prefix, format: d.format, dosage: d.dosage, nSamples: d.nSamples, nSnps: d.nSnps, importedAt: d.importedAt, skipped, warnings };
}

export function sheetView(s: SheetInfo): z.infer<typeof sheetSchema> {
  return {
    id: s.id,
    name: s.name,
    path: s.path,
    idColumn: s.idColumn,
    fidColumn: s.fidColumn ?? null,
    rows: s.rows,
    columns: s.columns,
    numericColumns: s.numericColumns,
    ...(s.positional ? { positional: true } : {}),
    ...(s.warnings.length > 0 ? { warnings: s.warnings } : {}),
    importedAt: s.importedAt,
  };
}

export function matrixView(m: MatrixInfo): z.infer<typeof matrixSchema> {
  const base = { id: m.id, name: m.name, path: m.path, n: m.n, importedAt: m.importedAt };
  const p = m.pedigree;
  if (!p) return base;
  return {
    ...base,
    pedigree: {
      datasetId: p.datasetId,
      animals: p.animals,
      used: p.used,
      covered: m.n - p.unlisted,
      unlisted: p.unlisted,
      unlistedFounders: p.unlistedFounders,
      inbred: p.inbred,
      meanF: p.meanF,
      maxF: p.maxF,
      warnings: p.warnings,
    },
  };
}

/** A run's sample report (ScanSummary.samples): individuals analysed, and observations when some have several. */
export interface RunSamples {
  analysed: number;
  observations?: number;
}

/** samples: the run's sample report once it has ended (its summary), for repeated measures. */
export function runSummaryView(r: RunInfo, queuePosition: number | null, samples?: RunSamples): RunSummary {
  const obs = samples?.observations;
  return {
    id: r.id,
    status: r.status,
    queuePosition,
    trait: r.trait,
    model: r.model,
    method: r.method,
    datasetId: r.datasetId,
    phenoSheetId: r.phenoSheetId,
    covarSheetId: r.covarSheetId,
    matrixId: r.matrixId,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    done: r.done,
    total: r.total,
    rows: r.rows,
    analysed: r.analysed,
    lambdaGc: finite(r.lambdaGc),
    wallSeconds: r.wallSeconds,
    error: r.error,
    ...(obs !== undefined && obs > samples!.analysed ? { repeated: { individuals: samples!.analysed, observations: obs } } : {}),
  };
}

/** samples: the run's sample report once it has ended (its summary), for repeated measures. */
export function runDetailView(r: RunInfo, queuePosition: number | null, samples?: RunSamples): z.infer<typeof runDetailSchema> {
  const nf = r.nullFit;
  return {
    ...runSummaryView(r, queuePosition, samples),
    settings: r.settings,
    softwareVersion: r.softwareVersion,
    blockSize: r.blockSize,
    nullFit: nf
      ? { logl_h0: finite(nf.logl_h0), sigma_a2: finite(nf.sigma_a2), sigma_e2: finite(nf.sigma_e2), delta: finite(nf.delta), pve: finite(nf.pve) }
      : null,
    timings: r.timings,
  };
}

/** A result row for the UI; priorProbability: the run's, for ppa. */
export function hitRowView(h: Hit, priorProbability: number): HitRow {
  return {
    snp: h.snp,
    chr: h.chr,
    rs: h.rs,
    pos: h.pos,
    allele1: h.allele1,
    allele0: h.allele0,
    af: finite(h.af),
    nMiss: h.nMiss,
    df: h.df,
    betaA: finite(h.betaA),
    seA: finite(h.seA),
    betaD: finite(h.betaD),
    seD: finite(h.seD),
    loglH1: finite(h.loglH1),
    deltaH1: finite(h.deltaH1),
    lrt: finite(h.lrt),
    lnP: finite(h.lnP),
    negLog10P: finite(h.negLog10P),
    log10Bf: finite(h.log10Bf),
    log10Abf: finite(h.log10Abf),
    ppa: finite(posteriorProbability(h.log10Bf * Math.LN10, priorProbability)),
    flag: h.flag ?? '',
  };
}
