/**
 * Kinship matrices from outside: GEMMA's headerless n x n text in .fam order, or a CSV/TSV with an
 * ID header (and optionally the IDs down the first column) in any order, which the scan puts in .fam
 * order. Non-symmetric and non-positive-semi-definite matrices, and IDs that do not match, are
 * refused with a message naming the file, the entry or the IDs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../engine/io/errors.js';
import { readSquareMatrix, writeSquareMatrix } from '../../engine/io/matrix-text.js';
import { openPlink } from '../../engine/io/plink.js';
import { readKinshipFile } from '../../engine/scan/prepare.js';
import { computeKinship } from '../../engine/stats/kinship.js';
import { collectScan } from '../helpers/scan.js';
import { tempDir } from '../helpers/tmp.js';
import { inputError } from '../io/tmp.js';
import { settingsFor, simulatedSet } from '../store/helpers.js';

const dir = tempDir('kinscan-kinfile-');
const set = simulatedSet(dir, 'sim', 60, 300, 11);
const plink = openPlink(set.prefix);
const fam = plink.fam;
const n = fam.iid.length;
const K = computeKinship(plink.bed, new Uint8Array(plink.bed.nSnps).fill(1), 'centered').data;
plink.bed.close();
const gemma = join(dir, 'K.cXX.txt');
writeSquareMatrix(gemma, K, n);
/** The values as the GEMMA file holds them (10 significant digits), so both files hold the same numbers. */
const K10 = readSquareMatrix(gemma).data;

/** The matrix as CSV with an ID header, rows and columns in `order` (indices into the .fam). */
function idCsv(name: string, order: number[], opts: { rowIds: boolean; corner?: string; sep?: string }): string {
  const sep = opts.sep ?? ',';
  const head = [...(opts.rowIds ? [opts.corner ?? ''] : []), ...order.map((i) => `"${fam.iid[i]}"`)].join(sep);
  const rows = order.map((i) => [...(opts.rowIds ? [fam.iid[i]!] : []), ...order.map((j) => String(K10[i * n + j]))].join(sep));
  const p = join(dir, name);
  writeFileSync(p, [head, ...rows].join('\n') + '\n');
  return p;
}

const shuffled = Array.from({ length: n }, (_, i) => (i * 37) % n);

describe('a kinship file with IDs', () => {
  it('is read with its IDs and put in .fam order, with or without row IDs, comma or tab', () => {
    const inFam = readKinshipFile(gemma, fam);
    for (const [name, opts] of [
      ['a.csv', { rowIds: true }],
      ['b.csv', { rowIds: false }],
      ['c.tsv', { rowIds: true, corner: 'ID', sep: '\t' }],
    ] as const) {
      const path = idCsv(name, shuffled, opts);
      const m = readSquareMatrix(path);
      expect(m.ids).toEqual(shuffled.map((i) => fam.iid[i]));
      expect(Array.from(readKinshipFile(path, fam))).toEqual(Array.from(inFam));
    }
    expect(readSquareMatrix(gemma).ids).toBeUndefined();
  });

  it('gives the same scan as the GEMMA-format file in .fam order', async () => {
    const a = await collectScan(settingsFor(set, 't1', { model: 'additive', kinship: { file: gemma } }), { threads: 1 });
    const b = await collectScan(settingsFor(set, 't1', { model: 'additive', kinship: { file: idCsv('scan.csv', shuffled, { rowIds: true }) } }), { threads: 1 });
    expect(b.rows.map((r) => r.lnP)).toEqual(a.rows.map((r) => r.lnP));
  });

  it('missing or extra IDs, rows out of the header order, a repeated ID: errors naming examples', () => {
    const missing = idCsv('missing.csv', shuffled.slice(0, n - 2), { rowIds: true });
    const e = inputError(() => readKinshipFile(missing, fam));
    const absent = [shuffled[n - 2]!, shuffled[n - 1]!].sort((x, y) => x - y).map((i) => `'${fam.iid[i]}'`);
    expect(e.message).toContain(`missing.csv: the kinship matrix's IDs do not match the genotyped individuals: 2 individuals of sim.fam are not in it (${absent.join(', ')})`);
    expect(e.hint).toContain('one row and column per individual of sim.fam, headed by their IIDs');
    const extra = join(dir, 'extra.csv');
    writeFileSync(extra, 'x,y\n1,0.5\n0.5,1\n');
    expect(inputError(() => readKinshipFile(extra, fam)).message).toMatch(/60 individuals of sim\.fam are not in it .*; 2 of its IDs are not in sim\.fam \('x', 'y'\)/);
    const swapped = join(dir, 'swapped.csv');
    writeFileSync(swapped, ',a,b\nb,1,0.5\na,0.5,1\n');
    const s = inputError(() => readSquareMatrix(swapped));
    expect(s.message).toContain("swapped.csv, line 2: row 1 is for 'b', but column 1 of the header is 'a'");
    const twice = join(dir, 'twice.csv');
    writeFileSync(twice, 'a,a\n1,0\n0,1\n');
    expect(inputError(() => readSquareMatrix(twice)).message).toContain("twice.csv, line 1: ID 'a' appears twice in the header (columns 1 and 2)");
  });

  it('a non-symmetric matrix with IDs names the entry and the individuals', () => {
    const p = join(dir, 'asym.csv');
    writeFileSync(p, ',a,b,c\na,1,0.2,0\nb,0.3,1,0\nc,0,0,1\n');
    const e = inputError(() => readSquareMatrix(p));
    expect(e.message).toContain("asym.csv, line 3: the matrix is not symmetric: row 2, column 1 ('b' with 'a') is 0.3 but row 1, column 2 is 0.2");
  });
});

