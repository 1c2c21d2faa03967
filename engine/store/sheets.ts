/**
 * Phenotype and covariate sheets in a project: the parsed sheet (IDs, numeric columns as Float64
 * BLOBs, text columns as JSON) stored once per file content and reading (an .xlsx worksheet, a
 * forced headerless reading), and read back as the engine's Sheet. A dataset's .fam phenotypes are
 * stored the same way (famSheetId), so a scan without a sheet records one like any other.
 */
import { basename } from 'node:path';
import type Database from 'better-sqlite3';
import { InputError } from '../io/errors.js';
import { readSheet, type ReadSheetOptions, type Sheet, type SheetDelimiter } from '../io/sheet.js';
import { famSheet } from '../io/sheet-fam.js';
import { blobToF64, nowIso, toBlob } from './codec.js';
import { loadFam } from './datasets.js';
import { hashFile, insertSourceFile, sourceFiles, type SourceFile } from './files.js';

export interface SheetInfo {
  id: number;
  name: string;
  path: string;
  idColumn: string;
  fidColumn: string | undefined;
  rows: number;
  /** Data columns (numeric and text), in file order. */
  columns: string[];
  numericColumns: string[];
  /** GEMMA's headerless format: rows matched to the genotypes by order. */
  positional: boolean;
  decimalComma: boolean;
  /** The worksheet read, for an .xlsx workbook. */
  worksheet: string | undefined;
  /** What the reader stated when the sheet was imported. */
  warnings: string[];
  importedAt: string;
  files: SourceFile[];
}

interface SheetRow {
  id: number;
  name: string;
  path: string;
  id_column: string;
  fid_column: string | null;
  delimiter: SheetDelimiter;
  header_line: number;
  n_rows: number;
  positional: number;
  decimal_comma: number;
  worksheet: string | null;
  warnings: string;
  imported_at: string;
}

/** Which sheets.sha256 a reading of a file is stored under: its content hash, with the options that change the reading. */
function contentKey(sha256: string, opts: ReadSheetOptions): string {
  return sha256 + (opts.worksheet !== undefined ? `#worksheet=${opts.worksheet}` : '') + (opts.positional !== undefined ? `#positional=${opts.positional}` : '') + (opts.idColumn !== undefined ? `#id=${opts.idColumn}` : '');
}

/** Import a sheet file, once per content and options (the same: the existing sheet). */
export function importSheet(db: Database.Database, path: string, opts: ReadSheetOptions = {}): { id: number; created: boolean } {
  const file = hashFile(path, 'sheet');
  const key = contentKey(file.sha256, opts);
  const existing = db.prepare('SELECT id FROM sheets WHERE sha256 = ?').pluck().get(key) as number | undefined;
  if (existing !== undefined) return { id: existing, created: false };
  return { id: storeSheet(db, readSheet(path, opts), basename(path), key, file), created: true };
}

/**
 * The .fam phenotypes of a dataset as a sheet of the project (columns '1', '2', ...), stored once
 * per dataset.
 */
export function famSheetId(db: Database.Database, datasetId: number): number {
  const fam = loadFam(db, datasetId);
  const files = sourceFiles(db, { dataset: datasetId });
  const famFile = files.find((f) => f.role === 'fam');
  const key = `fam-phenotypes#dataset=${datasetId}#${famFile?.sha256 ?? ''}`;
  const existing = db.prepare('SELECT id FROM sheets WHERE sha256 = ?').pluck().get(key) as number | undefined;
  if (existing !== undefined) return existing;
  return storeSheet(db, famSheet(fam), `${basename(fam.path)} (phenotype columns)`, key, famFile);
}

/** Is sheet `id` a dataset's .fam phenotypes (famSheetId), rather than a file the user gave? */
export function isFamSheet(db: Database.Database, id: number): boolean {
  const key = db.prepare('SELECT sha256 FROM sheets WHERE id = ?').pluck().get(id) as string | undefined;
  return key?.startsWith('fam-phenotypes#') ?? false;
}

