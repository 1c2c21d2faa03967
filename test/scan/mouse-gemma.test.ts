import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ScanRow } from '../../engine/scan/scan.js';
import { DEFAULT_SETTINGS, type ScanSettings } from '../../engine/scan/settings.js';
import { collectScan, MemoryCache } from '../helpers/scan.js';
import { tempDir } from '../helpers/tmp.js';

const root = join(import.meta.dirname, '..', '..');
const example = join(root, 'resources', 'example');
const bfile = join(example, 'mouse_hs1940');
const pheno = join(example, 'mouse_hs1940.pheno.csv');
const cli = join(root, 'bin', 'kinscan.js');

function readTsv(path: string): Map<string, Record<string, string>> {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const header = lines[0]!.split('\t');
  const out = new Map<string, Record<string, string>>();
  for (const line of lines.slice(1)) {
    const f = line.split(/\t/);
    out.set(f[1]!, Object.fromEntries(header.map((h, i) => [h, f[i]!])));
  }
  return out;
}

describe('mouse_hs1940 trait1 against GEMMA 0.98.5', () => {
  const dir = tempDir();

  it('kinscan scan --model additive gives GEMMA -lmm 2 p-values to 1e-4 in -log10 p, on the same SNPs', () => {
    const out = join(dir, 'add.tsv');
    execFileSync('node', [cli, 'scan', '--bfile', bfile, '--pheno', pheno, '--trait', 'trait1', '--model', 'additive', '--out', out], { stdio: 'pipe' });
    const ours = readTsv(out);
    const ref = gunzipSync(readFileSync(join(root, 'test', 'fixtures', 'mouse_lmm2.assoc.txt.gz'))).toString().trim().split('\n');
    const refHeader = ref[0]!.split('\t');
    const iRs = refHeader.indexOf('rs');
    const iP = refHeader.indexOf('p_lrt');
    const iL = refHeader.indexOf('logl_H1');
    expect(ours.size).toBe(ref.length - 1);
    let maxDiff = 0;
    let maxLogl = 0;
    for (const line of ref.slice(1)) {
      const f = line.split('\t');
      const row = ours.get(f[iRs]!);
      expect(row, f[iRs]).toBeDefined();
      maxDiff = Math.max(maxDiff, Math.abs(-Math.log10(Number(f[iP])) - Number(row!['neglog10_p'])));
      maxLogl = Math.max(maxLogl, Math.abs(Number(f[iL]) - Number(row!['logl_h1'])));
      expect(row!['df']).toBe('1');
    }
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
    expect(maxLogl).toBeLessThan(1e-3); // GEMMA prints logl_H1 to 7 significant digits
    const summary = JSON.parse(readFileSync(join(dir, 'add.summary.json'), 'utf8'));
    expect(summary.samples.analysed).toBe(1410);
    expect(summary.snps.tested).toBe(10768);
    expect(summary.null.logl_h0).toBeCloseTo(-1584.45, 2); // GEMMA: MLE log-likelihood in the null model = -1584.45
    expect(summary.complete).toBe(true);
  }, 240_000);

  it('kinscan kinship equals GEMMA -gk 1 (cXX) and -gk 2 (sXX) to 1e-8', () => {
    const ref = JSON.parse(gunzipSync(readFileSync(join(root, 'test', 'fixtures', 'mouse_gk_rows.json.gz'))).toString()) as {
      rows: number[];
      cXX: { rows: number[][]; diag: number[] };
      sXX: { rows: number[][]; diag: number[] };
    };
    for (const [flag, key] of [[[], 'cXX'] as const, [['--standardized'], 'sXX'] as const]) {
      const out = join(dir, `${key}.txt`);
      execFileSync('node', [cli, 'kinship', '--bfile', bfile, ...flag, '--out', out], { stdio: 'pipe' });
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      expect(lines.length).toBe(1940);
      let max = 0;
      for (let i = 0; i < lines.length; i++) {
        const v = lines[i]!.split(/\s+/).map(Number);
        expect(v.length).toBe(1940);
        max = Math.max(max, Math.abs(v[i]! - ref[key].diag[i]!));
        const r = ref.rows.indexOf(i);
        if (r >= 0) for (let j = 0; j < 1940; j++) max = Math.max(max, Math.abs(v[j]! - ref[key].rows[r]![j]!));
      }
      expect(max, key).toBeLessThanOrEqual(1e-8);
    }
  }, 120_000);

  it('2-df scan on real data: the fast route lands on the exact optimiser and EM on the same ML', async () => {
    const settings: ScanSettings = { ...DEFAULT_SETTINGS, bfile, pheno, trait: 'trait1', model: 'add-dom' };
    // One kinship and eigendecomposition for the three methods, as a project's cache keeps them.
    const cache = new MemoryCache();
    const collect = async (method: ScanSettings['method']): Promise<ScanRow[]> => (await collectScan({ ...settings, method }, { to: 120, cache })).rows;
    const fast = await collect('fast');
    const exact = await collect('exact');
    const squarem = await collect('squarem');
    expect(fast.length).toBe(120);
    expect(fast.some((r) => r.df === 1) && fast.some((r) => r.df === 2)).toBe(true);
    for (let k = 0; k < fast.length; k++) {
      expect(Math.abs(fast[k]!.loglH1 - exact[k]!.loglH1)).toBeLessThan(1e-6);
      expect(Math.abs(squarem[k]!.loglH1 - exact[k]!.loglH1)).toBeLessThan(1e-6);
      expect(fast[k]!.df).toBe(exact[k]!.df);
    }
  }, 240_000);
});
