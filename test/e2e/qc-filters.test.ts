/**
 * The QC screen's Hardy-Weinberg and call-rate controls in a real browser (harness.ts): off by
 * default, typed from the keyboard, the counts they remove equal to a second computation from the
 * files (the .bed decoded here, the HWE p of engine/qc/hwe.ts, itself checked against plink2), and
 * the screen passing axe-core in the light and the dark colour scheme.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hweExactP } from '../../engine/qc/hwe.js';
import { axe, FILES, skipReason, startE2E, type E2E } from './harness.js';
import { analysedRows } from './reference-qc.js';

/** SNPs removed by HWE p < hwe after GEMMA's other filters (missing > 0.05, MAF < maf, one class), among `rows`. */
function referenceHweRemoved(bedFile: string, nFam: number, rows: number[], maf: number, hwe: number): number {
  const bed = readFileSync(bedFile);
  const stride = Math.ceil(nFam / 4);
  let removed = 0;
  for (let j = 0; j < (bed.length - 3) / stride; j++) {
    const c = [0, 0, 0, 0];
    for (const i of rows) c[((bed[3 + j * stride + (i >> 2)] as number) >> ((i & 3) * 2)) & 3]!++;
    const [hom1, miss, het, hom2] = c as [number, number, number, number];
    const af = (2 * hom1 + het) / (2 * (rows.length - miss));
    if (miss / rows.length > 0.05 || !(Math.min(af, 1 - af) >= maf) || (hom1 > 0 ? 1 : 0) + (het > 0 ? 1 : 0) + (hom2 > 0 ? 1 : 0) < 2) continue;
    if (hweExactP(hom1, het, hom2) < hwe) removed++;
  }
  return removed;
}

const lastCell = async (row: Locator): Promise<string> => ((await row.getByRole('cell').last().textContent()) ?? '').trim();

describe.skipIf(skipReason !== undefined)('QC screen: the HWE and call-rate filters', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E();
  }, 60_000);
  afterAll(async () => {
    await e?.close();
  });

  it('are off by default, take typed values, and remove what a second computation says', async () => {
    const { page } = e;
    await page.getByRole('button', { name: 'Open the example project' }).click();
    await page.getByRole('navigation', { name: 'Steps' }).getByText('example.kinscan').waitFor({ timeout: 30_000 });
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'Quality control' }).click();
    const main = page.getByRole('main', { name: 'Quality control' });
    const hwe = main.getByRole('spinbutton', { name: 'Minimum Hardy-Weinberg p-value' });
    const callRate = main.getByRole('spinbutton', { name: 'Minimum call rate per individual (fraction)' });
    const hweRow = main.getByRole('row', { name: /^Removed: Hardy-Weinberg/ });
    const callRow = main.getByRole('row', { name: /^Removed: called at fewer than/ });
    await hweRow.waitFor();
    await expect(hwe.inputValue()).resolves.toBe('0');
    await expect(callRate.inputValue()).resolves.toBe('0');
    expect(await hweRow.textContent()).toMatch(/filter off/);
    expect(await lastCell(hweRow)).toBe('0');

    // From the keyboard: focus, type, Tab on.
    await hwe.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('1e-6');
    await page.keyboard.press('Tab');
    await callRate.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('0.95');
    await page.keyboard.press('Tab');
    const prefix = join(e.root, FILES.bed.replace(/\.bed$/, ''));
    const rows = analysedRows(`${prefix}.fam`, join(e.root, FILES.pheno), ['trait1']);
    const expected = referenceHweRemoved(`${prefix}.bed`, 1940, rows, 0.01, 1e-6);
    expect(expected).toBeGreaterThan(0);
    await expect.poll(() => lastCell(hweRow), { timeout: 10_000 }).toBe(`−${expected.toLocaleString('en-US')}`);
    expect(await hweRow.textContent()).toContain('p below 1e-6');
    await expect(hwe.inputValue()).resolves.toBe('1e-6');
    // The mice are all called: the call-rate filter, now on, removes nobody.
    expect(await callRow.textContent()).toContain('fewer than 95% of SNPs');
    expect(await lastCell(callRow)).toBe('0');

    await axe(page, 'Quality control (filters on, light)');
    await e.shot('qc-filters-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await axe(page, 'Quality control (filters on, dark)');
    await e.shot('qc-filters-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Turn off puts the filter back to 0.
    await main.getByRole('button', { name: 'Turn off (Minimum Hardy-Weinberg p-value)' }).click();
    await expect(hwe.inputValue()).resolves.toBe('0');
    await expect.poll(() => lastCell(hweRow), { timeout: 10_000 }).toBe('0');
    expect(e.takeErrors()).toEqual([]);
  }, 90_000);
});
