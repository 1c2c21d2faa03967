import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateGenotypes, simulateTraits, writeSimulation } from '../../bench/simulate.js';
import { workerScript } from '../../engine/scan/pool.js';
import { prepareScan } from '../../engine/scan/prepare.js';
import { formatRow } from '../../engine/scan/results.js';
import type { ScanRow } from '../../engine/scan/scan.js';
import { scheduleScan, type RateProgress } from '../../engine/scan/scheduler.js';
import { DEFAULT_SETTINGS, type ScanSettings } from '../../engine/scan/settings.js';
import { tempDir } from '../helpers/tmp.js';

describe('scan scheduler: worker threads sharing genotypes and eigenvectors', () => {
  const dir = tempDir();
  const prefix = join(dir, 'sim');
  const sim = simulateGenotypes({ n: 300, m: 3000, seed: 3, missing: 0.01 });
  writeSimulation(prefix, sim, { names: ['t'], values: simulateTraits(sim, [{ name: 't', polygenic: { snps: 100, variance: 1 }, noise: 1, additive: [[5, 0.5]] }], 4) });
  const settings: ScanSettings = { ...DEFAULT_SETTINGS, bfile: prefix, pheno: `${prefix}.pheno.csv`, trait: 't' };

  const collect = async (threads: number, extra: { shouldStop?: () => boolean; blockSize?: number } = {}) => {
    const prep = prepareScan(settings);
    const rows: ScanRow[] = [];
    const progress: RateProgress[] = [];
    const skips = await scheduleScan(prep, { threads, ...extra, onBlock: (r, p) => (rows.push(...r), progress.push(p)) });
    prep.plink.bed.close();
    return { rows, progress, skips, text: rows.map((r) => formatRow(r, prep.plink.bim)).join('\n'), tested: prep.tested.length };
  };

  it('the worker script is built (npm test builds dist/ first)', () => {
    expect(workerScript()).toBeDefined();
  });

  it('gives byte-identical results on 1 and 2 threads, in file order, with progress', async () => {
    const one = await collect(1);
    const two = await collect(2, { blockSize: 64 });
    expect(two.rows.length).toBe(one.tested);
    expect(two.text).toBe(one.text);
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
    const prep = prepareScan(settings);
    const rows: ScanRow[] = [];
    await scheduleScan(prep, {
      threads: 2,
      blockSize: 32,
      shouldStop: () => blocks >= 3,
      onBlock: (r) => {
        blocks++;
        rows.push(...r);
      },
    });
    prep.plink.bed.close();
    expect(blocks).toBeGreaterThanOrEqual(3);
    expect(blocks).toBeLessThanOrEqual(3 + 2 * 2); // at most the blocks already in flight: two per worker
    expect(rows.length).toBeLessThan(prep.tested.length);
    const full = await collect(1);
    expect(rows.map((r) => r.snp)).toEqual(full.rows.slice(0, rows.length).map((r) => r.snp));
  }, 120_000);
});
