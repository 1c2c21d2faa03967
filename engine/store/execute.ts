/**
 * Running a scan into a project, through the one scan entry (engine/scan/run.ts runScan): prepare from the project's own copies of the inputs (and its cached
 * kinship / eigendecomposition), then scan from the run's committed position, committing every
 * block with the run's progress in one transaction. The same code starts and resumes a run, so a
 * resumed run's rows are those an uninterrupted run gives: the same prepared model, the same block
 * boundaries (the run's fixed block size, from its committed position), the same formatting.
 */
import type Database from 'better-sqlite3';
import { availableParallelism } from 'node:os';
import { InputError } from '../io/errors.js';
import { describePcs, pcRecords } from '../scan/pcs.js';
import type { Progress, ScanInputs } from '../scan/prepare.js';
import { lambdaGc } from '../scan/results.js';
import { runScan, summarise, type ScanSummary } from '../scan/run.js';
import { ProjectCache, type CacheActivity } from './cache.js';
import { loadPlink } from './datasets.js';
import { loadMatrix } from './matrices.js';
import { allLnP, flagCounts, ResultWriter } from './results.js';
import { addLog, beginSession, endSession, getRun, runSpec, setPrepared, type NullFitRecord, type RunInfo, type RunSpec } from './runs.js';
import { loadSheet } from './sheets.js';
import { VERSION } from '../version.js';

export interface ExecuteOptions {
  progress?: Progress;
  /** Polled between blocks; true stops the scan (the run becomes 'cancelled' and can be resumed). */
  shouldStop?: () => boolean;
  threads?: number;
  /** Called when preparation is over and the per-SNP scan starts (e.g. to start handling Ctrl-C). */
  onScanStart?: () => void;
  /** Stop at the first block boundary at or after this position of the tested-SNP list (the run is left 'cancelled' there). */
  stopAt?: number;
}

export interface ExecuteResult {
  run: RunInfo;
  summary: ScanSummary;
  cache: CacheActivity;
}

/** The scan inputs of a run, all from the project (nothing is read from the source files). */
export function projectInputs(db: Database.Database, spec: RunSpec): ScanInputs {
  const plink = loadPlink(db, spec.datasetId);
  try {
    const inputs: ScanInputs = { plink, pheno: loadSheet(db, spec.phenoSheetId) };
    if (spec.covarSheetId !== undefined) inputs.covar = loadSheet(db, spec.covarSheetId);
    if (spec.matrixId !== undefined) inputs.kinship = loadMatrix(db, spec.matrixId);
    return inputs;
  } catch (e) {
    plink.bed.close();
    throw e;
  }
}

function nullFitRecord(summary: ScanSummary): NullFitRecord {
  const n = summary.null;
  return { logl_h0: n.logl_h0, sigma_a2: n.sigma_a2, sigma_e2: n.sigma_e2, delta: n.delta, pve: n.pve };
}

/** Start a queued run, or continue one that was cancelled, interrupted or failed, from its committed position. */
export async function executeRun(db: Database.Database, runId: number, opts: ExecuteOptions = {}): Promise<ExecuteResult> {
  const before = getRun(db, runId);
  if (before.status === 'done') {
    throw new InputError(`run ${runId} is already done`, { file: db.name }, `Export it with kinscan export --project ${db.name} --run ${runId} --out RESULTS.tsv`);
  }
  if (before.status === 'running') {
    throw new InputError(`run ${runId} is running now`, { file: db.name }, 'Wait for it to finish, or stop it first');
  }
  const spec = runSpec(db, runId);
  const t0 = performance.now();
  const seq = beginSession(db, runId);
  if (before.done > 0 && before.softwareVersion !== VERSION) {
    addLog(db, runId, 'warn', `the first ${before.done} tested SNPs were computed by kinscan ${before.softwareVersion}, the rest by kinscan ${VERSION}`);
  }
  const cache = new ProjectCache(db, spec.datasetId, true);
  const threads = opts.threads ?? availableParallelism();
  const prevTimings = before.timings ?? {};
  try {
    const writer = new ResultWriter(db, runId);
    let total = 0;
    const outcome = await runScan({
      settings: spec.settings,
      inputs: projectInputs(db, spec),
      cache,
      threads,
      blockSize: spec.blockSize,
      from: before.done,
      // Stop on a block boundary, so a resumed run has the same blocks as an uninterrupted one.
      ...(opts.stopAt !== undefined ? { to: Math.ceil(opts.stopAt / spec.blockSize) * spec.blockSize } : {}),
      ...(opts.progress ? { progress: opts.progress } : {}),
      ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
      onPrepared: (p) => {
        total = p.tested.length;
        if (before.total !== null && before.total !== total) {
          throw new InputError(
            `run ${runId} tested ${before.total} SNPs before, but preparing it again gives ${total}`,
            { file: db.name },
            'The run cannot be resumed with this version of Kinscan; start a new run with the same settings',
          );
        }
        setPrepared(db, runId, total, p.n, { ...p.timings, scan: prevTimings['scan'] ?? 0 });
        const a = cache.activity;
        const cacheNote =
          a.eigenHits > 0
            ? 'eigendecomposition from the project cache'
            : `${a.kinshipHits > 0 ? 'kinship from the project cache' : 'kinship computed'}, eigendecomposition computed`;
        addLog(db, runId, 'info', `prepared: ${p.n} individuals analysed, ${total} SNPs to test; ${cacheNote}; null logl ${p.nullFit.logl.toFixed(6)}`);
        if (p.pcs.names.length > 0) addLog(db, runId, 'info', describePcs(pcRecords(p.pcs)));
      },
      ...(opts.onScanStart ? { onScanStart: opts.onScanStart } : {}),
      onBlock: (rows, pr) => writer.commit(rows, pr.done),
    });
    const p = outcome.prep;
    p.timings['scan'] = (prevTimings['scan'] ?? 0) + (p.timings['scan'] ?? 0);

    const now = getRun(db, runId);
    const complete = now.done === total;
    const lnps = allLnP(db, runId);
    const wall = (performance.now() - t0) / 1000;
    const summary = summarise(p, { collinear: now.done - now.rows }, lambdaGc(lnps), now.rows, complete, now.wallSeconds + wall, flagCounts(db, runId));
    db.transaction(() => {
      db.prepare('UPDATE runs SET summary = ?, lambda_gc = ?, null_fit = ?, timings = ?, heritability = ? WHERE id = ?').run(
        JSON.stringify(summary),
        Number.isNaN(summary.lambda_gc) ? null : summary.lambda_gc,
        JSON.stringify(nullFitRecord(summary)),
        JSON.stringify(p.timings),
        p.heritability ? JSON.stringify(p.heritability) : null,
        runId,
      );
      endSession(db, runId, seq, complete ? 'done' : 'cancelled', wall);
    })();
    return { run: getRun(db, runId), summary, cache: cache.activity };
  } catch (e) {
    try {
      endSession(db, runId, seq, 'failed', (performance.now() - t0) / 1000, (e as Error).message);
    } catch {
      // The database itself failed (disk full...): the run is found 'running' on the next open and marked interrupted.
    }
    throw e;
  }
}
