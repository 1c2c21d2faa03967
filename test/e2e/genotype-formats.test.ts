/**
 * Genotype files other than PLINK on the Data screen, in Chromium against the real `kinscan serve`
 * (harness.ts): a bgzipped VCF of the mouse set (plink2, chromosomes 1-2) uploaded from "this
 * computer", previewed with its format in words, added, and listed with its format; a small VCF
 * with multi-allelic sites and DS dosages (the DS option, what was skipped beside the dataset);
 * BXD's BIMBAM file chosen in the file browser with its annotation file. Each state is checked
 * with axe-core and photographed (KINSCAN_SHOTS=1 keeps the pictures), light and dark.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import writeXlsxFile from 'write-excel-file/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MOUSE } from '../store/helpers.js';
import { axe, skipReason, startE2E, type E2E } from './harness.js';

const BXD = join(import.meta.dirname, '../fixtures/bxd');
const shown = (n: number): string => n.toLocaleString('en-US');

/** Click Add and wait for the words saying it was added, or fail with the error the panel shows instead. */
async function addAndWait(page: Page, name: string, timeout: number): Promise<void> {
  const main = page.getByRole('main', { name: 'Data' });
  await main.getByRole('region', { name: `Before adding ${name}` }).getByRole('button', { name: 'Add these genotypes to the project' }).click();
  const added = main.getByRole('status').getByText(`Added the genotypes ${name}.`).waitFor({ timeout }).then(() => 'added');
  const failed = main.getByRole('alert').waitFor({ timeout }).then(async () => `failed: ${await main.getByRole('alert').textContent()}`);
  expect(await Promise.race([added, failed])).toBe('added');
}

/** In the host's file browser: walk into the folders of `relPath` and choose (or, saving, name) its file. */
async function chooseInBrowser(page: Page, dialogName: string | RegExp, relPath: string, save = false): Promise<void> {
  const dialog = page.getByRole('dialog', { name: dialogName });
  await dialog.waitFor();
  const parts = relPath.split('/');
  const file = parts.pop() as string;
  for (const folder of parts) {
    await dialog.getByRole('button', { name: folder, exact: true }).click();
    await dialog.getByText(new RegExp(`/${folder}$`)).waitFor();
  }
  if (save) {
    await dialog.getByLabel('File name').fill(file);
    await dialog.getByRole('button', { name: 'Save here' }).click();
  } else {
    await dialog.getByRole('button', { name: new RegExp(`^${file.replace(/\./g, '\\.')}`) }).click();
  }
  await dialog.waitFor({ state: 'detached' });
}

const a11yProblems: string[] = [];
async function a11y(page: Page, what: string): Promise<void> {
  await axe(page, what).catch((err: unknown) => a11yProblems.push(err instanceof Error ? err.message : String(err)));
}

/** Photograph (and check) the page in light and in dark. */
async function both(e: E2E, what: string, name: string): Promise<void> {
  await a11y(e.page, what);
  await e.shot(name);
  await e.page.emulateMedia({ colorScheme: 'dark' });
  await a11y(e.page, `${what} (dark)`);
  await e.shot(`${name}-dark`);
  await e.page.emulateMedia({ colorScheme: 'light' });
}

