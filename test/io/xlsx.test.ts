import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import { readSheet as readExcelSheet } from 'read-excel-file/node';
import writeXlsxFile, { type Cell, type SheetData } from 'write-excel-file/node';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../engine/io/errors.js';
import { readSheet, type Sheet } from '../../engine/io/sheet.js';
import { readXlsxCells } from '../../engine/io/xlsx.js';
import { inputError, makeTmp } from './tmp.js';

const EXAMPLE = join(import.meta.dirname, '../../resources/example/mouse_hs1940.pheno.csv');
const tmp = makeTmp('xlsx');
afterAll(() => {
  tmp.cleanup();
});

/** A workbook file of these sheets, written by write-excel-file (an independent writer). */
async function workbook(name: string, sheets: { sheet: string; data: SheetData }[]): Promise<string> {
  const path = join(tmp.dir, name);
  await writeXlsxFile(sheets.map((s) => ({ data: s.data, sheet: s.sheet }))).toFile(path);
  return path;
}

/** CSV text to xlsx rows as Excel would hold them: numbers as numbers, NA and empty as empty cells, the rest as text. */
function csvToCells(text: string): SheetData {
  return text
    .trim()
    .split('\n')
    .map((line) =>
      line.split(',').map((f): Cell => {
        if (f === 'NA' || f === '') return null;
        const x = Number(f);
        return Number.isFinite(x) ? { value: x, type: Number } : { value: f, type: String };
      }),
    );
}

function comparable(s: Sheet): unknown {
  return {
    idColumn: s.idColumn,
    fidColumn: s.fidColumn,
    ids: s.ids,
    fids: s.fids,
    columns: s.columns,
    values: [...s.values].map(([k, v]) => [k, Array.from(v, (x) => (Number.isNaN(x) ? 'NA' : x))]),
    text: [...s.text].map(([k, v]) => [k, v.map((x) => (x === 'NA' ? '' : x))]),
    line: Array.from(s.line),
    headerLine: s.headerLine,
  };
}

describe('xlsx sheets: the same Sheet as the CSV of the same data', () => {
  it('the mouse phenotypes (1940 rows, 6 traits with NAs)', async () => {
    const csv = readFileSync(EXAMPLE, 'utf8');
    const path = await workbook('mouse.xlsx', [{ sheet: 'phenotypes', data: csvToCells(csv) }]);
    const x = readSheet(path);
    expect(x.delimiter).toBe('xlsx');
    expect(x.worksheet).toBe('phenotypes');
    expect(comparable(x)).toEqual(comparable(readSheet(EXAMPLE)));
  });

  it('text and FID columns, decimals Excel stores with 17 digits, negative and tiny numbers, a chosen worksheet', async () => {
    const csv = 'FID,IID,sex,batch,y,z\nF1,a,M,A,0.1,-3.25\nF1,b,F,B,2.675,1e-7\nF2,c,M,NA,3.14159,12345678.9\nF2,d,F,C,NA,0.3\n';
    const path = await workbook('two.xlsx', [
      { sheet: 'notes', data: [[{ value: 'nothing here', type: String }]] },
      { sheet: 'Data', data: csvToCells(csv) },
    ]);
    const ref = readSheet(tmp.file('two.csv', csv));
    expect(comparable(readSheet(path, { worksheet: 'Data' }))).toEqual(comparable(ref));
    expect(comparable(readSheet(path, { worksheet: 'data' }))).toEqual(comparable(ref));
    const e = inputError(() => readSheet(path, { worksheet: 'Sheet3' }));
    expect(e.message).toContain("two.xlsx: has no worksheet 'Sheet3'");
    expect(e.hint).toContain("Its worksheets are: 'notes', 'Data'");
  });

  it('an ID column Excel turned into dates: an error naming the cells and the fix', async () => {
    const date = (d: string): Cell => ({ value: new Date(d), type: Date, format: 'd-mmm' });
    const path = await workbook('dates.xlsx', [
      {
        sheet: 'Sheet1',
        data: [
          [{ value: 'id', type: String }, { value: 'y', type: String }],
          [date('2024-12-03T00:00:00Z'), { value: 1, type: Number }],
          [{ value: 'm7', type: String }, { value: 2, type: Number }],
          [date('2024-03-01T00:00:00Z'), { value: 3, type: Number }],
        ],
      },
    ]);
    const e = inputError(() => readSheet(path));
    expect(e.message).toContain("dates.xlsx, line 2: the ID column 'id' holds 2 dates (cell A2 of worksheet 'Sheet1' '2024-12-03', cell A4 of worksheet 'Sheet1' '2024-03-01')");
    expect(e.hint).toContain('format the ID column as Text');
  });

  it('agrees cell by cell with read-excel-file on random tables (fast-check)', async () => {
    const cell = fc.oneof(
      fc.constant<Cell>(null),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }).map((x): Cell => ({ value: x, type: Number })),
      fc.integer({ min: -1000, max: 1000 }).map((x): Cell => ({ value: x, type: Number })),
      fc.string({ minLength: 1, maxLength: 8 })// Names of Object.prototype ('valueOf') are left out: write-excel-file writes them as empty cells.
        .filter((s) => s.trim() === s && s.trim() !== '' && !/[\u0000-\u001f\ud800-\udfff]/.test(s) && !(s in Object.prototype)).map((s): Cell => ({ value: s, type: String })),
      fc.boolean().map((b): Cell => ({ value: b, type: Boolean })),
    );
    let k = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 }), async (rows) => {
        const path = await workbook(`random-${k++}.xlsx`, [{ sheet: 'S', data: rows }]);
        const ours = readXlsxCells(path);
        const theirs = await readExcelSheet(path);
        // read-excel-file gives a dense grid from A1 (empty rows and cells as null); ours lists non-empty rows by number.
        const dense: string[][] = theirs.map((r) => r.map((v) => (v === null ? '' : typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v))));
        const mine: string[][] = dense.map(() => []);
        for (const r of ours.rows) mine[r.row - 1] = r.fields;
        const width = (a: string[]): string[] => {
          const b = a.slice();
          while (b.length > 0 && b[b.length - 1] === '') b.pop();
          return b;
        };
        expect(mine.map(width)).toEqual(dense.map(width));
      }),
      { numRuns: 40 },
    );
  });
});

