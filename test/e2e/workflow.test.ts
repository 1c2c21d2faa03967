/**
 * The whole workflow in a real browser, as a biologist would click through it: Debian's Chromium
 * against the real `kinscan serve` (harness.ts) on copies of the bundled mouse HS1940 data. The
 * steps share one browser, one server and one project and run in order; each step fails on any page
 * or console error, checks its screen with axe-core and takes a screenshot. Written against roles
 * and accessible names (what a screen reader announces), not CSS classes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pngFacts, readTsv, reportFigures } from './file-checks.js';
import { axe, FILES, skipReason, startE2E, type E2E } from './harness.js';
import { analysedRows, referenceSnpCounts } from './reference-qc.js';

const STEPS = ['Data', 'Quality control', 'Relatedness', 'Run', 'Results'] as const;

const slug = (s: string): string => s.toLowerCase().replace(/\s+/g, '-');

/** The steps nav's button for a screen. */
const step = (page: Page, name: (typeof STEPS)[number]) => page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name });

/** Go to a step and wait for its main region. */
async function goTo(page: Page, name: (typeof STEPS)[number]): Promise<void> {
  await step(page, name).click();
  await page.getByRole('main', { name }).waitFor();
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

/** The Run screen's queue entry of the newest run. */
const newestRun = (page: Page): Locator => page.getByRole('main', { name: 'Run' }).getByRole('list', { name: 'Runs, newest first' }).getByRole('listitem').first();

/** A body row of the Results screen's table of SNPs (0: the first). */
const hitsRow = (page: Page, i: number): Locator => page.getByRole('main', { name: 'Results' }).getByRole('grid', { name: 'All tested SNPs' }).getByRole('row').nth(i + 1);

// Labels that wrap their <select> are matched by their start: the label's text includes the options'.

/** A number as the screens print it (1,940). */
const shown = (n: number): string => n.toLocaleString('en-US');

/** The number in a table row's last cell (the QC screen's count tables), minus signs and commas dropped. */
async function rowNumber(row: Locator): Promise<number> {
  const text = (await row.getByRole('cell').last().textContent()) ?? '';
  return Number(text.replace(/[^0-9.]/g, ''));
}

/** A canvas or an image shows a picture: its pixels are not all one colour. */
async function notBlank(figure: Locator): Promise<void> {
  const stats = await sharp(await figure.screenshot()).stats();
  expect(Math.max(...stats.channels.map((c) => c.stdev))).toBeGreaterThan(5);
}

/** Wait until a locator's text satisfies `ok` (polled; the screens update as events arrive). */
async function until(locator: Locator, ok: (text: string) => boolean, timeout = 60_000): Promise<string> {
  const end = Date.now() + timeout;
  for (;;) {
    const text = (await locator.textContent({ timeout: 5_000 }).catch(() => null)) ?? '';
    if (ok(text)) return text;
    if (Date.now() > end) throw new Error(`timed out waiting; last text: ${text.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * The QC screen's SNP counts against referenceSnpCounts (the .bed decoded here): at the current MAF,
 * after typing a MAF into the exact-value box, and after moving the slider from the keyboard.
 */
async function checkQcCounts(e: E2E, columns: string[], shotName: string): Promise<void> {
  const { page, root } = e;
  const prefix = join(root, FILES.bed.replace(/\.bed$/, ''));
  const rows = analysedRows(`${prefix}.fam`, join(root, FILES.pheno), columns);
  const main = page.getByRole('main', { name: 'Quality control' });
  const tested = main.getByRole('table').first().getByRole('row', { name: /^Tested/ });
  const analysed = main.getByRole('row', { name: /^Analysed/ });
  const slider = main.getByRole('slider', { name: 'Minimum minor allele frequency (MAF)' });
  const exact = main.getByRole('spinbutton', { name: 'Minimum minor allele frequency (MAF) (exact value)' });
  const expectCounts = async (): Promise<number> => {
    const maf = Number(await slider.inputValue());
    const ref = referenceSnpCounts(`${prefix}.bed`, 1940, rows, maf, 0.05);
    await until(tested, (t) => t.includes(shown(ref.kept)), 10_000);
    expect(await rowNumber(analysed)).toBe(rows.length);
    return ref.kept;
  };
  await tested.waitFor();
  const atDefault = await expectCounts();
  await exact.fill('0.2');
  await exact.press('Tab');
  await expect(slider.inputValue()).resolves.toBe('0.2');
  const atTyped = await expectCounts();
  expect(atTyped).toBeLessThan(atDefault);
  // From the keyboard: ten steps of 0.001 up.
  await slider.focus();
  for (let i = 0; i < 10; i++) await slider.press('ArrowRight');
  await expect(slider.inputValue()).resolves.toBe('0.21');
  expect(await expectCounts()).toBeLessThan(atTyped);
  await page.getByRole('img', { name: /Minor allele frequenc/i }).waitFor();
  await a11y(page, 'Quality control');
  await e.shot(shotName);
  // Back to GEMMA's default, for the scans that follow.
  await exact.fill('0.01');
  await exact.press('Tab');
  await expectCounts();
}

/** Problems axe found in the current step. */
const a11yProblems: string[] = [];

/** axe on the page as it is; its problems are kept for the step's end. */
async function a11y(page: Page, screenName: string): Promise<void> {
  await axe(page, screenName).catch((err: unknown) => a11yProblems.push(err instanceof Error ? err.message : String(err)));
}

describe.skipIf(skipReason !== undefined)('the workflow in Chromium against kinscan serve', () => {
  let e: E2E;

  beforeAll(async () => {
    e = await startE2E();
  }, 60_000);
  afterAll(async () => {
    await e?.close();
  });
  afterEach(() => {
    expect(e.takeErrors()).toEqual([]);
    // Accessibility problems fail the step, after the step has gone on (the workflow must not stop at them).
    expect(a11yProblems.splice(0).join('\n')).toBe('');
  });

  it('shows the start screen', async () => {
    const { page } = e;
    await page.getByRole('heading', { level: 1, name: 'Kinscan' }).waitFor();
    await page.getByRole('button', { name: 'Open the example project' }).waitFor();
    await page.getByRole('button', { name: 'New project…' }).waitFor();
    await a11y(page, 'Start');
    await e.shot('01-start');
  });

  // First, on a host that has never kept state: no recent-projects file, no state folder yet.
  it('opens the example project on a first start, its QC counts right', async () => {
    const { page } = e;
    await page.getByRole('button', { name: 'Open the example project' }).click();
    const nav = page.getByRole('navigation', { name: 'Steps' });
    const opened = nav.getByText('example.kinscan').waitFor({ timeout: 30_000 }).then(() => 'opened' as const);
    const failed = page.getByRole('alert').waitFor({ timeout: 30_000 }).then(async () => `failed: ${await page.getByRole('alert').textContent()}`);
    expect(await Promise.race([opened, failed])).toBe('opened');
    await a11y(page, 'Data (example)');
    await e.shot('02-example-data');
    // The example's own trait (the first numeric column), no covariates.
    await goTo(page, 'Quality control');
    await checkQcCounts(e, ['trait1'], '02-example-qc');
    await page.getByRole('button', { name: 'Close project' }).click();
    await page.getByRole('button', { name: 'New project…' }).waitFor();
  }, 60_000);

  it('creates a new project through the file browser', async () => {
    const { page } = e;
    await page.getByRole('button', { name: 'New project…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a project' });
    await dialog.waitFor();
    // The folder the server was given, and the files copied into it.
    await dialog.getByRole('button', { name: 'data', exact: true }).waitFor();
    await expect(dialog.getByLabel('File name').inputValue()).resolves.toBe('my-study.kinscan');
    await a11y(page, 'file browser');
    await e.shot('03-new-project-dialog');
    await chooseInBrowser(page, 'Create a project', 'e2e-study', true);
    // Opened: the steps nav names the project (".kinscan" added), and the Data step is current.
    const nav = page.getByRole('navigation', { name: 'Steps' });
    await nav.getByText('e2e-study.kinscan').waitFor();
    await expect(step(page, 'Data').getAttribute('aria-current')).resolves.toBe('step');
    expect(existsSync(join(e.root, 'e2e-study.kinscan'))).toBe(true);
  });

  it('moves through every step of the empty project, each screen accessible in light and dark', async () => {
    const { page } = e;
    for (const [i, name] of STEPS.entries()) {
      await goTo(page, name);
      await expect(step(page, name).getAttribute('aria-current')).resolves.toBe('step');
      await a11y(page, name);
      await e.shot(`04-step-${i + 1}-${slug(name)}-empty`);
      // The same screen in the dark colour scheme: contrast is checked again.
      await page.emulateMedia({ colorScheme: 'dark' });
      await a11y(page, `${name} (dark)`);
      await e.shot(`04-step-${i + 1}-${slug(name)}-empty-dark`);
      await page.emulateMedia({ colorScheme: 'light' });
    }
    await goTo(page, 'Data');
  });

  it('Data: adds the genotypes and the sheet through the file browser, picks trait and covariates, shows the ID matching', async () => {
    const { page } = e;
    const main = page.getByRole('main', { name: 'Data' });
    await main.getByRole('button', { name: 'Add genotypes…' }).click();
    await chooseInBrowser(page, /^Add genotypes/, FILES.bed);
    // The preview before adding: individuals x SNPs, and the set's three files.
    const before = main.getByRole('region', { name: 'Before adding mouse_hs1940.bed' });
    await before.getByText(`${shown(1940)} individuals × ${shown(12226)} SNPs`).waitFor();
    await before.getByText('mouse_hs1940.bed, mouse_hs1940.bim, mouse_hs1940.fam').waitFor();
    await a11y(page, 'Data (genotypes preview)');
    await e.shot('05-data-genotypes-preview');
    await before.getByRole('button', { name: 'Add these genotypes to the project' }).click();
    await main.getByRole('status').getByText('Added the genotypes mouse_hs1940.').waitFor({ timeout: 30_000 });
    const genotypes = main.getByRole('region', { name: 'Genotypes' });
    await genotypes.getByText(`${shown(1940)} individuals × ${shown(12226)} SNPs`).waitFor();

    await main.getByRole('button', { name: 'Add phenotype sheet…' }).click();
    await chooseInBrowser(page, /phenotype/i, FILES.pheno);
    const sheetPreview = main.getByRole('region', { name: 'Before adding mouse_hs1940.pheno.csv' });
    await sheetPreview.getByRole('columnheader', { name: /trait6/ }).waitFor();
    await sheetPreview.getByText(`${shown(1940)} rows`, { exact: false }).waitFor();
    await e.shot('05-data-sheet-preview');
    await sheetPreview.getByRole('button', { name: 'Add this sheet to the project' }).click();
    await main.getByRole('status').getByText('Added the sheet mouse_hs1940.pheno.csv.').waitFor({ timeout: 30_000 });

    await main.getByLabel('Trait to scan', { exact: true }).selectOption('trait1');
    await main.getByRole('checkbox', { name: /^trait6/ }).check();
    // 1,410 have trait1; 1,197 of them also have trait6 (counted in the sheet by hand: see reference-qc.ts).
    const analysed = analysedRows(join(e.root, 'data/mouse_hs1940.fam'), join(e.root, FILES.pheno), ['trait1', 'trait6']).length;
    const matching = main.getByRole('region', { name: 'Matching IDs' });
    await matching.getByText(`${shown(1940)} of ${shown(1940)} genotyped individuals have a row in mouse_hs1940.pheno.csv`, { exact: false }).waitFor();
    await until(matching, (t) => t.includes(`a scan analyses ${shown(analysed)} individuals`), 15_000);
    await a11y(page, 'Data');
    await e.shot('05-data');
    // The choices survive a trip to another step.
    await goTo(page, 'Run');
    await goTo(page, 'Data');
    await expect(main.getByLabel('Trait to scan', { exact: true }).inputValue()).resolves.toBe('trait1');
    await expect(main.getByRole('checkbox', { name: /^trait6/ }).isChecked()).resolves.toBe(true);
  }, 60_000);

  it('Data: a broken genotype file and a sheet of strangers say so, naming the file, and the choices stay', async () => {
    const { page } = e;
    const main = page.getByRole('main', { name: 'Data' });
    for (const bad of [FILES.badMagicBed, FILES.truncatedBed]) {
      const name = bad.split('/').pop() as string;
      await main.getByRole('button', { name: 'Add genotypes…' }).click();
      await chooseInBrowser(page, /^Add genotypes/, bad);
      const pending = main.getByRole('region', { name: new RegExp(`${name.replace('.', '\\.')}$`) });
      // Refused at the preview, or else when added: either way an alert next to it.
      const add = pending.getByRole('button', { name: 'Add these genotypes to the project' });
      const alert = pending.getByRole('alert');
      await add.or(alert).first().waitFor({ timeout: 15_000 });
      if (await add.isVisible()) await add.click();
      await alert.waitFor({ timeout: 15_000 });
      // The engine's own words name the file (not only the note's "Reading <file>:" heading).
      const context = (await alert.locator('strong').first().textContent()) ?? '';
      const words = ((await alert.textContent()) ?? '').replace(context, '');
      expect(words, `the error for ${name}`).toContain(name);
      await a11y(page, `Data (${name})`);
      await e.shot(`06-data-error-${slug(name)}`);
      await pending.getByRole('button', { name: /^(Close|Do not add)$/ }).click();
    }
    expect(await main.getByRole('region', { name: 'Genotypes' }).getByRole('listitem').count()).toBe(1);

    await main.getByRole('button', { name: 'Add phenotype sheet…' }).click();
    await chooseInBrowser(page, /phenotype/i, FILES.strangersSheet);
    await main.getByRole('button', { name: 'Add this sheet to the project' }).click();
    await main.getByRole('status').getByText('Added the sheet strangers.csv.').waitFor({ timeout: 30_000 });
    await main.getByLabel('Phenotype sheet', { exact: true }).selectOption({ label: 'strangers.csv' });
    const matching = main.getByRole('region', { name: 'Matching IDs' });
    const alert = matching.getByRole('alert');
    const said = await until(alert, (t) => t.includes('strangers.csv'), 15_000);
    expect(said).toMatch(/match|names? (an|no) individual/i);
    await a11y(page, 'Data (no ID matches)');
    await e.shot('06-data-error-strangers');
    // Back to the right sheet: the trait and the covariate are still the ones chosen.
    await main.getByLabel('Phenotype sheet', { exact: true }).selectOption({ label: 'mouse_hs1940.pheno.csv' });
    await expect(main.getByLabel('Trait to scan', { exact: true }).inputValue()).resolves.toBe('trait1');
    await expect(main.getByRole('checkbox', { name: /^trait6/ }).isChecked()).resolves.toBe(true);
    await matching.getByText(`${shown(1940)} of ${shown(1940)}`, { exact: false }).waitFor();
  }, 60_000);

  it('QC: the counts follow the MAF slider and equal a count from the .bed', async () => {
    await goTo(e.page, 'Quality control');
    await checkQcCounts(e, ['trait1', 'trait6'], '07-qc');
  });

  it('Relatedness: the kinship heatmap and the PCA scatter are drawn', async () => {
    const { page } = e;
    await goTo(page, 'Relatedness');
    const main = page.getByRole('main', { name: 'Relatedness' });
    await expect(main.getByRole('radio', { name: 'Centered (GEMMA -gk 1, the default)' }).isChecked()).resolves.toBe(true);
    const heatmap = main.getByRole('img', { name: 'Kinship heatmap of mouse_hs1940' });
    const pca = main.getByRole('img', { name: /^PC 1 against PC 2/ });
    await heatmap.waitFor({ timeout: 60_000 });
    await pca.waitFor({ timeout: 60_000 });
    await notBlank(heatmap);
    await notBlank(pca);
    // Every genotyped individual, and the PCs' shares of the variation listed.
    await main.getByText(`${shown(1940)} individuals,`, { exact: false }).waitFor();
    await main.getByRole('table', { name: /Share of the kinship/ }).getByRole('row', { name: /^PC 1 / }).waitFor();
    await a11y(page, 'Relatedness');
    await e.shot('08-relatedness');
    await page.emulateMedia({ colorScheme: 'dark' });
    await a11y(page, 'Relatedness (dark)');
    await e.shot('08-relatedness-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  }, 90_000);

  it('Run: a 2-df scan runs to done', async () => {
    const { page } = e;
    await goTo(page, 'Run');
    const main = page.getByRole('main', { name: 'Run' });
    await expect(main.getByRole('radio', { name: 'Additive + dominance (2 df, the default)' }).isChecked()).resolves.toBe(true);
    // The summary states the choices made on the Data screen.
    const summary = main.getByRole('region', { name: 'What will be scanned' });
    await summary.getByText('trait1', { exact: false }).first().waitFor();
    await summary.getByText('trait6', { exact: false }).first().waitFor();
    await a11y(page, 'Run');
    await e.shot('09-run-before');
    await main.getByRole('button', { name: 'Start the scan' }).click();
    await newestRun(page).getByRole('progressbar').waitFor();
    await e.shot('09-run-running');
    await newestRun(page).getByRole('button', { name: 'Show results' }).waitFor({ timeout: 90_000 });
    await expect(newestRun(page).getByText('Done', { exact: true }).count()).resolves.toBe(1);
    await newestRun(page).getByText(`${shown(1197)} individuals`).waitFor();
    await a11y(page, 'Run (done)');
    await e.shot('09-run-done');
  }, 120_000);

  it('Results: the Manhattan plot, the QQ plot and a SNP panel from the top of the table', async () => {
    const { page } = e;
    await newestRun(page).getByRole('button', { name: 'Show results' }).click();
    const main = page.getByRole('main', { name: 'Results' });
    const manhattan = main.getByRole('img', { name: /^Manhattan plot of run \d+$/ });
    await manhattan.waitFor({ timeout: 30_000 });
    await notBlank(manhattan);
    const qq = main.getByRole('img', { name: /^QQ plot of run \d+$/ });
    await qq.waitFor({ timeout: 30_000 });
    await notBlank(qq);
    // The top row of the SNP table opens its SNP's panel; Escape closes it.
    const firstHit = hitsRow(page, 0);
    await firstHit.getByRole('gridcell').first().waitFor({ timeout: 30_000 });
    const rs = ((await firstHit.getByRole('gridcell').first().textContent()) ?? '').trim();
    expect(rs).not.toBe('');
    await firstHit.click();
    const panel = page.getByRole('dialog', { name: rs });
    await panel.waitFor({ timeout: 30_000 });
    await panel.getByText('likelihood ratio, 2 df').waitFor({ timeout: 30_000 });
    await notBlank(panel.getByRole('img').first());
    await a11y(page, 'Results (SNP panel)');
    await e.shot('10-results-snp-panel');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    await a11y(page, 'Results');
    await e.shot('10-results');
    await page.emulateMedia({ colorScheme: 'dark' });
    await a11y(page, 'Results (dark)');
    await e.shot('10-results-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  }, 90_000);

  it('Results: exports the Manhattan as a 300 dpi PNG, read back by libmagic and libvips', async () => {
    const { page } = e;
    const part = page.getByRole('main', { name: 'Results' }).getByRole('group', { name: 'A figure' });
    await part.getByLabel(/^Figure/).selectOption('manhattan');
    await part.getByLabel(/^Format/).selectOption('png');
    await part.getByLabel(/^Width/).selectOption('double');
    await part.getByLabel(/^Resolution/).selectOption('300');
    await part.getByRole('button', { name: 'Export figure…' }).click();
    await chooseInBrowser(page, /^Save the /, 'manhattan.png', true);
    await until(part.getByRole('status'), (t) => t.includes('manhattan.png'), 30_000);
    const png = await pngFacts(join(e.root, 'manhattan.png'));
    // 183 mm (double column) at 300 dpi.
    const width = Math.round((183 / 25.4) * 300);
    expect(png.magic).toMatch(new RegExp(`^PNG image data, ${width} x ${png.height},`));
    expect(png.width).toBe(width);
    expect(png.dpi).toBeCloseTo(300, 0);
    await a11y(page, 'Results (figure exported)');
    await e.shot('11-results-export-figure');
  }, 60_000);

  it('Results: exports the table as TSV and the report as HTML with its figures', async () => {
    const { page } = e;
    const main = page.getByRole('main', { name: 'Results' });
    const tablePart = main.getByRole('group', { name: 'The results table' });
    await tablePart.getByLabel(/^Format/).selectOption('tsv');
    await tablePart.getByRole('button', { name: 'Export table…' }).click();
    await chooseInBrowser(page, 'Save the results table', 'results.tsv', true);
    await until(tablePart.getByRole('status'), (t) => t.includes('results.tsv'), 30_000);
    const table = readTsv(join(e.root, 'results.tsv'));
    expect(table.header.slice(0, 3)).toEqual(['chr', 'rs', 'ps']);
    const col = (name: string): number => table.header.indexOf(name);
    // As many rows as the run tested (its summary on the screen), each with a p in (0, 1]; a 2-df run
    // (a SNP without heterozygotes has no dominance term: 1 df).
    const tested = await main.getByRole('definition').nth(3).textContent();
    expect(shown(table.rows.length)).toBe(tested?.trim());
    let twoDf = 0;
    for (const row of table.rows) {
      expect(['1', '2']).toContain(row[col('df')]);
      if (row[col('df')] === '2') twoDf++;
      const p = Number(row[col('p_lrt')]);
      expect(p > 0 && p <= 1, `p of ${row[1]}`).toBe(true);
    }
    expect(twoDf).toBeGreaterThan(table.rows.length / 2);
    // The table's best SNP heads the screen's table of SNPs.
    const best = table.rows.reduce((a, b) => (Number(b[col('neglog10_p')]) > Number(a[col('neglog10_p')]) ? b : a));
    expect(((await hitsRow(page, 0).getByRole('gridcell').first().textContent()) ?? '').trim()).toBe(best[1]);

    const reportPart = main.getByRole('group', { name: 'The report' });
    await reportPart.getByLabel(/^Format/).selectOption('html');
    await reportPart.getByRole('button', { name: 'Export report…' }).click();
    await chooseInBrowser(page, 'Save the report', 'report.html', true);
    await until(reportPart.getByRole('status'), (t) => t.includes('report.html'), 60_000);
    const figures = reportFigures(join(e.root, 'report.html'));
    expect(figures).toEqual(expect.arrayContaining(['manhattan', 'qq', 'heritability']));
    expect(figures.length).toBe(7);
    await e.shot('12-results-export-table-report');
  }, 90_000);

  it('Run: a second scan (additive, 1 thread) keeps its progress across a page reload', async () => {
    const { page } = e;
    await goTo(page, 'Run');
    const main = page.getByRole('main', { name: 'Run' });
    await main.getByRole('radio', { name: /^Additive \(1 df/ }).check();
    const threads = main.getByLabel('Processor threads', { exact: true });
    await threads.fill('1');
    await threads.press('Tab');
    await main.getByRole('button', { name: 'Start the scan' }).click();
    const bar = (): Locator => newestRun(page).getByRole('progressbar');
    // Reload once the scan proper has started and filled part of its bar.
    await until(newestRun(page), (t) => t.includes('scanning the SNPs'), 60_000);
    await expect.poll(async () => Number((await bar().getAttribute('value')) ?? 0), { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
    const before = Number(await bar().getAttribute('value'));
    expect(before).toBeLessThan(1);
    await page.reload({ waitUntil: 'load' });
    await page.locator('footer').getByText(/Engine ready/).waitFor({ timeout: 15_000 });
    await goTo(page, 'Run');
    await expect(newestRun(page).getByRole('heading', { name: /^Run \d+: trait1$/ }).count()).resolves.toBe(1);
    // The bar goes on from where it was (or the run has finished meanwhile).
    await expect
      .poll(async () => Number((await bar().getAttribute('value', { timeout: 2_000 }).catch(() => null)) ?? -1), { timeout: 30_000, interval: 100 })
      .toBeGreaterThan(before);
    await e.shot('13-run-after-reload');
    await newestRun(page).getByRole('button', { name: 'Show results' }).waitFor({ timeout: 90_000 });
  }, 150_000);

  it('Results: two runs side by side', async () => {
    const { page } = e;
    await goTo(page, 'Results');
    const main = page.getByRole('main', { name: 'Results' });
    const partner = main.getByLabel(/^Side by side with/);
    const labels = await partner.locator('option').allTextContents();
    const other = labels.find((l) => l !== 'none' && !l.startsWith('no other'));
    expect(other, `the runs offered: ${labels.join(' | ')}`).toBeDefined();
    await partner.selectOption({ label: other as string });
    const compare = main.getByRole('region', { name: 'Side by side' });
    await expect.poll(() => compare.getByRole('img', { name: /^Manhattan plot of run \d+$/ }).count(), { timeout: 30_000 }).toBe(2);
    await compare.getByRole('table').getByRole('row').nth(1).waitFor({ timeout: 30_000 });
    await a11y(page, 'Results (side by side)');
    await e.shot('14-results-side-by-side');
    await partner.selectOption({ label: 'none' });
  }, 60_000);

  it('Run: a cancelled scan ends cancelled and can be resumed', async () => {
    const { page } = e;
    await goTo(page, 'Run');
    const main = page.getByRole('main', { name: 'Run' });
    await main.getByRole('button', { name: 'Start the scan' }).click();
    await newestRun(page).getByRole('progressbar').waitFor();
    await newestRun(page).getByRole('button', { name: 'Cancel' }).click();
    await newestRun(page).getByText('Cancelled', { exact: true }).waitFor({ timeout: 30_000 });
    await newestRun(page).getByRole('button', { name: 'Resume' }).waitFor();
    await a11y(page, 'Run (cancelled)');
    await e.shot('15-run-cancelled');
  }, 60_000);

  it('closes the project and opens it again from the recent projects', async () => {
    const { page } = e;
    await page.getByRole('button', { name: 'Close project' }).click();
    const recent = page.getByRole('region', { name: 'Recent projects' });
    await recent.getByRole('button', { name: 'example.kinscan' }).waitFor();
    await recent.getByRole('button', { name: 'e2e-study.kinscan' }).click();
    await page.getByRole('navigation', { name: 'Steps' }).getByText('e2e-study.kinscan').waitFor({ timeout: 30_000 });
    await e.shot('90-reopened');
  }, 60_000);
});
