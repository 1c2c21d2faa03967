import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateGenotypes, simulateTraits, writeSimulation } from '../../bench/simulate.js';
import { openPlink } from '../../engine/io/plink.js';
import { workerScript } from '../../engine/scan/pool.js';
import { formatRow } from '../../engine/scan/results.js';
import { runScan } from '../../engine/scan/run.js';
import type { ScanRow } from '../../engine/scan/scan.js';
import { DEFAULT_SETTINGS, type ScanSettings } from '../../engine/scan/settings.js';
import { collectScan } from '../helpers/scan.js';
import { tempDir } from '../helpers/tmp.js';

describe('the scan on worker threads sharing genotypes and eigenvectors (through the one scan entry)', () => {
  const dir = tempDir();
  const prefix = join(dir, 'sim');
  const sim = simulateGenotypes({ n: 300, m: 3000, seed: 3, missing: 0.01 });
  writeSimulation(prefix, sim, { names: ['t'], values: simulateTraits(sim, [{ name: 't', polygenic: { snps: 100, variance: 1 }, noise: 1, additive: [[5, 0.5]] }], 4) });
  const settings: ScanSettings = { ...DEFAULT_SETTINGS, bfile: prefix, pheno: `${prefix}.pheno.csv`, trait: 't' };
  const plink = openPlink(prefix);
  const bim = plink.bim;
  plink.bed.close();
  const text = (rows: ScanRow[]): string => rows.map((r) => formatRow(r, bim, 1e-4)).join('\n');

  it('the worker script is built (npm test builds dist/ first)', () => {
    expect(workerScript()).toBeDefined();
  });

  it('gives byte-identical results on 1 and 2 threads, in file order, with progress', async () => {
    const one = await collectScan(settings, { threads: 1 });
    const two = await collectScan(settings, { threads: 2, blockSize: 64 });
    expect(one.outcome.complete).toBe(true);
    expect(two.rows.length + two.outcome.skips.collinear).toBe(one.outcome.prep.tested.length);
    expect(text(two.rows)).toBe(text(one.rows));
    const snps = two.rows.map((r) => r.snp);
    expect(snps).toEqual([...snps].sort((a, b) => a - b));
    const last = two.progress.at(-1)!;
    expect(last.done).toBe(last.total);
    expect(last.rate).toBeGreaterThan(0);
    expect(last.etaSeconds).toBe(0);
    expect(two.progress.map((p) => p.done)).toEqual([...two.progress.map((p) => p.done)].sort((a, b) => a - b));
  }, 120_000);

  it('stops soon after shouldStop turns true, delivering a contiguous prefix', async () => {
    let blocks = 0;
    const rows: ScanRow[] = [];
    const outcome = await runScan({
      settings,
      threads: 2,
      blockSize: 32,
      shouldStop: () => blocks >= 3,
      onBlock: (r) => {
        blocks++;
        rows.push(...r);
      },
    });
    expect(blocks).toBeGreaterThanOrEqual(3);
    expect(blocks).toBeLessThanOrEqual(3 + 2 * 2); // at most the blocks already in flight: two per worker
    expect(outcome.complete).toBe(false);
    expect(outcome.done).toBe(blocks * 32);
    expect(rows.length).toBeLessThan(outcome.prep.tested.length);
    const full = await collectScan(settings, { threads: 1 });
    expect(rows.map((r) => r.snp)).toEqual(full.rows.slice(0, rows.length).map((r) => r.snp));
  }, 120_000);

  it('runs from a position to a position, as a resumed run does', async () => {
    const full = await collectScan(settings, { threads: 2, blockSize: 100 });
    const part = await collectScan(settings, { threads: 2, blockSize: 100, from: 300, to: 700 });
    expect(part.outcome.done).toBe(700);
    const tested = full.outcome.prep.tested;
    const inRange = new Set(Array.from(tested.subarray(300, 700)));
    expect(text(part.rows)).toBe(text(full.rows.filter((r) => inRange.has(r.snp))));
  }, 120_000);
});
