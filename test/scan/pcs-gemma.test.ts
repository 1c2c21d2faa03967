import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type ScanSettings } from '../../engine/scan/settings.js';
import { collectScan } from '../helpers/scan.js';
import { tempDir } from '../helpers/tmp.js';

const root = join(import.meta.dirname, '..', '..');
const bfile = join(root, 'resources', 'example', 'mouse_hs1940');
const pheno = join(root, 'resources', 'example', 'mouse_hs1940.pheno.csv');

function hasGemma(): boolean {
  try {
    execFileSync('gemma', ['-h'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/**
 * --pcs 3 on mouse HS1940 trait 1 against GEMMA -lmm 2 with its own kinship (-gk 1) and
 * -c the intercept + the same three PCs, for the individuals Kinscan analysed (NA elsewhere).
 */
describe.skipIf(!hasGemma())('--pcs against GEMMA -lmm 2 with the PCs as -c covariates', () => {
  it('agrees in -log10 p over every tested SNP', async () => {
    const dir = tempDir();
    const settings: ScanSettings = { ...DEFAULT_SETTINGS, bfile, pheno, trait: 'trait1', model: 'additive', pcs: 3 };
    const { rows, outcome } = await collectScan(settings, { threads: 2 });
    const prep = outcome.prep;
    const fam = prep.plink.fam;
    const nAll = fam.iid.length;
    // GEMMA's inputs in .fam order: the phenotype, and the covariates 1, PC1..PC3 (NA: not analysed).
    const trait = new Map<string, string>();
    const lines = readFileSync(pheno, 'utf8').trim().split('\n');
    const col = lines[0]!.split(',').indexOf('trait1');
    for (const l of lines.slice(1)) {
      const f = l.split(',');
      trait.set(f[0]!, f[col]!);
    }
    const covar = Array.from({ length: nAll }, () => 'NA NA NA NA');
    prep.samples.famIndex.forEach((f, i) => (covar[f] = ['1', ...prep.pcs.vectors.map((v) => String(v[i]!))].join(' ')));
    writeFileSync(join(dir, 'pheno.txt'), fam.iid.map((id) => trait.get(id) ?? 'NA').join('\n') + '\n');
    writeFileSync(join(dir, 'covar.txt'), covar.join('\n') + '\n');
    const common = ['-bfile', bfile, '-p', join(dir, 'pheno.txt'), '-c', join(dir, 'covar.txt'), '-outdir', dir];
    execFileSync('gemma', [...common, '-gk', '1', '-o', 'k'], { stdio: 'pipe', cwd: dir });
    execFileSync('gemma', [...common, '-k', join(dir, 'k.cXX.txt'), '-lmm', '2', '-o', 'lmm'], { stdio: 'pipe', cwd: dir });

    const ref = readFileSync(join(dir, 'lmm.assoc.txt'), 'utf8').trim().split('\n');
    const head = ref[0]!.split('\t');
    const iRs = head.indexOf('rs');
    const iP = head.indexOf('p_lrt');
    const ours = new Map(rows.map((r) => [prep.plink.bim.rs[r.snp]!, r]));
    expect(ours.size).toBe(ref.length - 1);
    let worst = 0;
    for (const line of ref.slice(1)) {
      const f = line.split('\t');
      const r = ours.get(f[iRs]!);
      expect(r, f[iRs]).toBeDefined();
      worst = Math.max(worst, Math.abs(-Math.log10(Number(f[iP])) + r!.lnP / Math.LN10));
    }
    // Measured: 2.0e-7 over 10,768 SNPs (GEMMA prints p to 6 significant digits).
    expect(worst).toBeLessThanOrEqual(1e-6);
  }, 300_000);
});
