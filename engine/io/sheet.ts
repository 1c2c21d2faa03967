/**
 * Phenotype / covariate sheets: one header row, then one row per sample.
 * Delimiter detected from the header line: tab, else comma, else semicolon,
 * else runs of spaces. CSV/TSV/semicolon files are parsed with csv-parse
 * (quotes allowed); whitespace-separated files are split on blanks.
 *
 * Missing values: NA, na, NaN, nan, empty, ., and any number equal to -9.
 * A data column that is mostly text (e.g. sex as M/F, strain names) is kept
 * as a text column and only reported when a caller asks for it as numbers
 * (`numericColumn`). A column that is mostly numbers with some text is a
 * mistake and is reported at once, naming line, column and value.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { InputError } from './errors.js';
import { openError, parseStrictNumber, quote, splitWhitespace } from './text-lines.js';

export type SheetDelimiter = 'tab' | 'comma' | 'semicolon' | 'whitespace';

export interface Sheet {
  path: string;
  idColumn: string;
  fidColumn?: string;
  ids: string[];
  fids?: string[];
  /** Data column names in file order, excluding the ID columns; includes text columns. */
  columns: string[];
  /** Numeric data columns; NaN = missing. */
  values: Map<string, Float64Array>;
  /** Text (non-numeric) data columns, raw strings as in the file (missing stays as written, e.g. "NA" or ""). */
  text: Map<string, string[]>;
  /** For each text column: where its first non-numeric value is, for messages. */
  textFirst: Map<string, { line: number; value: string }>;
  /** 1-based source line of each row. */
  line: Int32Array;
  /** 1-based line of the header row. */
  headerLine: number;
  delimiter: SheetDelimiter;
}

export interface ReadSheetOptions {
  /** Name of the sample ID column; default: IID / id / sample / individual (any case), else the first column. */
  idColumn?: string;
}

const MISSING = new Set(['NA', 'na', 'Na', 'nA', 'NaN', 'nan', 'NAN', '', '.']);
const ID_NAMES = ['iid', 'id', 'sample', 'individual', 'sample_id', 'sampleid', 'sample.id', 'sample id'];
const WHAT = 'sheet';

/** Missing -> NaN; number -> value (-9 -> NaN); other text -> undefined. */
export function parseSheetValue(s: string): number | undefined {
  if (MISSING.has(s)) return NaN;
  const v = parseStrictNumber(s);
  if (Number.isNaN(v)) return undefined;
  return v === -9 ? NaN : v;
}

interface Row {
  fields: string[];
  line: number;
}

function detectDelimiter(header: string): SheetDelimiter {
  if (header.includes('\t')) return 'tab';
  if (header.includes(',')) return 'comma';
  if (header.includes(';')) return 'semicolon';
  return 'whitespace';
}

function readText(path: string): string {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw openError(path, WHAT, e);
  }
  if (buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04) {
    throw new InputError(
      'is a zip file (probably an Excel .xlsx workbook), not a text sheet',
      { file: path },
      'Save it from your spreadsheet program as CSV (comma-separated) or tab-separated text',
    );
  }
  const probe = Math.min(buf.length, 8192);
  for (let i = 0; i < probe; i++) {
    if (buf[i] === 0) {
      throw new InputError(
        'is a binary file, not a text sheet',
        { file: path },
        'Give a CSV or tab-separated text file with a header row',
      );
    }
  }
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

