/**
 * From a sheet's cells (sheet-text.ts, xlsx.ts) to the engine's Sheet: the header row, the ID
 * columns, numeric and text data columns, with every problem named by file, line (or cell) and
 * fix. A grid whose first row is numbers only is GEMMA's headerless format (positional: rows in
 * genotype order, columns named 1, 2, ... as GEMMA's -n numbers them).
 */
import { InputError } from './errors.js';
import type { ReadSheetOptions, Sheet } from './sheet.js';
import type { GridRow, SheetGrid } from './sheet-text.js';
import { parseStrictNumber, quote } from './text-lines.js';

const MISSING = new Set(['NA', 'na', 'Na', 'nA', 'NaN', 'nan', 'NAN', '', '.']);
const ID_NAMES = ['iid', 'id', 'sample', 'individual', 'sample_id', 'sampleid', 'sample.id', 'sample id'];
/** What Excel exports for an ID such as 3-12 or MAR1 it took for a date: 12-Mar, Mar-12, 3-Dec-2012, 3/12/2024. */
const EXCEL_DATE = /^(?:\d{1,2}-(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*(?:-\d{2,4})?|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*-\d{1,4}|\d{1,2}\/\d{1,2}\/\d{2,4})$/i;

/** Missing -> NaN; number -> value (-9 -> NaN); other text -> undefined. */
export function parseSheetValue(s: string): number | undefined {
  if (MISSING.has(s)) return NaN;
  const v = parseStrictNumber(s);
  if (Number.isNaN(v)) return undefined;
  return v === -9 ? NaN : v;
}

/** Is this value missing (NA, empty, ., -9)? For text columns, whose values are strings. */
export function isMissingValue(s: string): boolean {
  return MISSING.has(s) || parseStrictNumber(s) === -9;
}

/** ' (cell B12 of worksheet 'Sheet1')' for a workbook, where the line number alone does not say the column; '' for text. */
function cellNote(grid: SheetGrid, line: number, col: number): string {
  return grid.delimiter === 'xlsx' ? ` (${grid.cell(line, col)})` : '';
}

function findColumn(header: string[], names: readonly string[]): number {
  for (const name of names) {
    const k = header.findIndex((h) => h.toLowerCase() === name);
    if (k >= 0) return k;
  }
  return -1;
}

function isHeaderless(row: GridRow): boolean {
  return row.fields.every((f) => parseSheetValue(f) !== undefined) && row.fields.some((f) => f !== '');
}

const EMPTY = 'Give a header row with column names, then one row per sample (or, as GEMMA reads them, numbers only: one row per genotyped individual in genotype order)';

/** Build the Sheet of a grid read from `path`. */
export function buildSheet(path: string, grid: SheetGrid, opts: ReadSheetOptions): Sheet {
  const rows = grid.rows;
  if (rows.length === 0) throw new InputError('sheet is empty', { file: path }, EMPTY);
  const positional = opts.positional ?? (opts.idColumn === undefined && isHeaderless(rows[0]!));
  return positional ? positionalSheet(path, grid) : headedSheet(path, grid, opts);
}

function baseSheet(path: string, grid: SheetGrid): Pick<Sheet, 'path' | 'delimiter' | 'warnings'> & Partial<Sheet> {
  const s: Pick<Sheet, 'path' | 'delimiter' | 'warnings'> & Partial<Sheet> = { path, delimiter: grid.delimiter, warnings: grid.warnings };
  if (grid.decimalComma) s.decimalComma = true;
  if (grid.worksheet !== undefined) s.worksheet = grid.worksheet;
  return s;
}

/** GEMMA's headerless -p / -c file: numbers and NAs only, row r is genotyped individual r. */
function positionalSheet(path: string, grid: SheetGrid): Sheet {
  const rows = grid.rows;
  const k = rows[0]!.fields.length;
  const n = rows.length;
  const values = new Map<string, Float64Array>();
  const cols = Array.from({ length: k }, () => new Float64Array(n));
  const line = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const row = rows[r]!;
    let f = row.fields;
    while (f.length > k && f[f.length - 1] === '') f = f.slice(0, -1);
    if (grid.delimiter === 'xlsx') while (f.length < k) f = [...f, ''];
    if (f.length !== k) {
      throw new InputError(
        `has ${f.length} value${f.length === 1 ? '' : 's'}, but the first line (line ${rows[0]!.line}) has ${k}`,
        { file: path, line: row.line },
        'A headerless (GEMMA-style) file needs the same number of values on every line; write NA for a missing value',
      );
    }
    for (let c = 0; c < k; c++) {
      const x = parseSheetValue(f[c]!);
      if (x === undefined) {
        throw new InputError(
          `${quote(f[c]!)} (column ${c + 1}${cellNote(grid, row.line, c).replace(' (', ', ').replace(/\)$/, '')}) is not a number, in a file read as GEMMA's headerless format (no header row; its first line is numbers only, or positional was asked for)`,
          { file: path, line: row.line },
          'Use numbers and NA only, or add a header row with an ID column and column names',
        );
      }
      cols[c]![r] = x;
    }
    line[r] = row.line;
  }
  const columns = cols.map((_, c) => String(c + 1));
  columns.forEach((name, c) => values.set(name, cols[c]!));
  const warnings = [
    ...grid.warnings,
    `has no header row: read as GEMMA's headerless format, ${n} rows in the genotype file's order, columns named ${k === 1 ? "'1'" : `'1' to '${k}'`}`,
  ];
  for (let c = 0; c < k; c++) {
    if (cols[c]!.every((x) => x === 1)) {
      warnings.push(`column '${c + 1}' is 1 on every row: GEMMA's intercept column; Kinscan always fits the intercept, so it leaves this column out when it is named as a covariate`);
    }
  }
  return {
    ...baseSheet(path, grid),
    warnings,
    idColumn: '(row number)',
    ids: Array.from({ length: n }, (_, r) => String(r + 1)),
    columns,
    values,
    text: new Map(),
    textFirst: new Map(),
    line,
    headerLine: 0,
    positional: true,
  };
}

