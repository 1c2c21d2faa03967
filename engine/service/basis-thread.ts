/**
 * The expensive work on a project's relatedness, done on a worker thread (basis-worker.ts) so that
 * the service's thread keeps answering requests: a run's kinship and eigendecomposition before its
 * scan, a dataset's kinship and top PCs before any run (dataset-basis.ts), and the figure scenes
 * drawn from them. The worker opens the project read-only (WAL lets a reader in beside the
 * service's writer) and computes what the project cache lacks with the scan's own functions and
 * cache keys (engine/scan/prepare.ts basisKeys, selectionEigen); the buffers come back transferred.
 * The service stores them in the project cache on its writer connection (storeBasis), where a scan
 * or a later request finds them.
 *
 * The promise settles only once the worker has exited: with its answer; with its error, type and
 * message kept (engine/io/thread-errors.ts); with an error naming the cause when it dies without
 * answering; or, when the signal aborts, with an AbortError after the worker is terminated.
 */
import { Worker } from 'node:worker_threads';
import type { FigureOptions } from '../figures/frame.js';
import type { Scene } from '../figures/scene.js';
import { reviveError, type ThreadError } from '../io/thread-errors.js';
import type { FigureRequest } from '../protocol/figures.js';
import type { Progress, ScanStage } from '../scan/prepare.js';
import type { KinshipMode } from '../stats/kinship.js';
import { workerScriptBeside } from '../io/worker-script.js';
import { ProjectCache } from '../store/cache.js';
import type { Project } from '../store/project.js';
import { addLog } from '../store/runs.js';

/** One job of the worker. */
export type BasisJob =
  /** A run's kinship and eigendecomposition, before its scan. */
  | { job: 'run'; runId: number }
  /** One figure scene of a run (runFigureScene), after its basis is in the cache. */
  | { job: 'run-figure'; runId: number; figure: FigureRequest }
  /** A dataset's kinship over all its genotyped individuals, its eigendecomposition and top `pcs` PCs. */
  | { job: 'dataset'; datasetId: number; mode: KinshipMode; pcs: number }
  /** The heatmap scene of a dataset's kinship. */
  | { job: 'dataset-kinship'; datasetId: number; mode: KinshipMode; figure: FigureOptions };

/** What the worker is given. */
export interface BasisWorkerData {
  projectPath: string;
  threads: number;
  job: BasisJob;
}

/** What the worker found missing from the project cache and computed, under the scan's cache keys. */
export interface RunBasis {
  datasetId: number;
  /** The kinship over all genotyped individuals, when it was computed (not read from a file or the cache). */
  kinship?: { key: string; data: Float64Array; snps: number };
  /** The eigendecomposition, when it was computed (absent when the cache has it). */
  eigen?: { key: string; s: Float64Array; u: Float64Array };
}

/** A dataset's relatedness: its top PCs over all genotyped individuals (dataset-basis.ts). */
export interface DatasetPcs {
  n: number;
  /** SNPs that built the kinship. */
  snps: number;
  sampleIds: string[];
  pcs: Float64Array[];
  varianceExplained: number[];
}

/** The worker's answer: what to store, and what the job asked for. */
export interface BasisAnswer {
  basis: RunBasis;
  overview?: DatasetPcs;
  scene?: Scene;
}

/** Messages from the worker. */
export type BasisMessage =
  | { type: 'progress'; stage: ScanStage; done: number; total: number }
  | { type: 'answer'; answer: BasisAnswer }
  | { type: 'error'; error: ThreadError };

export interface BasisThreadOptions {
  threads: number;
  /** Aborting terminates the worker; the promise then rejects with an AbortError. */
  signal?: AbortSignal;
  progress?: Progress;
}

/** The compiled worker script (see workerScriptBeside). */
function basisWorkerScript(): string | undefined {
  return workerScriptBeside(import.meta.url, 'basis-worker.js');
}

/**
 * Do `job` on the project at `projectPath` on a worker thread (see the module comment). Undefined
 * when the worker script is not built.
 */
export function onBasisWorker(projectPath: string, job: BasisJob, opts: BasisThreadOptions): Promise<BasisAnswer | undefined> {
  const script = basisWorkerScript();
  if (!script) return Promise.resolve(undefined);
  const signal = opts.signal;
  if (signal?.aborted) return Promise.reject(abortError());
  const data: BasisWorkerData = { projectPath, threads: opts.threads, job };
  return new Promise<BasisAnswer>((resolve, reject) => {
    const worker = new Worker(script, { workerData: data });
    let answer: BasisAnswer | undefined;
    let failure: Error | undefined;
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: BasisMessage) => {
      if (m.type === 'progress') opts.progress?.(m.stage, m.done, m.total);
      else if (m.type === 'answer') answer = m.answer;
      else failure ??= reviveError(m.error, 'the relatedness worker');
    });
    // An uncaught error (out of memory, a crash in a module it loads): the exit follows.
    worker.on('error', (e) => {
      failure ??= new Error(`the relatedness worker died: ${e.message}`, { cause: e });
    });
    worker.on('exit', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (aborted) reject(abortError());
      else if (answer) resolve(answer);
      else reject(failure ?? new Error(`the relatedness worker stopped (exit code ${code}) before it answered`));
    });
  });
}

/**
 * Compute on a worker thread the kinship and eigendecomposition that run `runId` of the project
 * at `projectPath` needs and the project cache lacks. Undefined when the worker script is not
 * built (the scan then computes them on the calling thread, as it would anyway).
 */
export async function computeRunBasis(projectPath: string, runId: number, opts: BasisThreadOptions & { signal: AbortSignal }): Promise<RunBasis | undefined> {
  return (await onBasisWorker(projectPath, { job: 'run', runId }, opts))?.basis;
}

function abortError(): Error {
  return new DOMException('the eigendecomposition was cancelled', 'AbortError');
}

/** Store what a worker computed in the project cache (the writer's connection). False when there was nothing to store. */
export function storeBasis(project: Project, basis: RunBasis): boolean {
  if (!basis.kinship && !basis.eigen) return false;
  const cache = new ProjectCache(project.db, basis.datasetId, true);
  if (basis.kinship) cache.putKinship(basis.kinship.key, basis.kinship.data, basis.kinship.snps);
  if (basis.eigen) cache.putEigen(basis.eigen.key, basis.eigen.s, basis.eigen.u);
  return true;
}

/** storeBasis for a run before its scan, said in the run's log. */
export function storeRunBasis(project: Project, runId: number, basis: RunBasis): void {
  if (!storeBasis(project, basis)) return;
  const what = basis.kinship ? 'kinship and eigendecomposition' : 'eigendecomposition';
  addLog(project.db, runId, 'info', `${what} computed on a worker thread and stored in the project cache`);
}
