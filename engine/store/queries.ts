/**
 * The queries the UI needs on a run, fast on a 1,000,000-SNP run: the top hits (index on
 * (run_id, lnp)), the Manhattan series as typed arrays (from the packed per-block BLOBs, in chunks),
 * one SNP's details (in this run and in every other run on the same genotypes), a region
 * (the SNPs' positions in memory, then the results' primary key), and runs side by side. The
 * SNPs' IDs and alleles come from the dataset's SnpDescriptions (snp-descriptions.ts), attached
 * to the rows SQL picked.
 */
import type Database from 'better-sqlite3';
import { InputError } from '../io/errors.js';
import type { ScanRow } from '../scan/scan.js';
import type { SnpArrays } from './datasets.js';
import { readBlocks, rowFromRaw, type RawRow } from './results.js';
import { getRun, type RunInfo } from './runs.js';
import type { SnpDescriptions, SnpInfo } from './snp-descriptions.js';

export type { SnpInfo };

/** A dataset's SNP descriptions by its id (a Project keeps them). */
export type SnpsOf = (datasetId: number) => SnpDescriptions;

/** A result row with its SNP. */
export interface Hit extends ScanRow {
  chr: string;
  rs: string;
  pos: number;
  allele1: string;
  allele0: string;
  negLog10P: number;
}

const R_COLS = 'r.snp, r.af, r.n_miss, r.df, r.beta_a, r.se_a, r.beta_d, r.se_d, r.logl_h1, r.delta_h1, r.lrt, r.lnp, r.flag, r.log10_bf, r.log10_abf';

function hitOf(row: ScanRow, info: SnpInfo): Hit {
  return { ...row, chr: info.chr, rs: info.rs, pos: info.pos, allele1: info.allele1, allele0: info.allele0, negLog10P: -row.lnP / Math.LN10 };
}

/** Result rows (R_COLS, raw) with their SNPs. */
function hitsFromRaw(rows: RawRow[], snps: SnpDescriptions): Hit[] {
  return rows.map((r) => {
    const row = rowFromRaw(r);
    return hitOf(row, snps.info(row.snp));
  });
}

function datasetOf(db: Database.Database, runId: number): number {
  const id = db.prepare('SELECT dataset_id FROM runs WHERE id = ?').pluck().get(runId) as number | undefined;
  if (id === undefined) throw new InputError(`has no run ${runId}`, { file: db.name }, `List the runs with kinscan runs --project ${db.name}`);
  return id;
}

/** The n smallest p-values of a run, smallest first (ties in file order). */
export function topHits(db: Database.Database, snpsOf: SnpsOf, runId: number, n: number): Hit[] {
  const ds = datasetOf(db, runId);
  const rows = db
    .prepare(`SELECT ${R_COLS} FROM results r INDEXED BY results_lnp WHERE r.run_id = ? ORDER BY r.lnp, r.snp LIMIT ?`)
    .raw()
    .all(runId, Math.max(0, Math.floor(n))) as RawRow[];
  return hitsFromRaw(rows, snpsOf(ds));
}

/** A piece of the Manhattan series: parallel typed arrays in file order. */
export interface ManhattanChunk {
  /** SNP index in the dataset. */
  snp: Int32Array;
  /** Index into `chrNames`. */
  chr: Int32Array;
  pos: Float64Array;
  negLog10P: Float64Array;
}

export interface ManhattanSeries extends ManhattanChunk {
  chrNames: string[];
}