function parseRows(path: string, text: string, delim: SheetDelimiter): Row[] {
  if (delim === 'whitespace') {
    const rows: Row[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const f = splitWhitespace(lines[i]);
      if (f.length > 0) rows.push({ fields: f, line: i + 1 });
    }
    return rows;
  }
  let recs: { info: { lines: number }; record: string[] }[];
  try {
    recs = parse(text, {
      delimiter: delim === 'tab' ? '\t' : delim === 'comma' ? ',' : ';',
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as { info: { lines: number }; record: string[] }[];
  } catch (e) {
    const err = e as { code?: string; lines?: number; message?: string };
    const line = typeof err.lines === 'number' ? err.lines : undefined;
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      throw new InputError(
        'a quoted value is opened with " but never closed',
        { file: path, line },
        'Close the quote, or remove the stray " character',
      );
    }
    throw new InputError(
      `cannot be parsed as ${delim === 'tab' ? 'tab-separated' : delim === 'comma' ? 'comma-separated' : 'semicolon-separated'} text (${err.message ?? String(e)})`,
      { file: path, line },
      'Check the quoting and separators around this line',
    );
  }
  return recs.map((r) => {
    let nl = 0;
    for (const f of r.record) for (let k = f.indexOf('\n'); k >= 0; k = f.indexOf('\n', k + 1)) nl++;
    return { fields: r.record, line: r.info.lines - nl };
  });
}

function findColumn(header: string[], names: readonly string[]): number {
  for (const name of names) {
    const k = header.findIndex((h) => h.toLowerCase() === name);
    if (k >= 0) return k;
  }
  return -1;
}

export function readSheet(path: string, opts: ReadSheetOptions = {}): Sheet {
  const text = readText(path);
  const at = text.search(/\S/);
  if (at < 0) {
    throw new InputError('sheet is empty', { file: path }, 'Give a header row with column names, then one row per sample');
  }
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const lineEnd = text.indexOf('\n', at);
  const delimiter = detectDelimiter(text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd));
  const rows = parseRows(path, text, delimiter).filter((r) => r.fields.some((f) => f.length > 0));
  if (rows.length === 0) {
    throw new InputError('sheet is empty', { file: path }, 'Give a header row with column names, then one row per sample');
  }

  // Header.
  const headerRow = rows[0];
  const headerLine = headerRow.line;
  const header = headerRow.fields.slice();
  while (header.length > 1 && header[header.length - 1] === '') header.pop();
  if (header[0].startsWith('#')) header[0] = header[0].slice(1).trim(); // PLINK 2 .psam style "#FID IID"
  const nCols = header.length;
  const seenName = new Map<string, number>();
  for (let c = 0; c < nCols; c++) {
    const h = header[c];
    if (h === '') {
      throw new InputError(
        `column ${c + 1} of the header has no name`,
        { file: path, line: headerLine },
        'Give every column a name in the header row',
      );
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
    throw new InputError(
      'sheet has a header row but no data rows',
      { file: path, line: headerLine },
      'Add one row per sample below the header',
    );
  }

  // ID columns.
  let idCol: number;
  if (opts.idColumn !== undefined) {
    idCol = header.indexOf(opts.idColumn);
    if (idCol < 0) idCol = findColumn(header, [opts.idColumn.toLowerCase()]);
    if (idCol < 0) {
      throw new InputError(
        `ID column ${quote(opts.idColumn)} not found`,
        { file: path, line: headerLine },
        `Available columns: ${header.join(', ')}`,
      );
    }
  } else {
    idCol = findColumn(header, ID_NAMES);
    if (idCol < 0) idCol = 0;
  }
  let fidCol = -1;
  if (header[idCol].toLowerCase() === 'iid') fidCol = findColumn(header, ['fid']);
  const dataCols: number[] = [];
  for (let c = 0; c < nCols; c++) if (c !== idCol && c !== fidCol) dataCols.push(c);

  // Rows.
  const body = rows.slice(1);
  const n = body.length;
  const ids: string[] = new Array<string>(n);
  const fids: string[] | undefined = fidCol >= 0 ? new Array<string>(n) : undefined;
  const line = new Int32Array(n);
  const seen = new Map<string, number>();
  for (let r = 0; r < n; r++) {
    const row = body[r];
    const f = row.fields;
    if (f.length < nCols) {
      throw new InputError(
        `has ${f.length} field${f.length === 1 ? '' : 's'}, but the header (line ${headerLine}) has ${nCols} columns`,
        { file: path, line: row.line },
        `Every row needs a value for each column; write NA for a missing value${delimiter === 'whitespace' ? ' (an empty field cannot be seen in a space-separated file)' : ''}`,
      );
    }
    if (f.length > nCols) {
      for (let k = nCols; k < f.length; k++) {
        if (f[k] !== '') {
          throw new InputError(
            `has ${f.length} fields, but the header (line ${headerLine}) has ${nCols} columns`,
            { file: path, line: row.line },
            'Remove the extra values or add the missing column names to the header',
          );
        }
      }
    }
    const id = f[idCol];
    if (id === '') {
      throw new InputError(
        `the sample ID (column ${quote(header[idCol])}) is empty`,
        { file: path, line: row.line },
        'Every row needs a sample ID; remove the row or fill in its ID',
      );
    }
    ids[r] = id;
    let key = id;
    if (fids !== undefined) {
      const fid = f[fidCol];
      fids[r] = fid;
      key = fid + '\u0000' + id;
    }
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw new InputError(
        `sample ${fids !== undefined ? `FID ${quote(fids[r])} IID ${quote(id)}` : quote(id)} appears twice (lines ${prev} and ${row.line})`,
        { file: path, line: row.line },
        'Each sample may appear only once; remove or merge the duplicate rows',
      );
    }
    seen.set(key, row.line);
    line[r] = row.line;
  }

  // Data columns.
  const values = new Map<string, Float64Array>();
  const textCols = new Map<string, string[]>();
  const textFirst = new Map<string, { line: number; value: string }>();
  for (const c of dataCols) {
    const name = header[c];
    const v = new Float64Array(n);
    let nNum = 0;
    let nText = 0;
    let first = -1;
    for (let r = 0; r < n; r++) {
      const s = body[r].fields[c];
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
      textCols.set(name, body.map((row) => row.fields[c]));
      textFirst.set(name, { line: body[first].line, value: body[first].fields[c] });
    } else {
      const bad = body[first].fields[c];
      const decimalComma = /^[+-]?\d*,\d+$/.test(bad);
      throw new InputError(
        `column ${name}: ${quote(bad)} is not a number`,
        { file: path, line: body[first].line },
        decimalComma
          ? 'Use a dot as the decimal separator (e.g. 1.5), and NA for missing values'
          : 'Use NA for missing values',
      );
    }
  }

  const sheet: Sheet = {
    path,
    idColumn: header[idCol],
    ids,
    columns: dataCols.map((c) => header[c]),
    values,
    text: textCols,
    textFirst,
    line,
    headerLine,
    delimiter,
  };
  if (fids !== undefined) {
    sheet.fidColumn = header[fidCol];
    sheet.fids = fids;
  }
  return sheet;
}

