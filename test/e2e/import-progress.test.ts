/**
 * A long genotype import on the Data screen, against `kinscan serve` in a process of its own (the
 * import holds the engine's thread; Playwright must keep running meanwhile): a 600,000-SNP
 * bgzipped VCF (plink2 --dummy, seeded) added, the button and the status saying how far it has
 * come while it runs, a bar with its value, photographed part-way (light and dark) and checked
 * with axe-core; the events the page heard span the import, from the start to the whole file.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { axe, skipReason, startE2EProcess, type E2E } from './harness.js';

const SNPS = 600_000;
const shown = (n: number): string => n.toLocaleString('en-US');

interface Heard {
  at: number;
  stage: string;
  fraction: number | null;
  snps: number;
}

describe.skipIf(skipReason !== undefined)('a genotype import in progress, in Chromium', () => {
  let e: Omit<E2E, 'server' | 'dispatcher'>;

  beforeAll(async () => {
    e = await startE2EProcess();
    // 600,000 SNPs x 100 samples, bgzipped: an import of a few seconds here.
    execFileSync('plink2', ['--silent', '--dummy', '100', String(SNPS), '0.01', 'acgt', '--seed', '7', '--threads', '2', '--export', 'vcf', 'bgz', '--out', join(e.root, 'data', 'large')], {
      stdio: 'pipe',
    });
    const { page } = e;
    await page.getByRole('button', { name: 'New project…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a project' });
    await dialog.getByLabel('File name').fill('progress');
    await dialog.getByRole('button', { name: 'Save here' }).click();
    await page.getByRole('navigation', { name: 'Steps' }).getByText('progress.kinscan').waitFor();
  }, 90_000);
  afterAll(async () => {
    await e?.close();
  });
  afterEach(() => {
    expect(e.takeErrors()).toEqual([]);
  });

  it('the button, the status and a bar say how far the import has come while it runs', async () => {
    const { page } = e;
    // What the page hears from the engine, and when (the real window.kinscan, as App.svelte listens; page code as a string).
    await page.evaluate(
      "window.heard = []; window.kinscan.onEvent((ev) => { if (ev.type === 'importProgress') window.heard.push({ at: performance.now(), stage: ev.stage, fraction: ev.fraction, snps: ev.snps }); })",
    );
    const main = page.getByRole('main', { name: 'Data' });
    await main.getByRole('button', { name: 'Add genotypes…' }).click();
    const dialog = page.getByRole('dialog', { name: /^Add genotypes/ });
    await dialog.getByRole('button', { name: 'data', exact: true }).click();
    await dialog.getByRole('button', { name: /^large\.vcf\.gz/ }).click();
    const before = main.getByRole('region', { name: 'Before adding large.vcf.gz' });
    await before.getByText(/^Genotypes, VCF \(bgzip-compressed\): 100 individuals/).waitFor({ timeout: 30_000 });
    const started = Number(await page.evaluate('performance.now()'));
    await before.getByRole('button', { name: 'Add these genotypes to the project' }).click();

    // Part-way: the share read on the button, the share and the SNPs so far in the status, the bar's value.
    await before.getByRole('button', { name: /^Adding… ([1-9]|[1-9]\d)%$/ }).waitFor({ timeout: 30_000 });
    const status = (await before.getByRole('status').textContent()) ?? '';
    const m = /Reading every SNP of large\.vcf\.gz into the project: (\d+)%, ([\d,]+) SNPs so far\./.exec(status);
    expect(m, status).not.toBeNull();
    const snpsSoFar = Number(m![2]!.replace(/,/g, ''));
    expect(snpsSoFar).toBeGreaterThan(0);
    expect(snpsSoFar).toBeLessThan(SNPS);
    const bar = before.getByRole('progressbar', { name: 'Progress of the import' });
    const value = Number(await bar.getAttribute('value'));
    expect(value).toBeGreaterThan(0);
    expect(value).toBeLessThan(100);
    await axe(page, 'Data (import in progress)');
    await e.shot('genotypes-09-import-in-progress');
    await page.emulateMedia({ colorScheme: 'dark' });
    await e.shot('genotypes-09-import-in-progress-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await main.getByRole('status').getByText('Added the genotypes large.vcf.gz.').waitFor({ timeout: 120_000 });
    await main.getByRole('region', { name: 'Genotypes' }).getByText(`VCF: 100 individuals × ${shown(SNPS)} SNPs`).waitFor();
    // Once added the bar is gone.
    expect(await main.getByRole('progressbar', { name: 'Progress of the import' }).count()).toBe(0);

    const heard = JSON.parse(String(await page.evaluate('JSON.stringify(window.heard)'))) as Heard[];
    // Heard while the import ran, not all at its end: the start, shares that only grow, every SNP at the last.
    expect(heard.length).toBeGreaterThanOrEqual(4);
    expect(heard[0]).toMatchObject({ stage: 'reading', fraction: 0, snps: 0 });
    expect(heard[0]!.at).toBeGreaterThan(started);
    expect(heard.at(-1)).toMatchObject({ stage: 'reading', fraction: 1, snps: SNPS });
    expect(heard.at(-1)!.at - heard[1]!.at).toBeGreaterThan(300);
    for (let k = 1; k < heard.length; k++) {
      expect(heard[k]!.fraction).not.toBeNull();
      expect(heard[k]!.fraction!).toBeGreaterThanOrEqual(heard[k - 1]!.fraction!);
      expect(heard[k]!.snps).toBeGreaterThanOrEqual(heard[k - 1]!.snps);
    }
  }, 180_000);
});