/** A minimal workbook written by hand: inline strings, sparse cell references, prefixed XML, booleans, an #N/A. */
function handMade(sheetXml: string, opts: { shared?: string; styles?: string; workbook?: string } = {}): Uint8Array {
  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
    'xl/workbook.xml': strToU8(
      opts.workbook ??
        '<?xml version="1.0"?><x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:sheets><x:sheet name="Blad1" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>',
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/s1.xml"/></Relationships>',
    ),
    'xl/worksheets/s1.xml': strToU8(sheetXml),
  };
  if (opts.shared) files['xl/sharedStrings.xml'] = strToU8(opts.shared);
  if (opts.styles) files['xl/styles.xml'] = strToU8(opts.styles);
  return zipSync(files);
}

const sheetXml = (rows: string): string =>
  `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>${rows}</x:sheetData></x:worksheet>`;

describe('xlsx parts written by other programs', () => {
  it('inline strings, shared strings with rich-text runs and phonetic runs, sparse cells, booleans, #N/A, entities', () => {
    const shared =
      '<sst xmlns="x"><si><t>IID</t></si><si><r><t>we</t></r><r><rPr/><t xml:space="preserve">ight</t></r><rPh><t>ignored</t></rPh></si><si><t>A&amp;B</t></si></sst>';
    const rows =
      '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="inlineStr"><x:is><x:t>note</x:t></x:is></x:c><x:c r="D1" t="inlineStr"><x:is><x:t>ok</x:t></x:is></x:c></x:row>' +
      '<x:row r="3"><x:c r="A3" t="s"><x:v>2</x:v></x:c><x:c r="B3"><x:v>2.5000000000000004</x:v></x:c><x:c r="D3" t="b"><x:v>1</x:v></x:c></x:row>' +
      '<x:row r="4"><x:c r="A4" t="inlineStr"><x:is><x:t>m&lt;2</x:t></x:is></x:c><x:c r="B4" t="e"><x:v>#N/A</x:v></x:c><x:c r="D4" t="b"><x:v>0</x:v></x:c></x:row>';
    const path = tmp.file('hand.xlsx', handMade(sheetXml(rows), { shared }));
    const cells = readXlsxCells(path);
    expect(cells.worksheet).toBe('Blad1');
    expect(cells.rows.map((r) => [r.row, r.fields])).toEqual([
      [1, ['IID', 'weight', 'note', 'ok']],
      [3, ['A&B', '2.5000000000000004', '', 'TRUE']],
      [4, ['m<2', '', '', 'FALSE']],
    ]);
    expect(cells.warnings).toEqual(["1 cell of worksheet 'Blad1' holds #N/A, read as missing"]);
    const s = readSheet(path);
    expect(s.ids).toEqual(['A&B', 'm<2']);
    expect(Array.from(s.line)).toEqual([3, 4]);
    expect(Array.from(s.values.get('weight')!)).toEqual([2.5000000000000004, NaN]);
    expect(s.text.get('ok')).toEqual(['TRUE', 'FALSE']);
  });

  it("shared strings named like Object.prototype members ('valueOf', '__proto__') are text like any other", () => {
    // write-excel-file writes empty cells for these, so this workbook is written by hand.
    const shared = '<sst><si><t>valueOf</t></si><si><t>__proto__</t></si></sst>';
    const rows = '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c></x:row><x:row r="2"><x:c r="A2"><x:v>0</x:v></x:c></x:row>';
    expect(readXlsxCells(tmp.file('proto.xlsx', handMade(sheetXml(rows), { shared }))).rows.map((r) => r.fields)).toEqual([['valueOf', '__proto__'], ['0']]);
  });

  it('a date-styled ID cell by a custom number format, and an Excel error cell', () => {
    const styles =
      '<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="d\\-mmm"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="2"/></cellXfs></styleSheet>';
    const rows =
      '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>id</x:t></x:is></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>y</x:t></x:is></x:c></x:row>' +
      '<x:row r="2"><x:c r="A2" s="1"><x:v>45629</x:v></x:c><x:c r="B2" s="2"><x:v>1.5</x:v></x:c></x:row>' +
      '<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>b</x:t></x:is></x:c><x:c r="B3" s="2"><x:v>2</x:v></x:c></x:row>';
    const e = inputError(() => readSheet(tmp.file('date-style.xlsx', handMade(sheetXml(rows), { styles }))));
    expect(e.message).toContain("date-style.xlsx, line 2: the ID column 'id' holds a date (cell A2 of worksheet 'Blad1' '2024-12-03')");
    const bad = rows.replace('<x:c r="B3" s="2"><x:v>2</x:v></x:c>', '<x:c r="B3" t="e"><x:v>#DIV/0!</x:v></x:c>').replace('s="1"', '');
    const e2 = inputError(() => readSheet(tmp.file('err.xlsx', handMade(sheetXml(bad), { styles }))));
    expect(e2.message).toContain("err.xlsx, line 3: cell B3 of worksheet 'Blad1' holds the Excel error #DIV/0!");
    expect(e2.hint).toContain('replace the cell by NA');
  });
});

