/** Kinship matrix files (--kinship FILE) imported into a project, read back without the file. */
import { basename } from 'node:path';
import type Database from 'better-sqlite3';
import { InputError } from '../io/errors.js';
import { readSquareMatrix, type SquareMatrix } from '../io/matrix-text.js';
import { nowIso } from './codec.js';
import { readParts, writeParts } from './chunks.js';
import { hashFile, insertSourceFile, sha256Text } from './files.js';
import { pedigreeKinship, type PedigreeKinship, type PedigreeNote } from '../stats/pedigree-relationship.js';
import { loadFam } from './datasets.js';

export function importMatrix(db: Database.Database, path: string): { id: number; created: boolean } {
  const file = hashFile(path, 'matrix');
  const existing = db.prepare('SELECT id FROM matrices WHERE sha256 = ?').pluck().get(file.sha256) as number | undefined;
  if (existing !== undefined) return { id: existing, created: false };
  const m = readSquareMatrix(path);
  const id = db.transaction(() => {
    const info = db
      .prepare('INSERT INTO matrices (name, path, n, sha256, imported_at, ids) VALUES (?, ?, ?, ?, ?, ?)')
      .run(basename(path), file.path, m.n, file.sha256, nowIso(), m.ids ? JSON.stringify(m.ids) : null);
    const id = Number(info.lastInsertRowid);
    insertSourceFile(db, { matrix: id }, file);
    const ins = db.prepare('INSERT INTO matrix_chunks (matrix_id, part, data) VALUES (?, ?, ?)');
    writeParts(m.data, (part, blob) => ins.run(id, part, blob));
    return id;
  })();
  return { id, created: true };
}

/**
 * A pedigree's A over a dataset's individuals (in .fam order, matched by IID), stored as a matrix
 * of the project so that runs never read the pedigree again. Its record (animals, inbreeding,
 * warnings) is kept in the meta table under `pedigree_matrix:<id>`. One matrix per pedigree
 * content, dataset and founder option.
 */
export function importPedigreeMatrix(db: Database.Database, setting: { pedigree: string; unlistedFounders?: boolean }, datasetId: number): { id: number; created: boolean; pedigree: PedigreeNote } {
  const file = hashFile(setting.pedigree, 'pedigree');
  const key = sha256Text(`pedigree\0${file.sha256}\0dataset ${datasetId}\0${setting.unlistedFounders ? 'unlisted founders' : 'all listed'}`);
  const existing = db.prepare('SELECT id FROM matrices WHERE sha256 = ?').pluck().get(key) as number | undefined;
  if (existing !== undefined) return { id: existing, created: false, pedigree: pedigreeNote(db, existing)! };
  const fam = loadFam(db, datasetId);
  const a = pedigreeKinship(setting.pedigree, fam.iid, { listName: `the dataset's individuals (${basename(fam.path)})`, ...(setting.unlistedFounders ? { unlistedAsFounders: true } : {}) });
  const id = db.transaction(() => {
    const info = db.prepare('INSERT INTO matrices (name, path, n, sha256, imported_at) VALUES (?, ?, ?, ?, ?)').run(basename(setting.pedigree), file.path, a.n, key, nowIso());
    const id = Number(info.lastInsertRowid);
    insertSourceFile(db, { matrix: id }, file);
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(`pedigree_matrix:${id}`, JSON.stringify({ ...a.pedigree, file: file.path }));
    // Which dataset's individuals A is over, and how unlisted ones were taken: the UI lists a pedigree per dataset.
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(`pedigree_matrix_for:${id}`, JSON.stringify({ datasetId, unlistedFounders: setting.unlistedFounders === true }));
    const ins = db.prepare('INSERT INTO matrix_chunks (matrix_id, part, data) VALUES (?, ?, ?)');
    writeParts(a.data, (part, blob) => ins.run(id, part, blob));
    return id;
  })();
  return { id, created: true, pedigree: pedigreeNote(db, id)! };
}

/** The record of a stored pedigree's A (undefined for a kinship matrix file). */
function pedigreeNote(db: Database.Database, id: number): PedigreeNote | undefined {
  const note = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(`pedigree_matrix:${id}`) as string | undefined;
  return note === undefined ? undefined : (JSON.parse(note) as PedigreeNote);
}

/** A stored matrix, with its pedigree record when it is a pedigree's A. */
export function loadMatrix(db: Database.Database, id: number): SquareMatrix | PedigreeKinship {
  const r = db.prepare('SELECT n, name, ids FROM matrices WHERE id = ?').get(id) as { n: number; name: string; ids: string | null } | undefined;
  if (!r) throw new InputError(`has no kinship matrix ${id}`, { file: db.name }, 'Import the matrix again with kinscan import --kinship FILE');
  const parts = db.prepare('SELECT data FROM matrix_chunks WHERE matrix_id = ? ORDER BY part').pluck().iterate(id) as Iterable<Buffer>;
  const data = readParts(parts, r.n * r.n);
  if (!data) throw new InputError(`the kinship matrix ${r.name} is incomplete`, { file: db.name }, 'Restore the project from a backup copy, or import the matrix into a new project');
  const pedigree = pedigreeNote(db, id);
  if (pedigree !== undefined) return { n: r.n, data, pedigree };
  // A file with an ID header keeps its IDs, so the scan can put it in .fam order.
  return r.ids !== null ? { n: r.n, data, ids: JSON.parse(r.ids) as string[] } : { n: r.n, data };
}

/** A stored pedigree's A: its record, with the dataset it is over and the founder option (null for one stored before these were kept). */
export interface PedigreeMatrixNote extends PedigreeNote {
  datasetId: number | null;
  unlistedFounders: boolean;
}

export interface MatrixInfo {
  id: number;
  name: string;
  path: string;
  n: number;
  importedAt: string;
  /** Present when the matrix is a pedigree's A. */
  pedigree?: PedigreeMatrixNote;
}

export function listMatrices(db: Database.Database): MatrixInfo[] {
  const rows = db.prepare('SELECT id, name, path, n, imported_at AS importedAt FROM matrices ORDER BY id').all() as MatrixInfo[];
  const forOf = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  return rows.map((m) => {
    const note = pedigreeNote(db, m.id);
    if (note === undefined) return m;
    const target = forOf.get(`pedigree_matrix_for:${m.id}`) as string | undefined;
    const made = target === undefined ? { datasetId: null, unlistedFounders: note.unlisted > 0 } : (JSON.parse(target) as { datasetId: number; unlistedFounders: boolean });
    return { ...m, pedigree: { ...note, ...made } };
  });
}
