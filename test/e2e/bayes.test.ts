/**
 * The Results screen's Bayesian parts in a real browser (harness.ts): the example mouse project
 * scanned (trait1, additive + dominance), then the hits table's log10 BF and PPA of the top SNP
 * against the service's numbers (results.hits, asked of the same engine), the credible sets at the
 * default and a looser threshold against results.finemap (regions, lead, set size, members, PIPs),
 * a threshold no SNP reaches (the empty result says why) and a typed threshold that is no number
 * (an input error), and the heritability panel against results.heritability (numbers, or the note
 * of a run recorded before the intervals). Last, the same run as a project of schema v6 has it (its
 * Bayes factors and intervals set to NULL in the store): '—' in the table, the service's input error
 * in place of the credible sets, the note in place of the intervals. Each state passes axe-core in
 * light and dark, is screenshotted, and leaves the page at 1280 x 800 without horizontal overflow.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FinemapView, HeritabilityView, HitRow } from '../../engine/protocol/methods.js';
import { NO_BAYES, NO_HERITABILITY } from '../../renderer/src/lib/bayes-words.js';
import { formatH2, formatInterval, formatLog10Bf, formatProbability, regionWords } from '../../renderer/src/lib/format-bayes.js';
import { axe, skipReason, startE2E, type E2E } from './harness.js';

const shown = (n: number): string => n.toLocaleString('en-US');

/** One request to the engine behind the page (the same service the browser talks to). */
async function ask<T>(e: E2E, method: string, params: object): Promise<T> {
  const reply = (await e.dispatcher.handle({ id: Math.floor(Math.random() * 1e9), method, params })) as { result?: T; error?: { message: string } };
  if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
  return reply.result as T;
}

/** A canvas shows a picture: its pixels are not all one colour. */
async function notBlank(figure: Locator): Promise<void> {
  const stats = await sharp(await figure.screenshot()).stats();
  expect(Math.max(...stats.channels.map((c) => c.stdev))).toBeGreaterThan(5);
}

/** Nothing on the page is wider than the window at 1280 x 800 (the harness's height returns after). */
async function noOverflowAt1280(page: Page): Promise<void> {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 800 });
  const widths = JSON.parse(
    String(
      await page.evaluate(
        "(() => { const m = document.querySelector('main'); return JSON.stringify({ doc: document.documentElement.scrollWidth, win: window.innerWidth, main: m ? m.scrollWidth : 0, mainClient: m ? m.clientWidth : 0 }); })()",
      ),
    ),
  ) as { doc: number; win: number; main: number; mainClient: number };
  if (before) await page.setViewportSize(before);
  expect(widths.doc).toBeLessThanOrEqual(widths.win);
  expect(widths.main).toBeLessThanOrEqual(widths.mainClient);
}

async function bothSchemes(e: E2E, screen: string, name: string): Promise<void> {
  await axe(e.page, screen);
  await e.shot(`bayes-${name}-light`);
  await e.page.emulateMedia({ colorScheme: 'dark' });
  await axe(e.page, `${screen} (dark)`);
  await e.shot(`bayes-${name}-dark`);
  await e.page.emulateMedia({ colorScheme: 'light' });
}

