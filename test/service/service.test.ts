/**
 * The service through the dispatcher and the API client, on a real project of the small simulated
 * set: projects, data, the run queue with its events, results against the store's own queries and
 * against the source files, exports.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeSnp, openPlink } from '../../engine/io/plink.js';
import { readSheet } from '../../engine/io/sheet.js';
import { KinscanError, RUN_STAGES, type ProgressEvent } from '../../engine/protocol/api.js';
import type { ScanSettingsInput as RunSettingsInput } from '../../engine/protocol/settings.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';
import { simulatedSet, type SimSet } from '../store/helpers.js';
import { harness, isProgress, isStatus, type Harness } from './helpers.js';

const dir = tempDir('kinscan-service-');
let set: SimSet;
let h: Harness;
const projectPath = join(dir, 'study.kinscan');
let datasetId = 0;
let phenoId = 0;
let covarId = 0;

const settings = (trait: string, extra: Partial<RunSettingsInput> = {}): RunSettingsInput => ({ bfile: '', pheno: '', trait, model: 'additive', ...extra });

async function rejection(p: Promise<unknown>): Promise<KinscanError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KinscanError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

/** The store's view of the project, through a second, read-only connection. */
function reader<T>(use: (p: Project) => T): T {
  const p = Project.open(projectPath, { readonly: true, check: 'none' });
  try {
    return use(p);
  } finally {
    p.close();
  }
}

beforeAll(() => {
  set = simulatedSet(dir);
  h = harness(dir);
});
afterAll(async () => {
  await h.close();
});

describe('projects', () => {
  test('ping, and no project before one is opened', async () => {
    const pong = await h.api.call('app.ping', {});
    expect(pong.protocol).toBeGreaterThan(0);
    expect((await rejection(h.api.call('project.info', {}))).code).toBe('no-project');
  });

  test('create, close, open read-only, open for writing; recent projects and project events', async () => {
    const since = h.events.length;
    const info = await h.api.call('project.create', { path: projectPath });
    expect(info).toMatchObject({ path: projectPath, readonly: false, datasets: [], sheets: [], runs: [] });
    expect((await rejection(h.api.call('project.create', { path: projectPath }))).code).toBe('conflict');
    expect(await h.api.call('project.close', {})).toEqual({ closed: true });
    expect(await h.api.call('project.close', {})).toEqual({ closed: false });

    const ro = await h.api.call('project.open', { path: projectPath, readonly: true });
    expect(ro.readonly).toBe(true);
    const refused = await rejection(h.api.call('data.addSheet', { path: set.pheno }));
    expect(refused.code).toBe('conflict');
    expect(refused.message).toMatch(/read-only/);
    await h.api.call('project.open', { path: projectPath });
    expect((await h.api.call('project.info', {})).readonly).toBe(false);

    const projectEvents = h.events.slice(since).filter((e) => e.type === 'project');
    expect(projectEvents.map((e) => e.path)).toEqual([projectPath, null, projectPath, null, projectPath]);
    const recent = await h.api.call('project.recent', {});
    expect(recent.projects[0]).toMatchObject({ path: projectPath, exists: true });
  });
});

