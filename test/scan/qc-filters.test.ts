import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateGenotypes, simulateTraits, writeSimulation } from '../../bench/simulate.js';
import { openScanInputs, selectScan } from '../../engine/scan/prepare.js';
import { scanToFiles } from '../../engine/scan/run.js';
import { DEFAULT_SETTINGS, type ScanSettings } from '../../engine/scan/settings.js';
import { collectScan } from '../helpers/scan.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Every QC filter at once, on simulated genotypes with planted problems: a duplicated SNP (same ID
 * and position), an ID reused at another position, SNPs far from Hardy-Weinberg, individuals with
 * many missing calls, and a covariate equal to a SNP. Each removed SNP is counted by exactly one
 * filter, so the counts add up to the SNPs in the file.
 */
describe('QC filters in a scan: what each removed, adding up', () => {
  const dir = tempDir('kinscan-qcfilters-');
  const prefix = join(dir, 'sim');
  const n = 300;
  const sim = simulateGenotypes({ n, m: 1200, seed: 21, pops: 1, familySize: 1, missing: 0.005 });
  // SNPs 100-109: nearly everyone heterozygous (far from HWE).
  for (let j = 100; j < 110; j++) for (let i = 0; i < n; i++) sim.g[j * n + i] = i % 10 === 0 ? 0 : 1;
  // Individuals 0-5: a third of their calls missing (call rate ~0.67).
  for (let i = 0; i < 6; i++) for (let j = 0; j < sim.m; j++) if (j % 3 === 0) sim.g[j * n + i] = -1;
  const [trait] = simulateTraits(sim, [{ name: 't', polygenic: { snps: 50, variance: 0.5 }, noise: 1 }], 3);
  writeSimulation(prefix, sim, { names: ['t'], values: [trait!] });
  // The .bim: SNP 41 repeats SNP 40's ID, chromosome and position; SNP 600 reuses SNP 300's ID at its own position.
  const bim = readFileSync(`${prefix}.bim`, 'utf8').trim().split('\n').map((l) => l.split('\t'));
  bim[41] = [bim[40]![0]!, bim[40]![1]!, bim[41]![2]!, bim[40]![3]!, bim[41]![4]!, bim[41]![5]!];
  bim[600]![1] = bim[300]![1]!;
  writeFileSync(`${prefix}.bim`, bim.map((t) => t.join('\t')).join('\n') + '\n');
  // A covariate equal to SNP 500's genotype.
  const cov = join(dir, 'cov.tsv');
  const rows = ['IID\tg500\tage'];
  for (let i = 0; i < n; i++) {
    const g = sim.g[500 * n + i]!;
    rows.push(`${sim.ids[i]}\t${g < 0 ? 'NA' : g}\t${20 + (i % 17)}`);
  }
  writeFileSync(cov, rows.join('\n') + '\n');
  const base: ScanSettings = { ...DEFAULT_SETTINGS, bfile: prefix, pheno: `${prefix}.pheno.csv`, trait: 't', model: 'additive' };

  it('counts every removed SNP once: kept + each filter = total; the tested SNPs are the kept ones', async () => {
    const settings: ScanSettings = { ...base, hwe: 1e-6, minCallRate: 0.9, covar: cov, covarNames: ['g500', 'age'] };
    const out = join(dir, 'res.tsv');
    const s = await scanToFiles(settings, out);
    const sn = s.snps;
    expect(sn.total).toBe(1200);
    expect(sn.failedDuplicate).toBe(1);
    expect(sn.failedHwe).toBe(10);
    expect(sn.failedCollinear).toBe(1);
    expect(sn.planned + sn.failedDuplicate! + sn.failedMissing + sn.failedMaf + sn.singleClass + sn.failedHwe! + sn.failedCollinear!).toBe(sn.total);
    expect(sn.tested + sn.collinearWithCovariates).toBe(sn.planned);
    // The six poorly called individuals, and those missing SNP 500's genotype (its covariate), are not analysed.
    expect(s.samples.lowCallRate).toBe(6);
    expect(s.samples.analysed).toBe(n - 6 - s.samples.missingCovariate);
    expect(s.warnings?.join(' ')).toMatch(new RegExp(`the SNP ID '${bim[300]![1]}' occurs at more than one position in sim\\.bim`));
    const ids = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[1]);
    expect(ids).toHaveLength(sn.tested);
    expect(ids.filter((id) => id === bim[40]![1]!)).toHaveLength(1);
    expect(ids).not.toContain('snp501');
    for (let j = 100; j < 110; j++) expect(ids).not.toContain(`snp${j + 1}`);
    // Both SNPs with the reused ID are tested.
    expect(ids.filter((id) => id === bim[300]![1]!)).toHaveLength(2);
  }, 120_000);

  it('with the filters off (the defaults) removes only the duplicate, and counts nothing for HWE, call rate or collinearity', async () => {
    const { outcome } = await collectScan(base, { to: 0 });
    const r = outcome.prep.snpReport;
    expect([r.failedDuplicate, r.failedHwe, r.failedCollinear]).toEqual([1, 0, 0]);
    expect(outcome.prep.samples.report.lowCallRate).toBe(0);
    expect(r.pass + r.failedDuplicate + r.failedMissing + r.failedMaf + r.singleClass).toBe(1200);
  }, 60_000);

  it('names what each filter removed when no SNP is left', async () => {
    await expect(collectScan({ ...base, maf: 0.45, maxMissing: 0, hwe: 1 }, { to: 0 })).rejects.toThrow(
      /no SNP passes the filters among the 300 analysed individuals \(1 duplicates of an earlier SNP \(same ID and position\), \d+ missing rate > 0, \d+ MAF < 0\.45, \d+ HWE p < 1\)/,
    );
  }, 60_000);

  it('refuses a call-rate limit that leaves fewer than three individuals, naming the setting', async () => {
    await expect(collectScan({ ...base, minCallRate: 1 }, { to: 0 })).rejects.toThrow(/Lower the minimum sample call rate \(--min-call-rate; now 1\)/);
  }, 60_000);
});

