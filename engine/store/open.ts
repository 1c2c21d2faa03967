/**
 * Opening a project file: identity and version checks, integrity check, pragmas (WAL, foreign keys,
 * full sync), the writer lock and the owner record, forward migrations. Every problem is an
 * InputError naming the file and what to do.
 *
 * A read-only open writes nothing, anywhere: no lock, no owner row, no migration (a file of an
 * older layout is refused with what to do), no marking of interrupted runs, no checkpoint. A writer
 * leaves the file in rollback-journal mode when it closes (WAL again when the next writer opens),
 * so a reader of a closed project opens no -wal and -shm files either; a reader that looks while a
 * writer works shares the writer's.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { InputError } from '../io/errors.js';
import { VERSION } from '../version.js';
import { assertLittleEndian, nowIso } from './codec.js';
import { currentOwner, describeOwner, ownerAlive, WriterLock, type OwnerInfo } from './lock.js';
import { createV1, migrate, SCHEMA_VERSION } from './migrations.js';
import { APPLICATION_ID } from './schema.js';

export interface OpenOptions {
  /** Open for reading only: no lock, no writes (several readers may look while a writer works). */
  readonly?: boolean;
  /** Create the file when it does not exist (writers only). */
  create?: boolean;
  /** What this process is, for the "in use by ..." message of others (default: the command line). */
  command?: string;
  /**
   * 'quick' (PRAGMA quick_check, default), 'full' (PRAGMA integrity_check), or 'none' (for a second
   * connection of a process that has already checked the file). Both checks read the whole file
   * (about 10 ms per MB). After an unclean close a writer always runs the full check.
   */
  check?: 'none' | 'quick' | 'full';
}

export interface OpenedDatabase {
  db: Database.Database;
  path: string;
  readonly: boolean;
  /** The previous writer did not close the project (crash, kill, power loss). */
  uncleanClose: boolean;
  /** The schema versions applied while opening. */
  migrated: number[];
  /** Which check ran on open. */
  checked: 'none' | 'quick_check' | 'integrity_check';
  close(): void;
}

const SQLITE_MAGIC = 'SQLite format 3\u0000';

const notAProject = (path: string, what: string): InputError =>
  new InputError(
    `is not a Kinscan project (${what})`,
    { file: path },
    'Give a .kinscan file made by Kinscan, or a new file name to create a project (kinscan import --project NEW.kinscan --bfile PREFIX --pheno FILE)',
  );

const damaged = (path: string, detail: string): InputError =>
  new InputError(
    `the project file is damaged (${detail})`,
    { file: path },
    'Restore the project from a backup copy, or create a new project and import the source files again; do not keep writing to this file',
  );

/** Map SQLite's failures (not a database, damaged, read-only, disk full...) to clear messages; other errors pass through. */
export function sqliteProblem(path: string, e: unknown): Error {
  const code = (e as { code?: string }).code ?? '';
  const msg = (e as Error).message ?? String(e);
  if (code === 'SQLITE_NOTADB') return notAProject(path, 'not an SQLite database');
  if (code.startsWith('SQLITE_CORRUPT')) return damaged(path, msg);
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new InputError('cannot be opened', { file: path }, 'Check that the file and its folder exist and that you may read and write them');
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new InputError(
      'cannot be written (read-only file, folder or medium)',
      { file: path },
      'Copy the project to a writable folder, or open it read-only (kinscan runs / export)',
    );
  }
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) {
    return new InputError('could not be written: the disk is full or failing', { file: path }, 'Free some disk space and try again');
  }
  return e as Error;
}

/** First 16 bytes: the SQLite header, or a clear error. Returns the file size. */
/** Page size of a new project file. */
const PAGE_BYTES = 16384;

function checkHeader(path: string): number {
  const st = statSync(path);
  if (!st.isFile()) throw notAProject(path, 'a folder or device, not a file');
  const size = st.size;
  if (size === 0) return 0;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(16);
    const got = readSync(fd, head, 0, 16, 0);
    if (got < 16 || head.toString('latin1') !== SQLITE_MAGIC) {
      throw notAProject(path, size < 100 ? `only ${size} bytes` : 'not an SQLite database');
    }
  } finally {
    closeSync(fd);
  }
  return size;
}

