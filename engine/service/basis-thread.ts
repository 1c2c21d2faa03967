/**
 * The expensive part of preparing a run (kinship and eigendecomposition), computed on a worker
 * thread so that the service's thread keeps answering requests. The worker (basis-worker.ts)
 * opens the project read-only (WAL lets a reader in beside the service's writer), prepares the
 * run's selection as the scan does and computes what the project cache lacks, with the scan's own
 * functions and cache keys (engine/scan/prepare.ts basisKeys, selectionEigen); the buffers come
 * back transferred. The service stores them in the project cache on its writer connection
 * (storeRunBasis), and the scan then finds them there.
 *
 * The promise settles only once the worker has exited: with its answer; with its error, type and
 * message kept (engine/io/thread-errors.ts); with an error naming the cause when it dies without
 * answering; or, when the signal aborts, with an AbortError after the worker is terminated.
 */
import { Worker } from 'node:worker_threads';
import { reviveError, type ThreadError } from '../io/thread-errors.js';
import type { Progress, ScanStage } from '../scan/prepare.js';
import { workerScriptBeside } from '../stats/worker-script.js';
import { ProjectCache } from '../store/cache.js';
import type { Project } from '../store/project.js';
import { addLog } from '../store/runs.js';

/** What the worker is given. */
export interface BasisWorkerData {
  projectPath: string;
  runId: number;
  threads: number;
}

/** What the worker found missing from the project cache and computed, under the scan's cache keys. */
export interface RunBasis {
  datasetId: number;
  /** The kinship over all genotyped individuals, when it was computed (not read from a file or the cache). */
  kinship?: { key: string; data: Float64Array; snps: number };
  /** The eigendecomposition, when it was computed (absent when the cache has it). */
  eigen?: { key: string; s: Float64Array; u: Float64Array };
}

/** Messages from the worker. */
export type BasisMessage =
  | { type: 'progress'; stage: ScanStage; done: number; total: number }
  | { type: 'basis'; basis: RunBasis }
  | { type: 'error'; error: ThreadError };

export interface BasisThreadOptions {
  threads: number;
  /** Aborting terminates the worker; the promise then rejects with an AbortError. */
  signal: AbortSignal;
  progress?: Progress;
}

/** The compiled worker script (see workerScriptBeside). */
function basisWorkerScript(): string | undefined {
  return workerScriptBeside(import.meta.url, 'basis-worker.js');
}

/**
 * Compute on a worker thread the kinship and eigendecomposition that run `runId` of the project
 * at `projectPath` needs and the project cache lacks (see the module comment). Undefined when the
 * worker script is not built (the scan then computes them on the calling thread, as it would anyway).
 */
export function computeRunBasis(projectPath: string, runId: number, opts: BasisThreadOptions): Promise<RunBasis | undefined> {
  const script = basisWorkerScript();
  if (!script) return Promise.resolve(undefined);
  if (opts.signal.aborted) return Promise.reject(abortError());
  const data: BasisWorkerData = { projectPath, runId, threads: opts.threads };
  return new Promise<RunBasis>((resolve, reject) => {
    const worker = new Worker(script, { workerData: data });
    let answer: RunBasis | undefined;
    let failure: Error | undefined;
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      void worker.terminate();
    };
    opts.signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: BasisMessage) => {
      if (m.type === 'progress') opts.progress?.(m.stage, m.done, m.total);
      else if (m.type === 'basis') answer = m.basis;
      else failure ??= reviveError(m.error, 'the eigendecomposition worker');
    });
    // An uncaught error (out of memory, a crash in a module it loads): the exit follows.
    worker.on('error', (e) => {
      failure ??= new Error(`the eigendecomposition worker died: ${e.message}`, { cause: e });
    });
    worker.on('exit', (code) => {
      opts.signal.removeEventListener('abort', onAbort);
      if (aborted) reject(abortError());
      else if (answer) resolve(answer);
      else reject(failure ?? new Error(`the eigendecomposition worker stopped (exit code ${code}) before it answered`));
    });
  });
}

function abortError(): Error {
  return new DOMException('the eigendecomposition was cancelled', 'AbortError');
}

/** Store what computeRunBasis found in the project cache (the writer's connection), and say so in the run's log. */
export function storeRunBasis(project: Project, runId: number, basis: RunBasis): void {
  if (!basis.kinship && !basis.eigen) return;
  const cache = new ProjectCache(project.db, basis.datasetId, true);
  if (basis.kinship) cache.putKinship(basis.kinship.key, basis.kinship.data, basis.kinship.snps);
  if (basis.eigen) cache.putEigen(basis.eigen.key, basis.eigen.s, basis.eigen.u);
  const what = basis.kinship ? 'kinship and eigendecomposition' : 'eigendecomposition';
  addLog(project.db, runId, 'info', `${what} computed on a worker thread and stored in the project cache`);
}