describe('a kinship that is not positive semi-definite', () => {
  it('is refused when the scan decomposes it, naming its smallest eigenvalue', async () => {
    // K minus 3 v v^T for a unit vector v orthogonal to the ones vector: symmetric, with an eigenvalue near -3 after centring.
    const v = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1) / Math.sqrt(n));
    const bad = Float64Array.from(K, (x, k) => x - 3 * v[Math.floor(k / n)]! * v[k % n]!);
    const path = join(dir, 'notpsd.txt');
    writeSquareMatrix(path, bad, n);
    const e = await collectScan(settingsFor(set, 't1', { model: 'additive', kinship: { file: path } }), { threads: 1 }).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(e?.name).toBe('InputError');
    expect(e?.message).toMatch(/notpsd\.txt: the kinship matrix is not positive semi-definite over the 60 analysed individuals: its smallest eigenvalue is -2\.\d+ \(the largest is \d/);
    expect(e?.message).toContain('kinscan kinship');
  });
});

describe('fuzz: the kinship reader gives a matrix or an InputError, nothing else (fast-check)', () => {
  it('random text from the alphabet of matrices and ID headers, and mutations of a valid file with IDs', () => {
    const read = (text: string): void => {
      const p = join(dir, 'fuzz.csv');
      writeFileSync(p, text);
      try {
        const m = readSquareMatrix(p);
        expect(m.data.length).toBe(m.n * m.n);
        if (m.ids) expect(m.ids.length).toBe(m.n);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
      }
    };
    const alphabet = fc.constantFrom(...'ab01.5,;\t \n\r"-eNn'.split(''), 'nan', 'inf');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 80 }), (cs) => read(cs.join(''))), { numRuns: 400 });
    const valid = ',a,b,c\na,1,0.5,0.25\nb,0.5,1,0.1\nc,0.25,0.1,1\n';
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.nat(), s: fc.constantFrom(',', '\t', '\n', 'x', '', '"', '1e400', 'a') }), { minLength: 1, maxLength: 5 }), (edits) => {
        let t = valid;
        for (const e of edits) {
          const k = e.at % (t.length + 1);
          t = t.slice(0, k) + e.s + t.slice(k + 1);
        }
        read(t);
      }),
      { numRuns: 400 },
    );
  });
});
