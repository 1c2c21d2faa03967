/**
 * The files root: files.list lists folders and files inside it, refuses '..' and folders reached
 * through a link leading out, leaves such links out of listings; every other path param (data,
 * projects, exports) is held to the same root.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { KinscanError } from '../../engine/protocol/api.js';
import { tempDir } from '../helpers/tmp.js';
import { harness, type Harness } from './helpers.js';

const root = tempDir('kinscan-root-');
const outside = tempDir('kinscan-outside-');
let h: Harness;

async function refusal(p: Promise<unknown>): Promise<KinscanError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof KinscanError)) throw new Error(`expected a KinscanError, got ${String(e)}`);
  return e;
}

beforeAll(() => {
  mkdirSync(join(root, 'data', 'deeper'), { recursive: true });
  writeFileSync(join(root, 'data', 'pheno.csv'), 'IID,t\nA,1\n');
  writeFileSync(join(root, 'data', 'b10.txt'), 'x');
  writeFileSync(join(root, 'data', 'b9.txt'), 'xy');
  writeFileSync(join(outside, 'secret.csv'), 'IID,t\nA,1\nB,2\n');
  symlinkSync(join(root, 'data', 'pheno.csv'), join(root, 'data', 'link-in.csv'));
  symlinkSync(join(outside, 'secret.csv'), join(root, 'data', 'link-out.csv'));
  symlinkSync(outside, join(root, 'data', 'out-dir'));
  symlinkSync(join(root, 'nowhere'), join(root, 'data', 'broken'));
  h = harness(root);
});
afterAll(async () => {
  await h.close();
});

test('lists a folder: folders first, names in natural order, sizes; links leading out left out', async () => {
  const top = await h.api.call('files.list', {});
  expect(top).toMatchObject({ dir: top.root, parent: null, truncated: 0 });
  expect(top.entries.map((e) => [e.name, e.kind])).toEqual([
    ['data', 'directory'],
    ['state', 'directory'],
  ]);
  const data = await h.api.call('files.list', { dir: 'data' });
  expect(data.parent).toBe(root);
  expect(data.entries.map((e) => e.name)).toEqual(['deeper', 'b9.txt', 'b10.txt', 'link-in.csv', 'pheno.csv']);
  expect(data.entries.find((e) => e.name === 'b9.txt')).toMatchObject({ kind: 'file', size: 2, path: join(root, 'data', 'b9.txt') });
  expect((await h.api.call('files.list', { dir: join(root, 'data', 'deeper') })).parent).toBe(join(root, 'data'));
});

test("refuses '..', absolute paths outside, and links leading out", async () => {
  for (const dir of ['..', 'data/../..', 'data/..', `${root}/data/../..`]) {
    const e = await refusal(h.api.call('files.list', { dir }));
    expect(e.code).toBe('input');
    expect(e.message).toContain("'..'");
  }
  for (const dir of [outside, '/etc', 'data/out-dir', join(root, 'data', 'out-dir', 'sub')]) {
    const e = await refusal(h.api.call('files.list', { dir }));
    expect(e.code).toBe('input');
    expect(e.message).toMatch(/outside the folder/);
    expect(e.hint).toContain(root);
  }
  expect((await refusal(h.api.call('files.list', { dir: 'data/broken' }))).code).toBe('input');
  expect((await refusal(h.api.call('files.list', { dir: 'data/pheno.csv' }))).message).toMatch(/not a folder/);
});

test('every path param is held to the root: previews, projects, exports', async () => {
  expect((await refusal(h.api.call('data.preview', { path: 'data/link-out.csv' }))).message).toMatch(/outside the folder/);
  expect((await refusal(h.api.call('data.preview', { path: join(outside, 'secret.csv') }))).message).toMatch(/outside the folder/);
  expect((await h.api.call('data.preview', { path: 'data/link-in.csv' })).kind).toBe('sheet');
  expect((await refusal(h.api.call('project.create', { path: join(outside, 'p.kinscan') }))).code).toBe('input');
  expect((await refusal(h.api.call('project.create', { path: 'data/out-dir/p.kinscan' }))).code).toBe('input');
  await h.api.call('project.create', { path: 'data/p.kinscan' });
  expect((await refusal(h.api.call('data.addSheet', { path: 'data/link-out.csv' }))).code).toBe('input');
  expect((await refusal(h.api.call('data.addGenotypes', { path: join(outside, 'set') }))).code).toBe('input');
  const settings = { bfile: '', pheno: join(outside, 'secret.csv'), trait: 't' };
  expect((await refusal(h.api.call('runs.start', { settings }))).message).toMatch(/outside the folder/);
  expect((await h.api.call('project.info', {})).sheets).toEqual([]);
});