describe('broken workbooks', () => {
  it('a truncated zip, a zip that is no workbook, an old .xls, a text file named .xlsx', async () => {
    const path = await workbook('whole.xlsx', [{ sheet: 'S', data: csvToCells('IID,y\na,1\nb,2\n') }]);
    const bytes = readFileSync(path);
    const cut = tmp.file('cut.xlsx', bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const e = inputError(() => readSheet(cut));
    expect(e.message).toMatch(/cut\.xlsx: is a zip file \(an Excel \.xlsx workbook\?\) that is damaged or cut short/);
    expect(e.hint).toContain('Save it again');
    const notBook = tmp.file('doc.xlsx', zipSync({ 'word/document.xml': strToU8('<w/>') }));
    expect(inputError(() => readSheet(notBook)).message).toContain('is a zip file but not an Excel .xlsx workbook');
    const xls = tmp.file('old.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]));
    expect(inputError(() => readSheet(xls)).message).toContain('old-style Excel .xls workbook');
    // Told by the content: a CSV saved under an .xlsx name is read as the CSV it is.
    const renamed = tmp.file('renamed.xlsx', 'IID,y\na,1\nb,2\n');
    expect(comparable(readSheet(renamed))).toEqual(comparable(readSheet(path)));
  });

  it('fuzz: random bytes and mutations of a valid workbook give InputErrors or sheets, nothing else (fast-check)', async () => {
    const path = await workbook('base.xlsx', [{ sheet: 'S', data: csvToCells('IID,sex,y\na,M,1.5\nb,F,2\nc,M,NA\n') }]);
    const base = new Uint8Array(readFileSync(path));
    const target = join(tmp.dir, 'fuzz.xlsx');
    const tryRead = (bytes: Uint8Array): void => {
      tmp.file('fuzz.xlsx', bytes);
      try {
        readSheet(target);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
      }
    };
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 }), fc.nat(), (edits, cutAt) => {
        const b = base.slice(0, base.length - (cutAt % 3 === 0 ? cutAt % base.length : 0));
        for (const e of edits) if (b.length > 0) b[e.at % b.length] = e.byte;
        tryRead(b);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        tryRead(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...b]));
      }),
      { numRuns: 200 },
    );
  });
});
