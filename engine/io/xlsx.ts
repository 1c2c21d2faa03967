/**
 * The cells of one worksheet of an Excel .xlsx workbook, read synchronously.
 *
 * read-excel-file (a dependency) has only Promise-returning entry points, and its internal
 * modules are not exported, so a synchronous reader is written here: fflate's unzipSync for the
 * zip, and a small parser of the few parts a sheet of numbers and IDs needs: xl/workbook.xml and
 * its relationships (sheet names -> worksheet parts), xl/sharedStrings.xml, xl/styles.xml (which
 * number formats are dates) and the worksheet's <sheetData>. Cells are placed by their reference
 * (r="C12"), so empty cells Excel leaves out keep their column.
 *
 * Values become the strings a CSV export of the same sheet would hold: numbers by their shortest
 * decimal form (Excel stores 0.1 as 0.10000000000000001), booleans as TRUE/FALSE, #N/A as empty.
 * Date-formatted cells are flagged, so that the sheet reader can refuse IDs Excel turned into dates.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { InputError } from './errors.js';
import { openError } from './open-input.js';

export interface XlsxCells {
  /** The worksheet read. */
  worksheet: string;
  /** Every worksheet's name, in workbook order. */
  worksheets: string[];
  /** Rows that hold at least one cell, in sheet order. */
  rows: XlsxRow[];
  /** Stated warnings (e.g. #N/A cells read as missing). */
  warnings: string[];
}

export interface XlsxRow {
  /** Excel's 1-based row number. */
  row: number;
  /** Cell text by 0-based column ('' for an empty cell). */
  fields: string[];
  /** 0-based columns whose cell is formatted as a date or time. */
  dateCols: number[];
}

const WHAT = 'Excel workbook';

