/**
 * Where a prepared scan's SNP blocks run: on the worker pool, or in this thread when threads = 1 or
 * threads cannot be used here. An internal of the one scan entry (run.ts runScan).
 */
import { runScanPooled, type ScanPool } from './pool.js';
import type { PreparedScan } from './prepare.js';
import { DEFAULT_BLOCK, scanBlocksHere, type ScanOptions, type ScanSkips } from './scan.js';

export interface ScheduleOptions extends ScanOptions {
  /** Worker threads; 1 runs in this thread. */
  threads: number;
  /** Workers started earlier for this scan (ScanPool.start), e.g. during the eigendecomposition. */
  pool?: ScanPool;
}

/**
 * Run a scan's SNP blocks on a pool of worker threads (or in this thread) and deliver them in file
 * order through onBlock, with the position reached. shouldStop is polled as blocks finish, so a
 * stop takes effect within two blocks per worker (well under a second). A pool given is always closed.
 */
export async function scanBlocks(prep: PreparedScan, opts: ScheduleOptions): Promise<ScanSkips> {
  const threads = Math.max(1, opts.threads);
  const first = opts.from ?? 0;
  if (threads > 1) {
    const pooled = await runScanPooled(prep, opts, threads, opts.pool);
    if (pooled) return pooled;
  } else await opts.pool?.close();
  // In this thread, one block at a time, yielding to the event loop between blocks so that a stop
  // request (a signal, a message) is seen.
  const skips: ScanSkips = { collinear: 0 };
  const block = opts.blockSize ?? DEFAULT_BLOCK;
  const to = Math.min(opts.to ?? prep.tested.length, prep.tested.length);
  for (let pos = first; pos < to; pos += block) {
    if (opts.shouldStop?.()) break;
    const s = scanBlocksHere(prep, { ...opts, from: pos, to: Math.min(pos + block, to), shouldStop: undefined });
    skips.collinear += s.collinear;
    await new Promise((r) => setImmediate(r));
  }
  return skips;
}
