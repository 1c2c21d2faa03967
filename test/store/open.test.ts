import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../engine/io/errors.js';
import { loadPlink } from '../../engine/store/datasets.js';
import { Project, SCHEMA_VERSION } from '../../engine/store/project.js';
import { APPLICATION_ID } from '../../engine/store/schema.js';
import { tempDir } from '../helpers/tmp.js';
import { ROOT, simulatedSet } from './helpers.js';

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

/** Open a project in another Node process and report what happened. */
function openElsewhere(path: string, readonly = false): string {
  const dist = join(ROOT, 'dist', 'engine', 'store', 'project.js');
  const code = `import { Project } from ${JSON.stringify(dist)};
try { const p = Project.open(${JSON.stringify(path)}, { readonly: ${readonly} }); console.log('opened', p.runs().length); p.close(); }
catch (e) { console.log(e.message); }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  return (r.stdout + r.stderr).trim();
}

describe('opening a project', () => {
  const dir = tempDir('kinscan-store-open-');
  const set = simulatedSet(dir, 'sim', 40, 300, 5);

  it('creates one SQLite file in WAL mode with foreign keys on, marked as a Kinscan project of the current layout', () => {
    const path = join(dir, 'new.kinscan');
    const p = Project.open(path, { create: true, command: 'test' });
    try {
      expect(p.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(p.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(p.db.pragma('synchronous', { simple: true })).toBe(2);
      expect(p.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
      expect(p.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(p.db.pragma('page_size', { simple: true })).toBe(16384);
      expect(p.uncleanClose).toBe(false);
      expect(existsSync(`${path}-lock`)).toBe(true);
    } finally {
      p.close();
    }
    // A clean close leaves the one file.
    expect([existsSync(`${path}-wal`), existsSync(`${path}-shm`), existsSync(`${path}-lock`)]).toEqual([false, false, false]);
    const again = Project.open(path);
    expect(again.uncleanClose).toBe(false);
    again.close();
    // Also after a read-only look.
    Project.open(path, { readonly: true }).close();
    expect([existsSync(`${path}-wal`), existsSync(`${path}-shm`), existsSync(`${path}-lock`)]).toEqual([false, false, false]);
  });

  it('refuses what is not a Kinscan project, with the file name and what to do', () => {
    expect(inputError(() => Project.open(join(dir, 'missing.kinscan'))).message).toMatch(/missing\.kinscan: no such project\. .*kinscan import --project/);
    const text = join(dir, 'notes.kinscan');
    writeFileSync(text, 'chr\trs\tps\n'.repeat(50));
    expect(inputError(() => Project.open(text)).message).toMatch(/notes\.kinscan: is not a Kinscan project \(not an SQLite database\)/);
    expect(inputError(() => Project.open(text, { readonly: true })).message).toMatch(/is not a Kinscan project/);
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(inputError(() => Project.open(other)).message).toMatch(/other\.db: is not a Kinscan project \(an SQLite database of another program\)/);
    const empty = join(dir, 'empty.kinscan');
    writeFileSync(empty, '');
    expect(inputError(() => Project.open(empty)).message).toMatch(/is not a Kinscan project \(an empty file\)/);
  });

  it('refuses a project written by a newer Kinscan', () => {
    const path = join(dir, 'newer.kinscan');
    Project.open(path, { create: true }).close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(inputError(() => Project.open(path)).message).toMatch(
      new RegExp(`newer\\.kinscan: was written by a newer Kinscan \\(project layout version ${SCHEMA_VERSION + 1}; .* reads up to ${SCHEMA_VERSION}\\)\\. Open it with the newer Kinscan`),
    );
  });

  it('finds a damaged file on opening (quick_check), and a damaged genotype block on reading it', () => {
    const path = join(dir, 'damaged.kinscan');
    const p = Project.open(path, { create: true });
    const { id } = p.importDataset(set.prefix);
    const pageSize = p.db.pragma('page_size', { simple: true }) as number;
    const root = p.db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'source_files_dataset'").pluck().get() as number;
    // A flipped byte inside a genotype BLOB: the zlib checksum catches it when the block is read.
    p.db.prepare('UPDATE genotype_blocks SET data = substr(data, 1, 20) || x\'00ff\' || substr(data, 23) WHERE dataset_id = ? AND block = 0').run(id);
    const bed = loadPlink(p.db, id).bed;
    expect(inputError(() => bed.readPacked(0, 10, new Uint8Array(10 * bed.bytesPerSnp))).message).toMatch(/damaged\.kinscan: genotype block 0 of dataset sim is damaged/);
    p.close();
    // Garbage over an index page.
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (root - 1) * pageSize);
    closeSync(fd);
    for (const readonly of [false, true]) {
      const e = inputError(() => Project.open(path, { readonly }));
      expect(e.message).toMatch(/damaged\.kinscan: the project file is damaged \(.+\)\. Restore the project from a backup copy/);
    }
  });

  it('a second writer is told who has the project open; readers may look meanwhile', () => {
    const path = join(dir, 'busy.kinscan');
    const p = Project.open(path, { create: true, command: 'kinscan scan' });
    try {
      const e = inputError(() => Project.open(path, { command: 'kinscan import' }));
      expect(e.message).toMatch(new RegExp(`busy\\.kinscan: the project is in use by kinscan scan \\(pid ${process.pid}, user .+ on .+\\) since \\d{4}-`));
      // Another process: the same answer for a writer, a view for a reader.
      expect(openElsewhere(path)).toMatch(new RegExp(`the project is in use by kinscan scan \\(pid ${process.pid}`));
      expect(openElsewhere(path, true)).toBe('opened 0');
      const r = Project.open(path, { readonly: true });
      expect(r.runs()).toEqual([]);
      r.close();
    } finally {
      p.close();
    }
    expect(openElsewhere(path)).toBe('opened 0');
  });

  it('a stale owner left by a killed process does not block: the next writer runs the full integrity check', () => {
    const path = join(dir, 'stale.kinscan');
    Project.open(path, { create: true }).close();
    const db = new Database(path);
    db.prepare("INSERT INTO owner (id, pid, host, user, command, since) VALUES (1, 999999, 'elsewhere', 'x', 'kinscan scan', '2020-01-01T00:00:00Z')").run();
    db.close();
    const p = Project.open(path);
    try {
      expect(p.uncleanClose).toBe(true);
      expect(p['opened'].checked).toBe('integrity_check');
    } finally {
      p.close();
    }
  });
});
