import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateGenotypes, simulateTraits, writeSimulation } from '../../bench/simulate.js';
import type { ScanRow } from '../../engine/scan/scan.js';
import { DEFAULT_SETTINGS, type ScanSettings } from '../../engine/scan/settings.js';
import { collectScan, MemoryCache } from '../helpers/scan.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The fast route must land on the exact optimiser's maximum for every SNP, on data built to be
 * awkward: small n (sharp profiles, where a decade-spaced grid misses the peak), a trait in real
 * units with a large mean (cancellation at small delta, where the intercept's zero-eigenvalue
 * direction gets weight 1/delta), covariates, and both genetic models.
 * (Regression: a 200-individual set once had most LRTs at 0 with delta stuck at 1e-5.)
 */
describe('fast route = exact optimiser, SNP by SNP', () => {
  const dir = tempDir();
  const prefix = join(dir, 'sim');
  const sim = simulateGenotypes({ n: 200, m: 2000, seed: 1 });
  const [y0] = simulateTraits(sim, [{ name: 'a', polygenic: { snps: 50, variance: 1 }, noise: 1 }], 2);
  const [y1] = simulateTraits(sim, [{ name: 'b', polygenic: { snps: 50, variance: 30 }, popEffect: 4, noise: 6, additive: [[17, 3]] }], 3);
  // Trait b in "centimetres": mean 170.
  const b = y1!.map((v) => 170 + v);
  writeSimulation(prefix, sim, { names: ['a', 'b'], values: [y0!, b] });
  const cov = join(dir, 'cov.csv');
  writeFileSync(cov, ['IID,age,pop', ...sim.ids.map((id, i) => `${id},${30 + (i % 17)},${sim.pop[i]}`)].join('\n') + '\n');

  const cases: [string, Partial<ScanSettings>][] = [
    ['trait a, additive', { trait: 'a', model: 'additive' }],
    ['trait a, add-dom', { trait: 'a', model: 'add-dom' }],
    ['trait b (mean 170), additive, covariates', { trait: 'b', model: 'additive', covar: cov, covarNames: ['age', 'pop'] }],
    ['trait b (mean 170), add-dom', { trait: 'b', model: 'add-dom' }],
  ];
  for (const [name, extra] of cases) {
    it(name, async () => {
      const settings: ScanSettings = { ...DEFAULT_SETTINGS, bfile: prefix, pheno: `${prefix}.pheno.csv`, trait: 'a', ...extra };
      const cache = new MemoryCache();
      const run = async (method: ScanSettings['method']): Promise<ScanRow[]> => (await collectScan({ ...settings, method }, { to: 500, cache })).rows;
      const fast = await run('fast');
      const exact = await run('exact');
      expect(fast.length).toBe(exact.length);
      let worst = 0;
      for (let k = 0; k < fast.length; k++) {
        expect(fast[k]!.snp).toBe(exact[k]!.snp);
        worst = Math.max(worst, Math.abs(fast[k]!.loglH1 - exact[k]!.loglH1));
      }
      expect(worst).toBeLessThan(1e-6);
      // Nested models: the alternative is never below the null, and every fit converged.
      expect(fast.filter((r) => r.lrt > 0).length).toBeGreaterThan(fast.length * 0.9);
      expect(fast.filter((r) => r.flag !== '')).toEqual([]);
    }, 120_000);
  }
});
