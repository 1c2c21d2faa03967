/**
 * The dispatcher's answers to bad requests and failures: envelopes, unknown methods, invalid params
 * naming the field, input errors with their hint, internal errors without a stack (with one only
 * under the developer flag); and a fast-check fuzz: random envelopes and random or near-valid
 * params for every method never make it throw, always give an envelope with a known code, never a
 * stack trace, and never an internal error.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { ERROR_CODES, METHOD_NAMES, methods, type ResponseEnvelope } from '../../engine/protocol/api.js';
import { createDispatcher, KinscanService, type Dispatcher } from '../../engine/service/index.js';
import { tempDir } from '../helpers/tmp.js';
import { simulatedSet, type SimSet } from '../store/helpers.js';
import { harness, type Harness } from './helpers.js';

const dir = tempDir('kinscan-dispatch-');
let set: SimSet;
/** Developer off: what a user sees. */
let h: Harness;

beforeAll(async () => {
  set = simulatedSet(dir, 'sim', 60, 200, 3);
  h = harness(dir, { developer: false, threads: 1 });
  await h.api.call('project.create', { path: join(dir, 'fuzz.kinscan') });
  const datasetId = (await h.api.call('data.addGenotypes', { path: set.prefix })).dataset.id;
  const phenoSheetId = (await h.api.call('data.addSheet', { path: set.pheno })).sheet.id;
  const r = await h.api.call('runs.start', { settings: { bfile: '', pheno: '', trait: 't1', model: 'additive' }, datasetId, phenoSheetId });
  await h.finished(r.runId);
});
afterAll(async () => {
  await h.close();
});

const STACK_LINE = /(^|\n)\s+at /;

function checkEnvelope(res: ResponseEnvelope, developer = false): void {
  expect(typeof res.id).toBe('number');
  if ('error' in res) {
    expect(ERROR_CODES).toContain(res.error.code);
    expect(typeof res.error.message).toBe('string');
    if (!developer) expect(res.error.detail).toBeUndefined();
  } else {
    expect('result' in res).toBe(true);
  }
  expect(STACK_LINE.test(JSON.stringify(res, (_k, v: unknown) => (ArrayBuffer.isView(v) ? '[bytes]' : v)).replace(/\\n/g, '\n'))).toBe(false);
}

describe('error mapping', () => {
  test('bad envelopes and unknown methods', async () => {
    for (const m of [null, 42, 'ping', [], { id: 1 }, { id: -1, method: 'app.ping', params: {} }, { id: 1, method: 'app.ping', params: {}, extra: 1 }]) {
      const res = await h.dispatcher.handle(m);
      expect(res).toMatchObject({ error: { code: 'bad-envelope' } });
    }
    expect(await h.dispatcher.handle({ id: 7, method: 'app.ping', params: {}, x: 1 })).toMatchObject({ id: 7, error: { code: 'bad-envelope' } });
    expect(await h.dispatcher.handle({ id: 8, method: 'no.such', params: {} })).toMatchObject({ id: 8, error: { code: 'unknown-method', message: 'Kinscan has no method "no.such"' } });
    expect(await h.dispatcher.handle({ id: 9, method: 'toString', params: {} })).toMatchObject({ error: { code: 'unknown-method' } });
    expect(await h.dispatcher.handle({ id: 10, method: 'app.ping' })).toMatchObject({ id: 10, error: { code: 'bad-envelope', message: expect.stringContaining('params') } });
    expect(await h.dispatcher.handle({ id: 11, method: 'app.ping', params: {} })).toMatchObject({ id: 11, result: { version: expect.any(String) } });
  });

  test('invalid params name the field', async () => {
    const res = await h.dispatcher.handle({ id: 1, method: 'runs.start', params: { settings: { bfile: '', pheno: '', trait: 't1', maf: 2 } } });
    expect(res).toMatchObject({ error: { code: 'invalid-params' } });
    if (!('error' in res)) throw new Error('expected an error');
    expect(res.error.message).toContain('settings.maf');
    const extra = await h.dispatcher.handle({ id: 2, method: 'results.hits', params: { runId: 1, colour: 'red' } });
    expect('error' in extra && extra.error.message).toMatch(/colour/);
    const both = await h.dispatcher.handle({ id: 3, method: 'results.snp', params: { runId: 1, snp: 1, rs: 'snp1' } });
    expect('error' in both && both.error).toMatchObject({ code: 'invalid-params', message: expect.stringContaining('exactly one of snp') });
  });

  test('an input error keeps its hint and shows no stack; the developer flag adds one', async () => {
    const broken = join(dir, 'broken.tsv');
    writeFileSync(broken, 'IID\ttrait\nA\t1\nB\t2\nC\tbad\nD\t4\nE\t5\n');
    const res = await h.dispatcher.handle({ id: 1, method: 'data.addSheet', params: { path: broken } });
    if (!('error' in res)) throw new Error('expected an error');
    expect(res.error).toMatchObject({ code: 'input', message: expect.stringContaining('broken.tsv'), hint: expect.any(String) });
    expect(res.error.detail).toBeUndefined();
    checkEnvelope(res);
  });

  test('an internal error says to report it, with no stack unless developer', async () => {
    class Failing extends KinscanService {
      override ping(): never {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      }
    }
    const opts = { exampleDir: dir, recentFile: join(dir, 'state', 'r.json'), filesRoot: dir, threads: 1 };
    for (const developer of [false, true]) {
      const d: Dispatcher = createDispatcher(new Failing(opts), { developer });
      const res = await d.handle({ id: 5, method: 'app.ping', params: {} });
      if (!('error' in res)) throw new Error('expected an error');
      expect(res.error.code).toBe('internal');
      expect(res.error.message).toBe("Something went wrong inside Kinscan: Cannot read properties of undefined (reading 'x'). Please report it");
      if (developer) expect(res.error.detail).toMatch(STACK_LINE);
      else checkEnvelope(res);
      await d.close();
      expect(await d.handle({ id: 6, method: 'app.ping', params: {} })).toMatchObject({ error: { code: 'unavailable' } });
    }
  });
});

