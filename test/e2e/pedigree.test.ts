/**
 * A pedigree as the kinship, and text columns as covariates, in a real browser (harness.ts) on the
 * example mouse project, which has no pedigree: the test writes one whose animals are the mouse
 * IIDs (1,800 mice in full-sib families of four with parents not genotyped and without lines of
 * their own, so added as founders; 140 mice born to two genotyped full sibs, so F = 1/4, listed
 * before their parents, so re-ordered), and a copy missing ten mice. Chosen on the Relatedness
 * screen: the missing mice are an error offering to take them as unrelated founders; the facts
 * shown equal the pedigree's construction; the run uses A and the Run and Results screens name it.
 * A covariate sheet with sex (M/F), batch (A/B/C) and an ID-like tag column: the first two can be
 * chosen with their indicator notes, the tag cannot. A sheet weighing 100 mice twice: the Run
 * screen, the run and its results say 1,940 individuals and 2,040 observations. Each new state
 * passes axe-core and is screenshotted in light and dark.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axe, skipReason, startE2E, type E2E } from './harness.js';

const shown = (n: number): string => n.toLocaleString('en-US');

/** In the host's file browser: walk into the folders of `relPath` and choose its file. */
async function chooseInBrowser(page: Page, dialogName: string, relPath: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: dialogName });
  await dialog.waitFor();
  const parts = relPath.split('/');
  const file = parts.pop() as string;
  for (const folder of parts) {
    await dialog.getByRole('button', { name: folder, exact: true }).click();
    await dialog.getByText(new RegExp(`/${folder}$`)).waitFor();
  }
  await dialog.getByRole('button', { name: new RegExp(`^${file.replace(/\./g, '\\.')}`) }).click();
  await dialog.waitFor({ state: 'detached' });
}

async function bothSchemes(e: E2E, screen: string, name: string): Promise<void> {
  await axe(e.page, screen);
  await e.shot(`${name}-light`);
  await e.page.emulateMedia({ colorScheme: 'dark' });
  await axe(e.page, `${screen} (dark)`);
  await e.shot(`${name}-dark`);
  await e.page.emulateMedia({ colorScheme: 'light' });
}

const goTo = async (page: Page, name: string): Promise<void> => {
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name }).click();
  await page.getByRole('main', { name }).waitFor();
};

