/**
 * Who may write to a project. One process at a time holds an exclusive SQLite lock on a small
 * sidecar file, PROJECT-lock; the operating system drops that lock when the process ends, however
 * it ends (exit, crash, SIGKILL, power loss), so a stale lock never blocks the next writer. The
 * holder also records itself in the project's `owner` row, which other processes can read (WAL lets
 * readers in while the writer works) to say who has the project open.
 */
import { unlinkSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import Database from 'better-sqlite3';

export interface OwnerInfo {
  pid: number;
  host: string;
  user: string;
  command: string;
  since: string;
}

export function lockPath(projectPath: string): string {
  return `${projectPath}-lock`;
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/** The writer lock of one project, held by this process until `release`. */
export class WriterLock {
  private constructor(
    private db: Database.Database | undefined,
    readonly path: string,
  ) {}

  /**
   * Take the lock, or return undefined when another process (or another connection in this one)
   * holds it. Other failures (e.g. a read-only folder) throw.
   */
  static tryAcquire(projectPath: string): WriterLock | undefined {
    const path = lockPath(projectPath);
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { timeout: 0 });
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = OFF');
      // An exclusive transaction takes the file lock; in EXCLUSIVE locking mode it is kept after COMMIT.
      db.exec('BEGIN EXCLUSIVE; COMMIT');
      return new WriterLock(db, path);
    } catch (e) {
      db?.close();
      if (isBusy(e)) return undefined;
      throw e;
    }
  }

  get held(): boolean {
    return this.db !== undefined;
  }

  release(): void {
    if (!this.db) return;
    this.db.close();
    this.db = undefined;
    try {
      unlinkSync(this.path);
    } catch {
      // Another process may have opened it meanwhile (or Windows refuses): leaving it is harmless.
    }
  }
}

export function currentOwner(command: string): OwnerInfo {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no user database entry (containers)
  }
  return { pid: process.pid, host: hostname(), user, command, since: new Date().toISOString() };
}

/** Whether the process that wrote `owner` still runs (only knowable on this host). */
export function ownerAlive(owner: OwnerInfo): boolean | undefined {
  if (owner.host !== hostname()) return undefined;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

export function describeOwner(owner: OwnerInfo | undefined): string {
  if (!owner) return 'another process';
  return `${owner.command} (pid ${owner.pid}, user ${owner.user} on ${owner.host}) since ${owner.since}`;
}