function readOwner(db: Database.Database): OwnerInfo | undefined {
  try {
    return db.prepare('SELECT pid, host, user, command, since FROM owner WHERE id = 1').get() as OwnerInfo | undefined;
  } catch {
    return undefined;
  }
}

/** The owner recorded in a project, read with a separate read-only connection (for "in use by"). */
export function peekOwner(path: string): OwnerInfo | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 2000 });
    return readOwner(db);
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

function inUse(path: string): InputError {
  const owner = peekOwner(path);
  return new InputError(
    `the project is in use by ${describeOwner(owner)}`,
    { file: path },
    'Wait until that finishes or close the project there (reading it with kinscan runs or export works meanwhile); a project left open by a process that has stopped is released automatically',
  );
}

function runCheck(db: Database.Database, path: string, full: boolean): void {
  let rows: string[];
  try {
    rows = db.prepare(full ? 'PRAGMA integrity_check(20)' : 'PRAGMA quick_check(20)').pluck().all() as string[];
  } catch (e) {
    throw sqliteProblem(path, e);
  }
  if (rows.length !== 1 || rows[0] !== 'ok') {
    const lines = rows
      .flatMap((r) => r.split('\n'))
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('*** in database'));
    throw damaged(path, `${full ? 'integrity_check' : 'quick_check'}: ${lines.slice(0, 3).join('; ')}`);
  }
}

/** Check identity and version; returns the schema version (0 for an empty database). */
function identify(db: Database.Database, path: string): number {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get() as number;
  if (appId === 0 && version === 0 && tables === 0) return 0;
  if (appId !== APPLICATION_ID) throw notAProject(path, 'an SQLite database of another program');
  if (version > SCHEMA_VERSION) {
    throw new InputError(
      `was written by a newer Kinscan (project layout version ${version}; this Kinscan ${VERSION} reads up to ${SCHEMA_VERSION})`,
      { file: path },
      'Open it with the newer Kinscan, or update Kinscan on this machine',
    );
  }
  if (version < 1) throw damaged(path, `project layout version ${version}`);
  return version;
}

function openReadonly(path: string, opts: OpenOptions): OpenedDatabase {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  } catch (e) {
    throw sqliteProblem(path, e);
  }
  try {
    let version: number;
    try {
      version = identify(db, path);
    } catch (e) {
      throw e instanceof InputError ? e : sqliteProblem(path, e);
    }
    if (version === 0) throw notAProject(path, 'an empty database');
    if (version < SCHEMA_VERSION) {
      // Reading never writes: the upgrade is a writer's (any command that changes the project).
      throw new InputError(
        `was written by an older Kinscan (project layout version ${version}; this Kinscan ${VERSION} writes version ${SCHEMA_VERSION}) and is opened read-only here, so it is not upgraded`,
        { file: path },
        `Open it once for writing to upgrade it (e.g. kinscan compact --project ${path} --keep-cache), then read it`,
      );
    }
    const full = opts.check === 'full';
    if (opts.check !== 'none') runCheck(db, path, full);
    const owner = readOwner(db);
    return {
      db,
      path,
      readonly: true,
      // An owner row with its process gone (on this host) means the writer did not close the project.
      uncleanClose: owner !== undefined && ownerAlive(owner) === false,
      migrated: [],
      checked: opts.check === 'none' ? 'none' : full ? 'integrity_check' : 'quick_check',
      close: () => db.close(),
    };
  } catch (e) {
    if (db.open) db.close();
    throw e;
  }
}

