/**
 * figures.scene over the real dispatcher: each figure of a run equals the scene runFigureScene
 * gives for the same request (deep equal, typed arrays included), the PCA and the heatmap drawn on
 * the worker thread from the run's eigendecomposition (stored in the project cache first). And
 * runs.start's `threads`: a run on 1 thread says so in its log, and its results equal a run's on
 * the service's threads.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runFigureScene } from '../../engine/export/figures.js';
import { figureRequestSchema, type FigureRequestInput } from '../../engine/protocol/figures.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';
import { simulatedSet } from '../store/helpers.js';
import { harness, type Harness } from './helpers.js';

const dir = tempDir('kinscan-figscene-');
let h: Harness;
let projectPath = '';
let runs: number[] = [];

beforeAll(async () => {
  h = harness(dir);
  const set = simulatedSet(dir, 'sim', 160, 900, 5);
  projectPath = (await h.api.call('project.create', { path: join(dir, 'fig.kinscan') })).path;
  await h.api.call('data.addGenotypes', { path: set.prefix });
  const { sheet } = await h.api.call('data.addSheet', { path: set.pheno });
  const settings = { bfile: '', pheno: '', trait: 't1', model: 'additive' as const };
  const one = await h.api.call('runs.start', { settings, phenoSheetId: sheet.id, threads: 1 });
  const dflt = await h.api.call('runs.start', { settings, phenoSheetId: sheet.id });
  runs = [one.runId, dflt.runId];
  for (const id of runs) expect((await h.finished(id)).status).toBe('done');
}, 120_000);
afterAll(async () => {
  await h.close();
});

describe('runs.start threads', () => {
  test('the run on 1 thread says so in its log, and its results equal those of the run on the service threads', async () => {
    const [one, dflt] = runs as [number, number];
    const logOne = (await h.api.call('runs.get', { runId: one })).log.map((l) => l.message);
    const logDefault = (await h.api.call('runs.get', { runId: dflt })).log.map((l) => l.message);
    expect(logOne).toContain('kinship and scan on 1 worker thread (chosen for this run)');
    expect(logDefault).toContain("kinship and scan on 2 worker threads (this host's default)");
    const a = await h.api.call('results.manhattan', { runId: one });
    const b = await h.api.call('results.manhattan', { runId: dflt });
    expect(a.negLog10P.length).toBeGreaterThan(800);
    expect(a.negLog10P).toStrictEqual(b.negLog10P);
    const ha = await h.api.call('results.hits', { runId: one, limit: 50 });
    const hb = await h.api.call('results.hits', { runId: dflt, limit: 50 });
    expect(ha.rows).toStrictEqual(hb.rows);
  });
});

describe('figures.scene', () => {
  const requests: FigureRequestInput[] = [
    { kind: 'pca', pcs: [1, 3], colourBy: 't2' },
    { kind: 'kinship' },
    { kind: 'manhattan', highlight: [] },
    { kind: 'qq', palette: 'grey' },
    { kind: 'region', windowBp: 2_000_000 },
    { kind: 'genotype' },
  ];
  for (const req of requests) {
    test(`${req.kind}: the scene runFigureScene gives`, async () => {
      const runId = runs[0]!;
      const { scene } = await h.api.call('figures.scene', { runId, figure: req });
      const project = Project.open(projectPath, { readonly: true, check: 'none' });
      try {
        expect(scene).toStrictEqual(runFigureScene(project, runId, figureRequestSchema.parse(req), 2));
      } finally {
        project.close();
      }
    }, 60_000);
  }

  test('an unknown run is refused with words', async () => {
    const e = await h.api.call('figures.scene', { runId: 999, figure: { kind: 'pca' } }).then(
      () => undefined,
      (x: unknown) => x as { code: string; message: string },
    );
    expect(e).toMatchObject({ code: 'not-found', message: 'This project has no run 999' });
  });
});
