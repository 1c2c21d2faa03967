/**
 * A read-only open writes nothing: after opening read-only and running every query, the project
 * file's bytes and mtime are unchanged, no -wal, -shm or -lock file appears, no owner is
 * recorded, and a run left 'running' by a killed writer is shown interrupted without being marked so.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';
import { settingsFor, simulatedSet, recordAndScan } from './helpers.js';

describe('a read-only open', () => {
  const dir = tempDir('kinscan-store-ro-');
  const set = simulatedSet(dir, 'sim', 60, 300, 13);

  it('leaves the file byte for byte and its mtime as they were, and creates no other file', async () => {
    const path = join(dir, 'ro.kinscan');
    const w = Project.open(path, { create: true });
    const done = (await recordAndScan(w, settingsFor(set, 't1', { model: 'additive' }), { threads: 1 })).run.id;
    const cut = w.createRun(settingsFor(set, 't2'));
    w.close();
    // The second run as a killed writer leaves it: 'running', with an owner whose process is gone.
    const raw = new Database(path);
    raw.prepare("UPDATE runs SET status = 'running' WHERE id = ?").run(cut);
    raw.prepare("INSERT INTO owner (id, pid, host, user, command, since) VALUES (1, 999999, ?, 'x', 'kinscan scan', '2020-01-01T00:00:00Z')").run(hostname());
    raw.pragma('journal_mode = DELETE');
    raw.close();

    const bytes = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    const others = (): boolean[] => ['-wal', '-shm', '-lock', '-journal'].map((ext) => existsSync(path + ext));
    expect(others()).toEqual([false, false, false, false]);

    for (const check of ['quick', 'full', 'none'] as const) {
      const r = Project.open(path, { readonly: true, check });
      try {
        expect(r.interrupted).toEqual([]);
        expect(r.uncleanClose).toBe(true);
        expect(r.runs().map((x) => x.status)).toEqual(['done', 'interrupted']);
        expect(r.topHits(done, 5)).toHaveLength(5);
        expect(r.manhattan(done).snp.length).toBe(r.run(done).rows);
        expect(r.summary(done)!.complete).toBe(true);
        r.runLog(done);
        r.runSessions(done);
        r.region(done, '1', 0, 1e9);
        r.snpDetails(done, { snp: r.topHits(done, 1)[0]!.snp });
        r.compareRuns([done]);
        r.cacheStats();
        r.datasets();
        r.sheets();
        expect(() => r.createRun(settingsFor(set, 't1'))).toThrow(/open read-only/);
      } finally {
        r.close();
      }
      expect(others(), check).toEqual([false, false, false, false]);
    }
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(mtime);
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(cut)).toBe('running');
    expect(check.prepare('SELECT pid FROM owner').pluck().get()).toBe(999999);
    check.close();
  });
});
