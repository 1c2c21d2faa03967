/** The bundled example project: made on first use from resources/example, opened as it is afterwards. */
import { statSync } from 'node:fs';
import { afterAll, expect, test } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { harness } from './helpers.js';

const h = harness(tempDir('kinscan-example-'));
afterAll(async () => {
  await h.close();
});

test('openExample makes the mouse project once, then opens it', async () => {
  const info = await h.api.call('project.openExample', {});
  expect(info.path).toBe(h.service.exampleProjectPath);
  expect(info.datasets.map((d) => [d.name, d.nSamples, d.nSnps])).toEqual([['mouse_hs1940', 1940, 12226]]);
  expect(info.sheets.map((s) => s.name)).toEqual(['mouse_hs1940.pheno.csv']);
  const made = statSync(info.path).birthtimeMs;
  await h.api.call('project.close', {});
  const again = await h.api.call('project.openExample', {});
  expect(again.datasets).toEqual(info.datasets);
  expect(statSync(again.path).birthtimeMs).toBe(made);
  expect((await h.api.call('project.recent', {})).projects.map((p) => p.path)).toEqual([info.path]);
});