/** The Manhattan series of a run in chunks of about `chunkRows` rows (for streaming to the UI). */
export function* manhattanChunks(db: Database.Database, runId: number, arrays: SnpArrays, chunkRows = 1 << 16): Generator<ManhattanChunk> {
  let snp = new Int32Array(chunkRows);
  let lnp = new Float64Array(chunkRows);
  let k = 0;
  const emit = (): ManhattanChunk => {
    const c: ManhattanChunk = { snp: snp.subarray(0, k), chr: new Int32Array(k), pos: new Float64Array(k), negLog10P: new Float64Array(k) };
    for (let i = 0; i < k; i++) {
      const j = c.snp[i]!;
      c.chr[i] = arrays.chrCode[j]!;
      c.pos[i] = arrays.pos[j]!;
      c.negLog10P[i] = -lnp[i]! / Math.LN10;
    }
    snp = new Int32Array(chunkRows);
    lnp = new Float64Array(chunkRows);
    k = 0;
    return c;
  };
  for (const b of readBlocks(db, runId)) {
    let off = 0;
    while (off < b.snps.length) {
      const take = Math.min(chunkRows - k, b.snps.length - off);
      snp.set(b.snps.subarray(off, off + take), k);
      lnp.set(b.lnp.subarray(off, off + take), k);
      k += take;
      off += take;
      if (k === chunkRows) yield emit();
    }
  }
  if (k > 0) yield emit();
}

/** The whole Manhattan series of a run. */
export function manhattan(db: Database.Database, runId: number, arrays: SnpArrays): ManhattanSeries {
  const n = db.prepare('SELECT coalesce(sum(n), 0) FROM result_blocks WHERE run_id = ?').pluck().get(runId) as number;
  const out: ManhattanSeries = { chrNames: arrays.chrNames, snp: new Int32Array(n), chr: new Int32Array(n), pos: new Float64Array(n), negLog10P: new Float64Array(n) };
  let k = 0;
  for (const b of readBlocks(db, runId)) {
    const m = b.snps.length;
    out.snp.set(b.snps, k);
    for (let i = 0; i < m; i++) {
      const j = b.snps[i]!;
      out.chr[k + i] = arrays.chrCode[j]!;
      out.pos[k + i] = arrays.pos[j]!;
      out.negLog10P[k + i] = -b.lnp[i]! / Math.LN10;
    }
    k += m;
  }
  return out;
}

export type SnpQuery = { snp: number } | { rs: string };

export interface SnpDetails {
  info: SnpInfo;
  /** This run's row, or null when the SNP was not tested in it (filtered out or collinear). */
  result: Hit | null;
  /** The SNP's row in every run on the same dataset (this one included), by run id. */
  runs: { runId: number; trait: string; model: string; status: string; result: ScanRow }[];
}

/** One SNP (by .bim index or ID) in a run, and in the other runs on the same genotypes. */
export function snpDetails(db: Database.Database, snpsOf: SnpsOf, runId: number, q: SnpQuery): SnpDetails | undefined {
  const ds = datasetOf(db, runId);
  const snps = snpsOf(ds);
  const idx = 'snp' in q ? (Number.isInteger(q.snp) && q.snp >= 0 && q.snp < snps.nSnps ? q.snp : undefined) : snps.findRs(q.rs);
  if (idx === undefined) return undefined;
  const info = snps.info(idx);
  const runs = (
    db
      .prepare(
        `SELECT u.id, u.trait, u.model, u.status, ${R_COLS} FROM runs u JOIN results r ON r.run_id = u.id AND r.snp = ?
         WHERE u.dataset_id = ? ORDER BY u.id`,
      )
      .raw()
      .all(info.snp, ds) as [number, string, string, string, ...RawRow][]
  ).map((r) => ({ runId: r[0], trait: r[1], model: r[2], status: r[3], result: rowFromRaw(r.slice(4) as RawRow) }));
  const mine = runs.find((r) => r.runId === runId);
  const result: Hit | null = mine ? hitOf(mine.result, info) : null;
  return { info, result, runs };
}

/** Results in a region, ordered by position: parallel arrays. */
export interface RegionResult {
  snp: Int32Array;
  rs: string[];
  pos: Float64Array;
  af: Float64Array;
  betaA: Float64Array;
  seA: Float64Array;
  lnP: Float64Array;
  negLog10P: Float64Array;
  /** log10 of the exact Bayes factor (NaN in runs recorded before Bayes factors). */
  log10Bf: Float64Array;
}

