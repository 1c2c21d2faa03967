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

/**
 * A file's SHA-256, read a piece at a time (step) or to the end (done): an import hashes its
 * genotype file between batches, so the hashing rides along with the reading.
 */
export class FileHasher {
  private readonly fd: number;
  private readonly mtime: string;
  /** The file's size when opened. */
  readonly size: number;
  private readonly hash = createHash('sha256');
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  private ended = false;
  private closed = false;
  private result: SourceFile | undefined;

  constructor(
    private readonly path: string,
    private readonly role: SourceFile['role'],
  ) {
    try {
      this.fd = openSync(path, 'r');
    } catch (e) {
      throw new InputError(`cannot be read (${(e as Error).message})`, { file: path }, 'Check the path and the permissions');
    }
    try {
      const st = fstatSync(this.fd);
      if (!st.isFile()) throw new InputError(st.isDirectory() ? 'is a folder, not a file' : 'is not a regular file', { file: path }, 'Choose a file');
      this.mtime = st.mtime.toISOString();
      this.size = st.size;
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  /** Bytes hashed so far. */
  get hashed(): number {
    return this.pos;
  }

  /** Hash about `bytes` more (nothing once at the end, or for bytes <= 0). */
  step(bytes: number): void {
    for (let left = Math.floor(bytes); left > 0 && !this.ended; ) {
      const got = readSync(this.fd, this.buf, 0, Math.min(CHUNK, left), this.pos);
      if (got <= 0) {
        this.ended = true;
        break;
      }
      this.hash.update(this.buf.subarray(0, got));
      this.pos += got;
      left -= got;
    }
  }

  /** The rest hashed: the file as recorded (the descriptor closed). */
  done(): SourceFile {
    if (this.result) return this.result;
    try {
      while (!this.ended) this.step(CHUNK);
    } finally {
      this.close();
    }
    this.result = { role: this.role, name: basename(this.path), path: resolve(this.path), size: this.pos, mtime: this.mtime, sha256: this.hash.digest('hex') };
    return this.result;
  }

  /** Close the file (after a failure: done() closes it otherwise); once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ended = true;
    closeSync(this.fd);
  }
}

/** Hash a whole file, reading it in chunks. */
export function hashFile(path: string, role: SourceFile['role']): SourceFile {
  return new FileHasher(path, role).done();
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
