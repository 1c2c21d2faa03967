/**
 * The broken and awkward sheets of issue 11: each gives its expected message (naming the file, the
 * line or cell, and the fix) or, for valid but awkward files, the same sheet as the clean file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../engine/io/errors.js';
import { readFam } from '../../engine/io/plink.js';
import { readSheet, type Sheet } from '../../engine/io/sheet.js';
import { famSheet } from '../../engine/io/sheet-fam.js';
import { selectSamples } from '../../engine/qc/samples.js';
import { inputError, makeTmp } from './tmp.js';

const tmp = makeTmp('sheet-corpus');
afterAll(() => {
  tmp.cleanup();
});

const same = (s: Sheet): unknown => ({
  ids: s.ids,
  columns: s.columns,
  values: [...s.values].map(([k, v]) => [k, Array.from(v)]),
  text: [...s.text],
  line: Array.from(s.line),
});

const CLEAN = 'IID,sex,y\na,M,1.5\nb,F,2\nc,M,NA\nd,F,4.25\n';
const fam = readFam(tmp.file('g.fam', 'a a 0 0 1 -9\nb b 0 0 2 -9\nc c 0 0 1 -9\nd d 0 0 2 -9\n'));

describe('valid but awkward files read as the clean one', () => {
  it('a UTF-8 BOM, CRLF line ends, both; tab and semicolon separators', () => {
    const ref = same(readSheet(tmp.file('clean.csv', CLEAN)));
    expect(same(readSheet(tmp.file('bom.csv', '\ufeff' + CLEAN)))).toEqual(ref);
    expect(same(readSheet(tmp.file('crlf.csv', CLEAN.replace(/\n/g, '\r\n'))))).toEqual(ref);
    expect(same(readSheet(tmp.file('both.csv', '\ufeff' + CLEAN.replace(/\n/g, '\r\n'))))).toEqual(ref);
    expect(same(readSheet(tmp.file('t.tsv', CLEAN.replace(/,/g, '\t'))))).toEqual(ref);
    expect(same(readSheet(tmp.file('s.csv', CLEAN.replace(/,/g, ';'))))).toEqual(ref);
  });

  it('decimal commas in a semicolon file: read as decimals, and said so (decimalComma and a warning)', () => {
    const s = readSheet(tmp.file('eu.csv', 'IID;sex;y\na;M;1,5\nb;F;2\nc;M;NA\nd;F;4,25\n'));
    expect(same(s)).toEqual(same(readSheet(tmp.file('clean2.csv', CLEAN))));
    expect(s.decimalComma).toBe(true);
    expect(s.warnings).toEqual(["numbers are written with decimal commas (e.g. '1,5', line 2, column 3) and were read as such (1.5)"]);
    expect(readSheet(tmp.file('dot.csv', CLEAN)).decimalComma).toBeUndefined();
    // In a tab-separated file, too (the comma is no separator there).
    expect(readSheet(tmp.file('eu.tsv', 'IID\ty\na\t1,5\nb\t-0,25\n')).values.get('y')).toEqual(Float64Array.from([1.5, -0.25]));
  });
});

describe('broken sheets: the message names the file, the line and the fix', () => {
  const cases: { name: string; file: string; text: string; message: string; line?: number; hint: RegExp }[] = [
    {
      name: 'Excel dates in the ID column (CSV export)',
      file: 'dates.csv',
      text: 'id,y\n12-Mar,1\nm2,2\nMar-14,3\n3/12/2024,4\n',
      message: "dates.csv, line 2: the ID column 'id' holds 3 dates (line 2, column 1 '12-Mar', line 4, column 1 'Mar-14', line 5, column 1 '3/12/2024'): Excel turns IDs such as 3-12 or MAR1 into dates",
      line: 2,
      hint: /format the ID column as Text/,
    },
    // Duplicate IDs are repeated observations now (the lead's Z != I work), tested with it.
    {
      name: 'a non-numeric value in a numeric column',
      file: 'nonnum.csv',
      text: 'IID,y\na,1\nb,x\nc,3\n',
      message: "nonnum.csv, line 3: column y: 'x' is not a number",
      line: 3,
      hint: /NA for missing/,
    },
    {
      name: 'ragged rows',
      file: 'ragged.tsv',
      text: 'IID\ty\tz\na\t1\t2\nb\t1\n',
      message: 'ragged.tsv, line 3: has 2 fields, but the header (line 1) has 3 columns',
      line: 3,
      hint: /write NA for a missing value/,
    },
    {
      name: 'decimal commas in a comma-separated file',
      file: 'split.csv',
      text: 'IID,y,z\na,1,25,3\nb,2,4\n',
      message: "split.csv, line 2: has 4 fields, but the header (line 1) has 3 columns: looks like decimal commas in a comma-separated file ('1,25' split into '1' and '25')",
      line: 2,
      hint: /dot as the decimal mark .* semicolon-separated/,
    },
    {
      name: 'a column that mixes decimal commas and points',
      file: 'mixed.txt',
      text: 'IID;y\na;1,5\nb;2.5\n',
      message: "mixed.txt, line 2: column 2 mixes decimal commas ('1,5', line 2, column 2) and decimal points ('2.5', line 3, column 2)",
      line: 2,
      hint: /same decimal mark/,
    },
    { name: 'an empty file', file: 'empty.csv', text: '\n\n', message: 'empty.csv: sheet is empty', hint: /header row/ },
    { name: 'a header only', file: 'head.csv', text: 'IID,y\n', message: 'head.csv, line 1: sheet has a header row but no data rows', line: 1, hint: /one row per sample/ },
    {
      name: 'a headerless file with a word in it',
      file: 'gemma-bad.txt',
      text: '1.5\n2\nabc\n',
      message: "gemma-bad.txt, line 3: 'abc' (column 1) is not a number, in a file read as GEMMA's headerless format (no header row",
      line: 3,
      hint: /numbers and NA only, or add a header row/,
    },
    { name: 'a headerless file, ragged', file: 'gemma-ragged.txt', text: '1 2\n3 4\n5\n', message: "gemma-ragged.txt, line 3: has 1 value, but the first line (line 1) has 2", line: 3, hint: /same number of values/ },
    { name: 'a binary file', file: 'bin.csv', text: 'IID,y\n\u0000\u0001', message: 'bin.csv: is a binary file, not a text sheet', hint: /CSV/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const e = inputError(() => readSheet(tmp.file(c.file, c.text)));
      expect(e.message).toContain(join(tmp.dir, c.message));
      expect(e.file).toBe(join(tmp.dir, c.file));
      expect(e.line).toBe(c.line);
      expect(e.hint).toMatch(c.hint);
    });
  }

  it('IDs that match nothing, a non-numeric trait, a constant trait, an all-missing column (selectSamples)', () => {
    const none = inputError(() => selectSamples(fam, readSheet(tmp.file('none.csv', 'IID,y\nx1,1\nx2,2\nx3,3\n')), 'y'));
    expect(none.message).toContain("none.csv: no individual ID in the sheet matches the IID column of g.fam (sheet IDs look like 'x1', 'x2', 'x3'; .fam IIDs look like 'a', 'b', 'c')");
    const text = inputError(() => selectSamples(fam, readSheet(tmp.file('text.csv', 'IID,y\na,tall\nb,short\nc,tall\nd,1\n')), 'y'));
    expect(text.message).toContain("text.csv, line 2: column y holds text, not numbers (e.g. 'tall')");
    expect(text.hint).toContain('Recode it as numbers');
    const constant = inputError(() => selectSamples(fam, readSheet(tmp.file('const.csv', 'IID,y\na,3\nb,3\nc,3\nd,3\n')), 'y'));
    expect(constant.message).toContain("const.csv: the trait 'y' has the same value (3) in all 4 analysed individuals");
    const allNa = inputError(() => selectSamples(fam, readSheet(tmp.file('allna.csv', 'IID,y,z\na,NA,1\nb,NA,2\nc,,3\nd,-9,4\n')), 'y'));
    expect(allNa.message).toContain("allna.csv: only 0 individuals have the trait 'y' (4 matched the genotypes, 4 missing the trait, 0 missing a covariate)");
    expect(allNa.hint).toContain('missing-value codes');
  });
});

describe('GEMMA headerless files and the .fam phenotypes', () => {
  it('a headerless file: positional, columns 1..k, ids the row numbers, NA and -9 missing, a trailing tab ignored', () => {
    const s = readSheet(tmp.file('p.txt', '1.5\t2\t\nNA\t3\t\n-9\t4\t\n7\t-1e-3\t\n'));
    expect(s.positional).toBe(true);
    expect(s.headerLine).toBe(0);
    expect(s.columns).toEqual(['1', '2']);
    expect(s.ids).toEqual(['1', '2', '3', '4']);
    expect(Array.from(s.values.get('1')!)).toEqual([1.5, NaN, NaN, 7]);
    expect(Array.from(s.values.get('2')!)).toEqual([2, 3, 4, -0.001]);
    expect(s.warnings[0]).toContain("has no header row: read as GEMMA's headerless format, 4 rows in the genotype file's order, columns named '1' to '2'");
    // The option overrides the detection both ways.
    expect(readSheet(tmp.file('n.csv', '1,2\n3,4\n'), { positional: false }).columns).toEqual(['2']);
    expect(readSheet(tmp.file('h.txt', '3 4\n5 6\n'), { positional: true }).positional).toBe(true);
    expect(inputError(() => readSheet(tmp.file('h2.txt', 'x y\n3 4\n'), { positional: true })).message).toContain("h2.txt, line 1: 'x' (column 1) is not a number");
  });

  it('matched row r to genotyped individual r; a row count that differs names both counts and files', () => {
    const p = readSheet(tmp.file('p4.txt', '1\n2\nNA\n4\n'));
    const sel = selectSamples(fam, p, '1');
    expect(Array.from(sel.famIndex)).toEqual([0, 1, 3]);
    expect(Array.from(sel.y)).toEqual([1, 2, 4]);
    expect(sel.report.matchedBy).toBe('row order');
    const short = readSheet(tmp.file('p3.txt', '1\n2\n3\n'));
    const e = inputError(() => selectSamples(fam, short, '1'));
    expect(e.message).toContain(`${join(tmp.dir, 'p3.txt')}: has 3 rows but g.fam lists 4 genotyped individuals`);
    expect(e.hint).toContain('one line per individual of g.fam, in its order');
  });

  it("a headerless covariate file: every column a covariate, GEMMA's column of 1s (its intercept) left out and said so", () => {
    const p = readSheet(tmp.file('p4b.txt', '1\n2\n3.5\n4\n'));
    const c = readSheet(tmp.file('c4.txt', '1 0.5 -1\n1 0.25 1\n1 NA 1\n1 2 -1\n'));
    expect(c.warnings[1]).toBe("column '1' is 1 on every row: GEMMA's intercept column; Kinscan always fits the intercept, so it leaves this column out when it is named as a covariate");
    const sel = selectSamples(fam, p, '1', { sheet: c, names: c.columns });
    expect(sel.covariateNames).toEqual(['2', '3']);
    expect(Array.from(sel.famIndex)).toEqual([0, 1, 3]);
    expect(sel.covariates.map((v) => Array.from(v))).toEqual([
      [0.5, 0.25, 2],
      [-1, 1, -1],
    ]);
  });

  it('the .fam phenotypes as a sheet: columns 1, 2, ..., matched by FID and IID, -9 missing', () => {
    const f = readFam(tmp.file('p.fam', 'F1 a 0 0 1 1.5 10\nF1 b 0 0 2 -9 11\nF2 c 0 0 1 2 12\nF2 d 0 0 2 4 NA\n'));
    const s = famSheet(f);
    expect(s.columns).toEqual(['1', '2']);
    expect(s.fids).toEqual(['F1', 'F1', 'F2', 'F2']);
    const sel = selectSamples(f, s, '1');
    expect(Array.from(sel.y)).toEqual([1.5, 2, 4]);
    expect(sel.report.matchedBy).toBe('FID+IID');
    expect(Array.from(selectSamples(f, s, '2').y)).toEqual([10, 11, 12]);
  });

  it('BXD: BXD_pheno.txt and BXD_covariates2.txt read as positional sheets give the numbers of a naive parse', () => {
    const dir = join(import.meta.dirname, '../fixtures/bxd');
    const naive = (file: string): number[][] =>
      readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.trim().split(/\s+/).map((t) => (t === 'NA' ? NaN : Number(t))));
    const p = readSheet(join(dir, 'BXD_pheno.txt'));
    const c = readSheet(join(dir, 'BXD_covariates2.txt'));
    expect(p.positional && c.positional).toBe(true);
    expect(p.columns).toEqual(['1']);
    expect(c.columns).toEqual(['1', '2']);
    const np = naive('BXD_pheno.txt');
    const nc = naive('BXD_covariates2.txt');
    expect(np.length).toBe(198);
    expect(Array.from(p.values.get('1')!)).toEqual(np.map((r) => (r[0] === -9 ? NaN : r[0])));
    expect([Array.from(c.values.get('1')!), Array.from(c.values.get('2')!)]).toEqual([nc.map((r) => r[0]), nc.map((r) => r[1])]);
  });
});

describe('fuzz: readSheet never throws anything but an InputError, and never hangs (fast-check)', () => {
  const valid = 'FID,IID,sex,y\nF1,a,M,1.5\nF1,b,F,NA\nF2,c,M,-9\n';
  const read = (bytes: Uint8Array | string): void => {
    const p = tmp.file('fuzz.csv', bytes);
    try {
      const s = readSheet(p);
      expect(s.ids.length).toBe(s.line.length);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
    }
  };
  it('random bytes, random text from the alphabet of sheets, and mutations of a valid sheet', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => read(b)), { numRuns: 300 });
    const alphabet = fc.constantFrom(...'ab12.,;\t \n\r"-9NA#\ufeff'.split(''));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 120 }), (cs) => read(cs.join(''))), { numRuns: 500 });
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.nat(), ch: fc.constantFrom(',', ';', '\t', '\n', '"', 'x', '', '1,5', '3-Mar') }), { minLength: 1, maxLength: 6 }), (edits) => {
        let t = valid;
        for (const e of edits) {
          const k = e.at % (t.length + 1);
          t = t.slice(0, k) + e.ch + t.slice(k + 1);
        }
        read(t);
      }),
      { numRuns: 500 },
    );
  });
});