// ---------------------------------------------------------------- fuzz

/** Methods the fuzz leaves out: slow ones (the example import, reports) and those that would close the fuzz's project (tested above and in service.test.ts). */
const SKIP = new Set(['project.openExample', 'export.report', 'project.close', 'project.open', 'project.create']);

const FUZZED = METHOD_NAMES.filter((m) => !SKIP.has(m));

const anyValue = fc.oneof(
  fc.integer({ min: -3, max: 5 }),
  fc.double(),
  fc.constantFrom(1, 2, 0.5, 1e-300, Number.MAX_SAFE_INTEGER, 2 ** 53, NaN, Infinity),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('t1', 't2', 'snp1', '1', 'p', 'asc', 'tsv', 'manhattan', 'png', 'sim.bed', 'sim.pheno.csv', '../x', '/etc/passwd', 'out.png', '', '\u0000'),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('kind', 'format', 'trait', 'chr', 'pBelow', 'file'), fc.constantFrom('manhattan', 'qq', 'png', 'svg', 't1', '1', 0.01, 'x'), { maxKeys: 3 }),
);

/** Values that make sense for each params key (ids that exist and do not, files of the fuzz folder, enums), so calls get past validation. */
const PLAUSIBLE: Record<string, unknown[]> = {
  runId: [1, 2, 99],
  datasetId: [1, 2],
  sheetId: [1, 9],
  phenoSheetId: [1, 9],
  covarSheetId: [1],
  path: ['sim.pheno.csv', 'sim.bed', 'sim', 'missing.csv', 'broken.tsv', '/etc/passwd', 'a/../b', '.'],
  prefix: ['sim', 'sim.fam', 'nothing', '.'],
  out: ['out.tsv', 'out.png', 'sim.pheno.csv', 'sim.bed', 'no/such/folder/x.svg', 'out.xlsx'],
  dir: ['.', 'state', 'sim.bed', '..', '/'],
  trait: ['t1', 't2', 'nope'],
  maf: [0, 0.01, 0.5],
  maxMissing: [0, 0.05, 1],
  bins: [1, 50],
  covarNames: [[], ['t2'], ['nope']],
  sort: ['p', 'position', 'beta', 'af', 'rs'],
  order: ['asc', 'desc'],
  filter: [{}, { pBelow: 0.05 }, { chr: '1' }, { chr: 'X', pBelow: 1 }],
  offset: [0, 5, 100_000],
  limit: [1, 1000],
  snp: [0, 5, 199, 100_000],
  rs: ['snp1', 'snp200', 'x'],
  chr: ['1', '2', 'X'],
  start: [0, 1e5],
  end: [0, 1e7, 1e12],
  runIds: [[1, 1], [1, 2], [1, 99]],
  top: [1, 20],
  count: [1, 3, 20],
  format: ['tsv', 'csv', 'gemma', 'xlsx'],
  figure: [{ kind: 'manhattan' }, { kind: 'qq' }, { kind: 'genotype', snp: 'snp1' }, { kind: 'region', snp: 'x' }, { kind: 'pca', colourBy: 'nope' }],
  options: [{ format: 'svg' }, { format: 'png', dpi: 72 }, { format: 'eps' }],
  settings: [
    { bfile: '', pheno: '', trait: 't1' },
    { bfile: '', pheno: '', trait: 'nope' },
    { bfile: 'sim', pheno: 'sim.pheno.csv', trait: 't2', covarNames: ['t1'] },
    { bfile: '', pheno: '', trait: 't1', kinship: { file: 'sim.pheno.csv' } },
    { bfile: '', pheno: '', trait: 't1', loco: true },
  ],
  readonly: [true, false],
  force: [false],
  partial: [true, false],
  adjusted: [true, false],
};

