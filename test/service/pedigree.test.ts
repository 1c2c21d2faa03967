/**
 * A pedigree as a dataset's kinship through the dispatcher: data.addPedigree stores A once and
 * lists it with its facts (animals, genotyped individuals covered, inbreeding, the pedigree's
 * stated warnings); a pedigree that misses genotyped individuals is an error unless they are taken
 * as unrelated founders; a loop is an error naming the line; a run with { pedigree } uses the
 * stored A and gives the same rows as a run on A written out by an independent computation here.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KinscanError } from '../../engine/protocol/api.js';
import type { ScanSettingsInput } from '../../engine/protocol/settings.js';
import { tempDir } from '../helpers/tmp.js';
import { simulatedSet, type SimSet } from '../store/helpers.js';
import { harness, type Harness } from './helpers.js';

const dir = tempDir('kinscan-service-pedigree-');
let set: SimSet;
let h: Harness;
let ids: string[] = [];
let datasetId = 0;
let phenoId = 0;

/**
 * Parents of the 160 simulated individuals (indices; -1 unknown): 0-39 founders, 40-119 twenty
 * full-sib families of four (parents 2k and 2k+1), 120-159 two offspring of each family's first
 * two sibs, a full-sib mating, so each has F = 1/4 exactly.
 */
function parents(): { sire: number[]; dam: number[] } {
  const sire: number[] = Array<number>(160).fill(-1);
  const dam: number[] = Array<number>(160).fill(-1);
  for (let k = 0; k < 20; k++) {
    for (let c = 0; c < 4; c++) {
      sire[40 + 4 * k + c] = 2 * k;
      dam[40 + 4 * k + c] = 2 * k + 1;
    }
    for (let c = 0; c < 2; c++) {
      sire[120 + 2 * k + c] = 40 + 4 * k;
      dam[120 + 2 * k + c] = 40 + 4 * k + 1;
    }
  }
  return { sire, dam };
}

/** A by the recursive definition (a_ij = (a_i,sire(j) + a_i,dam(j)) / 2 for j younger than i; a_ii = 1 + a_sire,dam / 2), memoised: independent of the engine's tabular pass. */
function relationship(sire: number[], dam: number[]): Float64Array {
  const n = sire.length;
  const memo = new Map<number, number>();
  const a = (i: number, j: number): number => {
    if (i < 0 || j < 0) return 0;
    if (i > j) [i, j] = [j, i];
    const key = i * n + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    // Indices are parents-first (a parent's index is below its offspring's), so j is the younger.
    const v = i === j ? 1 + a(sire[i]!, dam[i]!) / 2 : (a(i, sire[j]!) + a(i, dam[j]!)) / 2;
    memo.set(key, v);
    return v;
  };
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = a(i, j);
  return out;
}

const settings = (extra: Partial<ScanSettingsInput>): ScanSettingsInput => ({ bfile: '', pheno: '', trait: 't1', model: 'additive', ...extra });

async function rejection(p: Promise<unknown>): Promise<KinscanError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KinscanError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  set = simulatedSet(dir);
  ids = readFileSync(`${set.prefix}.fam`, 'utf8').trimEnd().split('\n').map((l) => l.split(/\s+/)[1]!);
  h = harness(dir);
  await h.api.call('project.create', { path: join(dir, 'herd.kinscan') });
  datasetId = (await h.api.call('data.addGenotypes', { path: set.prefix })).dataset.id;
  phenoId = (await h.api.call('data.addSheet', { path: set.pheno })).sheet.id;
});
afterAll(async () => {
  await h.close();
});