/** Throw a clear error if any of `names` is not a data column of the sheet, listing the available columns. */
export function requireColumns(sheet: Sheet, names: string[]): void {
  const missing = names.filter((n) => !sheet.columns.includes(n));
  if (missing.length === 0) return;
  const notes: string[] = [];
  for (const m of missing) {
    if (m === sheet.idColumn || m === sheet.fidColumn) {
      notes.push(`${quote(m)} is the sample ID column, not a data column`);
      continue;
    }
    const ci = sheet.columns.find((c) => c.toLowerCase() === m.toLowerCase());
    if (ci !== undefined) notes.push(`did you mean ${quote(ci)} instead of ${quote(m)}?`);
  }
  const list = missing.map((m) => quote(m)).join(', ');
  throw new InputError(
    `column${missing.length === 1 ? '' : 's'} ${list} not found in the sheet${notes.length ? ` (${notes.join('; ')})` : ''}`,
    { file: sheet.path, line: sheet.headerLine },
    sheet.columns.length > 0
      ? `Available columns: ${sheet.columns.join(', ')}`
      : `The sheet has no data columns besides the ID column ${quote(sheet.idColumn)}`,
  );
}

/** The named column as numbers (NaN = missing); throws for a missing or text column. */
export function numericColumn(sheet: Sheet, name: string): Float64Array {
  requireColumns(sheet, [name]);
  const v = sheet.values.get(name);
  if (v !== undefined) return v;
  const first = sheet.textFirst.get(name);
  throw new InputError(
    `column ${name} holds text, not numbers (e.g. ${quote(first?.value ?? '')})`,
    { file: sheet.path, line: first?.line },
    'Recode it as numbers (e.g. 0/1 for two groups), with NA for missing values, or choose another column',
  );
}
