/**
 * The store's records in the protocol's shapes (engine/protocol/methods.ts): only the fields a
 * client needs, and numbers JSON can carry (NaN and infinities become null).
 */
import type { z } from 'zod';
import type { datasetSchema, HitRow, matrixSchema, RunSummary, runDetailSchema, sheetSchema } from '../protocol/methods.js';
import type { DatasetInfo, Hit, MatrixInfo, RunInfo, SheetInfo } from '../store/project.js';

/** A number, or null when it is NaN or infinite. */
export function finite(x: number | null | undefined): number | null {
  return x !== null && x !== undefined && Number.isFinite(x) ? x : null;
}

export function datasetView(d: DatasetInfo): z.infer<typeof datasetSchema> {
  return { id: d.id, name: d.name, prefix: d.prefix, nSamples: d.nSamples, nSnps: d.nSnps, importedAt: d.importedAt };
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
    importedAt: s.importedAt,
  };
}

export function matrixView(m: MatrixInfo): z.infer<typeof matrixSchema> {
  return { id: m.id, name: m.name, path: m.path, n: m.n, importedAt: m.importedAt };
}

export function runSummaryView(r: RunInfo, queuePosition: number | null): RunSummary {
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
  };
}

export function runDetailView(r: RunInfo, queuePosition: number | null): z.infer<typeof runDetailSchema> {
  const nf = r.nullFit;
  return {
    ...runSummaryView(r, queuePosition),
    settings: r.settings,
    softwareVersion: r.softwareVersion,
    blockSize: r.blockSize,
    nullFit: nf
      ? { logl_h0: finite(nf.logl_h0), sigma_a2: finite(nf.sigma_a2), sigma_e2: finite(nf.sigma_e2), delta: finite(nf.delta), pve: finite(nf.pve) }
      : null,
    timings: r.timings,
  };
}

export function hitRowView(h: Hit): HitRow {
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
    flag: h.flag ?? '',
  };
}