/** Is this the start of a zip file (PK\x03\x04)? */
export function isZip(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

/** Column letters of a 0-based column index: 0 -> A, 26 -> AA. */
export function columnLetters(col: number): string {
  let s = '';
  for (let c = col + 1; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
}

function damaged(path: string, detail: string): InputError {
  return new InputError(
    `is a zip file (an Excel .xlsx workbook?) that is damaged or cut short (${detail})`,
    { file: path },
    'Save it again from your spreadsheet program, as .xlsx or as CSV, and copy it again',
  );
}

function unzipParts(path: string, buf: Uint8Array, want: (name: string) => boolean): Record<string, Uint8Array> {
  try {
    return unzipSync(buf, { filter: (f) => want(f.name) });
  } catch (e) {
    throw damaged(path, e instanceof Error ? e.message : String(e));
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function text(parts: Record<string, Uint8Array>, name: string): string | undefined {
  const b = parts[name];
  return b === undefined ? undefined : utf8.decode(b);
}

/** XML entities and Excel's _xHHHH_ escapes (e.g. _x000D_ for a carriage return). */
function unescapeXml(s: string): string {
  const x = s.indexOf('&') < 0 ? s : s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_m, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
  return x.indexOf('_x') < 0 ? x : x.replace(/_x([0-9a-fA-F]{4})_/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Attributes of a start tag's attribute text. */
function attrs(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of s.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) out.set(m[1]!.replace(/^\w+:(?=id$)/, 'r:'), unescapeXml(m[2] ?? m[3] ?? ''));
  return out;
}

/** The text of a string item (<si> or <is>): its <t> runs, without phonetic (<rPh>) runs. */
function runText(inner: string): string {
  const body = inner.replace(/<(?:\w+:)?rPh\b[\s\S]*?<\/(?:\w+:)?rPh>/g, '');
  let out = '';
  for (const m of body.matchAll(/<(?:\w+:)?t(?:\s[^>]*)?>([\s\S]*?)<\/(?:\w+:)?t>/g)) out += unescapeXml(m[1]!);
  return out;
}

function sharedStrings(xml: string | undefined): string[] {
  if (xml === undefined) return [];
  const out: string[] = [];
  for (const m of xml.matchAll(/<(?:\w+:)?si\b[^>]*?(?:\/>|>([\s\S]*?)<\/(?:\w+:)?si>)/g)) out.push(m[1] === undefined ? '' : runText(m[1]));
  return out;
}

/** Built-in number formats that show dates or times (ECMA-376 18.8.30, with the East Asian ids). */
const DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** Does a custom format code show a date or time? Quoted text, escapes and [colour] sections do not count. */
function isDateFormatCode(code: string): boolean {
  const bare = code.replace(/"[^"]*"/g, '').replace(/\\./g, '').replace(/\[(?![hms]+\])[^\]]*\]/gi, '');
  return !/^general$/i.test(bare.trim()) && /[dmyhs]/i.test(bare.split(';')[0]!);
}

/** For each cell style index (c s="..."), whether it is a date format. */
function dateStyles(xml: string | undefined): boolean[] {
  if (xml === undefined) return [];
  const custom = new Map<number, string>();
  for (const m of xml.matchAll(/<(?:\w+:)?numFmt\b([^>]*?)\/?>/g)) {
    const a = attrs(m[1]!);
    custom.set(Number(a.get('numFmtId')), a.get('formatCode') ?? '');
  }
  const xfs = /<(?:\w+:)?cellXfs\b[^>]*>([\s\S]*?)<\/(?:\w+:)?cellXfs>/.exec(xml);
  if (!xfs) return [];
  const out: boolean[] = [];
  for (const m of xfs[1]!.matchAll(/<(?:\w+:)?xf\b([^>]*?)\/?>/g)) {
    const id = Number(attrs(m[1]!).get('numFmtId') ?? 0);
    const code = custom.get(id);
    out.push(code !== undefined ? isDateFormatCode(code) : DATE_FORMAT_IDS.has(id));
  }
  return out;
}

interface WorkbookSheet {
  name: string;
  part: string;
}

function workbookSheets(path: string, parts: Record<string, Uint8Array>): { sheets: WorkbookSheet[]; date1904: boolean } {
  const wb = text(parts, 'xl/workbook.xml');
  if (wb === undefined) {
    throw new InputError(
      'is a zip file but not an Excel .xlsx workbook (it has no xl/workbook.xml; an OpenDocument .ods or a Word file?)',
      { file: path },
      'Save the sheet from your spreadsheet program as .xlsx, or as CSV (comma-separated) text',
    );
  }
  const targets = new Map<string, string>();
  for (const m of (text(parts, 'xl/_rels/workbook.xml.rels') ?? '').matchAll(/<(?:\w+:)?Relationship\b([^>]*?)\/?>/g)) {
    const a = attrs(m[1]!);
    const id = a.get('Id');
    const target = a.get('Target');
    if (id !== undefined && target !== undefined && /\/worksheet$/.test(a.get('Type') ?? '/worksheet')) {
      targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`);
    }
  }
  const sheets: WorkbookSheet[] = [];
  for (const m of wb.matchAll(/<(?:\w+:)?sheet\b([^>]*?)\/?>/g)) {
    const a = attrs(m[1]!);
    const part = targets.get(a.get('r:id') ?? '');
    if (part !== undefined) sheets.push({ name: a.get('name') ?? `Sheet${sheets.length + 1}`, part });
  }
  const pr = /<(?:\w+:)?workbookPr\b([^>]*?)\/?>/.exec(wb);
  const d1904 = pr ? attrs(pr[1]!).get('date1904') : undefined;
  return { sheets, date1904: d1904 === '1' || d1904 === 'true' };
}

/** 0-based column of a cell reference such as "C12", or -1. */
function refColumn(ref: string): number {
  let col = 0;
  let k = 0;
  for (; k < ref.length; k++) {
    const c = ref.charCodeAt(k);
    if (c >= 65 && c <= 90) col = col * 26 + (c - 64);
    else if (c >= 97 && c <= 122) col = col * 26 + (c - 96);
    else break;
  }
  return k === 0 || col > 16384 ? -1 : col - 1;
}

/** Excel's shortest decimal text of a stored number ("0.10000000000000001" -> "0.1"). */
function numberText(v: string): string {
  const x = Number(v);
  return Number.isFinite(x) && v.trim() !== '' ? String(x) : v;
}

/** An Excel date serial as ISO text (YYYY-MM-DD, with the time when there is one). */
function serialDate(serial: number, date1904: boolean): string {
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  const d = new Date(epoch + Math.round(serial * 86400000));
  if (Number.isNaN(d.getTime())) return String(serial);
  const iso = d.toISOString();
  return serial === Math.floor(serial) ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
}

function parseCells(path: string, worksheet: string, xml: string, shared: string[], dates: boolean[], date1904: boolean, warnings: string[]): XlsxRow[] {
  const data = /<(?:\w+:)?sheetData\b[^>]*?(?:\/>|>([\s\S]*?)<\/(?:\w+:)?sheetData>)/.exec(xml);
  if (!data) {
    throw new InputError(`worksheet '${worksheet}' has no cell data (the workbook is damaged)`, { file: path }, 'Save it again from your spreadsheet program, as .xlsx or as CSV');
  }
  const rows: XlsxRow[] = [];
  let naCells = 0;
  let rowNo = 0;
  for (const rm of (data[1] ?? '').matchAll(/<(?:\w+:)?row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:\w+:)?row>)/g)) {
    const r = Number(attrs(rm[1]!).get('r'));
    rowNo = Number.isInteger(r) && r > rowNo ? r : rowNo + 1;
    const fields: string[] = [];
    const dateCols: number[] = [];
    let col = -1;
    for (const cm of (rm[2] ?? '').matchAll(/<(?:\w+:)?c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:\w+:)?c>)/g)) {
      const a = attrs(cm[1]!);
      const ref = a.get('r');
      const at = ref !== undefined ? refColumn(ref) : -1;
      col = at > col ? at : col + 1;
      const inner = cm[2] ?? '';
      const t = a.get('t') ?? 'n';
      const vm = /<(?:\w+:)?v(?:\s[^>]*)?>([\s\S]*?)<\/(?:\w+:)?v>/.exec(inner);
      const v = vm ? unescapeXml(vm[1]!) : '';
      let value: string;
      if (t === 's') value = shared[Number(v)] ?? '';
      else if (t === 'inlineStr') {
        const is = /<(?:\w+:)?is\b[^>]*>([\s\S]*?)<\/(?:\w+:)?is>/.exec(inner);
        value = is ? runText(is[1]!) : '';
      } else if (t === 'str') value = v;
      else if (t === 'b') value = v === '1' ? 'TRUE' : v === '0' ? 'FALSE' : v;
      else if (t === 'e') {
        if (v !== '#N/A') {
          throw new InputError(
            `cell ${columnLetters(col)}${rowNo} of worksheet '${worksheet}' holds the Excel error ${v || '(unknown)'}`,
            { file: path, line: rowNo },
            'Correct the formula, or replace the cell by NA, and save the workbook again',
          );
        }
        naCells++;
        value = '';
      } else if (t === 'd') {
        value = v;
        dateCols.push(col);
      } else {
        const s = Number(a.get('s') ?? 0);
        if (v !== '' && dates[s] === true) {
          value = Number.isFinite(Number(v)) ? serialDate(Number(v), date1904) : v;
          dateCols.push(col);
        } else value = numberText(v);
      }
      while (fields.length < col) fields.push('');
      fields[col] = value.trim();
    }
    if (fields.length > 0) rows.push({ row: rowNo, fields, dateCols });
  }
  if (naCells > 0) warnings.push(`${naCells} cell${naCells === 1 ? '' : 's'} of worksheet '${worksheet}' hold${naCells === 1 ? 's' : ''} #N/A, read as missing`);
  return rows;
}

/** Read the cells of `worksheet` (default: the first) of the workbook at `path`. */
export function readXlsxCells(path: string, worksheet?: string): XlsxCells {
  let buf: Uint8Array;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw openError(path, WHAT, e);
  }
  const meta = unzipParts(path, buf, (n) => n === 'xl/workbook.xml' || n === 'xl/_rels/workbook.xml.rels' || n === 'xl/sharedStrings.xml' || n === 'xl/styles.xml');
  try {
    const { sheets, date1904 } = workbookSheets(path, meta);
    const names = sheets.map((s) => s.name);
    if (sheets.length === 0) throw new InputError('workbook has no worksheets', { file: path }, 'Put the table in the first worksheet and save again, or save it as CSV');
    let chosen = sheets[0]!;
    if (worksheet !== undefined) {
      const hit = sheets.find((s) => s.name === worksheet) ?? sheets.find((s) => s.name.toLowerCase() === worksheet.trim().toLowerCase());
      if (!hit) {
        throw new InputError(
          `has no worksheet '${worksheet}'`,
          { file: path },
          `Its worksheets are: ${names.map((n) => `'${n}'`).join(', ')}; give one of them (--sheet NAME)`,
        );
      }
      chosen = hit;
    }
    const part = unzipParts(path, buf, (n) => n === chosen.part);
    const xml = text(part, chosen.part);
    if (xml === undefined) throw damaged(path, `worksheet '${chosen.name}' (${chosen.part}) is missing`);
    const warnings: string[] = [];
    const rows = parseCells(path, chosen.name, xml, sharedStrings(text(meta, 'xl/sharedStrings.xml')), dateStyles(text(meta, 'xl/styles.xml')), date1904, warnings);
    return { worksheet: chosen.name, worksheets: names, rows, warnings };
  } catch (e) {
    if (e instanceof InputError) throw e;
    // A part that is not the XML Excel writes: the workbook is damaged (never a crash).
    throw damaged(path, e instanceof Error ? e.message : String(e));
  }
}