function storeSheet(db: Database.Database, sheet: Sheet, name: string, key: string, file: SourceFile | undefined): number {
  return db.transaction(() => {
    const info = db
      .prepare(
        'INSERT INTO sheets (name, path, id_column, fid_column, delimiter, header_line, n_rows, sha256, imported_at, positional, decimal_comma, worksheet, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        name,
        file?.path ?? sheet.path,
        sheet.idColumn,
        sheet.fidColumn ?? null,
        sheet.delimiter,
        sheet.headerLine,
        sheet.ids.length,
        key,
        nowIso(),
        sheet.positional ? 1 : 0,
        sheet.decimalComma ? 1 : 0,
        sheet.worksheet ?? null,
        JSON.stringify(sheet.warnings),
      );
    const id = Number(info.lastInsertRowid);
    if (file) insertSourceFile(db, { sheet: id }, { ...file, role: 'sheet' });
    const insRow = db.prepare('INSERT INTO sheet_rows (sheet_id, row, id, fid, line) VALUES (?, ?, ?, ?, ?)');
    for (let r = 0; r < sheet.ids.length; r++) insRow.run(id, r, sheet.ids[r], sheet.fids?.[r] ?? null, sheet.line[r]);
    const insCol = db.prepare('INSERT INTO sheet_columns (sheet_id, col, name, kind, data, text, first_line, first_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    sheet.columns.forEach((name, c) => {
      const v = sheet.values.get(name);
      if (v) insCol.run(id, c, name, 'numeric', toBlob(v), null, null, null);
      else {
        const first = sheet.textFirst.get(name);
        insCol.run(id, c, name, 'text', null, JSON.stringify(sheet.text.get(name) ?? []), first?.line ?? null, first?.value ?? null);
      }
    });
    return id;
  })();
}

function sheetRow(db: Database.Database, id: number): SheetRow {
  const r = db
    .prepare('SELECT id, name, path, id_column, fid_column, delimiter, header_line, n_rows, positional, decimal_comma, worksheet, warnings, imported_at FROM sheets WHERE id = ?')
    .get(id) as SheetRow | undefined;
  if (!r) throw new InputError(`has no sheet ${id}`, { file: db.name }, `List the runs and their sheets with kinscan runs --project ${db.name} --json`);
  return r;
}

/** The sheet as the engine reads it (its path is the original file's, for messages). */
export function loadSheet(db: Database.Database, id: number): Sheet {
  const s = sheetRow(db, id);
  const n = s.n_rows;
  const ids: string[] = new Array<string>(n);
  const fids: string[] = new Array<string>(n);
  const line = new Int32Array(n);
  let r = 0;
  for (const x of db.prepare('SELECT id, fid, line FROM sheet_rows WHERE sheet_id = ? ORDER BY row').raw().iterate(id) as Iterable<[string, string | null, number]>) {
    ids[r] = x[0];
    fids[r] = x[1] ?? '';
    line[r] = x[2];
    r++;
  }
  const columns: string[] = [];
  const values = new Map<string, Float64Array>();
  const text = new Map<string, string[]>();
  const textFirst = new Map<string, { line: number; value: string }>();
  const cols = db.prepare('SELECT name, kind, data, text, first_line, first_value FROM sheet_columns WHERE sheet_id = ? ORDER BY col').all(id) as {
    name: string;
    kind: 'numeric' | 'text';
    data: Buffer | null;
    text: string | null;
    first_line: number | null;
    first_value: string | null;
  }[];
  for (const c of cols) {
    columns.push(c.name);
    if (c.kind === 'numeric') values.set(c.name, blobToF64(c.data!));
    else {
      text.set(c.name, JSON.parse(c.text ?? '[]') as string[]);
      if (c.first_line !== null) textFirst.set(c.name, { line: c.first_line, value: c.first_value ?? '' });
    }
  }
  const sheet: Sheet = { path: s.path, idColumn: s.id_column, ids, columns, values, text, textFirst, line, headerLine: s.header_line, delimiter: s.delimiter, warnings: JSON.parse(s.warnings) as string[] };
  if (s.positional) sheet.positional = true;
  if (s.decimal_comma) sheet.decimalComma = true;
  if (s.worksheet !== null) sheet.worksheet = s.worksheet;
  if (s.fid_column !== null) {
    sheet.fidColumn = s.fid_column;
    sheet.fids = fids;
  }
  return sheet;
}

export function getSheet(db: Database.Database, id: number): SheetInfo {
  const s = sheetRow(db, id);
  const cols = db.prepare('SELECT name, kind FROM sheet_columns WHERE sheet_id = ? ORDER BY col').all(id) as { name: string; kind: string }[];
  return {
    id: s.id,
    name: s.name,
    path: s.path,
    idColumn: s.id_column,
    fidColumn: s.fid_column ?? undefined,
    rows: s.n_rows,
    columns: cols.map((c) => c.name),
    numericColumns: cols.filter((c) => c.kind === 'numeric').map((c) => c.name),
    positional: s.positional === 1,
    decimalComma: s.decimal_comma === 1,
    worksheet: s.worksheet ?? undefined,
    warnings: JSON.parse(s.warnings) as string[],
    importedAt: s.imported_at,
    files: sourceFiles(db, { sheet: id }),
  };
}

export function listSheets(db: Database.Database): SheetInfo[] {
  return (db.prepare('SELECT id FROM sheets ORDER BY id').pluck().all() as number[]).map((id) => getSheet(db, id));
}
