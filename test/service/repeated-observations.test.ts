/**
 * Repeated observations through the dispatcher: a sheet with several rows for some individuals
 * runs (Z != I), and runs.get, runs.list and the project view say how many individuals and
 * observations it analysed; a run without repeats says nothing of them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { simulatedSet, type SimSet } from '../store/helpers.js';
import { harness, type Harness } from './helpers.js';

const dir = tempDir('kinscan-service-repeats-');
let set: SimSet;
let h: Harness;

beforeAll(async () => {
  set = simulatedSet(dir);
  h = harness(dir);
  await h.api.call('project.create', { path: join(dir, 'repeats.kinscan') });
});
afterAll(async () => {
  await h.close();
});

test('runs.get reports individuals and observations with repeated measures, nothing without', async () => {
  const ids = readFileSync(`${set.prefix}.fam`, 'utf8').trimEnd().split('\n').map((l) => l.split(/\s+/)[1]!);
  // The first 40 individuals measured three times, the others once: 160 individuals, 240 observations.
  const rows = ids.flatMap((id, i) => Array.from({ length: i < 40 ? 3 : 1 }, (_, r) => `${id},${(Math.sin(i * 7 + r) + (i % 3)).toFixed(6)}`));
  const sheet = join(dir, 'repeats.csv');
  writeFileSync(sheet, `IID,weight\n${rows.join('\n')}\n`);
  const datasetId = (await h.api.call('data.addGenotypes', { path: set.prefix })).dataset.id;
  const added = await h.api.call('data.addSheet', { path: sheet });
  expect(added.sheet.warnings?.join(' ')).toMatch(/repeated|several rows/i);
  const once = (await h.api.call('data.addSheet', { path: set.pheno })).sheet.id;
  const start = async (phenoSheetId: number, trait: string): Promise<number> => {
    const r = await h.api.call('runs.start', { settings: { bfile: '', pheno: '', trait, model: 'additive' }, datasetId, phenoSheetId });
    expect((await h.finished(r.runId)).status).toBe('done');
    return r.runId;
  };
  const repeated = (await h.api.call('runs.get', { runId: await start(added.sheet.id, 'weight') })).run;
  expect(repeated.repeated).toEqual({ individuals: 160, observations: 240 });
  // The run's own count is of observations (the model's n): the UI words both from `repeated`.
  expect(repeated.analysed).toBe(240);
  const plain = (await h.api.call('runs.get', { runId: await start(once, 't1') })).run;
  expect(plain.repeated).toBeUndefined();
  // The run lists (runs.list, the project view) say the same.
  const listed = (await h.api.call('runs.list', {})).runs;
  expect(listed.map((r) => r.repeated)).toEqual([{ individuals: 160, observations: 240 }, undefined]);
  expect((await h.api.call('project.info', {})).runs.map((r) => r.repeated)).toEqual([{ individuals: 160, observations: 240 }, undefined]);
}, 120_000);
