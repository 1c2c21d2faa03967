/**
 * Tests run scans through the one scan entry (engine/scan/run.ts runScan), as the CLI and the
 * project do; this collects the rows it hands out. MemoryCache keeps the kinship and the
 * eigendecomposition between scans of the same trait (as a project's cache does), so a test can
 * compare methods without recomputing them.
 */
import type { PrepareCache } from '../../engine/scan/prepare.js';
import { runScan, type RateProgress, type ScanOutcome, type ScanRequest } from '../../engine/scan/run.js';
import type { ScanRow } from '../../engine/scan/scan.js';
import type { ScanSettings } from '../../engine/scan/settings.js';

export class MemoryCache implements PrepareCache {
  private readonly kinship = new Map<string, Float64Array>();
  private readonly eigen = new Map<string, { s: Float64Array; u: Float64Array }>();
  getKinship(key: string): Float64Array | undefined {
    return this.kinship.get(key);
  }
  putKinship(key: string, data: Float64Array): void {
    this.kinship.set(key, data);
  }
  getEigen(key: string): { s: Float64Array; u: Float64Array } | undefined {
    const e = this.eigen.get(key);
    // A copy: the pool moves U into its shared memory and the scan keeps that one.
    return e ? { s: Float64Array.from(e.s), u: Float64Array.from(e.u) } : undefined;
  }
  putEigen(key: string, s: Float64Array, u: Float64Array): void {
    this.eigen.set(key, { s: Float64Array.from(s), u: Float64Array.from(u) });
  }
}

export interface CollectedScan {
  rows: ScanRow[];
  progress: RateProgress[];
  outcome: ScanOutcome;
}

/** Run a scan and collect its rows and block progress. */
export async function collectScan(settings: ScanSettings, opts: Omit<ScanRequest, 'settings' | 'onBlock'> = {}): Promise<CollectedScan> {
  const rows: ScanRow[] = [];
  const progress: RateProgress[] = [];
  const outcome = await runScan({
    ...opts,
    settings,
    onBlock: (r, p) => {
      rows.push(...r);
      progress.push(p);
    },
  });
  return { rows, progress, outcome };
}