/** The tested SNPs of a run on chromosome `chr` with start <= position <= end. */
export function region(db: Database.Database, snpsOf: SnpsOf, runId: number, chr: string, start: number, end: number): RegionResult {
  const snps = snpsOf(datasetOf(db, runId));
  const stmt = db.prepare('SELECT af, beta_a, se_a, lnp, log10_bf FROM results WHERE run_id = ? AND snp = ?').raw();
  const rows: [number, string, number, number | null, number | null, number | null, number | null, number | null][] = [];
  for (const j of snps.inRegion(chr, start, end)) {
    const r = stmt.get(runId, j) as [number | null, number | null, number | null, number | null, number | null] | undefined;
    if (r) rows.push([j, snps.info(j).rs, snps.arrays.pos[j]!, ...r]);
  }
  const n = rows.length;
  const out: RegionResult = {
    snp: new Int32Array(n),
    rs: new Array<string>(n),
    pos: new Float64Array(n),
    af: new Float64Array(n),
    betaA: new Float64Array(n),
    seA: new Float64Array(n),
    lnP: new Float64Array(n),
    negLog10P: new Float64Array(n),
    log10Bf: new Float64Array(n),
  };
  rows.forEach((r, i) => {
    out.snp[i] = r[0];
    out.rs[i] = r[1];
    out.pos[i] = r[2];
    out.af[i] = r[3] ?? NaN;
    out.betaA[i] = r[4] ?? NaN;
    out.seA[i] = r[5] ?? NaN;
    out.lnP[i] = r[6] ?? NaN;
    out.negLog10P[i] = -(r[6] ?? NaN) / Math.LN10;
    out.log10Bf[i] = r[7] ?? NaN;
  });
  return out;
}

export interface RunComparison {
  runs: RunInfo[];
  /** The union of each run's top hits, by best -log10 p over the runs. */
  snps: SnpInfo[];
  /** Per run (in the order asked), per SNP: -log10 p, beta_a and its se (NaN where the SNP was not tested). */
  negLog10P: Float64Array[];
  betaA: Float64Array[];
  seA: Float64Array[];
}

/** Runs on the same genotypes side by side: their settings and fits, and their top `top` hits each, with every run's values there. */
export function compareRuns(db: Database.Database, snpsOf: SnpsOf, runIds: number[], top = 20): RunComparison {
  const runs = runIds.map((id) => getRun(db, id));
  const ds = new Set(runs.map((r) => r.datasetId));
  if (ds.size > 1) {
    throw new InputError(
      `runs ${runIds.join(', ')} were made on different genotype datasets`,
      { file: db.name },
      'Compare runs on the same dataset (their SNPs line up); kinscan runs --json shows each run\'s dataset',
    );
  }
  const union = new Set<number>();
  for (const id of runIds) for (const h of topHits(db, snpsOf, id, top)) union.add(h.snp);
  const valStmt = db.prepare('SELECT beta_a, se_a, lnp FROM results WHERE run_id = ? AND snp = ?').raw();
  const snpIds = [...union];
  const neg = runIds.map(() => new Float64Array(snpIds.length));
  const beta = runIds.map(() => new Float64Array(snpIds.length));
  const se = runIds.map(() => new Float64Array(snpIds.length));
  snpIds.forEach((snp, k) => {
    runIds.forEach((id, r) => {
      const v = valStmt.get(id, snp) as [number | null, number | null, number | null] | undefined;
      beta[r]![k] = v?.[0] ?? NaN;
      se[r]![k] = v?.[1] ?? NaN;
      neg[r]![k] = v && v[2] !== null ? -v[2] / Math.LN10 : NaN;
    });
  });
  // Order by the best -log10 p over the runs.
  const best = snpIds.map((_, k) => Math.max(...neg.map((a) => (Number.isNaN(a[k]!) ? -Infinity : a[k]!))));
  const order = snpIds.map((_, k) => k).sort((a, b) => best[b]! - best[a]! || snpIds[a]! - snpIds[b]!);
  const pick = (a: Float64Array): Float64Array => Float64Array.from(order, (k) => a[k]!);
  return {
    runs,
    snps: runs.length > 0 ? order.map((k) => snpsOf(runs[0]!.datasetId).info(snpIds[k]!)) : [],
    negLog10P: neg.map(pick),
    betaA: beta.map(pick),
    seA: se.map(pick),
  };
}

