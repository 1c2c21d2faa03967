/**
 * A genotype import's progress as protocol events: the import's callback (engine/store/
 * genotype-import.ts: stage, the reader's done and total, SNPs read) becomes `importProgress`
 * events, at most one per `minIntervalMs` within a stage; the start, a new stage and a stage's
 * end are always sent. The import runs on the host's thread, so each event leaves while it runs
 * (a MessagePort or WebSocket send goes out at once; nothing waits for the event loop).
 */
import type { ImportProgressEvent } from '../protocol/api.js';

export class ImportProgress {
  private stage: ImportProgressEvent['stage'] | undefined;
  private lastEmit = -Infinity;

  constructor(
    private readonly path: string,
    private readonly emit: (e: ImportProgressEvent) => void,
    private readonly minIntervalMs = 100,
  ) {}

  /** Say the import has begun (before the files are hashed and opened). */
  start(): void {
    this.send('reading', 0, 0);
  }

  /** The import's progress callback. */
  readonly report = (stageName: 'import' | 'sort', done: number, total: number, snps: number): void => {
    const stage = stageName === 'sort' ? 'sorting' : 'reading';
    const t = performance.now();
    const finished = total > 0 && done >= total;
    if (stage === this.stage && !finished && t - this.lastEmit < this.minIntervalMs) return;
    this.send(stage, total > 0 ? Math.min(1, Math.max(0, done / total)) : null, snps);
  };

  private send(stage: ImportProgressEvent['stage'], fraction: number | null, snps: number): void {
    this.stage = stage;
    this.lastEmit = performance.now();
    this.emit({ type: 'importProgress', path: this.path, stage, fraction, snps: Math.max(0, Math.round(snps)) });
  }
}
