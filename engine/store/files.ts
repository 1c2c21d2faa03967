/** Source files as recorded in a project: name, path, size, modification time and SHA-256. */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { InputError } from '../io/errors.js';

export interface SourceFile {
  role: 'bed' | 'bim' | 'fam' | 'genotypes' | 'map' | 'sheet' | 'matrix' | 'pedigree';
  name: string;
  /** Absolute path at import time. */
  path: string;
  size: number;
  mtime: string;
  sha256: string;
}

const CHUNK = 4 << 20;

/** Hash a whole file, reading it in chunks. */
export function hashFile(path: string, role: SourceFile['role']): SourceFile {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new InputError(`cannot be read (${(e as Error).message})`, { file: path }, 'Check the path and the permissions');
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputError(st.isDirectory() ? 'is a folder, not a file' : 'is not a regular file', { file: path }, 'Choose a file');
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    let pos = 0;
    for (;;) {
      const got = readSync(fd, buf, 0, CHUNK, pos);
      if (got <= 0) break;
      h.update(buf.subarray(0, got));
      pos += got;
    }
    return { role, name: basename(path), path: resolve(path), size: pos, mtime: st.mtime.toISOString(), sha256: h.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

export function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export type SourceOwner = { dataset: number } | { sheet: number } | { matrix: number };

export function insertSourceFile(db: Database.Database, owner: SourceOwner, f: SourceFile): void {
  db.prepare(
    'INSERT INTO source_files (dataset_id, sheet_id, matrix_id, role, name, path, size, mtime, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    'dataset' in owner ? owner.dataset : null,
    'sheet' in owner ? owner.sheet : null,
    'matrix' in owner ? owner.matrix : null,
    f.role,
    f.name,
    f.path,
    f.size,
    f.mtime,
    f.sha256,
  );
}

export function sourceFiles(db: Database.Database, owner: SourceOwner): SourceFile[] {
  const [col, id] = 'dataset' in owner ? ['dataset_id', owner.dataset] : 'sheet' in owner ? ['sheet_id', owner.sheet] : ['matrix_id', owner.matrix];
  return db.prepare(`SELECT role, name, path, size, mtime, sha256 FROM source_files WHERE ${col} = ? ORDER BY id`).all(id) as SourceFile[];
}
