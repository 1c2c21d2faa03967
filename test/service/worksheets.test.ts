/**
 * An .xlsx workbook through the dispatcher: data.preview names its worksheets and reads the first,
 * or the one asked for; data.addSheet adds that worksheet's table (what the Data screen's worksheet
 * choice calls).
 */
import { join } from 'node:path';
import writeXlsxFile from 'write-excel-file/node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { harness, type Harness } from './helpers.js';

const root = tempDir('kinscan-svc-xlsx-');
let h: Harness;

beforeAll(async () => {
  await writeXlsxFile([
    { sheet: 'Notes', data: [[{ value: 'Field trial 2026' }]] },
    {
      sheet: 'Traits',
      data: [
        [{ value: 'IID' }, { value: 'height' }],
        [{ value: 'a1' }, { value: 1.5 }],
        [{ value: 'a2' }, { value: 2.25 }],
      ],
    },
  ]).toFile(join(root, 'trial.xlsx'));
  h = harness(root);
  await h.api.call('project.create', { path: 'w.kinscan' });
});

afterAll(async () => {
  await h.close();
});

test('previews the first worksheet with a table, names them all, and adds the one chosen', async () => {
  // 'Notes' holds no table: the preview shows 'Traits', the first worksheet that does.
  const first = await h.api.call('data.preview', { path: 'trial.xlsx' });
  expect(first.kind).toBe('sheet');
  if (first.kind !== 'sheet') return;
  expect([first.worksheet, first.worksheets]).toEqual(['Traits', ['Notes', 'Traits']]);
  const chosen = await h.api.call('data.preview', { path: 'trial.xlsx', worksheet: 'Traits' });
  if (chosen.kind !== 'sheet') throw new Error('not a sheet');
  expect(chosen.worksheet).toBe('Traits');
  expect(chosen.columns.map((c) => c.name)).toEqual(['IID', 'height']);
  expect(chosen.head).toEqual([
    ['a1', 1.5],
    ['a2', 2.25],
  ]);
  const added = await h.api.call('data.addSheet', { path: 'trial.xlsx', worksheet: 'Traits' });
  expect(added.sheet.columns).toEqual(['height']);
  await expect(h.api.call('data.preview', { path: 'trial.xlsx', worksheet: 'Yields' })).rejects.toMatchObject({ code: 'input', message: expect.stringMatching(/Yields/) });
});