describe('data', () => {
  test('preview of a sheet and of a PLINK set, before adding them', async () => {
    const sheet = await h.api.call('data.preview', { path: set.pheno });
    expect(sheet).toMatchObject({ kind: 'sheet', idColumn: 'IID', rows: 160, delimiter: 'comma' });
    if (sheet.kind !== 'sheet') throw new Error('not a sheet');
    expect(sheet.columns.map((c) => [c.name, c.type])).toEqual([
      ['IID', 'id'],
      ['t1', 'numeric'],
      ['t2', 'numeric'],
    ]);
    const plink = await h.api.call('data.preview', { path: `${set.prefix}.bed` });
    expect(plink).toMatchObject({ kind: 'plink', individuals: 160, snps: 900 });
  });

  test('add genotypes and sheets (once per content), list them, match IDs, preview QC', async () => {
    const ds = await h.api.call('data.addGenotypes', { path: set.prefix });
    expect(ds).toMatchObject({ created: true, dataset: { nSamples: 160, nSnps: 900 } });
    expect((await h.api.call('data.addGenotypes', { path: `${set.prefix}.bim` })).created).toBe(false);
    datasetId = ds.dataset.id;
    phenoId = (await h.api.call('data.addSheet', { path: set.pheno })).sheet.id;
    covarId = (await h.api.call('data.addSheet', { path: set.covar })).sheet.id;
    const list = await h.api.call('data.list', {});
    expect(list.datasets.map((d) => d.id)).toEqual([datasetId]);
    expect(list.sheets.map((s) => [s.id, s.numericColumns])).toEqual([
      [phenoId, ['t1', 't2']],
      [covarId, ['age']],
    ]);
    const m = await h.api.call('data.matching', { datasetId, sheetId: phenoId });
    expect(m).toMatchObject({ genotyped: 160, sheetRows: 160, matched: 160, matchedBy: 'IID', onlyInGenotypes: { count: 0 }, onlyInSheet: { count: 0 } });
    const qc = await h.api.call('qc.preview', { datasetId, sheetId: phenoId, trait: 't2', maf: 0.01, maxMissing: 0.05 });
    expect(qc.samples.kept).toBe(160 - Math.ceil(160 / 9));
    expect(qc.snps.total).toBe(900);
    expect((await rejection(h.api.call('data.matching', { datasetId, sheetId: 99 }))).code).toBe('not-found');
  });

  test('a kinship matrix file: previewed, added once', async () => {
    const file = join(dir, 'identity.kin.txt');
    writeFileSync(file, Array.from({ length: 160 }, (_, i) => Array.from({ length: 160 }, (_, j) => (i === j ? '1' : '0')).join(' ')).join('\n') + '\n');
    const preview = await h.api.call('data.preview', { path: file });
    expect(preview).toMatchObject({ kind: 'kinship', n: 160 });
    const added = await h.api.call('data.addKinship', { path: file });
    expect(added).toMatchObject({ created: true, matrix: { n: 160, name: 'identity.kin.txt' } });
    expect((await h.api.call('data.addKinship', { path: file })).created).toBe(false);
    expect((await h.api.call('data.list', {})).matrices.map((m) => m.id)).toEqual([added.matrix.id]);
  });
});

