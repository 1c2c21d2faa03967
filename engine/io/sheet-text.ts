/**
 * The cells of a text sheet: CSV, TSV, semicolon-separated or whitespace-separated, with the
 * delimiter detected from the first line (tab, else comma, else semicolon, else runs of blanks).
 * A first line of numbers and NAs only, with no comma or semicolon, is GEMMA's headerless format
 * (-p, -c): split on runs of blanks as GEMMA does (so a trailing tab adds no column).
 *
 * Decimal commas: in a file whose delimiter is not a comma (semicolon, as Excel writes CSV where a
 * comma is the decimal mark, or tab), numbers such as "1,25" are read as 1.25, and the grid says
 * so (decimalComma, and a stated warning naming an example); a column that mixes "1.5" and "1,5"
 * is an error, as the file then has no one convention.
 */
import { parse } from 'csv-parse/sync';
import { InputError } from './errors.js';
import type { SheetDelimiter } from './sheet.js';
import { parseStrictNumber, quote, splitWhitespace } from './text-lines.js';

export interface GridRow {
  fields: string[];
  /** 1-based line (a worksheet's row number for .xlsx). */
  line: number;
  /** 0-based columns holding an Excel date (.xlsx only). */
  dateCols?: number[];
}

/** A sheet's cells before the header and IDs are interpreted. */
export interface SheetGrid {
  rows: GridRow[];
  delimiter: SheetDelimiter;
  /** Numbers were written with decimal commas and read as such. */
  decimalComma: boolean;
  warnings: string[];
  /** The worksheet of an .xlsx workbook. */
  worksheet?: string;
  /** Where a cell is, for messages: 'line 12, column 3' or 'cell C12'. */
  cell(line: number, col: number): string;
}

const COMMA_NUMBER = /^[+-]?(?:\d+,\d*|,\d+)(?:[eE][+-]?\d+)?$/;
const DOT_NUMBER = /^[+-]?(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function detectDelimiter(firstLine: string): SheetDelimiter {
  if (firstLine.includes('\t')) return 'tab';
  if (firstLine.includes(',')) return 'comma';
  if (firstLine.includes(';')) return 'semicolon';
  return 'whitespace';
}

/** GEMMA's headerless files: the first line is only numbers and NAs, split on blanks. */
function looksHeaderless(firstLine: string): boolean {
  if (/[,;]/.test(firstLine)) return false;
  const f = splitWhitespace(firstLine);
  return f.length > 0 && f.every((s) => s === 'NA' || !Number.isNaN(parseStrictNumber(s)));
}

function splitLines(text: string): GridRow[] {
  const rows: GridRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const f = splitWhitespace(lines[i]!);
    if (f.length > 0) rows.push({ fields: f, line: i + 1 });
  }
  return rows;
}

function parseDelimited(path: string, text: string, delim: SheetDelimiter): GridRow[] {
  const name = delim === 'tab' ? 'tab-separated' : delim === 'comma' ? 'comma-separated' : 'semicolon-separated';
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
      throw new InputError('a quoted value is opened with " but never closed', { file: path, line }, 'Close the quote, or remove the stray " character');
    }
    throw new InputError(`cannot be parsed as ${name} text (${err.message ?? String(e)})`, { file: path, line }, 'Check the quoting and separators around this line');
  }
  return recs.map((r) => {
    let nl = 0;
    for (const f of r.record) for (let k = f.indexOf('\n'); k >= 0; k = f.indexOf('\n', k + 1)) nl++;
    return { fields: r.record, line: r.info.lines - nl };
  });
}

/** Read numbers written with decimal commas (rows after the first); returns the warning, or undefined when there are none. */
function readDecimalCommas(path: string, rows: GridRow[], cell: SheetGrid['cell']): string | undefined {
  const firstComma = new Map<number, GridRow>();
  const firstDot = new Map<number, GridRow>();
  let example: { row: GridRow; col: number; value: string } | undefined;
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]!;
    row.fields.forEach((f, c) => {
      if (COMMA_NUMBER.test(f)) {
        if (!firstComma.has(c)) firstComma.set(c, row);
        example ??= { row, col: c, value: f };
      } else if (DOT_NUMBER.test(f) && !firstDot.has(c)) firstDot.set(c, row);
    });
  }
  if (!example) return undefined;
  for (const [c, row] of firstComma) {
    const dot = firstDot.get(c);
    if (dot) {
      throw new InputError(
        `column ${c + 1} mixes decimal commas (${quote(row.fields[c]!)}, ${cell(row.line, c)}) and decimal points (${quote(dot.fields[c]!)}, ${cell(dot.line, c)})`,
        { file: path, line: row.line },
        'Write every number of the column with the same decimal mark (1.25 or 1,25), then save the sheet again',
      );
    }
  }
  for (let r = 1; r < rows.length; r++) {
    const f = rows[r]!.fields;
    for (let c = 0; c < f.length; c++) if (COMMA_NUMBER.test(f[c]!)) f[c] = f[c]!.replace(',', '.');
  }
  return `numbers are written with decimal commas (e.g. ${quote(example.value)}, ${cell(example.row.line, example.col)}) and were read as such (${example.value.replace(',', '.')})`;
}

/** The cells of a text sheet. `headerless`: force (true) or forbid (false) GEMMA's headerless reading; default: detect. */
export function textGrid(path: string, text: string, headerless?: boolean): SheetGrid {
  const at = text.search(/\S/);
  const lineStart = at < 0 ? 0 : text.lastIndexOf('\n', at) + 1;
  const lineEnd = text.indexOf('\n', lineStart);
  const firstLine = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd).replace(/\r$/, '');
  const blanks = headerless ?? looksHeaderless(firstLine);
  const delimiter = blanks && !/[,;]/.test(firstLine) ? 'whitespace' : detectDelimiter(firstLine);
  const cell = (line: number, col: number): string => `line ${line}, column ${col + 1}`;
  const rows = (delimiter === 'whitespace' ? splitLines(text) : parseDelimited(path, text, delimiter)).filter((r) => r.fields.some((f) => f.length > 0));
  const grid: SheetGrid = { rows, delimiter, decimalComma: false, warnings: [], cell };
  if (delimiter !== 'comma') {
    const w = readDecimalCommas(path, blanks ? [{ fields: [], line: 0 }, ...rows] : rows, cell);
    if (w !== undefined) {
      grid.decimalComma = true;
      grid.warnings.push(w);
    }
  }
  return grid;
}
