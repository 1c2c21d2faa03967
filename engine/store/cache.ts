/**
 * The engine's PrepareCache over a project: kinship matrices and eigendecompositions stored under
 * the engine's content-hash keys, per dataset (the keys describe SNP and sample selections, not the
 * genotypes, so they are only unique within one dataset). Values are stored exactly (Float64), so
 * a run that reuses them gives bit-identical results; a symmetric kinship is stored as its upper
 * triangle. Least recently used entries are dropped beyond the project's cache limit.
 */
import type Database from 'better-sqlite3';
import { InputError } from '../io/errors.js';
import type { PrepareCache } from '../scan/prepare.js';
import { nowIso } from './codec.js';
import { fromUpperTriangle, readParts, upperTriangle, writeParts } from './chunks.js';

/** Default limit of the cache's size in a project (meta key cache_limit_bytes). */
export const DEFAULT_CACHE_LIMIT = 4 * 1024 ** 3;

export interface CacheStats {
  entries: number;
  bytes: number;
  kinship: number;
  eigen: number;
}

interface Entry {
  id: number;
  n: number;
  snps: number | null;
  layout: 'full' | 'upper';
}

/** Counts of hits and stores, for logs and tests. */
export interface CacheActivity {
  kinshipHits: number;
  eigenHits: number;
  kinshipStored: number;
  eigenStored: number;
}

export class ProjectCache implements PrepareCache {
  readonly activity: CacheActivity = { kinshipHits: 0, eigenHits: 0, kinshipStored: 0, eigenStored: 0 };

  constructor(
    private readonly db: Database.Database,
    private readonly datasetId: number,
    private readonly writable: boolean,
  ) {}

  private entry(key: string, kind: 'kinship' | 'eigen'): Entry | undefined {
    return this.db.prepare('SELECT id, n, snps, layout FROM cache_entries WHERE dataset_id = ? AND key = ? AND kind = ?').get(this.datasetId, key, kind) as
      | Entry
      | undefined;
  }

  private field(e: Entry, field: string, length: number): Float64Array {
    const parts = this.db.prepare('SELECT data FROM cache_chunks WHERE entry_id = ? AND field = ? ORDER BY part').pluck().iterate(e.id, field) as Iterable<Buffer>;
    const out = readParts(parts, length);
    if (!out) {
      throw new InputError(
        `the cached ${field === 'k' ? 'kinship matrix' : 'eigendecomposition'} ${e.id} is incomplete`,
        { file: this.db.name },
        `Drop the cache with kinscan compact --project ${this.db.name} and run again`,
      );
    }
    return out;
  }

  private touch(e: Entry): void {
    if (this.writable) this.db.prepare('UPDATE cache_entries SET used_at = ? WHERE id = ?').run(nowIso(), e.id);
  }

  getKinship(key: string): Float64Array | undefined {
    const e = this.entry(key, 'kinship');
    if (!e) return undefined;
    const stored = this.field(e, 'k', e.layout === 'upper' ? (e.n * (e.n + 1)) / 2 : e.n * e.n);
    this.touch(e);
    this.activity.kinshipHits++;
    return e.layout === 'upper' ? fromUpperTriangle(stored, e.n) : stored;
  }

  putKinship(key: string, data: Float64Array, snps: number): void {
    if (!this.writable) return;
    const n = Math.round(Math.sqrt(data.length));
    const tri = upperTriangle(data, n);
    this.store(key, 'kinship', n, snps, tri ? 'upper' : 'full', [['k', tri ?? data]]);
    this.activity.kinshipStored++;
  }

  getEigen(key: string): { s: Float64Array; u: Float64Array } | undefined {
    const e = this.entry(key, 'eigen');
    if (!e) return undefined;
    const s = this.field(e, 's', e.n);
    const u = this.field(e, 'u', e.n * e.n);
    this.touch(e);
    this.activity.eigenHits++;
    return { s, u };
  }

  putEigen(key: string, s: Float64Array, u: Float64Array): void {
    if (!this.writable) return;
    this.store(key, 'eigen', s.length, null, 'full', [
      ['s', s],
      ['u', u],
    ]);
    this.activity.eigenStored++;
  }

  private store(key: string, kind: 'kinship' | 'eigen', n: number, snps: number | null, layout: 'full' | 'upper', fields: [string, Float64Array][]): void {
    const db = this.db;
    const bytes = fields.reduce((acc, [, a]) => acc + a.byteLength, 0);
    db.transaction(() => {
      db.prepare('DELETE FROM cache_entries WHERE dataset_id = ? AND key = ?').run(this.datasetId, key);
      const now = nowIso();
      const info = db
        .prepare('INSERT INTO cache_entries (dataset_id, key, kind, n, snps, layout, bytes, created_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(this.datasetId, key, kind, n, snps, layout, bytes, now, now);
      const id = Number(info.lastInsertRowid);
      const ins = db.prepare('INSERT INTO cache_chunks (entry_id, field, part, data) VALUES (?, ?, ?, ?)');
      for (const [field, a] of fields) writeParts(a, (part, blob) => ins.run(id, field, part, blob));
      pruneCache(db, cacheLimit(db), id);
    })();
  }
}

export function cacheLimit(db: Database.Database): number {
  const v = db.prepare("SELECT value FROM meta WHERE key = 'cache_limit_bytes'").pluck().get() as string | undefined;
  const x = v === undefined ? NaN : Number(v);
  return Number.isFinite(x) && x >= 0 ? x : DEFAULT_CACHE_LIMIT;
}

/** Drop least recently used entries (never `keep`) until the cache fits in `limit` bytes. Returns the entries dropped. */
export function pruneCache(db: Database.Database, limit: number, keep?: number): number {
  const entries = db.prepare('SELECT id, bytes FROM cache_entries ORDER BY used_at DESC, id DESC').all() as { id: number; bytes: number }[];
  let total = 0;
  let dropped = 0;
  const del = db.prepare('DELETE FROM cache_entries WHERE id = ?');
  for (const e of entries) {
    if (e.id === keep || total + e.bytes <= limit) {
      total += e.bytes;
      continue;
    }
    del.run(e.id);
    dropped++;
  }
  return dropped;
}

export function cacheStats(db: Database.Database): CacheStats {
  const r = db
    .prepare(
      "SELECT count(*) AS entries, coalesce(sum(bytes), 0) AS bytes, coalesce(sum(kind = 'kinship'), 0) AS kinship, coalesce(sum(kind = 'eigen'), 0) AS eigen FROM cache_entries",
    )
    .get() as CacheStats;
  return r;
}
