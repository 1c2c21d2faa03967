/**
 * The run queue of one open project: one scan at a time (by default), later runs waiting in order
 * as 'queued'. A run starts on a later turn of the event loop than the request that queued it, so
 * that request is answered first. Cancelling a waiting run takes it out of the queue (it becomes
 * 'cancelled'); cancelling the running one asks the scan to stop at its next block
 * (ExecuteOptions.shouldStop, polled as blocks finish) and waits, boundedly, until it has.
 * Before a run's scan starts, its kinship and eigendecomposition are computed on a worker thread
 * when the project cache lacks them (basis-thread.ts), so the service's thread never blocks on
 * them; a cancel meanwhile terminates that worker and the run ends 'cancelled'.
 * Every change of a run's status is a runStatus event; a running scan's progress is progress
 * events (progress.ts).
 */
import type { ErrorInfo, KinscanEvent, RunStatusEvent } from '../protocol/api.js';
import type { Progress } from '../scan/prepare.js';
import type { Project, RunInfo } from '../store/project.js';
import { addLog } from '../store/runs.js';
import { computeRunBasis, storeRunBasis } from './basis-thread.js';
import { ServiceError } from './errors.js';
import { RunProgress } from './progress.js';

export interface RunQueueOptions {
  threads: number;
  /** Scans running at once (default 1). */
  concurrency?: number;
  emit: (event: KinscanEvent) => void;
  /** How a run's failure is described in its runStatus event. */
  describeError: (e: unknown) => ErrorInfo;
  /** Progress events per second at most, per run (default 10). */
  progressPerSecond?: number;
}

interface Running {
  runId: number;
  /** Worker threads of this run's kinship and scan, and whether the run asked for them. */
  threads: number;
  ownThreads: boolean;
  stop: boolean;
  /** Aborted with `stop`: terminates the worker computing the run's eigendecomposition. */
  abort: AbortController;
  finished: Promise<void>;
}

/** How long a cancel waits for the running scan to stop before answering anyway. */
export const CANCEL_WAIT_MS = 10_000;

export class RunQueue {
  private readonly waiting: number[] = [];
  private readonly running = new Map<number, Running>();
  /** Threads asked for by waiting runs (the others get the queue's). */
  private readonly threadsOf = new Map<number, number>();
  private closed = false;
  private readonly concurrency: number;

  constructor(
    private readonly project: Project,
    private readonly opts: RunQueueOptions,
  ) {
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
  }

  /** Place in the queue (0: next), or null when not waiting. */
  position(runId: number): number | null {
    const k = this.waiting.indexOf(runId);
    return k < 0 ? null : k;
  }

  isRunning(runId: number): boolean {
    return this.running.has(runId);
  }

  /** Runs waiting or running. */
  get size(): number {
    return this.waiting.length + this.running.size;
  }

  /**
   * Queue a run that is queued, cancelled, interrupted or failed (it continues from where it
   * stopped), on `threads` worker threads (default: the queue's). Results do not depend on them.
   */
  enqueue(runId: number, threads?: number): { status: 'queued' | 'running'; queuePosition: number | null } {
    if (this.closed) throw new ServiceError('unavailable', 'The project is closing', 'Open it again to start runs');
    if (this.running.has(runId)) throw new ServiceError('conflict', `Run ${runId} is running now`, 'Wait for it to finish, or cancel it');
    if (this.waiting.includes(runId)) throw new ServiceError('conflict', `Run ${runId} is already waiting in the queue`, 'It starts when the runs before it finish');
    const r = this.project.run(runId);
    if (r.status === 'done') throw new ServiceError('conflict', `Run ${runId} is already done`, 'Export its results, or start a new run');
    if (r.status === 'running') throw new ServiceError('conflict', `Run ${runId} is being run by another program`, 'Wait for it to finish there');
    this.waiting.push(runId);
    if (threads !== undefined) this.threadsOf.set(runId, threads);
    this.opts.emit({ type: 'runStatus', runId, status: 'queued' });
    setImmediate(() => this.pump());
    return { status: 'queued', queuePosition: this.position(runId) };
  }

  /** Take a waiting run out of the queue, or stop the running one; answers with the run's status once it has stopped (or after CANCEL_WAIT_MS). */
  async cancel(runId: number): Promise<RunInfo['status']> {
    const k = this.waiting.indexOf(runId);
    if (k >= 0) {
      this.waiting.splice(k, 1);
      this.threadsOf.delete(runId);
      if (this.project.run(runId).status === 'queued') this.project.cancelQueuedRun(runId);
      this.opts.emit({ type: 'runStatus', runId, status: 'cancelled' });
      return 'cancelled';
    }
    const r = this.running.get(runId);
    if (!r) {
      const status = this.project.run(runId).status;
      throw new ServiceError('conflict', `Run ${runId} is not running or waiting (it is ${status})`, status === 'done' ? 'It has finished' : 'Resume it to queue it again');
    }
    r.stop = true;
    r.abort.abort();
    await waitAtMost(r.finished, CANCEL_WAIT_MS);
    return this.project.run(runId).status;
  }