describe('data.addPedigree', () => {
  const { sire, dam } = parents();
  const name = (k: number): string => (k < 0 ? '0' : ids[k]!);
  // Founders have no line of their own, and the youngest are listed first: both stated, neither an error.
  const lines = (from: number[]): string => from.map((i) => `${ids[i]},${name(sire[i]!)},${name(dam[i]!)}`).join('\n');
  const order = [...Array.from({ length: 40 }, (_, k) => 120 + k), ...Array.from({ length: 80 }, (_, k) => 40 + k)];

  test('adds A over the dataset once, with the facts and the stated warnings, and lists it', async () => {
    const file = join(dir, 'herd.ped.csv');
    writeFileSync(file, `id,sire,dam\n${lines(order)}\n`);
    const added = await h.api.call('data.addPedigree', { path: file, datasetId });
    expect(added.created).toBe(true);
    expect(added.matrix).toMatchObject({ name: 'herd.ped.csv', n: 160 });
    const ped = added.matrix.pedigree!;
    // 40 animals of F = 1/4 among the 160: mean F 1/16.
    expect(ped).toMatchObject({ datasetId, animals: 160, used: 160, covered: 160, unlisted: 0, unlistedFounders: false, inbred: 40 });
    expect(ped.meanF).toBeCloseTo(1 / 16, 12);
    expect(ped.maxF).toBeCloseTo(1 / 4, 12);
    expect(ped.warnings.join('\n')).toMatch(/40 parents have no line of their own.*added as founders/);
    expect(ped.warnings.join('\n')).toMatch(/listed before their parents; the pedigree was re-ordered parents first/);
    expect((await h.api.call('data.addPedigree', { path: file, datasetId })).created).toBe(false);
    const listed = (await h.api.call('data.list', {})).matrices;
    expect(listed).toEqual([added.matrix]);
    expect((await h.api.call('project.info', {})).matrices).toEqual([added.matrix]);
  });

  test('genotyped individuals the pedigree lacks: an error naming them, or unrelated founders when asked', async () => {
    const file = join(dir, 'partial.ped.csv');
    writeFileSync(file, `id,sire,dam\n${lines(order.slice(10))}\n`);
    const e = await rejection(h.api.call('data.addPedigree', { path: file, datasetId }));
    expect(e.code).toBe('input');
    expect(e.message).toContain('partial.ped.csv');
    expect(e.message).toMatch(/10 of the 160 IDs of the dataset's individuals .* are not in the pedigree \(e\.g\. /);
    const added = await h.api.call('data.addPedigree', { path: file, datasetId, unlistedFounders: true });
    expect(added.matrix.pedigree).toMatchObject({ covered: 150, unlisted: 10, unlistedFounders: true, inbred: 30 });
    expect(added.matrix.pedigree!.warnings.join('\n')).toMatch(/10 of the 160 IDs .* taken as unrelated founders/);
  });

  test('a loop, and an unknown dataset: errors in words', async () => {
    const loop = join(dir, 'loop.ped.txt');
    writeFileSync(loop, `id sire dam\n${ids[0]} ${ids[2]} 0\n${ids[1]} ${ids[0]} 0\n${ids[2]} ${ids[1]} 0\n`);
    const e = await rejection(h.api.call('data.addPedigree', { path: loop, datasetId }));
    expect(e.code).toBe('input');
    expect(e.message).toMatch(/loop\.ped\.txt, line 2: the pedigree has a loop/);
    expect((await rejection(h.api.call('data.addPedigree', { path: loop, datasetId: 99 }))).code).toBe('not-found');
  });

  test('a run with { pedigree } uses the stored A: the same rows as a run on A written by the recursive definition', async () => {
    const file = join(dir, 'herd.ped.csv');
    const before = (await h.api.call('data.list', {})).matrices.length;
    const viaPedigree = await h.api.call('runs.start', { settings: settings({ kinship: { pedigree: file } }), datasetId, phenoSheetId: phenoId });
    expect((await h.finished(viaPedigree.runId)).status).toBe('done');
    const got = (await h.api.call('runs.get', { runId: viaPedigree.runId })).run;
    expect(got.settings.kinship).toEqual({ pedigree: file });
    const stored = (await h.api.call('data.list', {})).matrices;
    expect(stored.length).toBe(before);
    expect(got.matrixId).toBe(stored.find((m) => m.name === 'herd.ped.csv' && !m.pedigree!.unlistedFounders)!.id);

    const a = relationship(sire, dam);
    const aTxt = join(dir, 'A.txt');
    writeFileSync(aTxt, Array.from({ length: 160 }, (_, i) => Array.from(a.subarray(i * 160, (i + 1) * 160), (v) => String(v)).join(' ')).join('\n') + '\n');
    await h.api.call('data.addKinship', { path: aTxt });
    const viaFile = await h.api.call('runs.start', { settings: settings({ kinship: { file: aTxt } }), datasetId, phenoSheetId: phenoId });
    expect((await h.finished(viaFile.runId)).status).toBe('done');

    const rows = async (runId: number): Promise<{ rs: string; negLog10P: number | null; betaA: number | null }[]> =>
      (await h.api.call('results.hits', { runId, sort: 'position', limit: 1000 })).rows.map((r) => ({ rs: r.rs, negLog10P: r.negLog10P, betaA: r.betaA }));
    const p = await rows(viaPedigree.runId);
    const f = await rows(viaFile.runId);
    expect(p.map((r) => r.rs)).toEqual(f.map((r) => r.rs));
    expect(p.length).toBeGreaterThan(800);
    for (let k = 0; k < p.length; k++) {
      expect(Math.abs(p[k]!.negLog10P! - f[k]!.negLog10P!), p[k]!.rs).toBeLessThan(1e-9);
      expect(Math.abs(p[k]!.betaA! - f[k]!.betaA!), p[k]!.rs).toBeLessThan(1e-9);
    }
    const nf = (await h.api.call('runs.get', { runId: viaPedigree.runId })).run.nullFit!;
    const nf2 = (await h.api.call('runs.get', { runId: viaFile.runId })).run.nullFit!;
    expect(nf.pve!).toBeCloseTo(nf2.pve!, 9);
  }, 120_000);
});
