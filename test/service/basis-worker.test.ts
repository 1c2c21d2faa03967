/**
 * The kinship and eigendecomposition of a run computed on a worker thread (engine/service/
 * basis-thread.ts): the service answers requests meanwhile, the results are byte-identical to a
 * scan that prepared everything on its own thread, a cancel meanwhile ends the run 'cancelled'
 * with the worker gone, and a worker's error reaches the run with its type and message.
 * The workers run from dist/ (npm run build:engine).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KinscanEvent, ProgressEvent } from '../../engine/protocol/api.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';
import { simulatedSet } from '../store/helpers.js';
import { harness, isProgress, isStatus, type Harness } from './helpers.js';

const dir = tempDir('kinscan-basis-');
let h: Harness;

beforeAll(() => {
  h = harness(dir);
});
afterAll(async () => {
  await h.close();
});

/** Threads of this process (Linux), or undefined elsewhere. */
function threadCount(): number | undefined {
  if (!existsSync('/proc/self/status')) return undefined;
  const m = /^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : undefined;
}

/** Resolve once `ok()` holds, polling for at most `ms`; false when it never did. */
async function eventually(ok: () => boolean, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (ok()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return ok();
}

const stagesOf = (runId: number, from: number): ProgressEvent['stage'][] =>
  h.events.slice(from).filter((e): e is ProgressEvent => isProgress(runId)(e)).map((e) => e.stage);

describe('mouse', () => {
  let projectPath = '';

  test('a request sent while the kinship is computed is answered before the null fit; results as without the worker', async () => {
    projectPath = (await h.api.call('project.openExample', {})).path;
    const since = h.events.length;
    const { runId } = await h.api.call('runs.start', { settings: { bfile: '', pheno: '', trait: 'trait1', model: 'additive' } });
    await h.waitFor(isProgress(runId, 'kinship'), since);
    const listed = await h.api.call('runs.list', {});
    const answeredAt = h.events.length;
    expect(listed.runs.map((r) => r.id)).toContain(runId);
    // It is running (its kinship on the worker), not waiting.
    expect(listed.runs.find((r) => r.id === runId)?.status).toBe('running');
    expect((await h.finished(runId, since)).status).toBe('done');
    // Nothing of the scan's own preparation had happened when runs.list was answered.
    const before = stagesOf(runId, since).slice(0, answeredAt - since);
    expect(h.events.slice(since, answeredAt).some((e: KinscanEvent) => isProgress(runId, 'null-fit')(e) || isProgress(runId, 'scan')(e))).toBe(false);
    expect(before).toContain('kinship');
    // Stages in order, each once: the scan's QC after the worker's is not reported again.
    expect([...new Set(stagesOf(runId, since))]).toEqual(['reading', 'qc', 'kinship', 'eigen', 'null-fit', 'scan', 'done']);

    const viaService = join(dir, 'service.tsv');
    const reference = join(dir, 'reference.tsv');
    const settings = Project.open(projectPath, { readonly: true, check: 'none' });
    try {
      settings.exportRun(runId, viaService);
      const log = settings.runLog(runId).map((l) => l.message);
      expect(log.join('\n')).toMatch(/kinship and eigendecomposition computed on a worker thread[\s\S]*eigendecomposition from the project cache/);
      // The same run prepared on this thread (no service, no worker), with the same threads.
      const alone = Project.open(join(dir, 'alone.kinscan'), { create: true });
      try {
        const r = await alone.runScan(alone.createRun(settings.run(runId).settings), { threads: 2 });
        expect(r.cache.eigenHits).toBe(0);
        alone.exportRun(r.run.id, reference);
      } finally {
        alone.close();
      }
    } finally {
      settings.close();
    }
    expect(readFileSync(viaService).equals(readFileSync(reference))).toBe(true);
  }, 60_000);

  test('a cancel while the worker decomposes ends the run cancelled, the worker gone', async () => {
    const threads = threadCount();
    const since = h.events.length;
    // trait2 analyses other individuals: its eigendecomposition is not cached yet.
    const { runId } = await h.api.call('runs.start', { settings: { bfile: '', pheno: '', trait: 'trait2', model: 'additive' } });
    await h.waitFor(isProgress(runId, 'eigen'), since);
    const cancelled = await h.api.call('runs.cancel', { runId });
    expect(cancelled).toEqual({ runId, status: 'cancelled' });
    expect((await h.finished(runId, since)).status).toBe('cancelled');
    expect(stagesOf(runId, since)).not.toContain('null-fit');
    const got = await h.api.call('runs.get', { runId });
    expect(got.run.status).toBe('cancelled');
    expect(got.log.map((l) => l.message)).toContain('cancelled before it started');
    if (threads !== undefined) expect(await eventually(() => threadCount()! <= threads)).toBe(true);
    // It resumes like any cancelled run, and finishes.
    await h.api.call('runs.resume', { runId });
    expect((await h.finished(runId, h.events.length - 1)).status).toBe('done');
  }, 60_000);
});

describe('small set', () => {
  test("a worker's error keeps its type and message, and fails the run", async () => {
    await h.api.call('project.close', {});
    const set = simulatedSet(dir);
    await h.api.call('project.create', { path: join(dir, 'small.kinscan') });
    const kin = join(dir, 'wrong.kin.txt');
    writeFileSync(kin, Array.from({ length: 7 }, (_, i) => Array.from({ length: 7 }, (_, j) => (i === j ? '1' : '0')).join(' ')).join('\n') + '\n');
    const since = h.events.length;
    const { runId } = await h.api.call('runs.start', { settings: { bfile: set.prefix, pheno: set.pheno, trait: 't1', model: 'additive', kinship: { file: kin } } });
    const end = await h.waitFor(isStatus(runId, 'done', 'failed', 'cancelled'), since);
    expect(end.status).toBe('failed');
    expect(end.error).toMatchObject({ code: 'input', message: expect.stringMatching(/the kinship matrix is 7 x 7 but .* lists 160 individuals/) });
    const got = await h.api.call('runs.get', { runId });
    expect(got.run.status).toBe('failed');
    expect(got.log.at(-1)!.message).toMatch(/failed after 0 of \? tested SNPs: .*kinship matrix is 7 x 7/);
  }, 30_000);
});
