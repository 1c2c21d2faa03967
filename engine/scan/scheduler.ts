import type { PreparedScan } from './prepare.js';
import { runScan, type ScanOptions, type ScanSkips } from './scan.js';

export interface ScheduleOptions extends ScanOptions {
  /** Worker threads (default: all cores). */
  threads?: number;
}

/**
 * Run a scan's SNP blocks and deliver them in file order through onBlock.
 * (In-process for now; the worker-thread pool keeps this signature.)
 */
export async function scheduleScan(prep: PreparedScan, opts: ScheduleOptions): Promise<ScanSkips> {
  return runScan(prep, opts);
}