function headedSheet(path: string, grid: SheetGrid, opts: ReadSheetOptions): Sheet {
  const { rows, delimiter } = grid;
  const headerRow = rows[0]!;
  const headerLine = headerRow.line;
  const header = headerRow.fields.slice();
  while (header.length > 1 && header[header.length - 1] === '') header.pop();
  if (header[0]!.startsWith('#')) header[0] = header[0]!.slice(1).trim(); // PLINK 2 .psam style "#FID IID"
  const nCols = header.length;
  const seenName = new Map<string, number>();
  for (let c = 0; c < nCols; c++) {
    const h = header[c]!;
    if (h === '') {
      throw new InputError(`column ${c + 1} of the header has no name`, { file: path, line: headerLine }, 'Give every column a name in the header row');
    }
    const prev = seenName.get(h);
    if (prev !== undefined) {
      throw new InputError(
        `column name ${quote(h)} appears twice in the header (columns ${prev + 1} and ${c + 1})`,
        { file: path, line: headerLine },
        'Rename one of the columns so that every column name is unique',
      );
    }
    seenName.set(h, c);
  }
  if (rows.length === 1) {
    throw new InputError('sheet has a header row but no data rows', { file: path, line: headerLine }, 'Add one row per sample below the header');
  }

  // ID columns.
  let idCol: number;
  if (opts.idColumn !== undefined) {
    idCol = header.indexOf(opts.idColumn);
    if (idCol < 0) idCol = findColumn(header, [opts.idColumn.toLowerCase()]);
    if (idCol < 0) {
      throw new InputError(`ID column ${quote(opts.idColumn)} not found`, { file: path, line: headerLine }, `Available columns: ${header.join(', ')}`);
    }
  } else {
    idCol = findColumn(header, ID_NAMES);
    if (idCol < 0) idCol = 0;
  }
  let fidCol = -1;
  if (header[idCol]!.toLowerCase() === 'iid') fidCol = findColumn(header, ['fid']);
  const dataCols: number[] = [];
  for (let c = 0; c < nCols; c++) if (c !== idCol && c !== fidCol) dataCols.push(c);

  // Rows.
  const body = rows.slice(1);
  const n = body.length;
  const ids: string[] = new Array<string>(n);
  const fids: string[] | undefined = fidCol >= 0 ? new Array<string>(n) : undefined;
  const line = new Int32Array(n);
  const seen = new Map<string, number>();
  const repeated = new Map<string, string>();
  const dated: GridRow[] = [];
  for (let r = 0; r < n; r++) {
    const row = body[r]!;
    const f = row.fields;
    // A worksheet leaves empty cells out: an absent cell at the end of a row is an empty value.
    if (delimiter === 'xlsx') while (f.length < nCols) f.push('');
    if (f.length < nCols) {
      throw new InputError(
        `has ${f.length} field${f.length === 1 ? '' : 's'}, but the header (line ${headerLine}) has ${nCols} columns`,
        { file: path, line: row.line },
        `Every row needs a value for each column; write NA for a missing value${delimiter === 'whitespace' ? ' (an empty field cannot be seen in a space-separated file)' : ''}`,
      );
    }
    for (let k = nCols; k < f.length; k++) {
      if (f[k] !== '') throw extraFields(path, grid, row, nCols, headerLine);
    }
    const id = f[idCol]!;
    if (id === '') {
      throw new InputError(
        `the sample ID (column ${quote(header[idCol]!)}) is empty`,
        { file: path, line: row.line },
        'Every row needs a sample ID; remove the row or fill in its ID',
      );
    }
    if (row.dateCols?.includes(idCol) || EXCEL_DATE.test(id)) dated.push(row);
    ids[r] = id;
    let key = id;
    if (fids !== undefined) {
      const fid = f[fidCol]!;
      fids[r] = fid;
      key = fid + '\u0000' + id;
    }
    // A sample with several rows: repeated observations of one individual (fitted with Z != I,
    // docs/model.md), stated in the sheet's warnings, never averaged or dropped.
    const prev = seen.get(key);
    if (prev !== undefined) {
      if (repeated.size < 3 && !repeated.has(key)) repeated.set(key, `${fids !== undefined ? `FID ${quote(fids[r]!)} IID ${quote(id)}` : quote(id)} (lines ${prev} and ${row.line})`);
      else if (!repeated.has(key)) repeated.set(key, '');
    } else seen.set(key, row.line);
    line[r] = row.line;
  }
  if (dated.length > 0) {
    const where = dated.slice(0, 5).map((row) => `${grid.cell(row.line, idCol)} ${quote(row.fields[idCol]!)}`);
    throw new InputError(
      `the ID column ${quote(header[idCol]!)} holds ${dated.length === 1 ? 'a date' : `${dated.length} dates`} (${where.join(', ')}${dated.length > 5 ? ', ...' : ''}): Excel turns IDs such as 3-12 or MAR1 into dates`,
      { file: path, line: dated[0]!.line },
      'In the spreadsheet, format the ID column as Text and type or paste the IDs again (or import the original text file with that column as Text), then save',
    );
  }

  // Data columns.
  const values = new Map<string, Float64Array>();
  const textCols = new Map<string, string[]>();
  const textFirst = new Map<string, { line: number; value: string }>();
  for (const c of dataCols) {
    const name = header[c]!;
    const v = new Float64Array(n);
    let nNum = 0;
    let nText = 0;
    let first = -1;
    for (let r = 0; r < n; r++) {
      const s = body[r]!.fields[c]!;
      const x = parseSheetValue(s);
      if (x === undefined) {
        nText++;
        if (first < 0) first = r;
        v[r] = NaN;
      } else {
        if (!Number.isNaN(x)) nNum++;
        v[r] = x;
      }
    }
    if (nText === 0) {
      values.set(name, v);
    } else if (nText > nNum) {
      textCols.set(name, body.map((row) => row.fields[c]!));
      textFirst.set(name, { line: body[first]!.line, value: body[first]!.fields[c]! });
    } else {
      const bad = body[first]!.fields[c]!;
      const decimalComma = /^[+-]?\d*,\d+$/.test(bad);
      throw new InputError(
        `column ${name}: ${quote(bad)}${cellNote(grid, body[first]!.line, c)} is not a number`,
        { file: path, line: body[first]!.line },
        decimalComma ? 'Use a dot as the decimal separator (e.g. 1.5), and NA for missing values' : 'Use NA for missing values',
      );
    }
  }

  const base = baseSheet(path, grid);
  if (repeated.size > 0) {
    const examples = [...repeated.values()].filter((e) => e !== '');
    base.warnings = [
      ...base.warnings,
      `${repeated.size} sample${repeated.size === 1 ? ' has' : 's have'} more than one row (${examples.join(', ')}${repeated.size > examples.length ? ', ...' : ''}): each row is read as one observation of that individual (repeated measures), and a scan fits them together, with the individual's genetic effect shared (Z != I)`,
    ];
  }
  const sheet: Sheet = {
    ...base,
    idColumn: header[idCol]!,
    ids,
    columns: dataCols.map((c) => header[c]!),
    values,
    text: textCols,
    textFirst,
    line,
    headerLine,
  };
  if (fids !== undefined) {
    sheet.fidColumn = header[fidCol]!;
    sheet.fids = fids;
  }
  return sheet;
}

/** A row with more values than the header; in a comma-separated file, often a decimal comma ("1,25" split in two). */
function extraFields(path: string, grid: SheetGrid, row: GridRow, nCols: number, headerLine: number): InputError {
  const f = row.fields;
  if (grid.delimiter === 'comma') {
    for (let k = 0; k + 1 < f.length; k++) {
      if (/^[+-]?\d+$/.test(f[k]!) && /^\d+$/.test(f[k + 1]!)) {
        return new InputError(
          `has ${f.length} fields, but the header (line ${headerLine}) has ${nCols} columns: looks like decimal commas in a comma-separated file (${quote(`${f[k]},${f[k + 1]}`)} split into ${quote(f[k]!)} and ${quote(f[k + 1]!)})`,
          { file: path, line: row.line },
          'Save the sheet with a dot as the decimal mark (1.25), or as semicolon-separated text (Excel does so where the comma is the decimal mark)',
        );
      }
    }
  }
  return new InputError(
    `has ${f.length} fields, but the header (line ${headerLine}) has ${nCols} columns`,
    { file: path, line: row.line },
    'Remove the extra values or add the missing column names to the header',
  );
}