describe.skipIf(skipReason !== undefined)('genotype formats on the Data screen, in Chromium', () => {
  let e: E2E;
  let vcf: string;
  let records: number;

  beforeAll(async () => {
    e = await startE2E();
    // The VCF to upload lives outside the files root, as a file on "this computer".
    vcf = join(e.root, '..', `${e.root.split('/').pop()}-mice.vcf.gz`);
    execFileSync('plink2', ['--silent', '--bfile', MOUSE, '--chr', '1-2', '--export', 'vcf', 'bgz', 'id-paste=iid', '--out', vcf.replace(/\.vcf\.gz$/, '')], { stdio: 'pipe' });
    records = gunzipSync(readFileSync(vcf)).toString('utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    for (const f of ['BXD_geno.txt.gz', 'BXD_snps.txt.gz']) copyFileSync(join(BXD, f), join(e.root, 'data', f));
    const samples = ['s1', 's2', 's3', 's4'];
    const head = [
      '##fileformat=VCFv4.2',
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
      '##FORMAT=<ID=DS,Number=A,Type=Float,Description="Alternate allele dosage">',
      ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', ...samples].join('\t'),
    ];
    const body: string[] = [];
    for (let k = 1; k <= 30; k++) {
      const alt = k % 10 === 0 ? 'G,T' : 'G';
      const calls = samples.map((_, j) => `${['0/0', '0/1', '1/1', '0/1'][(j + k) % 4]}:${(((j + k) % 4) * 0.6).toFixed(2)}`);
      body.push(['1', String(k * 1000), `rs${k}`, 'A', alt, '.', 'PASS', '.', 'GT:DS', ...calls].join('\t'));
    }
    writeFileSync(join(e.root, 'data', 'imputed.vcf'), [...head, ...body].join('\n') + '\n');

    const { page } = e;
    await page.getByRole('button', { name: 'New project…' }).click();
    await chooseInBrowser(page, 'Create a project', 'formats', true);
    await page.getByRole('navigation', { name: 'Steps' }).getByText('formats.kinscan').waitFor();
  }, 90_000);
  afterAll(async () => {
    await e?.close();
  });
  afterEach(() => {
    expect(e.takeErrors()).toEqual([]);
    expect(a11yProblems.splice(0).join('\n')).toBe('');
  });

  it('a bgzipped VCF uploaded from this computer: previewed, added, listed as a VCF', async () => {
    const { page } = e;
    const main = page.getByRole('main', { name: 'Data' });
    // The drop zone's own file picker (what a drop does too: the bytes are uploaded, then previewed).
    await main.locator('input[type=file]').setInputFiles(vcf);
    const name = vcf.split('/').pop()!;
    const before = main.getByRole('region', { name: `Before adding ${name}` });
    await before.getByText(`Genotypes, VCF (bgzip-compressed): ${shown(1940)} individuals × SNPs counted when added`).waitFor({ timeout: 30_000 });
    await before.getByRole('region', { name: /^First SNPs and the genotypes/ }).getByRole('rowheader', { name: 'rs3683945' }).waitFor();
    await before.getByText(/^First individuals: A048005080, A048006063/).waitFor();
    // No annotation needed, no DS in this file.
    expect(await before.getByRole('group', { name: /SNP annotation file/ }).count()).toBe(0);
    expect(await before.getByRole('checkbox', { name: /DS dosages/ }).count()).toBe(0);
    await both(e, 'Data (VCF preview)', 'genotypes-01-vcf-preview');
    await addAndWait(page, name, 60_000);
    const genotypes = main.getByRole('region', { name: 'Genotypes' });
    await genotypes.getByText(`VCF: ${shown(1940)} individuals × ${shown(records)} SNPs`).waitFor();
    await both(e, 'Data (VCF added)', 'genotypes-02-vcf-added');
  }, 90_000);

  it('a VCF with DS and multi-allelic sites: the DS option, what was skipped, shown beside the dataset', async () => {
    const { page } = e;
    const main = page.getByRole('main', { name: 'Data' });
    await main.getByRole('button', { name: 'Add genotypes…' }).click();
    await chooseInBrowser(page, /^Add genotypes/, 'data/imputed.vcf');
    const before = main.getByRole('region', { name: 'Before adding imputed.vcf' });
    await before.getByText(`Genotypes, VCF: 4 individuals × 27 SNPs`).waitFor();
    await before.getByText(/^3 records skipped: multi-allelic site.*For example rs10 \(line 14\), rs20 \(line 24\), rs30 \(line 34\)\./).waitFor();
    const ds = before.getByRole('checkbox', { name: /Use the DS dosages/ });
    // From the keyboard: the calls shown become the dosages.
    await ds.focus();
    await page.keyboard.press('Space');
    await before.getByText('Genotypes are dosages: the expected copies of allele 1, from 0 to 2.').waitFor();
    await before.getByRole('region', { name: /^First SNPs/ }).getByRole('cell', { name: '1.2', exact: true }).first().waitFor();
    await both(e, 'Data (VCF with DS)', 'genotypes-03-vcf-ds-preview');
    await addAndWait(page, 'imputed.vcf', 30_000);
    const genotypes = main.getByRole('region', { name: 'Genotypes' });
    await genotypes.getByText('VCF, DS dosages: 4 individuals × 27 SNPs').waitFor();
    await genotypes.getByText(/^3 records skipped: multi-allelic site/).waitFor();
    await both(e, 'Data (skipped beside the dataset)', 'genotypes-04-vcf-ds-added');
  }, 60_000);

  it('BIMBAM: the annotation file asked for, chosen in the file browser, the SNPs then placed', async () => {
    const { page } = e;
    const main = page.getByRole('main', { name: 'Data' });
    await main.getByRole('button', { name: 'Add genotypes…' }).click();
    await chooseInBrowser(page, /^Add genotypes/, 'data/BXD_geno.txt.gz');
    const before = main.getByRole('region', { name: 'Before adding BXD_geno.txt.gz' });
    await before.getByText(/^Genotypes, BIMBAM mean genotypes \(gzip-compressed\): 198 individuals/).waitFor({ timeout: 30_000 });
    const anno = before.getByRole('group', { name: 'SNP annotation file (optional)' });
    await anno.getByText(/Without it, the SNPs are added on chromosome 0 at position 0/).waitFor();
    await both(e, 'Data (BIMBAM preview)', 'genotypes-05-bimbam-preview');
    // A wrong file first: its error beside the choice, the preview and the choice kept, adding held back.
    await anno.getByRole('button', { name: 'Choose the annotation file…' }).click();
    await chooseInBrowser(page, /annotation or map file/, 'data/mouse_hs1940.pheno.csv');
    const alert = before.getByRole('alert');
    await alert.getByText(/Reading with the annotation file mouse_hs1940\.pheno\.csv:.*mouse_hs1940\.pheno\.csv.*is not a whole number/).waitFor({ timeout: 30_000 });
    await anno.getByText('mouse_hs1940.pheno.csv', { exact: true }).waitFor();
    await expect(before.getByRole('button', { name: 'Add these genotypes to the project' }).isDisabled()).resolves.toBe(true);
    await both(e, 'Data (wrong annotation file)', 'genotypes-05b-bimbam-wrong-annotation');
    await anno.getByRole('button', { name: 'Choose another annotation file…' }).click();
    await chooseInBrowser(page, /annotation or map file/, 'data/BXD_snps.txt.gz');
    await alert.waitFor({ state: 'detached' });
    await anno.getByText('BXD_snps.txt.gz', { exact: true }).waitFor();
    // Read again with it: the first SNP is placed as BXD_snps.txt says (rs31443144 3010274 1).
    await before.getByRole('region', { name: /^First SNPs/ }).getByRole('cell', { name: '1:3,010,274' }).waitFor({ timeout: 30_000 });
    await both(e, 'Data (BIMBAM with annotation)', 'genotypes-06-bimbam-annotated');
    await addAndWait(page, 'BXD_geno.txt.gz', 60_000);
    await main.getByRole('region', { name: 'Genotypes' }).getByText(/^BIMBAM mean genotypes \(dosages\): 198 individuals/).waitFor();
    await both(e, 'Data (three datasets)', 'genotypes-07-three-datasets');
  }, 90_000);

  it('an Excel workbook: its worksheets named, the table read from the one chosen, then added', async () => {
    const { page } = e;
    await writeXlsxFile([
      { sheet: 'Notes', data: [[{ value: 'Field trial 2026' }]] },
      { sheet: 'Traits', data: [[{ value: 'IID' }, { value: 'height' }], ...['s1', 's2', 's3'].map((id, k) => [{ value: id }, { value: 1 + k / 4 }])] },
      { sheet: 'Yields', data: [[{ value: 'IID' }, { value: 'yield' }, { value: 'plot' }], ...['s1', 's2', 's3'].map((id, k) => [{ value: id }, { value: 10 + k }, { value: `P${k}` }])] },
    ]).toFile(join(e.root, 'data', 'trial.xlsx'));
    const main = page.getByRole('main', { name: 'Data' });
    await main.getByRole('button', { name: 'Add phenotype sheet…' }).click();
    await chooseInBrowser(page, /^Add (a )?phenotype/i, 'data/trial.xlsx');
    const before = main.getByRole('region', { name: 'Before adding trial.xlsx' });
    // 'Notes' holds no table: the first worksheet that does is shown, and all three are offered.
    const pick = before.getByLabel(/^Worksheet/);
    await pick.waitFor({ timeout: 30_000 });
    await expect(pick.inputValue()).resolves.toBe('Traits');
    await expect(pick.locator('option').allTextContents()).resolves.toEqual(['Notes', 'Traits', 'Yields']);
    await pick.selectOption('Yields');
    await before.getByRole('columnheader', { name: /^yield/ }).waitFor({ timeout: 30_000 });
    await both(e, 'Data (workbook, worksheet chosen)', 'genotypes-08-workbook-worksheet');
    await before.getByRole('button', { name: 'Add this sheet to the project' }).click();
    await main.getByRole('status').getByText('Added the sheet trial.xlsx.').waitFor({ timeout: 30_000 });
  }, 90_000);
});