function openWriter(path: string, opts: OpenOptions): OpenedDatabase {
  const exists = existsSync(path);
  if (!exists && !opts.create) {
    throw new InputError(
      'no such project',
      { file: path },
      'Check the path, or create the project with kinscan import --project FILE --bfile PREFIX --pheno FILE',
    );
  }
  const size = exists ? checkHeader(path) : 0;
  if (exists && size === 0 && !opts.create) throw notAProject(path, 'an empty file');

  let lock: WriterLock | undefined;
  try {
    lock = WriterLock.tryAcquire(path);
  } catch (e) {
    throw sqliteProblem(path, e);
  }
  if (!lock) throw inUse(path);
  const held = lock;
  let db: Database.Database | undefined;
  try {
    try {
      db = new Database(path, { timeout: 5000 });
      // A new file's page size (fixed once the first table is written): 16 KiB pages hold the
      // genotype blocks in a quarter of the pages of SQLite's default 4 KiB, so a big import's
      // commit and checkpoint write a quarter of the frames (a third of the commit's time at 1M
      // SNPs). An existing project keeps the size it was made with.
      if (size === 0) db.pragma(`page_size = ${PAGE_BYTES}`);
      const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
      if (mode !== 'wal') throw new Error(`journal_mode is ${mode}, not wal`);
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma('cache_size = -65536');
    } catch (e) {
      throw sqliteProblem(path, e);
    }
    let version: number;
    try {
      version = identify(db, path);
    } catch (e) {
      throw e instanceof InputError ? e : sqliteProblem(path, e);
    }
    const conn = db;
    if (version === 0) {
      if (!opts.create) throw notAProject(path, 'an empty database');
      conn.transaction(() => {
        conn.pragma(`application_id = ${APPLICATION_ID}`);
        createV1(conn);
        const put = conn.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
        put.run('created_at', nowIso());
        put.run('created_by', `kinscan ${VERSION}`);
      })();
      version = 1;
    }
    const stale = readOwner(conn);
    const full = opts.check === 'full' || stale !== undefined;
    if (full || opts.check !== 'none') runCheck(conn, path, full);
    let migrated: number[];
    try {
      migrated = migrate(conn, version);
    } catch (e) {
      throw sqliteProblem(path, e);
    }
    const me = currentOwner(opts.command ?? defaultCommand());
    conn.prepare('INSERT OR REPLACE INTO owner (id, pid, host, user, command, since) VALUES (1, ?, ?, ?, ?, ?)').run(me.pid, me.host, me.user, me.command, me.since);
    return {
      db: conn,
      path,
      readonly: false,
      uncleanClose: stale !== undefined,
      migrated,
      checked: full ? 'integrity_check' : opts.check === 'none' ? 'none' : 'quick_check',
      close: () => {
        try {
          if (conn.open) {
            conn.prepare('DELETE FROM owner WHERE id = 1').run();
            conn.pragma('optimize');
            leaveWal(conn);
            conn.close();
          }
        } finally {
          held.release();
        }
      },
    };
  } catch (e) {
    if (db?.open) db.close();
    held.release();
    throw e;
  }
}

/**
 * Back to rollback-journal mode before the last close (checkpointing the log into the file), so
 * that a reader of the closed project opens no -wal and -shm files. With a reader still looking
 * the switch is refused at once (busy): the files stay until the next writer, which is harmless.
 */
function leaveWal(conn: Database.Database): void {
  try {
    conn.pragma('busy_timeout = 0');
    conn.pragma('journal_mode = DELETE');
  } catch {
    // SQLITE_BUSY: another connection has the project open.
  }
}

function defaultCommand(): string {
  const script = process.argv[1] ?? 'node';
  const name = /kinscan(\.js)?$/.test(script) ? 'kinscan' : script.split(/[\\/]/).pop()!;
  const sub = process.argv[2];
  return sub && !sub.startsWith('-') ? `${name} ${sub}` : name;
}

/** Open (or create) a project database. */
export function openDatabase(path: string, opts: OpenOptions = {}): OpenedDatabase {
  assertLittleEndian();
  if (opts.readonly) {
    if (!existsSync(path)) throw new InputError('no such project', { file: path }, 'Check the path of the .kinscan file');
    const size = checkHeader(path);
    if (size === 0) throw notAProject(path, 'an empty file');
    return openReadonly(path, opts);
  }
  return openWriter(path, opts);
}
