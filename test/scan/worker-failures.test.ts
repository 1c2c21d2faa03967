/**
 * Failures on worker threads. A scan worker that dies (before the scan starts, or in the middle of
 * it) makes the scan fail at once with the cause, instead of waiting forever; the pool is driven
 * directly here because a test must kill one of its threads. An InputError thrown on a worker
 * thread reaches the waiting thread as an InputError with the same message (io/thread-errors.ts,
 * the codec the scan and kinship workers post their errors with).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { simulateGenotypes, simulateTraits, writeSimulation } from '../../bench/simulate.js';
import { InputError } from '../../engine/io/errors.js';
import { reviveError, serializeError, type ThreadError } from '../../engine/io/thread-errors.js';
import { ScanPool, selectionPoolSpec } from '../../engine/scan/pool.js';
import { prepareScan } from '../../engine/scan/prepare.js';
import { DEFAULT_SETTINGS, type ScanSettings } from '../../engine/scan/settings.js';
import { tempDir } from '../helpers/tmp.js';
import { ROOT } from '../store/helpers.js';

describe('worker failures', () => {
  const dir = tempDir('kinscan-workers-');
  const prefix = join(dir, 'sim');
  const sim = simulateGenotypes({ n: 120, m: 1500, seed: 5 });
  writeSimulation(prefix, sim, { names: ['t'], values: simulateTraits(sim, [{ name: 't', polygenic: { snps: 50, variance: 1 }, noise: 1 }], 6) });
  const settings: ScanSettings = { ...DEFAULT_SETTINGS, bfile: prefix, pheno: `${prefix}.pheno.csv`, trait: 't', model: 'additive' };

  const withPool = async (use: (pool: ScanPool, prep: ReturnType<typeof prepareScan>) => Promise<void>): Promise<void> => {
    let pool: ScanPool | undefined;
    const prep = prepareScan(settings, undefined, undefined, undefined, 2, (sel) => {
      pool = ScanPool.start({ ...selectionPoolSpec(settings, sel, 2), blockSize: 32 });
    });
    try {
      expect(pool).toBeDefined();
      await use(pool!, prep);
    } finally {
      await pool?.close();
      prep.plink.bed.close();
    }
  };

  it('a worker that died before the scan: the scan fails at once, naming it', async () => {
    await withPool(async (pool, prep) => {
      await pool.workers[0]!.terminate();
      await expect(pool.run(prep, { onBlock: () => undefined })).rejects.toThrow(/scan worker 1 of 2 stopped unexpectedly \(exit code 1\)/);
    });
  }, 20_000);

  it('a worker that dies in the middle of the scan: the scan fails with the cause, not a hang', async () => {
    await withPool(async (pool, prep) => {
      let blocks = 0;
      const run = pool.run(prep, {
        onBlock: () => {
          if (++blocks === 1) void pool.workers[1]!.terminate();
        },
      });
      await expect(run).rejects.toThrow(/scan worker 2 of 2 stopped unexpectedly/);
      expect(blocks).toBeLessThan(prep.tested.length / 32);
    });
  }, 20_000);

  it('an InputError thrown on a worker thread arrives as an InputError with the same message', async () => {
    const script = join(dir, 'throws.mjs');
    const dist = (p: string): string => JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'engine', 'io', p)).href);
    writeFileSync(
      script,
      `import { parentPort } from 'node:worker_threads';
import { InputError } from ${dist('errors.js')};
import { serializeError } from ${dist('thread-errors.js')};
try { throw new InputError("the trait 'height' is not a column", { file: 'pheno.csv', line: 1 }, 'Use one of t1, t2'); }
catch (e) { parentPort.postMessage(serializeError(e)); }
try { throw new RangeError('index 7 out of range'); } catch (e) { parentPort.postMessage(serializeError(e)); }
`,
    );
    const w = new Worker(script);
    const got: ThreadError[] = await new Promise((resolve, reject) => {
      const all: ThreadError[] = [];
      w.on('message', (m: ThreadError) => {
        all.push(m);
        if (all.length === 2) resolve(all);
      });
      w.on('error', reject);
    });
    await w.terminate();
    const input = reviveError(got[0]!, 'a scan worker');
    const expected = new InputError("the trait 'height' is not a column", { file: 'pheno.csv', line: 1 }, 'Use one of t1, t2');
    expect(input).toBeInstanceOf(InputError);
    expect(input.message).toBe(expected.message);
    expect((input as InputError).file).toBe('pheno.csv');
    expect((input as InputError).hint).toBe('Use one of t1, t2');
    const other = reviveError(got[1]!, 'a scan worker');
    expect(other).not.toBeInstanceOf(InputError);
    expect(other.message).toBe('a scan worker failed: RangeError: index 7 out of range');
    // The same codec in this thread: round trip.
    expect(reviveError(serializeError(expected), 'x').message).toBe(expected.message);
  }, 20_000);
});
