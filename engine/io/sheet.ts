/**
 * Phenotype / covariate sheets: CSV, TSV, semicolon- or whitespace-separated text with one header
 * row then one row per sample (sheet-text.ts), an Excel .xlsx workbook's first or chosen worksheet
 * (xlsx.ts), or GEMMA's headerless -p / -c files (numbers only, rows in genotype order: a
 * positional sheet, columns named 1, 2, ...). The format is found from the content, not the name.
 *
 * Missing values: NA, na, NaN, nan, empty, ., and any number equal to -9.
 * A data column that is mostly text (e.g. sex as M/F, strain names) is kept
 * as a text column (a covariate is then dummy-coded, engine/qc/dummy-coding.ts) and
 * only reported when a caller asks for it as numbers (`numericColumn`). A column
 * that is mostly numbers with some text is a mistake and is reported at once,
 * naming line, column and value.
 */
import { readFileSync } from 'node:fs';
import { InputError } from './errors.js';
import { openError } from './open-input.js';
import { buildSheet } from './sheet-build.js';
import { textGrid, type SheetGrid } from './sheet-text.js';
import { quote } from './text-lines.js';
import { columnLetters, isZip, readXlsxCells, type XlsxCells } from './xlsx.js';

export { isMissingValue, parseSheetValue } from './sheet-build.js';

export type SheetDelimiter = 'tab' | 'comma' | 'semicolon' | 'whitespace' | 'xlsx';

export interface Sheet {
  path: string;
  /** The ID column's name ('(row number)' for a positional sheet). */
  idColumn: string;
  fidColumn?: string;
  /** Sample IDs; for a positional sheet the row numbers '1'..'n'. */
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
  /** 1-based source line of each row (an .xlsx worksheet's row number). */
  line: Int32Array;
  /** 1-based line of the header row (0: none, a positional sheet). */
  headerLine: number;
  delimiter: SheetDelimiter;
  /** GEMMA's headerless format: row r is the r-th genotyped individual (no IDs to match). */
  positional?: true;
  /** Numbers were written with decimal commas ("1,25") and read as such. */
  decimalComma?: true;
  /** The worksheet read, for an .xlsx workbook. */
  worksheet?: string;
  /** Every worksheet of an .xlsx workbook, in workbook order (the ones that could be chosen instead). */
  worksheets?: string[];
  /** What the reader decided that the user should know (decimal commas, no header row, #N/A cells), as sentences. */
  warnings: string[];
}

export interface ReadSheetOptions {
  /** Name of the sample ID column; default: IID / id / sample / individual (any case), else the first column. */
  idColumn?: string;
  /** The worksheet of an .xlsx workbook (default: the first). */
  worksheet?: string;
  /** GEMMA's headerless format: forced (true), never (false); default: when the first row is numbers and NAs only. */
  positional?: boolean;
}

const WHAT = 'sheet';

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw openError(path, WHAT, e);
  }
}

function textOf(path: string, buf: Buffer): string {
  if (buf.length >= 8 && buf.readUInt32BE(0) === 0xd0cf11e0 && buf.readUInt32BE(4) === 0xa1b11ae1) {
    throw new InputError(
      'is an old-style Excel .xls workbook (or another Office file), which Kinscan does not read',
      { file: path },
      'Save it from your spreadsheet program as .xlsx, or as CSV (comma-separated) text',
    );
  }
  const probe = Math.min(buf.length, 8192);
  for (let i = 0; i < probe; i++) {
    if (buf[i] === 0) {
      throw new InputError('is a binary file, not a text sheet', { file: path }, 'Give a CSV or tab-separated text file with a header row, or an .xlsx workbook');
    }
  }
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

function xlsxGrid(x: XlsxCells): SheetGrid {
  return {
    rows: x.rows.map((r) => ({ fields: r.fields, line: r.row, dateCols: r.dateCols })),
    delimiter: 'xlsx',
    decimalComma: false,
    warnings: x.warnings,
    worksheet: x.worksheet,
    cell: (row, col) => `cell ${columnLetters(col)}${row} of worksheet ${quote(x.worksheet)}`,
  };
}

/** Read a sheet: text or .xlsx, with a header row or GEMMA's headerless format (see the file comment). */
export function readSheet(path: string, opts: ReadSheetOptions = {}): Sheet {
  const buf = readBytes(path);
  if (isZip(buf)) {
    const cells = readXlsxCells(path, opts.worksheet);
    try {
      const sheet = buildSheet(path, xlsxGrid(cells), opts);
      sheet.worksheets = cells.worksheets;
      return sheet;
    } catch (e) {
      // The table may be on another worksheet: say which one was read and which there are.
      if (!(e instanceof InputError) || cells.worksheets.length < 2) throw e;
      const others = cells.worksheets.filter((w) => w !== cells.worksheet).map((w) => quote(w)).join(', ');
      throw new InputError(`${e.what} (in worksheet ${quote(cells.worksheet)})`, { file: e.file, line: e.line }, `${e.hint}; or, if the table is on another worksheet (${others}), choose it with --sheet NAME`);
    }
  }
  const sheet = buildSheet(path, textGrid(path, textOf(path, buf), opts.positional), opts);
  if (opts.worksheet !== undefined) {
    sheet.warnings.push(`is a text file, not an .xlsx workbook, so the worksheet ${quote(opts.worksheet)} asked for does not apply`);
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