/** Params with the method's own keys (each maybe present), plausible or random values, sometimes one unknown key. */
function nearValid(method: string): fc.Arbitrary<unknown> {
  const schema = methods[method as keyof typeof methods].params as unknown;
  const keys = schema instanceof z.ZodObject ? Object.keys(schema.shape as Record<string, unknown>) : [];
  const value = (k: string): fc.Arbitrary<unknown> =>
    fc.oneof(
      { arbitrary: PLAUSIBLE[k] ? fc.constantFrom(...PLAUSIBLE[k]!) : anyValue, weight: 12 },
      { arbitrary: anyValue, weight: 1 },
      { arbitrary: fc.constant(undefined), weight: 1 },
    );
  const model = Object.fromEntries(keys.map((k) => [k, value(k)]));
  return fc
    .tuple(fc.record(model), fc.oneof({ arbitrary: fc.constant(undefined), weight: 12 }, { arbitrary: fc.string({ minLength: 1, maxLength: 6 }), weight: 1 }))
    .map(([p, extra]) => (extra ? { ...p, [extra]: 1 } : p));
}

const envelopes = fc.oneof(
  fc.anything(),
  fc.record({ id: fc.nat(), method: fc.oneof(fc.constantFrom(...FUZZED), fc.string({ maxLength: 20 })), params: fc.anything() }),
  fc.record({ id: fc.nat(), method: fc.constantFrom(...FUZZED), params: fc.object() }),
  fc.constantFrom(...FUZZED).chain((method) => nearValid(method).map((params) => ({ id: 1, method, params }))),
  fc.constantFrom(...FUZZED).chain((method) => nearValid(method).map((params) => ({ id: 1, method, params }))),
);

describe('fuzz', () => {
  test('random envelopes and params: always an envelope with a known code, never a stack, never internal', async () => {
    const internal: unknown[] = [];
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(envelopes, async (message) => {
        const res = await h.dispatcher.handle(message);
        checkEnvelope(res);
        const code = 'error' in res ? res.error.code : 'ok';
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if ('error' in res && res.error.code === 'internal') internal.push({ message, error: res.error });
      }),
      { numRuns: 1000, seed: 20240601 },
    );
    console.log('fuzz answers by code:', Object.fromEntries(codes));
    expect(internal).toEqual([]);
    // The service still answers.
    expect((await h.api.call('project.info', {})).path).toBe(join(dir, 'fuzz.kinscan'));
  });

  test('the same without a project open', async () => {
    const bare = harness(tempDir('kinscan-dispatch-bare-'), { developer: false, threads: 1 });
    try {
      await fc.assert(
        fc.asyncProperty(envelopes, async (message) => {
          const res = await bare.dispatcher.handle(message);
          checkEnvelope(res);
          if ('error' in res) expect(res.error.code).not.toBe('internal');
        }),
        { numRuns: 300, seed: 7 },
      );
    } finally {
      await bare.close();
    }
  });
});
