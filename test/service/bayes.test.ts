/**
 * Bayes factors, credible sets and h2 through the dispatcher (what the Results screen calls): a run
 * on a simulated set; results.hits rows carry log10Bf, log10Abf and ppa (= pi BF / (pi BF + 1 - pi));
 * results.finemap's sets equal engine/export/finemap.ts on the same project; results.heritability
 * equals the run's stored report; the heritability figure and the regional plot's credible set come
 * back as scenes; bad parameters are refused by the schema.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { finemapRun } from '../../engine/export/finemap.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';
import { simulatedSet, type SimSet } from '../store/helpers.js';
import { harness, type Harness } from './helpers.js';

const dir = tempDir('kinscan-svc-bayes-');
let h: Harness;
let set: SimSet;
let runId: number;
const projectPath = join(dir, 'bayes.kinscan');

beforeAll(async () => {
  set = simulatedSet(dir, 'sim', 300, 900, 11);
  h = harness(dir);
  await h.api.call('project.create', { path: projectPath });
  const datasetId = (await h.api.call('data.addGenotypes', { path: set.prefix })).dataset.id;
  const phenoSheetId = (await h.api.call('data.addSheet', { path: set.pheno })).sheet.id;
  const r = await h.api.call('runs.start', { settings: { bfile: '', pheno: '', trait: 't1', bayes: { priorProbability: 1e-3 } }, datasetId, phenoSheetId });
  runId = r.runId;
  expect((await h.finished(runId)).status).toBe('done');
}, 120_000);

afterAll(async () => {
  await h.close();
});

test('hit rows carry the Bayes factors and the ppa of the run’s prior', async () => {
  const page = await h.api.call('results.hits', { runId, limit: 20 });
  expect(page.rows.length).toBe(20);
  for (const r of page.rows) {
    expect(r.log10Bf).not.toBeNull();
    expect(r.log10Abf).not.toBeNull();
    const bf = 10 ** r.log10Bf!;
    expect(r.ppa!).toBeCloseTo((1e-3 * bf) / (1e-3 * bf + 1 - 1e-3), 9);
  }
  // The causal SNP (index 50) leads, with a Bayes factor in the thousands and more.
  expect(page.rows[0]!.snp).toBe(50);
  expect(page.rows[0]!.log10Bf!).toBeGreaterThan(3);
});

test('results.finemap equals the engine’s credible sets; bad parameters are refused', async () => {
  const fm = await h.api.call('results.finemap', { runId, p: 1e-5, windowBp: 20_000, level: 0.9 });
  expect(fm.level).toBe(0.9);
  expect(fm.priorProbability).toBe(1e-3);
  expect(fm.regions.length).toBeGreaterThan(0);
  const view = fm.regions.map((r) => ({ chr: r.chr, lead: r.lead.snp, members: r.members.map((m) => m.snp), pips: r.members.map((m) => m.pip) }));
  await h.api.call('project.close', {});
  const p = Project.open(projectPath, { readonly: true });
  try {
    const direct = finemapRun(p, runId, { p: 1e-5, windowBp: 20_000, level: 0.9 });
    expect(view).toEqual(direct.regions.map((r) => ({ chr: r.chr, lead: r.lead.snp, members: r.members.map((m) => m.snp), pips: r.members.map((m) => m.pip) })));
    const h2 = p.run(runId).heritability!;
    await h.api.call('project.open', { path: projectPath });
    const got = (await h.api.call('results.heritability', { runId })).heritability!;
    expect(got.estimate).toBe(h2.estimate);
    expect(got.profile).toEqual({ lower: h2.profile.lower, upper: h2.profile.upper });
    expect(got.posterior).toEqual({ mean: h2.posterior.mean, mode: h2.posterior.mode, lower: h2.posterior.lower, upper: h2.posterior.upper });
    expect(got.bootstrap).toMatchObject({ lower: h2.bootstrap.lower, upper: h2.bootstrap.upper });
    // The PVE of the null fit is the ML h2.
    const run = (await h.api.call('runs.get', { runId })).run;
    expect(got.estimate!).toBeCloseTo(run.nullFit!.pve!, 6);
    for (const x of [got.profile.lower!, got.posterior.lower!, got.bootstrap!.lower!]) expect(x).toBeLessThanOrEqual(got.estimate! + 1e-9);
    for (const x of [got.profile.upper!, got.posterior.upper!, got.bootstrap!.upper!]) expect(x).toBeGreaterThanOrEqual(got.estimate! - 1e-9);
  } finally {
    p.close();
  }
  await expect(h.api.call('results.finemap', { runId, level: 1.5 })).rejects.toMatchObject({ code: 'invalid-params' });
  await expect(h.api.call('results.finemap', { runId, windowBp: -1 })).rejects.toMatchObject({ code: 'invalid-params' });
});

test('the heritability figure and the regional plot’s credible set come back as scenes', async () => {
  type Described = { kind: string; meta: { description: string } };
  const h2 = (await h.api.call('figures.scene', { runId, figure: { kind: 'heritability' } })).scene as unknown as Described;
  expect(h2.kind).toBe('heritability');
  expect(h2.meta.description).toMatch(/bootstrap/i);
  // A credible-set region as the window, its set at 99%.
  const fm = await h.api.call('results.finemap', { runId, p: 1e-5, windowBp: 20_000, level: 0.99 });
  const r = fm.regions[0]!;
  const region = (await h.api.call('figures.scene', { runId, figure: { kind: 'region', snp: r.lead.rs, region: { chr: r.chr, start: r.start, end: r.end }, level: 0.99 } })).scene as unknown as Described;
  expect(region.meta.description).toMatch(new RegExp(`99% credible set \\(${r.members.length} SNPs?\\)`));
});
