/**
 * A running scan's progress as protocol events: the one scan entry's progress callback (stage,
 * done, total, and the stage's rate and time left; engine/scan/run.ts) becomes `progress` events,
 * at most one per `minIntervalMs` within a stage, a new stage and a stage's end always sent.
 * The engine's stages are the protocol's (reading, qc, kinship, eigen, null-fit, scan); the
 * service adds reading (from the project) and 'done'. Stages only move forward (a stage reported
 * again after a later one, as the scan's QC after the worker thread's, is left out). The time left
 * is known once the per-SNP scan runs (the last stage), and is then the whole run's.
 */
import { RUN_STAGES, type ProgressEvent, type RunStage } from '../protocol/api.js';

/** What the engine says of a stage's pace. */
export interface StagePace {
  rate: number;
  etaSeconds: number | null;
}

export class RunProgress {
  private stage: RunStage | undefined;
  private lastEmit = -Infinity;

  constructor(
    private readonly runId: number,
    private readonly emit: (e: ProgressEvent) => void,
    private readonly minIntervalMs = 100,
  ) {}

  /** The engine's progress callback. */
  readonly report = (stageName: string, done: number, total: number, pace?: StagePace): void => {
    if (!(RUN_STAGES as readonly string[]).includes(stageName)) return;
    const stage = stageName as RunStage;
    // Stages only move forward: the scan's own QC, after the worker thread's (run-queue.ts), is not reported again.
    if (this.stage !== undefined && RUN_STAGES.indexOf(stage) < RUN_STAGES.indexOf(this.stage)) return;
    const t = performance.now();
    const changed = stage !== this.stage;
    this.stage = stage;
    if (!changed && done < total && t - this.lastEmit < this.minIntervalMs) return;
    this.lastEmit = t;
    const rate = pace && Number.isFinite(pace.rate) && pace.rate > 0 ? pace.rate : 0;
    const eta = stage === 'done' ? 0 : stage === 'scan' && pace?.etaSeconds != null && Number.isFinite(pace.etaSeconds) ? Math.max(0, pace.etaSeconds) : null;
    this.emit({ type: 'progress', runId: this.runId, stage, done: Math.max(0, done), total: Math.max(0, total), rate, etaSeconds: eta });
  };
}
