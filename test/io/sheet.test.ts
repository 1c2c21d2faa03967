import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { numericColumn, readSheet, requireColumns } from '../../engine/io/sheet.js';
import { readFam } from '../../engine/io/plink.js';
import { inputError, makeTmp } from './tmp.js';

const EXAMPLE = join(import.meta.dirname, '../../resources/example/mouse_hs1940');

const tmp = makeTmp('sheet');
afterAll(() => { tmp.cleanup(); });

const nan = (a: Float64Array | undefined): (number | 'NaN')[] => {
  if (a === undefined) throw new Error('no such numeric column');
  return Array.from(a, (v) => (Number.isNaN(v) ? 'NaN' : v));
};

describe('mouse_hs1940.pheno.csv (real data)', () => {
  const s = readSheet(EXAMPLE + '.pheno.csv');

  it('reads 1940 rows, IID as the ID column and trait1..6', () => {
    expect(s.delimiter).toBe('comma');
    expect(s.idColumn).toBe('IID');
    expect(s.fidColumn).toBeUndefined();
    expect(s.ids.length).toBe(1940);
    expect(s.columns).toEqual(['trait1', 'trait2', 'trait3', 'trait4', 'trait5', 'trait6']);
    expect(s.ids[0]).toBe('A048005080');
    expect(s.line[0]).toBe(2);
    expect(s.line[1939]).toBe(1941);
    expect(s.headerLine).toBe(1);
  });

  it('agrees with the phenotype columns of the .fam', () => {
    const fam = readFam(EXAMPLE + '.fam');
    expect(s.ids).toEqual(fam.iid);
    for (let k = 0; k < 6; k++) expect(nan(numericColumn(s, `trait${k + 1}`))).toEqual(nan(fam.phenos[k]));
    expect(Array.from(numericColumn(s, 'trait1')).filter((v) => !Number.isNaN(v)).length).toBe(1410);
  });
});

describe('formats', () => {
  it('comma-separated', () => {
    const s = readSheet(tmp.file('a.csv', 'id,height,weight\ns1,1.5,20\ns2,1.75,NA\n'));
    expect(s.delimiter).toBe('comma');
    expect(s.idColumn).toBe('id');
    expect(s.ids).toEqual(['s1', 's2']);
    expect(nan(s.values.get('height'))).toEqual([1.5, 1.75]);
    expect(nan(s.values.get('weight'))).toEqual([20, 'NaN']);
  });

  it('tab-separated, with empty fields', () => {
    const s = readSheet(tmp.file('a.tsv', 'sample\tx\ty\nA\t1\t\nB\t\t2\n'));
    expect(s.delimiter).toBe('tab');
    expect(s.idColumn).toBe('sample');
    expect(nan(s.values.get('x'))).toEqual([1, 'NaN']);
    expect(nan(s.values.get('y'))).toEqual(['NaN', 2]);
  });

  it('whitespace-separated (runs of spaces)', () => {
    const s = readSheet(tmp.file('a.txt', 'FID   IID  t1   t2\nf1 i1   0.5  -1e-3\n  f1 i2 . 7  \n'));
    expect(s.delimiter).toBe('whitespace');
    expect(s.idColumn).toBe('IID');
    expect(s.fidColumn).toBe('FID');
    expect(s.fids).toEqual(['f1', 'f1']);
    expect(s.columns).toEqual(['t1', 't2']);
    expect(nan(s.values.get('t1'))).toEqual([0.5, 'NaN']);
    expect(nan(s.values.get('t2'))).toEqual([-0.001, 7]);
  });

  it('semicolon-separated', () => {
    const s = readSheet(tmp.file('a.scsv', 'IID;y\na;1.5\nb;2\n'));
    expect(s.delimiter).toBe('semicolon');
    expect(nan(s.values.get('y'))).toEqual([1.5, 2]);
  });

  it('strips a UTF-8 BOM and accepts CRLF and trailing blank lines', () => {
    const s = readSheet(tmp.file('bom.csv', '\ufeffIID,y\r\na,1\r\nb,2\r\n\r\n\r\n'));
    expect(s.idColumn).toBe('IID');
    expect(s.ids).toEqual(['a', 'b']);
    expect(nan(s.values.get('y'))).toEqual([1, 2]);
    expect(Array.from(s.line)).toEqual([2, 3]);
  });

  it('FID + IID: both kept, duplicates of IID alone allowed across families', () => {
    const s = readSheet(tmp.file('fid.csv', 'FID,IID,y\nF1,S1,1\nF2,S1,2\n'));
    expect(s.idColumn).toBe('IID');
    expect(s.fidColumn).toBe('FID');
    expect(s.ids).toEqual(['S1', 'S1']);
    expect(s.fids).toEqual(['F1', 'F2']);
    expect(s.columns).toEqual(['y']);
  });

  it('NA, na, NaN, empty, -9 and . are missing', () => {
    const s = readSheet(tmp.file('miss.csv', 'id,y\na,NA\nb,na\nc,NaN\nd,\ne,-9\nf,.\ng,3\nh,-9.0\ni,-8.5\n'));
    expect(nan(s.values.get('y'))).toEqual(['NaN', 'NaN', 'NaN', 'NaN', 'NaN', 'NaN', 3, 'NaN', -8.5]);
  });

  it('quoted CSV fields, spaces around values, and a trailing delimiter', () => {
    const s = readSheet(tmp.file('q.csv', '"IID", "y" ,z\n"a, b", 1 ,2,\nc,"3",4\n'));
    expect(s.ids).toEqual(['a, b', 'c']);
    expect(nan(s.values.get('y'))).toEqual([1, 3]);
    expect(nan(s.values.get('z'))).toEqual([2, 4]);
  });

  it('a trailing delimiter on the header and the rows', () => {
    const s = readSheet(tmp.file('trail.csv', 'IID,y,\na,1,\nb,2,\n'));
    expect(s.columns).toEqual(['y']);
    expect(nan(s.values.get('y'))).toEqual([1, 2]);
  });

  it('skips rows that are all empty (spreadsheet exports)', () => {
    const s = readSheet(tmp.file('empties.csv', 'IID,y\na,1\n,\nb,2\n,,\n'));
    expect(s.ids).toEqual(['a', 'b']);
    expect(Array.from(s.line)).toEqual([2, 4]);
  });

  it('ID column: explicit, by name, else the first column; a PLINK 2 #FID header', () => {
    expect(readSheet(tmp.file('id1.csv', 'y,Individual\n1,a\n')).idColumn).toBe('Individual');
    expect(readSheet(tmp.file('id2.csv', 'mouse,y\nm1,1\n')).idColumn).toBe('mouse');
    const s = readSheet(tmp.file('id3.csv', 'mouse,code,y\nm1,c1,1\n'), { idColumn: 'code' });
    expect(s.idColumn).toBe('code');
    expect(s.columns).toEqual(['mouse', 'y']);
    expect(s.text.get('mouse')).toEqual(['m1']);
    const p = readSheet(tmp.file('psam.txt', '#FID\tIID\tSEX\nF\tA\t1\n'));
    expect(p.idColumn).toBe('IID');
    expect(p.fidColumn).toBe('FID');
    const e = inputError(() => readSheet(tmp.file('id4.csv', 'a,b\n1,2\n'), { idColumn: 'IID' }));
    expect(e.message).toContain("ID column 'IID' not found");
    expect(e.message).toContain('Available columns: a, b');
  });
});