/** Wait until a locator's text satisfies `ok` (polled). */
async function until(locator: Locator, ok: (text: string) => boolean, timeout = 30_000): Promise<string> {
  const end = Date.now() + timeout;
  for (;;) {
    const text = (await locator.textContent({ timeout: 5_000 }).catch(() => null)) ?? '';
    if (ok(text)) return text;
    if (Date.now() > end) throw new Error(`timed out waiting; last text: ${text.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe.skipIf(skipReason !== undefined)('Bayes factors, credible sets and heritability on the Results screen', () => {
  let e: E2E;
  let runId = 0;
  const results = (): Locator => e.page.getByRole('main', { name: 'Results' });
  const credible = (): Locator => results().getByRole('region', { name: 'Credible sets' });

  beforeAll(async () => {
    e = await startE2E();
    await e.page.getByRole('button', { name: 'Open the example project' }).click();
    await e.page.getByRole('navigation', { name: 'Steps' }).getByText('example.kinscan').waitFor({ timeout: 30_000 });
  }, 90_000);
  afterAll(async () => {
    await e?.close();
  });

  it('scans the example (trait1, 2 df) and shows its results', async () => {
    const { page } = e;
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'Run' }).click();
    const main = page.getByRole('main', { name: 'Run' });
    await main.getByRole('button', { name: 'Start the scan' }).click();
    const newest = main.getByRole('list', { name: 'Runs, newest first' }).getByRole('listitem').first();
    await newest.getByRole('button', { name: 'Show results' }).waitFor({ timeout: 150_000 });
    await newest.getByRole('button', { name: 'Show results' }).click();
    await results().waitFor();
    const runs = await ask<{ runs: { id: number; status: string }[] }>(e, 'runs.list', {});
    runId = runs.runs.filter((r) => r.status === 'done').at(-1)!.id;
    expect(runId).toBeGreaterThan(0);
    expect(e.takeErrors()).toEqual([]);
  }, 180_000);

  it('the hits table shows the top SNP’s log10 BF and PPA as the service gives them, with the prior stated', async () => {
    const { page } = e;
    const top = (await ask<{ rows: HitRow[] }>(e, 'results.hits', { runId, sort: 'p', order: 'asc', limit: 3 })).rows;
    expect(top.length).toBe(3);
    const t0 = top[0]!;
    // The engine computed them (this run is new): numbers, the PPA a probability.
    expect(Number.isFinite(t0.log10Bf)).toBe(true);
    expect(t0.ppa).toBeGreaterThanOrEqual(0);
    expect(t0.ppa).toBeLessThanOrEqual(1);
    const grid = results().getByRole('grid', { name: 'All tested SNPs' });
    const header = grid.getByRole('row').first();
    const labels = (await header.getByRole('columnheader').allTextContents()).map((s) => s.replace(/[▲▼]/g, '').trim());
    // The two new columns right after p.
    expect(labels.slice(labels.indexOf('p'), labels.indexOf('p') + 3)).toEqual(['p', 'log10 BF', 'PPA']);
    for (let i = 0; i < top.length; i++) {
      const row = grid.getByRole('row').nth(i + 1);
      await row.getByRole('gridcell').first().waitFor({ timeout: 30_000 });
      const cells = (await row.getByRole('gridcell').allTextContents()).map((s) => s.trim());
      expect(cells[0]).toBe(top[i]!.rs);
      const bf = cells[labels.indexOf('log10 BF')]!;
      const ppa = cells[labels.indexOf('PPA')]!;
      expect(bf).toBe(formatLog10Bf(top[i]!.log10Bf));
      expect(ppa).toBe(formatProbability(top[i]!.ppa));
      // And read back as numbers, to the shown precision (not only the same formatter twice).
      expect(Math.abs(Number(bf.replace('−', '-')) - top[i]!.log10Bf!)).toBeLessThanOrEqual(0.005 + 1e-12);
      if (/^\d\.\d{3}$/.test(ppa)) expect(Math.abs(Number(ppa) - top[i]!.ppa!)).toBeLessThanOrEqual(0.0005 + 1e-12);
    }
    // The legend names the prior: this run's prior probability is the default 1e-4.
    const detail = await ask<{ run: { settings: { bayes: { priorProbability: number; priorSd: number[] } } } }>(e, 'runs.get', { runId });
    expect(detail.run.settings.bayes.priorProbability).toBe(1e-4);
    await results().getByText('PPA: posterior probability of association if 1 SNP in 10,000 is associated a priori', { exact: false }).waitFor();
    await results().getByText(`σ = ${detail.run.settings.bayes.priorSd.join(', ')} residual sd`, { exact: false }).waitFor();
    // The column headers say what they are when hovered.
    await expect(header.getByRole('columnheader', { name: 'PPA' }).getAttribute('title')).resolves.toMatch(/prior probability of 1 in 10,000/);
    await grid.scrollIntoViewIfNeeded();
    await bothSchemes(e, 'Results (Bayes factors in the table)', '01-hits');
    await noOverflowAt1280(page);
    expect(e.takeErrors()).toEqual([]);
  }, 90_000);

  it('Credible sets: the regions at p ≤ 5e-8 equal results.finemap, a region opens to its members and shows its regional plot', async () => {
    const { page } = e;
    const fm = await ask<FinemapView>(e, 'results.finemap', { runId });
    const section = credible();
    await section.waitFor();
    await section.getByText('a credible set is the smallest group of SNPs that contains the causal variant with 95% probability', { exact: false }).waitFor();
    await section.scrollIntoViewIfNeeded();
    if (fm.regions.length === 0) {
      await section.getByText('No SNP reaches p ≤ 5e-8; lower the threshold to fine-map weaker peaks.').waitFor({ timeout: 30_000 });
      await bothSchemes(e, 'Results (no credible sets)', '02-credible-none');
      return;
    }
    const table = section.getByRole('table', { name: 'Credible sets' });
    await table.waitFor({ timeout: 30_000 });
    const bodyRows = table.locator(':scope > tbody > tr.region');
    await expect(bodyRows.count()).resolves.toBe(fm.regions.length);
    const r0 = fm.regions[0]!;
    const cells = (await bodyRows.first().getByRole('cell').allTextContents()).map((s) => s.trim());
    // Members toggle, region, lead, p, PPA, SNPs in region, set size, coverage, plot.
    expect(cells[1]).toBe(regionWords(r0.chr, r0.start, r0.end));
    expect(cells[2]).toBe(r0.lead.rs);
    expect(cells[4]).toBe(formatProbability(r0.lead.ppa));
    expect(cells[5]).toBe(shown(r0.snps));
    expect(cells[6]).toBe(shown(r0.members.length));
    expect(cells[7]).toBe(`${(r0.coverage! * 100).toFixed(1)}%`);
    expect(r0.coverage!).toBeGreaterThanOrEqual(0.95 - 1e-9);
    // The first region's plot is shown, around its lead.
    const plot = section.getByRole('img', { name: `Regional plot around ${r0.lead.rs}` });
    await plot.waitFor({ timeout: 60_000 });
    await notBlank(plot);
    await bothSchemes(e, 'Results (credible sets)', '02-credible-regions');

    // From the keyboard: the first region's toggle opens its members.
    const toggle = bodyRows.first().getByRole('button', { name: /^Show the \d+ SNPs of the set/ });
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(bodyRows.first().getByRole('button', { name: /^Hide the/ }).getAttribute('aria-expanded')).resolves.toBe('true');
    const members = section.getByRole('table', { name: `The 95% credible set of ${regionWords(r0.chr, r0.start, r0.end)}` });
    await members.waitFor();
    const memberRows = members.locator('tbody > tr');
    await expect(memberRows.count()).resolves.toBe(Math.min(25, r0.members.length));
    const first = (await memberRows.first().getByRole('cell').allTextContents()).map((s) => s.trim());
    expect(first[0]).toBe(r0.members[0]!.rs);
    expect(first[3]).toBe(formatLog10Bf(r0.members[0]!.log10Bf));
    expect(first[4]).toBe(formatProbability(r0.members[0]!.pip, 'bound'));
    // PIPs highest first, summing to the coverage.
    const pips = r0.members.map((m) => m.pip!);
    for (let k = 1; k < pips.length; k++) expect(pips[k]!).toBeLessThanOrEqual(pips[k - 1]!);
    expect(Math.abs(pips.reduce((a, b) => a + b, 0) - r0.coverage!)).toBeLessThan(1e-9);
    // The largest set open too: its PIPs as numbers and bars, highest first.
    const largest = fm.regions.reduce((best, r, i) => (r.members.length > fm.regions[best]!.members.length ? i : best), 0);
    if (largest !== 0) {
      const rl = fm.regions[largest]!;
      await bodyRows.nth(largest).getByRole('button', { name: /^Show the \d+ SNPs of the set/ }).click();
      const big = section.getByRole('table', { name: `The 95% credible set of ${regionWords(rl.chr, rl.start, rl.end)}` });
      const pipsShown = (await big.locator('tbody > tr').evaluateAll((rows) => rows.map((r) => r.querySelectorAll('td')[4]?.textContent?.trim() ?? ''))) as string[];
      expect(pipsShown).toEqual(rl.members.slice(0, 25).map((m) => formatProbability(m.pip, 'bound')));
    }
    await bothSchemes(e, 'Results (a credible set opened)', '03-credible-members');

    // Another region's plot, by its Plot button.
    if (fm.regions.length > 1) {
      const r1 = fm.regions[1]!;
      await bodyRows.nth(1).getByRole('button', { name: /^Plot/ }).click();
      const plot1 = section.getByRole('img', { name: `Regional plot around ${r1.lead.rs}` });
      await plot1.waitFor({ timeout: 60_000 });
      await notBlank(plot1);
      await bothSchemes(e, 'Results (second region plotted)', '04-credible-second-plot');
    }
    await noOverflowAt1280(page);
    expect(e.takeErrors()).toEqual([]);
  }, 120_000);

  it('Credible sets: a looser threshold and level, a threshold nobody reaches, and a typed threshold that is no number', async () => {
    const section = credible();
    const pBox = section.getByRole('textbox', { name: 'Lead SNPs with p at most' });
    const levelBox = section.getByRole('textbox', { name: 'Credible level (%)' });
    const windowBox = section.getByRole('textbox', { name: 'Window either side (kb)' });
    await pBox.fill('1e-5');
    await levelBox.fill('99');
    await windowBox.fill('250');
    const loose = await ask<FinemapView>(e, 'results.finemap', { runId, p: 1e-5, windowBp: 250_000, level: 0.99 });
    expect(loose.regions.length).toBeGreaterThan(0);
    const table = section.getByRole('table', { name: 'Credible sets' });
    const bodyRows = table.locator(':scope > tbody > tr.region');
    const countWords = `${loose.regions.length === 1 ? '1 region' : `${shown(loose.regions.length)} regions`} with a SNP at p ≤ 1e-5`;
    await until(section, (t) => t.includes(countWords) && t.includes('± 250 kb'));
    await expect(bodyRows.count()).resolves.toBe(loose.regions.length);
    for (let i = 0; i < Math.min(3, loose.regions.length); i++) {
      const r = loose.regions[i]!;
      const cells = (await bodyRows.nth(i).getByRole('cell').allTextContents()).map((s) => s.trim());
      expect(cells[2]).toBe(r.lead.rs);
      expect(cells[6]).toBe(shown(r.members.length));
      expect(r.coverage!).toBeGreaterThanOrEqual(0.99 - 1e-9);
    }
    await section.getByText('contains the causal variant with 99% probability', { exact: false }).waitFor();
    await bothSchemes(e, 'Results (credible sets at 1e-5, 99%)', '05-credible-loose');

    await pBox.fill('1e-300');
    await section.getByText('No SNP reaches p ≤ 1e-300; lower the threshold to fine-map weaker peaks.').waitFor({ timeout: 30_000 });
    await bothSchemes(e, 'Results (no credible sets)', '06-credible-none');

    await pBox.fill('five');
    const alert = section.getByRole('alert');
    await alert.getByText('“five” is not a p-value threshold.', { exact: false }).waitFor();
    await expect(pBox.getAttribute('aria-invalid')).resolves.toBe('true');
    await bothSchemes(e, 'Results (credible set threshold typed wrong)', '07-credible-input-error');

    // Back to the defaults.
    await pBox.fill('5e-8');
    await levelBox.fill('95');
    await windowBox.fill('500');
    await alert.waitFor({ state: 'detached' });
    expect(e.takeErrors()).toEqual([]);
  }, 120_000);

  it('the heritability panel shows the service’s h² and its three intervals (or says the run predates them)', async () => {
    const { page } = e;
    const { heritability: h } = await ask<{ heritability: HeritabilityView | null }>(e, 'results.heritability', { runId });
    const panel = results().getByRole('region', { name: 'Heritability with its uncertainty' });
    await panel.waitFor();
    await panel.scrollIntoViewIfNeeded();
    if (h === null) {
      await panel.getByText(NO_HERITABILITY).waitFor({ timeout: 30_000 });
    } else {
      const table = panel.getByRole('table', { name: 'Heritability with its uncertainty' });
      await table.waitFor({ timeout: 30_000 });
      const row = async (name: RegExp): Promise<string[]> => (await table.getByRole('row', { name }).getByRole('cell').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
      expect((await row(/^Profile likelihood/))[1]).toBe(formatInterval(h.profile.lower, h.profile.upper));
      const posterior = await row(/^Posterior, uniform prior/);
      expect(posterior[0]).toBe(`${formatH2(h.posterior.mean)} mean${formatH2(h.posterior.mode)} mode`);
      expect(posterior[1]).toBe(formatInterval(h.posterior.lower, h.posterior.upper));
      const boot = await row(/^Parametric bootstrap/);
      expect(boot[1]).toBe(h.bootstrap ? formatInterval(h.bootstrap.lower, h.bootstrap.upper) : 'not computed for this run');
      await panel.getByText(`h² = ${formatH2(h.estimate)}`, { exact: false }).waitFor();
      // The ML estimate is the null fit's PVE.
      const detail = await ask<{ run: { nullFit: { pve: number | null } | null } }>(e, 'runs.get', { runId });
      expect(Math.abs((h.estimate ?? NaN) - (detail.run.nullFit?.pve ?? NaN))).toBeLessThan(1e-6);
      const figure = panel.getByRole('img', { name: `Likelihood and posterior of h² for run ${runId}` });
      await figure.waitFor({ timeout: 60_000 });
      await notBlank(figure);
    }
    await bothSchemes(e, 'Results (heritability)', '08-heritability');
    await noOverflowAt1280(page);
    await e.shot('bayes-09-results-whole');
    expect(e.takeErrors()).toEqual([]);
  }, 90_000);

  it('a run recorded before Bayes factors: dashes in the table, the input error for credible sets, the note for heritability', async () => {
    const { page } = e;
    // The store as a v6 project leaves it: no Bayes factors, no intervals (written beside the open service, as another process would).
    const db = new Database(join(e.root, 'state', 'example.kinscan'));
    try {
      db.prepare('UPDATE results SET log10_bf = NULL, log10_abf = NULL WHERE run_id = ?').run(runId);
      db.prepare('UPDATE runs SET heritability = NULL WHERE id = ?').run(runId);
    } finally {
      db.close();
    }
    const top = (await ask<{ rows: HitRow[] }>(e, 'results.hits', { runId, limit: 1 })).rows[0]!;
    expect(top.log10Bf).toBeNull();
    expect(top.ppa).toBeNull();
    const old = (await e.dispatcher.handle({ id: 99, method: 'results.finemap', params: { runId } })) as { error?: { code: string; message: string; hint?: string } };
    expect(old.error?.code).toBe('input');
    // Away and back: the screen asks again.
    const nav = page.getByRole('navigation', { name: 'Steps' });
    await nav.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('main', { name: 'Run' }).waitFor();
    await nav.getByRole('button', { name: 'Results' }).click();
    await results().waitFor();
    const row = results().getByRole('grid', { name: 'All tested SNPs' }).getByRole('row').nth(1);
    await row.getByRole('gridcell').first().waitFor({ timeout: 30_000 });
    const cells = (await row.getByRole('gridcell').allTextContents()).map((t) => t.trim());
    expect(cells[0]).toBe(top.rs);
    expect(cells.slice(9, 11)).toEqual(['—', '—']);
    await results().getByText(NO_BAYES).waitFor();
    const alert = credible().getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    await alert.getByText(old.error!.message, { exact: false }).waitFor();
    if (old.error!.hint) await alert.getByText(old.error!.hint).waitFor();
    const panel = results().getByRole('region', { name: 'Heritability with its uncertainty' });
    await panel.getByText(NO_HERITABILITY).waitFor({ timeout: 30_000 });
    await credible().scrollIntoViewIfNeeded();
    await bothSchemes(e, 'Results (a run without Bayes factors)', '10-old-run');
    await noOverflowAt1280(page);
    expect(e.takeErrors()).toEqual([]);
  }, 90_000);
});
