/**
 * A soak of one service in one process: 200 failed imports of broken files (each an 'input' error)
 * and 30 queued scans of a small set with cancels at random moments (seeded), some while the run
 * waits, some while it runs. Afterwards every run is done or cancelled, the open file descriptors
 * (/proc/self/fd) and the heap (after a full collection: gc is exposed in process through V8's
 * flags, no vitest setting needed) are back to their baseline within 10%, and the project passes
 * PRAGMA integrity_check.
 */
import { copyFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { KinscanError, type ParamsOf } from '../../engine/protocol/api.js';
import { tempDir } from '../helpers/tmp.js';
import { simulatedSet } from '../store/helpers.js';
import { harness } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

function settledHeap(): number {
  for (let k = 0; k < 4; k++) gc();
  return process.memoryUsage().heapUsed;
}

/** mulberry32: a small seeded generator. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('200 failed imports and 30 queued scans with random cancels leave no descriptors, memory or damage behind', async () => {
  const dir = tempDir('kinscan-soak-');
  const set = simulatedSet(dir, 'sim', 100, 600, 5);
  const h = harness(dir, { developer: false, threads: 2 });
  const projectPath = join(dir, 'soak.kinscan');
  const rand = random(20240607);

  // Broken inputs of every kind.
  const brokenSheet = join(dir, 'broken.csv');
  writeFileSync(brokenSheet, 'IID,t\nA,1\nB,2\nC,oops\nD,4\nE,5\nF,6\n');
  const brokenMatrix = join(dir, 'broken.kin.txt');
  writeFileSync(brokenMatrix, '1 0.5\n0.5\n');
  const truncated = join(dir, 'trunc');
  for (const ext of ['.bed', '.bim', '.fam']) copyFileSync(set.prefix + ext, truncated + ext);
  truncateSync(`${truncated}.bed`, 1000);
  const failing: { method: 'data.addSheet' | 'data.addKinship' | 'data.addGenotypes' | 'data.preview'; params: ParamsOf<'data.addSheet'> | ParamsOf<'data.addGenotypes'> }[] = [
    { method: 'data.addSheet', params: { path: brokenSheet } },
    { method: 'data.addKinship', params: { path: brokenMatrix } },
    { method: 'data.addGenotypes', params: { path: truncated } },
    { method: 'data.addSheet', params: { path: join(dir, 'missing.csv') } },
    { method: 'data.preview', params: { path: `${truncated}.bed` } },
  ];
  const failOnce = async (k: number): Promise<void> => {
    const f = failing[k % failing.length]!;
    const e = await (h.api.call as (m: string, p: unknown) => Promise<unknown>)(f.method, f.params).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e, `${f.method} ${JSON.stringify(f.params)}`).toBeInstanceOf(KinscanError);
    expect((e as KinscanError).code).toBe('input');
  };

  await h.api.call('project.create', { path: projectPath });
  const datasetId = (await h.api.call('data.addGenotypes', { path: set.prefix })).dataset.id;
  const phenoSheetId = (await h.api.call('data.addSheet', { path: set.pheno })).sheet.id;
  const start = (k: number) =>
    h.api.call('runs.start', {
      settings: { bfile: '', pheno: '', trait: k % 2 === 0 ? 't1' : 't2', model: k % 3 === 0 ? 'add-dom' : 'additive', maf: 0.01 + (k % 5) * 0.01 },
      datasetId,
      phenoSheetId,
    });

  // Warm up (modules, worker scripts, statement caches), then the baseline.
  for (let k = 0; k < failing.length; k++) await failOnce(k);
  const warm = await start(0);
  await h.finished(warm.runId);
  await h.api.call('results.manhattan', { runId: warm.runId });
  await sleep(100);
  const fds0 = openFds();
  const heap0 = settledHeap();

  for (let k = 0; k < 200; k++) await failOnce(k);

  const ids: number[] = [];
  for (let k = 0; k < 30; k++) ids.push((await start(k + 1)).runId);
  const cancels: Promise<unknown>[] = [];
  for (const id of ids) {
    if (rand() < 0.35) {
      const delay = Math.floor(rand() * 3000);
      cancels.push(sleep(delay).then(() => h.api.call('runs.cancel', { runId: id }).catch((e: unknown) => e)));
    }
  }
  await Promise.all(cancels);
  for (const id of ids) await h.finished(id);

  const runs = (await h.api.call('runs.list', {})).runs.filter((r) => ids.includes(r.id));
  expect(runs).toHaveLength(30);
  for (const r of runs) expect(['done', 'cancelled']).toContain(r.status);
  const counts = { done: runs.filter((r) => r.status === 'done').length, cancelled: runs.filter((r) => r.status === 'cancelled').length };
  expect(counts.cancelled).toBeGreaterThan(0);
  expect(counts.done).toBeGreaterThan(0);
  for (const r of runs.filter((x) => x.status === 'done')) expect(r.rows).toBeGreaterThan(0);

  h.events.length = 0;
  await sleep(200);
  const fds1 = openFds();
  const heap1 = settledHeap();
  console.log(`soak: ${counts.done} done, ${counts.cancelled} cancelled; fds ${fds0} -> ${fds1}; heap ${(heap0 / 2 ** 20).toFixed(1)} -> ${(heap1 / 2 ** 20).toFixed(1)} MiB`);
  expect(fds1).toBeLessThanOrEqual(Math.ceil(fds0 * 1.1));
  expect(heap1).toBeLessThanOrEqual(heap0 * 1.1);

  await h.close();
  const db = new Database(projectPath, { readonly: true });
  try {
    expect(db.prepare('PRAGMA integrity_check').pluck().all()).toEqual(['ok']);
  } finally {
    db.close();
  }
}, 90_000);
