import { availableParallelism } from 'node:os';
import { runScanPooled, type ScanPool } from './pool.js';
import type { PreparedScan } from './prepare.js';
import { DEFAULT_BLOCK, runScan, type ScanOptions, type ScanProgress, type ScanSkips } from './scan.js';

export interface ScheduleOptions extends Omit<ScanOptions, 'onBlock'> {
  /** Worker threads (default: all cores); 1 runs in this thread. */
  threads?: number;
  /** Workers started earlier for this scan (ScanPool.start), e.g. during the eigendecomposition. */
  pool?: ScanPool;
  onBlock: (rows: Parameters<ScanOptions['onBlock']>[0], progress: RateProgress) => void;
}

/** Progress with the rate and the time left, for progress bars. */
export interface RateProgress extends ScanProgress {
  /** SNPs per second since the scan started. */
  rate: number;
  /** Seconds left at that rate (null before the first block). */
  etaSeconds: number | null;
}

/**
 * Run a scan's SNP blocks on a pool of worker threads (or in this thread) and deliver them in file
 * order through onBlock, with progress (SNPs done, total, rate, ETA). shouldStop is polled as
 * blocks finish, so a stop takes effect within two blocks per worker (well under a second).
 */
export async function scheduleScan(prep: PreparedScan, opts: ScheduleOptions): Promise<ScanSkips> {
  const threads = Math.max(1, opts.threads ?? availableParallelism());
  const start = performance.now();
  const first = opts.from ?? 0;
  const withRate: ScanOptions = {
    ...opts,
    onBlock: (rows, p) => {
      const secs = (performance.now() - start) / 1000;
      const rate = secs > 0 ? (p.done - first) / secs : 0;
      const end = Math.min(opts.to ?? p.total, p.total);
      opts.onBlock(rows, { ...p, rate, etaSeconds: rate > 0 ? (end - p.done) / rate : null });
    },
  };
  if (threads > 1) {
    const pooled = await runScanPooled(prep, withRate, threads, opts.pool);
    if (pooled) return pooled;
  } else await opts.pool?.close();
  // In this thread, one block at a time, yielding to the event loop between blocks so that a stop
  // request (a signal, a message) is seen.
  const skips: ScanSkips = { collinear: 0 };
  const block = opts.blockSize ?? DEFAULT_BLOCK;
  const to = Math.min(opts.to ?? prep.tested.length, prep.tested.length);
  for (let pos = first; pos < to; pos += block) {
    if (opts.shouldStop?.()) break;
    const s = runScan(prep, { ...withRate, from: pos, to: Math.min(pos + block, to), shouldStop: undefined });
    skips.collinear += s.collinear;
    await new Promise((r) => setImmediate(r));
  }
  return skips;
}