describe('text columns', () => {
  const p = (): string => tmp.file('text.csv', 'IID,sex,strain,y\na,M,C57BL/6,1.5\nb,F,129,NA\nc,NA,BALB/c,2\n');

  it('keeps a text column without failing the sheet', () => {
    const s = readSheet(p());
    expect(s.columns).toEqual(['sex', 'strain', 'y']);
    expect([...s.values.keys()]).toEqual(['y']);
    expect(s.text.get('sex')).toEqual(['M', 'F', 'NA']);
    expect(s.text.get('strain')).toEqual(['C57BL/6', '129', 'BALB/c']); // mostly text -> text column
    expect(nan(numericColumn(s, 'y'))).toEqual([1.5, 'NaN', 2]);
  });

  it('numericColumn on a text column throws with file, line and value', () => {
    const s = readSheet(p());
    const e = inputError(() => numericColumn(s, 'sex'));
    expect(e.message).toContain('text.csv, line 2');
    expect(e.message).toContain("column sex holds text, not numbers (e.g. 'M')");
    expect(e.message).toContain('Recode it as numbers');
  });
});

describe('bad sheets', () => {
  it('a non-numeric value in a numeric column: file, line, column, value, what to do', () => {
    const rows = ['IID,trait1,trait2'];
    for (let i = 0; i < 20; i++) rows.push(`s${i},${i},${i === 15 ? 'abc' : i / 2}`);
    const e = inputError(() => readSheet(tmp.file('bad.csv', rows.join('\n') + '\n')));
    expect(e.message).toBe(`${join(tmp.dir, 'bad.csv')}, line 17: column trait2: 'abc' is not a number. Use NA for missing values`);
    expect(e.line).toBe(17);
  });

  it('suggests a dot for a quoted decimal comma in a comma-separated file', () => {
    const e = inputError(() => readSheet(tmp.file('dec.csv', 'IID,y\na,1.5\nb,"2,5"\nc,3\n')));
    expect(e.message).toContain("line 3: column y: '2,5' is not a number");
    expect(e.message).toContain('dot as the decimal separator');
  });

  it('a semicolon file that mixes decimal points and commas in a column: both places named', () => {
    const e = inputError(() => readSheet(tmp.file('mixed.csv', 'IID;y\na;1.5\nb;2,5\nc;3\n')));
    expect(e.message).toContain("mixed.csv, line 3: column 2 mixes decimal commas ('2,5', line 3, column 2) and decimal points ('1.5', line 2, column 2)");
    expect(e.hint).toContain('same decimal mark');
  });

  it('an ID on several rows: read as repeated observations of one individual, stated with both lines', () => {
    const s = readSheet(tmp.file('dup.csv', 'IID,y\na,1\nb,2\na,3\n'));
    expect(s.ids).toEqual(['a', 'b', 'a']);
    expect(Array.from(s.values.get('y')!)).toEqual([1, 2, 3]);
    expect(s.warnings.join(' ')).toMatch(/1 sample has more than one row \('a' \(lines 2 and 4\)\): each row is read as one observation of that individual \(repeated measures\)/);
  });

  it('an FID+IID pair on several rows: repeated observations; the same IID in another family is another individual', () => {
    const s = readSheet(tmp.file('dup2.tsv', 'FID\tIID\ty\nF\ta\t1\nG\ta\t2\nF\ta\t3\n'));
    expect(s.warnings.join(' ')).toContain("FID 'F' IID 'a' (lines 2 and 4)");
    expect(s.warnings.join(' ')).toMatch(/^1 sample has/);
  });

  it('a row with too few fields', () => {
    const e = inputError(() => readSheet(tmp.file('short.csv', 'IID,a,b\nx,1,2\ny,1\n')));
    expect(e.message).toContain('short.csv, line 3');
    expect(e.message).toContain('has 2 fields, but the header (line 1) has 3 columns');
    expect(e.message).toContain('write NA for a missing value');
  });

  it('a row with too many fields', () => {
    const e = inputError(() => readSheet(tmp.file('long.tsv', 'IID\ta\nx\t1\t2\n')));
    expect(e.message).toContain('long.tsv, line 2');
    expect(e.message).toContain('has 3 fields');
  });

  it('an empty sheet and a header-only sheet', () => {
    const e1 = inputError(() => readSheet(tmp.file('empty.csv', '\n  \n')));
    expect(e1.message).toContain('empty.csv');
    expect(e1.message).toContain('sheet is empty');
    expect(e1.message).toContain('header row');
    const e2 = inputError(() => readSheet(tmp.file('head.csv', 'IID,y\n\n')));
    expect(e2.message).toContain('head.csv, line 1');
    expect(e2.message).toContain('header row but no data rows');
  });

  it('an empty ID', () => {
    const e = inputError(() => readSheet(tmp.file('noid.csv', 'IID,y\na,1\n,2\n')));
    expect(e.message).toContain('noid.csv, line 3');
    expect(e.message).toContain("sample ID (column 'IID') is empty");
  });

  it('duplicate or empty column names', () => {
    expect(inputError(() => readSheet(tmp.file('dupcol.csv', 'IID,y,y\na,1,2\n'))).message).toContain("column name 'y' appears twice in the header (columns 2 and 3)");
    expect(inputError(() => readSheet(tmp.file('nocol.csv', 'IID,,y\na,1,2\n'))).message).toContain('column 2 of the header has no name');
  });

  it('an unclosed quote', () => {
    const e = inputError(() => readSheet(tmp.file('quote.csv', 'IID,y\na,1\n"b,2\nc,3\n')));
    expect(e.message).toContain('quote.csv');
    expect(e.message).toContain('never closed');
  });

  it('an Excel workbook and a missing file', () => {
    const e = inputError(() => readSheet(tmp.file('book.csv', Uint8Array.of(0x50, 0x4b, 3, 4, 20, 0, 0, 0))));
    expect(e.message).toContain('book.csv');
    expect(e.message).toContain('Excel');
    expect(e.message).toContain('Save it');
    const e2 = inputError(() => readSheet(join(tmp.dir, 'nope.csv')));
    expect(e2.message).toContain('nope.csv');
    expect(e2.message).toContain('sheet not found');
  });

  it('requireColumns lists the available columns and suggests case fixes', () => {
    const s = readSheet(tmp.file('req.csv', 'IID,Trait1,age\na,1,2\n'));
    requireColumns(s, ['Trait1', 'age']);
    const e = inputError(() => { requireColumns(s, ['trait1', 'weight']); });
    expect(e.message).toContain('req.csv, line 1');
    expect(e.message).toContain("columns 'trait1', 'weight' not found in the sheet");
    expect(e.message).toContain("did you mean 'Trait1' instead of 'trait1'?");
    expect(e.message).toContain('Available columns: Trait1, age');
    expect(inputError(() => { requireColumns(s, ['IID']); }).message).toContain("'IID' is the sample ID column");
  });
});