  /** Cancel every waiting run and stop the running ones; resolves when they have stopped. No run starts afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    for (const runId of [...this.waiting]) await this.cancel(runId);
    for (const r of this.running.values()) {
      r.stop = true;
      r.abort.abort();
    }
    await Promise.all([...this.running.values()].map((r) => r.finished));
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency && this.waiting.length > 0) {
      const runId = this.waiting.shift()!;
      const own = this.threadsOf.get(runId);
      this.threadsOf.delete(runId);
      const entry: Running = { runId, threads: own ?? this.opts.threads, ownThreads: own !== undefined, stop: false, abort: new AbortController(), finished: Promise.resolve() };
      this.running.set(runId, entry);
      // The run leaves `running` before its final status goes out, so a listener may act on it at once (delete it, resume it).
      entry.finished = this.execute(entry).then((final) => {
        this.running.delete(runId);
        this.opts.emit(final);
        setImmediate(() => this.pump());
      });
    }
  }

  /** Run the scan; resolves (never rejects) with the run's final runStatus event. */
  private async execute(entry: Running): Promise<RunStatusEvent> {
    const { runId } = entry;
    const { emit } = this.opts;
    const progress = new RunProgress(runId, (e) => emit(e), 1000 / (this.opts.progressPerSecond ?? 10));
    emit({ type: 'runStatus', runId, status: 'running' });
    // Reading the inputs from the project comes first (the engine reports 'reading' only for files it opens itself).
    progress.report('reading', 0, 1);
    try {
      const chosen = entry.ownThreads ? 'chosen for this run' : "this host's default";
      addLog(this.project.db, runId, 'info', `kinship and scan on ${entry.threads} worker thread${entry.threads === 1 ? '' : 's'} (${chosen})`);
      await this.prepareOffThread(entry, progress.report);
    } catch (e) {
      if (!entry.stop) return this.failedBeforeScan(runId, e);
    }
    if (entry.stop) return this.cancelledBeforeScan(runId);
    try {
      await this.project.runScan(runId, { threads: entry.threads, shouldStop: () => entry.stop, progress: progress.report });
      const after = this.project.run(runId);
      if (after.status === 'done') progress.report('done', after.total ?? after.done, after.total ?? after.done);
      return { type: 'runStatus', runId, status: after.status };
    } catch (e) {
      let status: RunInfo['status'] = 'failed';
      try {
        status = this.project.run(runId).status;
      } catch {
        // The project itself failed (disk full...): the run is reported failed.
      }
      return { type: 'runStatus', runId, status: status === 'running' ? 'failed' : status, error: this.opts.describeError(e) };
    }
  }

  /**
   * The run's kinship and eigendecomposition, when the project cache lacks them, computed on a
   * worker thread (basis-thread.ts; terminated by a cancel) and stored in the cache, where the scan
   * finds them; then the event loop polls once, so that requests that came in while the cache was
   * written are answered before the scan's own (now short) preparation.
   */
  private async prepareOffThread(entry: Running, progress: Progress): Promise<void> {
    const basis = await computeRunBasis(this.project.path, entry.runId, { threads: entry.threads, signal: entry.abort.signal, progress });
    if (basis && !entry.stop) storeRunBasis(this.project, entry.runId, basis);
    await nextPoll();
  }

  private cancelledBeforeScan(runId: number): RunStatusEvent {
    try {
      this.project.endBeforeScan(runId, 'cancelled');
      return { type: 'runStatus', runId, status: this.project.run(runId).status };
    } catch (e) {
      return { type: 'runStatus', runId, status: 'failed', error: this.opts.describeError(e) };
    }
  }

  /** A failure before the scan started is recorded in the project as a scan's failure is. */
  private failedBeforeScan(runId: number, e: unknown): RunStatusEvent {
    try {
      this.project.endBeforeScan(runId, 'failed', e instanceof Error ? e.message : String(e));
    } catch {
      // The project itself failed (disk full...): the run is reported failed.
    }
    return { type: 'runStatus', runId, status: 'failed', error: this.opts.describeError(e) };
  }
}

/**
 * Resolve after the event loop has polled for I/O at least once: an immediate queued from the poll
 * phase runs in that same turn's check phase, so the second one waits for the next turn's poll.
 */
async function nextPoll(): Promise<void> {
  for (let k = 0; k < 2; k++) await new Promise((resolve) => setImmediate(resolve));
}

/** Resolve when `p` settles or after `ms`, whichever is first (never rejects). */
async function waitAtMost(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.then(() => undefined, () => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
