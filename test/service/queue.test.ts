/**
 * The run queue on a set big enough to stop mid-scan: cancelling a running run stops it at a block
 * boundary within a second or so, cancelling a waiting one takes it out of the queue, and a
 * cancelled run resumed to the end has exactly the rows of an uninterrupted run.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { KinscanError } from '../../engine/protocol/api.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';
import { simulatedSet, type SimSet } from '../store/helpers.js';
import { harness, isProgress, isStatus, type Harness } from './helpers.js';

const dir = tempDir('kinscan-queue-');
const projectPath = join(dir, 'queue.kinscan');
let set: SimSet;
let h: Harness;
let datasetId = 0;
let phenoSheetId = 0;

beforeAll(async () => {
  set = simulatedSet(dir, 'big', 250, 12_000, 11);
  h = harness(dir);
  await h.api.call('project.create', { path: projectPath });
  datasetId = (await h.api.call('data.addGenotypes', { path: set.prefix })).dataset.id;
  phenoSheetId = (await h.api.call('data.addSheet', { path: set.pheno })).sheet.id;
});
afterAll(async () => {
  await h.close();
});

const start = (trait = 't1') =>
  h.api.call('runs.start', { settings: { bfile: '', pheno: '', trait, model: 'additive' }, datasetId, phenoSheetId });

function rows(runId: number): unknown[] {
  const p = Project.open(projectPath, { readonly: true, check: 'none' });
  try {
    return p.db.prepare('SELECT snp, af, n_miss, df, beta_a, se_a, beta_d, se_d, logl_h1, delta_h1, lrt, lnp FROM results WHERE run_id = ? ORDER BY snp').raw().all(runId);
  } finally {
    p.close();
  }
}

test('cancel a waiting run, cancel the running one mid-scan, resume it: the rows of an uninterrupted run', async () => {
  const since = h.events.length;
  const a = await start();
  const waiting = await start('t2');
  await h.waitFor(isProgress(a.runId, 'scan'), since);
  // The waiting run leaves the queue at once and never starts.
  expect(await h.api.call('runs.cancel', { runId: waiting.runId })).toEqual({ runId: waiting.runId, status: 'cancelled' });
  expect((await h.api.call('runs.get', { runId: waiting.runId })).run).toMatchObject({ status: 'cancelled', queuePosition: null, startedAt: null });

  const t0 = performance.now();
  const cancelled = await h.api.call('runs.cancel', { runId: a.runId });
  const stopMs = performance.now() - t0;
  expect(cancelled.status).toBe('cancelled');
  expect(stopMs).toBeLessThan(3000);
  const stopped = (await h.api.call('runs.get', { runId: a.runId })).run;
  expect(stopped.done).toBeGreaterThan(0);
  expect(stopped.done).toBeLessThan(stopped.total!);
  expect(stopped.done % stopped.blockSize === 0 || stopped.done === stopped.total).toBe(true);
  expect(h.events.slice(since).some((e) => e.type === 'runStatus' && e.runId === waiting.runId && e.status === 'running')).toBe(false);
  console.log(`cancel of the running scan answered after ${stopMs.toFixed(0)} ms, at ${stopped.done} of ${stopped.total}`);

  const resumedAt = h.events.length;
  expect((await h.api.call('runs.resume', { runId: a.runId })).status).toBe('queued');
  expect((await h.finished(a.runId, resumedAt)).status).toBe('done');
  const whole = await start();
  expect((await h.finished(whole.runId, resumedAt)).status).toBe('done');
  const resumed = rows(a.runId);
  expect(resumed.length).toBe((await h.api.call('runs.get', { runId: a.runId })).run.rows);
  expect(resumed).toEqual(rows(whole.runId));
  expect((await h.api.call('runs.get', { runId: a.runId })).sessions.map((s) => s.outcome)).toEqual(['cancelled', 'done']);

  // Done runs are not resumed or cancelled again.
  for (const m of ['runs.resume', 'runs.cancel'] as const) {
    const e = await h.api.call(m, { runId: a.runId }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KinscanError);
    expect((e as KinscanError).code).toBe('conflict');
  }
  // The waiting run, resumed, runs from the start.
  const w = h.events.length;
  await h.api.call('runs.resume', { runId: waiting.runId });
  await h.waitFor(isStatus(waiting.runId, 'running'), w);
  expect((await h.api.call('runs.cancel', { runId: waiting.runId })).status).toMatch(/cancelled|done/);
});