describe.skipIf(skipReason !== undefined)('a pedigree as the kinship, and text covariates, in the browser', () => {
  let e: E2E;
  let ids: string[] = [];
  /** The 140 mice of F = 1/4, and the 900 parents without lines. */
  const INBRED = 140;
  const FOUNDERS_ADDED = 900;

  beforeAll(async () => {
    e = await startE2E();
    ids = readFileSync(join(e.root, 'data/mouse_hs1940.fam'), 'utf8').trimEnd().split('\n').map((l) => l.split(/\s+/)[1]!);
    expect(ids.length).toBe(1940);
    const line = (i: number): string => {
      if (i < 1800) return `${ids[i]}\tS${Math.floor(i / 4)}\tD${Math.floor(i / 4)}`;
      const k = Math.floor((i - 1800) / 2);
      return `${ids[i]}\t${ids[4 * k]}\t${ids[4 * k + 1]}`;
    };
    const order = [...Array.from({ length: 140 }, (_, j) => 1800 + j), ...Array.from({ length: 1800 }, (_, i) => i)];
    mkdirSync(join(e.root, 'ped'), { recursive: true });
    writeFileSync(join(e.root, 'ped/herd.ped.txt'), `animal\tsire\tdam\n${order.map(line).join('\n')}\n`);
    // Mice 1790-1799 are nobody's parent: leaving them out changes nothing else.
    writeFileSync(join(e.root, 'ped/partial.ped.txt'), `animal\tsire\tdam\n${order.filter((i) => i < 1790 || i >= 1800).map(line).join('\n')}\n`);
    // The first 100 mice weighed twice: 1,940 individuals, 2,040 observations.
    writeFileSync(join(e.root, 'ped/repeats.csv'), `IID,weight\n${ids.flatMap((id, i) => (i < 100 ? [0, 1] : [0]).map((r) => `${id},${(20 + Math.sin(i * 3 + r) + (i % 5) * 0.3).toFixed(4)}`)).join('\n')}\n`);
    writeFileSync(join(e.root, 'ped/covar.csv'), `IID,sex,batch,tag\n${ids.map((id, i) => `${id},${i % 2 ? 'M' : 'F'},${'ABC'[i % 3]},tag${i}`).join('\n')}\n`);
    await e.page.getByRole('button', { name: 'Open the example project' }).click();
    await e.page.getByRole('navigation', { name: 'Steps' }).getByText('example.kinscan').waitFor({ timeout: 30_000 });
  }, 90_000);
  afterAll(async () => {
    await e?.close();
  });

  it('Data: text columns are covariates with their indicators; an ID-like column is not', async () => {
    const { page } = e;
    await goTo(page, 'Data');
    const main = page.getByRole('main', { name: 'Data' });
    await main.getByRole('button', { name: 'Add phenotype sheet…' }).click();
    await chooseInBrowser(page, 'Add a phenotype or covariate sheet', 'ped/covar.csv');
    await main.getByRole('button', { name: 'Add this sheet to the project' }).click();
    await main.getByRole('status').getByText('Added the sheet covar.csv.').waitFor({ timeout: 30_000 });
    // Adding a sheet makes it the phenotype sheet; the trait stays in the example's sheet.
    await main.getByLabel('Phenotype sheet', { exact: true }).selectOption({ label: 'mouse_hs1940.pheno.csv' });
    await main.getByLabel('Trait to scan', { exact: true }).selectOption('trait1');
    await main.getByLabel('From the sheet', { exact: true }).selectOption({ label: 'covar.csv' });
    const sex = main.getByRole('checkbox', { name: /^sex/ });
    const batch = main.getByRole('checkbox', { name: /^batch/ });
    const tag = main.getByRole('checkbox', { name: /^tag/ });
    await main.getByText('F/M: 1 indicator (F as reference, named like sex=M)').waitFor({ timeout: 10_000 });
    await main.getByText('A/B/C: 2 indicators (A as reference, named like batch=B)').waitFor();
    await main.getByText(`cannot be a covariate: ${shown(1940)} different values in ${shown(1940)} rows`, { exact: false }).waitFor();
    await expect(sex.isEnabled()).resolves.toBe(true);
    await expect(batch.isEnabled()).resolves.toBe(true);
    await expect(tag.isDisabled()).resolves.toBe(true);
    await sex.check();
    await bothSchemes(e, 'Data (text covariates)', 'pedigree-01-text-covariates');
    expect(e.takeErrors()).toEqual([]);
  }, 90_000);

  it('Relatedness: a pedigree missing genotyped mice is an error offering them as unrelated founders', async () => {
    const { page } = e;
    await goTo(page, 'Relatedness');
    const main = page.getByRole('main', { name: 'Relatedness' });
    await main.getByRole('radio', { name: 'From a pedigree (numerator relationship matrix A)' }).check();
    await chooseInBrowser(page, 'Add a pedigree', 'ped/partial.ped.txt');
    const alert = main.getByRole('alert');
    await alert.getByText(/10 of the 1940 IDs of the dataset's individuals .* are not in the pedigree/).waitFor({ timeout: 30_000 });
    await alert.getByText(/partial\.ped\.txt/).first().waitFor();
    const founders = main.getByRole('button', { name: 'Treat unlisted individuals as unrelated founders' });
    await founders.waitFor();
    await bothSchemes(e, 'Relatedness (pedigree missing mice)', 'pedigree-02-unlisted-error');
    await founders.click();
    const facts = main.getByLabel('The pedigree partial.ped.txt');
    await facts.getByText(`${shown(1930)} of ${shown(1940)}`).waitFor({ timeout: 30_000 });
    await facts.getByText('(10 not in it, taken as unrelated founders)').waitFor();
    await expect(main.getByRole('alert').count()).resolves.toBe(0);
    expect(e.takeErrors()).toEqual([]);
  }, 90_000);

  it('Relatedness: the full pedigree, its facts and warnings, and the overview said to be the genotypes’ kinship', async () => {
    const { page } = e;
    const main = page.getByRole('main', { name: 'Relatedness' });
    await main.getByRole('button', { name: 'Add a pedigree file…' }).click();
    await chooseInBrowser(page, 'Add a pedigree', 'ped/herd.ped.txt');
    const facts = main.getByLabel('The pedigree herd.ped.txt');
    await facts.waitFor({ timeout: 30_000 });
    const value = async (term: string): Promise<string> => ((await facts.getByRole('definition').nth(['Animals in herd.ped.txt', 'Genotyped individuals in it', 'A computed over', 'Inbred animals (F > 0)', 'Mean inbreeding F', 'Largest F'].indexOf(term)).textContent()) ?? '').trim();
    expect(await value('Animals in herd.ped.txt')).toBe(shown(1940 + FOUNDERS_ADDED));
    expect(await value('Genotyped individuals in it')).toBe(`${shown(1940)} of ${shown(1940)}`);
    expect(await value('Inbred animals (F > 0)')).toBe(shown(INBRED));
    expect(Number(await value('Mean inbreeding F'))).toBeCloseTo((INBRED * 0.25) / (1940 + FOUNDERS_ADDED), 4);
    expect(await value('Largest F')).toBe('0.2500');
    await facts.getByText(/900 parents have no line of their own.*added as founders/).waitFor();
    await facts.getByText(/listed before their parents; the pedigree was re-ordered parents first/).waitFor();
    await expect(main.getByLabel(/^Pedigree/).inputValue()).resolves.not.toBe('');
    await main.getByText('The heatmap and principal components below are of the genotypes’ centred kinship, for comparison: they are not A.', { exact: false }).waitFor();
    await main.getByRole('img', { name: 'Kinship heatmap of mouse_hs1940' }).waitFor({ timeout: 60_000 });
    await main.getByRole('img', { name: /^PC 1 against PC 2/ }).waitFor({ timeout: 60_000 });
    await bothSchemes(e, 'Relatedness (pedigree)', 'pedigree-03-relatedness');
    expect(e.takeErrors()).toEqual([]);
  }, 120_000);

  it('Run and Results: the scan uses A, and both screens name it', async () => {
    const { page } = e;
    await goTo(page, 'Run');
    const main = page.getByRole('main', { name: 'Run' });
    const summary = main.getByRole('region', { name: 'What will be scanned' });
    const words = `the pedigree’s relationship matrix A (herd.ped.txt, ${shown(1940 + FOUNDERS_ADDED)} animals, ${INBRED} inbred)`;
    await summary.getByText(words).waitFor();
    await summary.getByText('sex', { exact: false }).first().waitFor();
    await bothSchemes(e, 'Run (pedigree)', 'pedigree-04-run');
    const runs = main.getByRole('list', { name: 'Runs, newest first' }).getByRole('listitem');
    const before = await runs.count();
    await main.getByRole('button', { name: /^(Start the scan|Add this scan to the queue)$/ }).click();
    await expect.poll(() => runs.count(), { timeout: 10_000 }).toBe(before + 1);
    const newest = runs.first();
    await newest.getByRole('button', { name: 'Show results' }).waitFor({ timeout: 120_000 });
    await newest.getByRole('button', { name: 'Show results' }).click();
    const results = page.getByRole('main', { name: 'Results' });
    const inNumbers = results.getByLabel(/^Run \d+ in numbers$/);
    await inNumbers.getByText(words).waitFor({ timeout: 30_000 });
    await inNumbers.getByText(`${shown(1410)} individuals`).waitFor();
    await results.getByText(/is explained by the relatedness the pedigree records, through its relationship matrix A\./).waitFor({ timeout: 30_000 });
    await results.getByRole('img', { name: /^Manhattan plot of run \d+$/ }).waitFor({ timeout: 30_000 });
    await bothSchemes(e, 'Results (pedigree)', 'pedigree-05-results');
    // The run recorded the pedigree as its kinship.
    const detail = (await e.dispatcher.handle({ id: 1, method: 'runs.list', params: {} })) as { result: { runs: { id: number; matrixId: number | null }[] } };
    const last = detail.result.runs.at(-1)!;
    const got = (await e.dispatcher.handle({ id: 2, method: 'runs.get', params: { runId: last.id } })) as { result: { run: { settings: { kinship: unknown; covarNames: string[] } } } };
    expect(got.result.run.settings.kinship).toEqual({ pedigree: join(e.root, 'ped/herd.ped.txt') });
    expect(got.result.run.settings.covarNames).toEqual(['sex']);
    expect(e.takeErrors()).toEqual([]);
  }, 180_000);

  it('Repeated measures: the Run screen says so, and the run and its results count individuals and observations', async () => {
    const { page } = e;
    await goTo(page, 'Data');
    const data = page.getByRole('main', { name: 'Data' });
    await data.getByRole('button', { name: 'Add phenotype sheet…' }).click();
    await chooseInBrowser(page, 'Add a phenotype or covariate sheet', 'ped/repeats.csv');
    await data.getByRole('button', { name: 'Add this sheet to the project' }).click();
    await data.getByRole('status').getByText('Added the sheet repeats.csv.').waitFor({ timeout: 30_000 });
    await data.getByLabel('Phenotype sheet', { exact: true }).selectOption({ label: 'repeats.csv' });
    await data.getByLabel('Trait to scan', { exact: true }).selectOption('weight');
    await goTo(page, 'Run');
    const main = page.getByRole('main', { name: 'Run' });
    await main.getByRole('region', { name: 'What will be scanned' }).getByText(/several rows for some individuals: repeated measures/).waitFor();
    await main.getByRole('button', { name: /^(Start the scan|Add this scan to the queue)$/ }).click();
    const newest = main.getByRole('list', { name: 'Runs, newest first' }).getByRole('listitem').first();
    await newest.getByRole('heading', { name: /: weight$/ }).waitFor({ timeout: 10_000 });
    await newest.getByRole('button', { name: 'Show results' }).waitFor({ timeout: 120_000 });
    const words = `${shown(1940)} individuals, ${shown(2040)} observations (repeated measures)`;
    await newest.getByText(words).waitFor({ timeout: 10_000 });
    await bothSchemes(e, 'Run (repeated measures)', 'pedigree-06-run-repeats');
    await newest.getByRole('button', { name: 'Show results' }).click();
    const results = page.getByRole('main', { name: 'Results' });
    await results.getByLabel(/^Run \d+ in numbers$/).getByText(words).waitFor({ timeout: 30_000 });
    await results.getByText(`among these ${shown(1940)} individuals (${shown(2040)} observations)`, { exact: false }).waitFor({ timeout: 30_000 });
    expect(e.takeErrors()).toEqual([]);
  }, 180_000);
});
