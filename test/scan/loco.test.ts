import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateGenotypes, simulateTraits, writeSimulation } from '../../bench/simulate.js';
import { writeSquareMatrix } from '../../engine/io/matrix-text.js';
import { openPlink } from '../../engine/io/plink.js';
import { scanToFiles } from '../../engine/scan/run.js';
import { DEFAULT_SETTINGS, type ScanSettings } from '../../engine/scan/settings.js';
import { computeKinship } from '../../engine/stats/kinship.js';
import { tempDir } from '../helpers/tmp.js';

function rows(path: string): Map<string, string[]> {
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  return new Map(lines.map((l) => [l.split('\t')[1]!, l.split('\t')]));
}

describe('--loco: each chromosome tested against the kinship of the other chromosomes', () => {
  const dir = tempDir();
  const prefix = join(dir, 'sim');
  const sim = simulateGenotypes({ n: 250, m: 1500, seed: 11, chromosomes: 3 });
  writeSimulation(prefix, sim, { names: ['t'], values: simulateTraits(sim, [{ name: 't', polygenic: { snps: 200, variance: 1 }, noise: 1, additive: [[100, 0.6]] }], 5) });
  const settings: ScanSettings = { ...DEFAULT_SETTINGS, bfile: prefix, pheno: `${prefix}.pheno.csv`, trait: 't' };

  it('equals a scan whose kinship was built without that chromosome', async () => {
    const loco = await scanToFiles({ ...settings, loco: true }, join(dir, 'loco.tsv'), { threads: 2 });
    expect(loco.complete).toBe(true);
    expect(loco.loco!.map((p) => p.chr)).toEqual(['1', '2', '3']);
    const locoRows = rows(join(dir, 'loco.tsv'));
    expect(locoRows.size).toBe(loco.snps.tested);

    // Reference for chromosome 2: the kinship of chromosomes 1 and 3 only, given as a file.
    const plink = openPlink(prefix);
    const include = new Uint8Array(plink.bim.chr.length);
    // The SNPs that passed QC (those in the output), minus chromosome 2.
    plink.bim.chr.forEach((c, j) => (include[j] = c !== '2' && locoRows.has(plink.bim.rs[j]!) ? 1 : 0));
    const k = computeKinship(plink.bed, include, 'centered');
    plink.bed.close();
    writeSquareMatrix(join(dir, 'k13.txt'), k.data, k.n, 17);
    await scanToFiles({ ...settings, kinship: { file: join(dir, 'k13.txt') } }, join(dir, 'ref.tsv'), { threads: 2 });
    const refRows = rows(join(dir, 'ref.tsv'));
    let compared = 0;
    for (const [rs, ref] of refRows) {
      if (ref[0] !== '2') continue;
      const got = locoRows.get(rs)!;
      expect(Math.abs(Number(got[16]) - Number(ref[16])), rs).toBeLessThan(1e-6);
      compared++;
    }
    expect(compared).toBe([...locoRows.values()].filter((r) => r[0] === '2').length);
    expect(compared).toBeGreaterThan(450);
    // Chromosome 2's null fit is that of the reference scan.
    const refSummary = JSON.parse(readFileSync(join(dir, 'ref.summary.json'), 'utf8'));
    expect(loco.loco![1]!.logl_h0).toBeCloseTo(refSummary.null.logl_h0, 6);
  }, 120_000);
});
