/** Kinship matrix files (--kinship FILE) imported into a project, read back without the file. */
import { basename } from 'node:path';
import type Database from 'better-sqlite3';
import { InputError } from '../io/errors.js';
import { readSquareMatrix, type SquareMatrix } from '../io/matrix-text.js';
import { nowIso } from './codec.js';
import { readParts, writeParts } from './chunks.js';
import { hashFile, insertSourceFile } from './files.js';

export function importMatrix(db: Database.Database, path: string): { id: number; created: boolean } {
  const file = hashFile(path, 'matrix');
  const existing = db.prepare('SELECT id FROM matrices WHERE sha256 = ?').pluck().get(file.sha256) as number | undefined;
  if (existing !== undefined) return { id: existing, created: false };
  const m = readSquareMatrix(path);
  const id = db.transaction(() => {
    const info = db.prepare('INSERT INTO matrices (name, path, n, sha256, imported_at) VALUES (?, ?, ?, ?, ?)').run(basename(path), file.path, m.n, file.sha256, nowIso());
    const id = Number(info.lastInsertRowid);
    insertSourceFile(db, { matrix: id }, file);
    const ins = db.prepare('INSERT INTO matrix_chunks (matrix_id, part, data) VALUES (?, ?, ?)');
    writeParts(m.data, (part, blob) => ins.run(id, part, blob));
    return id;
  })();
  return { id, created: true };
}

export function loadMatrix(db: Database.Database, id: number): SquareMatrix {
  const r = db.prepare('SELECT n, name FROM matrices WHERE id = ?').get(id) as { n: number; name: string } | undefined;
  if (!r) throw new InputError(`has no kinship matrix ${id}`, { file: db.name }, 'Import the matrix again with kinscan import --kinship FILE');
  const parts = db.prepare('SELECT data FROM matrix_chunks WHERE matrix_id = ? ORDER BY part').pluck().iterate(id) as Iterable<Buffer>;
  const data = readParts(parts, r.n * r.n);
  if (!data) throw new InputError(`the kinship matrix ${r.name} is incomplete`, { file: db.name }, 'Restore the project from a backup copy, or import the matrix into a new project');
  return { n: r.n, data };
}

export interface MatrixInfo {
  id: number;
  name: string;
  path: string;
  n: number;
  importedAt: string;
}

export function listMatrices(db: Database.Database): MatrixInfo[] {
  return db.prepare('SELECT id, name, path, n, imported_at AS importedAt FROM matrices ORDER BY id').all() as MatrixInfo[];
}