describe('the HWE filter against plink2 --hwe on the mouse set', () => {
  it('tests the same SNPs as plink2 --keep (trait1) --maf 0.01 --hwe 1e-6 keeps', async () => {
    const dir = tempDir('kinscan-qcfilters-plink2-');
    const example = join(import.meta.dirname, '..', '..', 'resources', 'example', 'mouse_hs1940');
    // plink2 drops SNPs at position -9: a copy with them at 0 keeps all 12,226 in both programs.
    const prefix = join(dir, 'mouse');
    copyFileSync(`${example}.bed`, `${prefix}.bed`);
    copyFileSync(`${example}.fam`, `${prefix}.fam`);
    writeFileSync(`${prefix}.bim`, readFileSync(`${example}.bim`, 'utf8').replace(/\t-9\t/g, '\t0\t'));
    const pheno = `${example}.pheno.csv`;
    const withTrait = readFileSync(pheno, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')).filter((c) => c[1] !== 'NA' && c[1] !== '');
    const fam = new Map(readFileSync(`${prefix}.fam`, 'utf8').trim().split('\n').map((l) => l.split(/\s+/)).map((t) => [t[1]!, t[0]!]));
    writeFileSync(join(dir, 'keep.txt'), withTrait.map((c) => `${fam.get(c[0]!)}\t${c[0]}`).join('\n') + '\n');
    execFileSync('plink2', ['--silent', '--bfile', prefix, '--keep', join(dir, 'keep.txt'), '--nonfounders', '--chr-set', '19', '--maf', '0.01', '--hwe', '1e-6', '--write-snplist', '--out', join(dir, 'kept')], { stdio: 'pipe' });
    const plinkKept = readFileSync(join(dir, 'kept.snplist'), 'utf8').trim().split('\n');
    const settings: ScanSettings = { ...DEFAULT_SETTINGS, bfile: prefix, pheno, trait: 'trait1', hwe: 1e-6 };
    const inputs = openScanInputs(settings);
    try {
      const sel = selectScan(settings, inputs);
      expect(sel.snpReport.failedHwe).toBe(552);
      expect(Array.from(sel.tested, (j) => sel.plink.bim.rs[j]!).sort()).toEqual(plinkKept.sort());
    } finally {
      inputs.plink.bed.close();
    }
  }, 60_000);
});