describe('runs', () => {
  let first = 0;
  let second = 0;

  test('two runs: the second waits queued, then runs; progress has stages, rate and ETA', async () => {
    const since = h.events.length;
    const a = await h.api.call('runs.start', { settings: settings('t1'), datasetId, phenoSheetId: phenoId });
    const b = await h.api.call('runs.start', { settings: settings('t2', { covarNames: ['age'], model: 'add-dom' }), datasetId, phenoSheetId: phenoId, covarSheetId: covarId });
    first = a.runId;
    second = b.runId;
    expect(a.status).toBe('queued');
    expect(b).toMatchObject({ status: 'queued', queuePosition: 1 });
    await h.waitFor(isStatus(first, 'running'), since);
    const listed = await h.api.call('runs.list', {});
    expect(listed.runs.find((r) => r.id === second)).toMatchObject({ status: 'queued', queuePosition: 0 });
    expect((await h.finished(first, since)).status).toBe('done');
    expect((await h.finished(second, since)).status).toBe('done');

    // The second started only after the first ended.
    const order = h.events.slice(since).filter((e) => e.type === 'runStatus').map((e) => `${e.runId}:${e.status}`);
    expect(order.indexOf(`${second}:running`)).toBeGreaterThan(order.indexOf(`${first}:done`));

    const progress = h.events.slice(since).filter((e): e is ProgressEvent => isProgress(first)(e));
    const stages = [...new Set(progress.map((e) => e.stage))];
    expect(stages).toEqual(RUN_STAGES.filter((s) => s !== 'queued'));
    for (const e of progress) expect(e.done).toBeLessThanOrEqual(e.total);
    const scan = progress.filter((e) => e.stage === 'scan');
    expect(scan.at(-1)).toMatchObject({ done: scan.at(-1)!.total });
    expect(scan.some((e) => e.rate > 0 && e.etaSeconds !== null)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ stage: 'done', etaSeconds: 0 });
  });

  test('runs.get: settings, log and sessions; the QC preview counts the SNPs the scan tested', async () => {
    const got = await h.api.call('runs.get', { runId: second });
    expect(got.run).toMatchObject({ id: second, status: 'done', trait: 't2', model: 'add-dom', covarSheetId: covarId, settings: { covarNames: ['age'] } });
    expect(got.log.map((l) => l.message).join('\n')).toMatch(/started by kinscan[\s\S]*done:/);
    expect(got.sessions).toHaveLength(1);
    const qc = await h.api.call('qc.preview', { datasetId, sheetId: phenoId, trait: 't1', maf: 0.01, maxMissing: 0.05 });
    expect(qc.snps.kept).toBe((await h.api.call('runs.get', { runId: first })).run.total);
  });

  test('results.manhattan and results.qq are the store series', async () => {
    const m = await h.api.call('results.manhattan', { runId: first });
    const ref = reader((p) => p.manhattan(first));
    expect(m.chrNames).toEqual(ref.chrNames);
    expect(m.snp).toEqual(ref.snp);
    expect(Array.from(m.chr)).toEqual(Array.from(ref.chr));
    expect(m.pos).toEqual(ref.pos);
    expect(Array.from(m.negLog10P)).toEqual(Array.from(ref.negLog10P, Math.fround));
    const qq = await h.api.call('results.qq', { runId: first });
    const sorted = Array.from(ref.negLog10P, Math.fround).sort((x, y) => y - x);
    expect(Array.from(qq.observed)).toEqual(sorted);
    expect(qq.expected[0]).toBeCloseTo(-Math.log10(0.5 / sorted.length), 5);
    expect(qq.df).toBe(1);
  });

  test('results.hits: pages, sorts and filters agree with the store', async () => {
    const top = reader((p) => p.topHits(first, 30));
    const total = reader((p) => p.run(first).rows);
    const page1 = await h.api.call('results.hits', { runId: first, limit: 10 });
    expect(page1.total).toBe(total);
    expect(page1.rows.map((r) => r.snp)).toEqual(top.slice(0, 10).map((r) => r.snp));
    expect(page1.rows[0]!.negLog10P).toBeCloseTo(top[0]!.negLog10P, 12);
    const page2 = await h.api.call('results.hits', { runId: first, offset: 10, limit: 20 });
    expect(page2.rows.map((r) => r.snp)).toEqual(top.slice(10, 30).map((r) => r.snp));

    const m = reader((p) => p.manhattan(first));
    const chr2 = m.chrNames.indexOf('2');
    const onChr2 = Array.from(m.chr).filter((c) => c === chr2).length;
    expect((await h.api.call('results.hits', { runId: first, filter: { chr: '2' }, limit: 1 })).total).toBe(onChr2);
    const past = Array.from(m.negLog10P).filter((v) => v > 2).length;
    expect((await h.api.call('results.hits', { runId: first, filter: { pBelow: 0.01 }, limit: 1 })).total).toBe(past);

    const byPos = await h.api.call('results.hits', { runId: first, sort: 'position', limit: 1000 });
    expect(byPos.rows.map((r) => r.snp)).toEqual(Array.from(m.snp).slice(0, 1000));
    const byBeta = await h.api.call('results.hits', { runId: first, sort: 'beta', order: 'desc', limit: 50 });
    const betas = byBeta.rows.map((r) => r.betaA!);
    expect(betas).toEqual([...betas].sort((x, y) => y - x));
    expect(betas[0]).toBe(Math.max(...reader((p) => p.hitsPage(first, { sort: 'p', order: 'asc', offset: 0, limit: 10_000 }).rows.map((r) => r.betaA))));
  });

  test('results.snp: the row, the other run, and the trait by genotype class as the source files give it', async () => {
    const best = (await h.api.call('results.hits', { runId: first, limit: 1 })).rows[0]!;
    const d = await h.api.call('results.snp', { runId: first, rs: best.rs });
    expect(d.info).toMatchObject({ snp: best.snp, rs: best.rs });
    expect(d.result).toEqual(best);
    expect(d.otherRuns.map((r) => r.runId)).toEqual([second]);
    expect(await h.api.call('results.snp', { runId: first, snp: best.snp })).toEqual(d);

    // Independently: the .bed and the sheet on disk, all 160 individuals have t1.
    const plink = openPlink(set.prefix);
    const packed = new Uint8Array(plink.bed.bytesPerSnp);
    plink.bed.readPacked(best.snp, 1, packed);
    plink.bed.close();
    const g = new Int8Array(160);
    decodeSnp(packed, 0, 160, g);
    const t1 = readSheet(set.pheno).values.get('t1')!;
    for (const c of d.genotypes.classes) {
      const want = Array.from(g.keys()).filter((i) => g[i] === c.count).map((i) => t1[i]!);
      expect(Array.from(c.values)).toEqual(want);
      expect(c.n).toBe(want.length);
    }
    expect(d.genotypes.missing).toBe(Array.from(g).filter((x) => x < 0).length);
    expect((await rejection(h.api.call('results.snp', { runId: first, rs: 'no-such-snp' }))).code).toBe('not-found');
  });

  test('results.region, results.compare, relatedness.pcs', async () => {
    const best = (await h.api.call('results.hits', { runId: first, limit: 1 })).rows[0]!;
    const start = Math.max(0, best.pos - 1e6);
    const r = await h.api.call('results.region', { runId: first, chr: best.chr, start, end: best.pos + 1e6 });
    const ref = reader((p) => p.region(first, best.chr, start, best.pos + 1e6));
    expect(r.snp.length).toBeGreaterThan(1);
    expect(r.snp).toEqual(ref.snp);
    expect(r.negLog10P).toEqual(ref.negLog10P);
    const c = await h.api.call('results.compare', { runIds: [first, second], top: 5 });
    expect(c.runs.map((x) => x.id)).toEqual([first, second]);
    expect(c.negLog10P[0]!.length).toBe(c.snps.length);
    const pcs = await h.api.call('relatedness.pcs', { runId: first, count: 3 });
    expect(pcs.pcs).toHaveLength(3);
    expect(pcs.pcs[0]!.length).toBe(160);
    const ve = pcs.varianceExplained.map((v) => v!);
    expect(ve).toEqual([...ve].sort((x, y) => y - x));
  });

  test('exports: a table, a figure, an HTML report; never over an input', async () => {
    const tsv = await h.api.call('export.table', { runId: first, format: 'tsv', out: join(dir, 't1.tsv') });
    expect(tsv.rows).toBe(reader((p) => p.run(first).rows));
    expect(readFileSync(tsv.path, 'utf8').split('\n').filter(Boolean)).toHaveLength(tsv.rows + 1);
    const png = await h.api.call('export.figure', { runId: first, figure: { kind: 'manhattan' }, options: { format: 'png', dpi: 150 }, out: join(dir, 'manhattan.png') });
    expect(readFileSync(png.path).subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.description).toMatch(/Manhattan/i);
    const report = await h.api.call('export.report', { runId: first, out: join(dir, 'report.html') });
    expect(report).toMatchObject({ format: 'html' });
    expect(readFileSync(report.path, 'utf8')).toMatch(/^<!DOCTYPE html>/i);
    const over = await rejection(h.api.call('export.figure', { runId: first, figure: { kind: 'qq' }, options: { format: 'svg' }, out: set.pheno }));
    expect(over.code).toBe('input');
    expect(over.message).toContain(set.pheno);
    expect(existsSync(set.pheno)).toBe(true);
  });

  test('a broken sheet is an input error naming the file, with a hint', async () => {
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, 'IID,t\nA,1\nB,2\nC,oops\nD,4\nE,5\nF,6\n');
    const e = await rejection(h.api.call('data.addSheet', { path: broken }));
    expect(e.code).toBe('input');
    expect(e.message).toContain('broken.csv');
    expect(e.hint).toBeTruthy();
    expect(e.message).not.toContain(e.hint!);
  });

  test('delete: refused while queued, done runs go with their results', async () => {
    const r = await h.api.call('runs.start', { settings: settings('t1', { maf: 0.2 }), datasetId, phenoSheetId: phenoId });
    expect((await rejection(h.api.call('runs.delete', { runId: r.runId }))).code).toBe('conflict');
    expect((await h.finished(r.runId)).status).toBe('done');
    expect(await h.api.call('runs.delete', { runId: r.runId })).toEqual({ runId: r.runId, deleted: true });
    expect((await rejection(h.api.call('runs.get', { runId: r.runId }))).code).toBe('not-found');
    expect(reader((p) => p.db.prepare('SELECT count(*) FROM results WHERE run_id = ?').pluck().get(r.runId))).toBe(0);
    expect(reader((p) => p.db.prepare('SELECT count(*) FROM result_blocks WHERE run_id = ?').pluck().get(r.runId))).toBe(0);
  });

  test('closing with runs queued needs force, which cancels them', async () => {
    const r = await h.api.call('runs.start', { settings: settings('t1', { maf: 0.1 }), datasetId, phenoSheetId: phenoId });
    expect((await rejection(h.api.call('project.close', {}))).code).toBe('conflict');
    expect(await h.api.call('project.close', { force: true })).toEqual({ closed: true });
    expect(['cancelled', 'done']).toContain(reader((p) => p.run(r.runId).status));
  });
});
