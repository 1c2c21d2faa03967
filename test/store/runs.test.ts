import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../engine/io/errors.js';
import { writeSquareMatrix } from '../../engine/io/matrix-text.js';
import { openPlink } from '../../engine/io/plink.js';
import { scanToFiles, type ScanSummary } from '../../engine/scan/run.js';
import { computeKinship } from '../../engine/stats/kinship.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';
import { copySet, ROOT, settingsFor, simulatedSet, recordAndScan } from './helpers.js';

/** The summary without the numbers that differ from one execution to the next. */
function stable(s: ScanSummary): Omit<ScanSummary, 'wall_seconds' | 'timings_seconds'> {
  const { wall_seconds: _w, timings_seconds: _t, ...rest } = s;
  return rest;
}

const read = (p: string): Buffer => readFileSync(p);

describe('runs in a project', () => {
  const dir = tempDir('kinscan-store-runs-');
  const set = simulatedSet(dir, 'sim', 160, 1100, 11);
  const ref: Record<string, { tsv: string; summary: ScanSummary }> = {};

  beforeAll(async () => {
    // The reference: scanToFiles on the source files.
    for (const [name, s] of [
      ['t1-add', settingsFor(set, 't1', { model: 'additive' })],
      ['t2-covar', settingsFor(set, 't2', { covar: set.covar, covarNames: ['age'] })],
    ] as const) {
      const tsv = join(dir, `ref-${name}.tsv`);
      ref[name] = { tsv, summary: await scanToFiles(s, tsv) };
    }
  });

  it('records a scan whose export is byte-identical to scanToFiles, with the same summary', async () => {
    const p = Project.open(join(dir, 'a.kinscan'), { create: true });
    try {
      const a = await recordAndScan(p, settingsFor(set, 't1', { model: 'additive' }));
      const b = await recordAndScan(p, settingsFor(set, 't2', { covar: set.covar, covarNames: ['age'] }));
      for (const [res, name] of [
        [a, 't1-add'],
        [b, 't2-covar'],
      ] as const) {
        expect(res.run.status).toBe('done');
        const out = join(dir, `a-${name}.tsv`);
        const e = p.exportRun(res.run.id, out);
        expect(e.rows).toBe(ref[name]!.summary.snps.tested);
        expect(read(out).equals(read(ref[name]!.tsv))).toBe(true);
        expect(stable(JSON.parse(readFileSync(e.summary!, 'utf8')) as ScanSummary)).toEqual(stable(ref[name]!.summary));
        expect(stable(res.summary)).toEqual(stable(ref[name]!.summary));
      }
      const runs = p.runs();
      expect(runs.map((r) => [r.id, r.status, r.trait, r.model, r.done === r.total, r.rows])).toEqual([
        [1, 'done', 't1', 'additive', true, ref['t1-add']!.summary.snps.tested],
        [2, 'done', 't2', 'add-dom', true, ref['t2-covar']!.summary.snps.tested],
      ]);
      expect(runs[0]!.lambdaGc).toBeCloseTo(ref['t1-add']!.summary.lambda_gc, 12);
      expect(runs[1]!.covarSheetId).not.toBeNull();
      expect(runs[0]!.settings.bfile).toBe(set.prefix);
      expect(p.runLog(1).map((l) => l.message)).toEqual([expect.stringMatching(/^started by kinscan/), expect.stringMatching(/^prepared: 160 individuals/), expect.stringMatching(/^done: /)]);
    } finally {
      p.close();
    }
  });

  it('reuses the cached eigendecomposition for a second run on the same individuals', async () => {
    const p = Project.open(join(dir, 'cache.kinscan'), { create: true });
    try {
      const first = await recordAndScan(p, settingsFor(set, 't1', { model: 'additive' }));
      expect(first.cache).toEqual({ kinshipHits: 0, eigenHits: 0, kinshipStored: 1, eigenStored: 1 });
      expect(first.summary.timings_seconds).toHaveProperty('kinship');
      const second = await recordAndScan(p, settingsFor(set, 't1', { model: 'add-dom', method: 'squarem' }));
      expect(second.cache).toEqual({ kinshipHits: 0, eigenHits: 1, kinshipStored: 0, eigenStored: 0 });
      expect(second.summary.timings_seconds).not.toHaveProperty('kinship');
      expect(p.runLog(second.run.id)[1]!.message).toMatch(/eigendecomposition from the project cache/);
      // The cached values are exact: a third run equal to the first gives byte-identical results.
      const third = await recordAndScan(p, settingsFor(set, 't1', { model: 'additive' }));
      expect(third.cache.eigenHits).toBe(1);
      p.exportRun(third.run.id, join(dir, 'cache-3.tsv'));
      expect(read(join(dir, 'cache-3.tsv')).equals(read(ref['t1-add']!.tsv))).toBe(true);
      expect(p.cacheStats()).toMatchObject({ entries: 2, kinship: 1, eigen: 1 });
      // A cache limit drops the least recently used entries; compact drops the rest.
      p.setCacheLimit(0);
      expect(p.cacheStats().entries).toBe(0);
      const c = p.compact();
      expect(c.after).toBeLessThanOrEqual(c.before);
    } finally {
      p.close();
    }
  });

  it('a stopped run resumes from its last committed block and ends byte-identical to an uninterrupted one', async () => {
    const p = Project.open(join(dir, 'stop.kinscan'), { create: true });
    try {
      const id = p.createRun(settingsFor(set, 't1', { model: 'additive' }), {}, 128);
      // While the scan runs, this process (the UI) reads through the same project and through a second, read-only one.
      const viewer = Project.open(join(dir, 'stop.kinscan'), { readonly: true, check: 'none' });
      const seen: [number, number, number, string][] = [];
      const part = await p.runScan(id, {
        stopAt: 300,
        progress: (stage) => {
          if (stage === 'scan') seen.push([p.run(id).done, p.topHits(id, 3).length, viewer.manhattan(id).snp.length, viewer.run(id).status]);
        },
      });
      viewer.close();
      expect(seen.map((x) => x[0])).toEqual([128, 256, 384]);
      expect(seen.every((x) => x[1] === 3 && x[3] === 'running')).toBe(true);
      expect(seen.map((x) => x[2])).toEqual([...seen.map((x) => x[2])].sort((a, b) => a - b));
      expect(seen[2]![2]).toBe(part.run.rows);
      expect(part.run.status).toBe('cancelled');
      expect(part.run.done).toBe(384);
      expect(part.summary.complete).toBe(false);
      expect(() => p.exportRun(id, join(dir, 'nope.tsv'))).toThrow(/run 1 is cancelled at 384 of \d+ tested SNPs/);
      p.exportRun(id, join(dir, 'stop-partial.tsv'), { partial: true });
      const partial = readFileSync(join(dir, 'stop-partial.tsv'), 'utf8');
      expect(readFileSync(ref['t1-add']!.tsv, 'utf8').startsWith(partial)).toBe(true);

      let stops = 0;
      const second = await p.resumeRun(id, { shouldStop: () => ++stops > 2 });
      expect(second.run.status).toBe('cancelled');
      const done = await p.resumeRun(id);
      expect(done.run.status).toBe('done');
      expect(p.runSessions(id).map((s) => [s.fromPos, s.outcome])).toEqual([
        [0, 'cancelled'],
        [384, 'cancelled'],
        [second.run.done, 'done'],
      ]);
      p.exportRun(id, join(dir, 'stop.tsv'));
      expect(read(join(dir, 'stop.tsv')).equals(read(ref['t1-add']!.tsv))).toBe(true);
      expect(stable(done.summary)).toEqual(stable(ref['t1-add']!.summary));
      await expect(p.resumeRun(id)).rejects.toThrow(/run 1 is already done/);
    } finally {
      p.close();
    }
  });

  it('a run killed mid-scan (SIGKILL) is interrupted on reopening and resumes to identical results', async () => {
    const dist = join(ROOT, 'dist', 'engine', 'store', 'project.js');
    expect(existsSync(dist), 'build the engine first: npx tsc -p tsconfig.build.json').toBe(true);
    const path = join(dir, 'crash.kinscan');
    const r = spawnSync(process.execPath, [join(import.meta.dirname, 'crash-runner.mjs'), path, set.prefix, set.pheno, 't1', 'additive', '2'], { encoding: 'utf8' });
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).toBe('run 1\n');
    expect(existsSync(`${path}-wal`)).toBe(true);

    const p = Project.open(path);
    try {
      expect(p.uncleanClose).toBe(true);
      expect(p.interrupted).toEqual([1]);
      const run = p.run(1);
      expect(run.status).toBe('interrupted');
      expect(run.done).toBeGreaterThanOrEqual(512);
      expect(run.done).toBeLessThan(run.total!);
      expect(run.rows).toBe((p.db.prepare('SELECT count(*) FROM results WHERE run_id = 1').pluck().get() as number));
      expect(p.runSessions(1)).toMatchObject([{ seq: 1, fromPos: 0, toPos: run.done, outcome: 'interrupted' }]);
      expect(p.runLog(1).at(-1)!.message).toMatch(/^interrupted after \d+ of \d+ tested SNPs/);
      const res = await p.resumeRun(1);
      expect(res.cache.eigenHits).toBe(1);
      expect(p.runSessions(1).map((s) => [s.fromPos, s.outcome])).toEqual([
        [0, 'interrupted'],
        [run.done, 'done'],
      ]);
      p.exportRun(1, join(dir, 'crash.tsv'));
      expect(read(join(dir, 'crash.tsv')).equals(read(ref['t1-add']!.tsv))).toBe(true);
    } finally {
      p.close();
    }
  });

  it('records a failed run with its error', async () => {
    const p = Project.open(join(dir, 'fail.kinscan'), { create: true });
    try {
      const covar = join(dir, 'const.csv');
      writeFileSync(covar, 'IID,one\n' + Array.from({ length: 160 }, (_, i) => `ind${i + 1},1`).join('\n') + '\n');
      const err = await recordAndScan(p, settingsFor(set, 't1', { covar, covarNames: ['one'] })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      const [run] = p.runs();
      expect(run!.status).toBe('failed');
      expect(run!.error).toMatch(/const\.csv: the covariate 'one' is/);
      expect(p.runSessions(run!.id)).toMatchObject([{ fromPos: 0, outcome: 'failed' }]);
      // A mistyped trait is refused before any run is recorded.
      expect(() => p.createRun(settingsFor(set, 'height'))).toThrow(/'height'.*not found.*t1, t2/);
      expect(p.runs()).toHaveLength(1);
    } finally {
      p.close();
    }
  });

  it('reopening a project re-reads nothing from the source files: new runs, resumes and a kinship file work without them', async () => {
    const src = join(dir, 'gone');
    mkdirSync(src);
    const prefix = join(src, 'sim');
    copySet(set.prefix, prefix, ['.pheno.csv']);
    const k = computeKinship(openPlink(prefix).bed, new Uint8Array(1100).fill(1), 'centered');
    const kfile = join(src, 'K.txt');
    writeSquareMatrix(kfile, k.data, k.n);
    const moved = { prefix, pheno: `${prefix}.pheno.csv` };
    const withK = settingsFor(moved, 't1', { model: 'additive', kinship: { file: kfile } });
    const refK = join(dir, 'ref-kfile.tsv');
    await scanToFiles(withK, refK);

    const path = join(dir, 'moved.kinscan');
    let p = Project.open(path, { create: true });
    const id = p.createRun(withK);
    await p.runScan(id, { stopAt: 200 });
    p.close();
    rmSync(src, { recursive: true });

    p = Project.open(path);
    try {
      await p.resumeRun(id);
      p.exportRun(id, join(dir, 'moved-k.tsv'));
      expect(read(join(dir, 'moved-k.tsv')).equals(read(refK))).toBe(true);
      // A new run with no paths: the project's dataset and the sheet that has the trait.
      const res = await recordAndScan(p, settingsFor({ prefix: '', pheno: '' }, 't1', { model: 'additive' }));
      p.exportRun(res.run.id, join(dir, 'moved-new.tsv'));
      expect(read(join(dir, 'moved-new.tsv')).equals(read(ref['t1-add']!.tsv))).toBe(true);
      expect(res.run.settings.bfile).toBe(prefix);
    } finally {
      p.close();
    }
  });
});