export type HitSort = 'p' | 'position' | 'beta' | 'af' | 'rs';

export interface HitsPageQuery {
  sort: HitSort;
  order: 'asc' | 'desc';
  /** Only rows with p below this. */
  pBelow?: number;
  /** Only rows on this chromosome. */
  chr?: string;
  offset: number;
  limit: number;
}

/** ORDER BY column of each SQL sort (position: the dataset's SNP order; ties by SNP index in the same direction). */
const SORT_COLUMN: Record<Exclude<HitSort, 'rs'>, string> = { p: 'r.lnp', position: 'r.snp', beta: 'r.beta_a', af: 'r.af' };

/** Index runs written out as BETWEENs up to this many; more (a chromosome scattered through an unsorted .bim) as a list. */
const MAX_RANGE_TERMS = 32;

/** A WHERE term: r.snp within the index runs. */
function snpInRanges(ranges: [number, number][]): { sql: string; args: (number | string)[] } {
  if (ranges.length === 0) return { sql: 'r.snp < 0', args: [] };
  if (ranges.length <= MAX_RANGE_TERMS) return { sql: `(${ranges.map(() => 'r.snp BETWEEN ? AND ?').join(' OR ')})`, args: ranges.flat() };
  const list: number[] = [];
  for (const [a, b] of ranges) for (let j = a; j <= b; j++) list.push(j);
  return { sql: 'r.snp IN (SELECT value FROM json_each(?))', args: [JSON.stringify(list)] };
}

/** A page of a run's result rows, sorted and filtered, with the count of rows the filter keeps. */
export function hitsPage(db: Database.Database, snpsOf: SnpsOf, runId: number, q: HitsPageQuery): { total: number; rows: Hit[] } {
  const snps = snpsOf(datasetOf(db, runId));
  const where = ['r.run_id = ?'];
  const args: (number | string)[] = [runId];
  if (q.pBelow !== undefined) {
    where.push('r.lnp < ?');
    args.push(Math.log(q.pBelow));
  }
  if (q.chr !== undefined) {
    const term = snpInRanges(snps.rangesOn(q.chr));
    where.push(term.sql);
    args.push(...term.args);
  }
  const cond = where.join(' AND ');
  const total = db.prepare(`SELECT count(*) FROM results r WHERE ${cond}`).pluck().get(...args) as number;
  const limit = Math.max(0, Math.floor(q.limit));
  const offset = Math.max(0, Math.floor(q.offset));
  // The page's SNPs are found on the results alone (for p and position, a walk of an index that
  // holds lnp and snp: an OFFSET deep in a million rows skips index entries), then only its rows
  // are read and described.
  let keys: number[];
  if (q.sort === 'rs') {
    const rank = snps.rsRank();
    const sign = q.order === 'desc' ? -1 : 1;
    keys = (db.prepare(`SELECT r.snp FROM results r WHERE ${cond}`).pluck().all(...args) as number[]).sort((a, b) => sign * (rank[a]! - rank[b]!)).slice(offset, offset + limit);
  } else {
    const dir = q.order === 'desc' ? 'DESC' : 'ASC';
    const order = q.sort === 'position' ? `r.snp ${dir}` : `${SORT_COLUMN[q.sort]} ${dir}, r.snp ${dir}`;
    keys = db.prepare(`SELECT r.snp FROM results r WHERE ${cond} ORDER BY ${order} LIMIT ? OFFSET ?`).pluck().all(...args, limit, offset) as number[];
  }
  const rowOf = db.prepare(`SELECT ${R_COLS} FROM results r WHERE r.run_id = ? AND r.snp = ?`).raw();
  return { total, rows: hitsFromRaw(keys.map((k) => rowOf.get(runId, k) as RawRow), snps) };
}
