/**
 * Per-SNP results of a run: committed block by block, each block in one transaction together with
 * the run's progress, so a run cut off at any moment keeps every block it finished and nothing
 * more. Values are stored as REAL at full precision (NaN as NULL), so the exported TSV row is the
 * same text `formatRow` gives for the row the scan produced. Each block also stores its SNP indices
 * and ln p as packed BLOBs (result_blocks) for the Manhattan series.
 */
import type Database from 'better-sqlite3';
import type { ScanFlag } from '../scan/fit-block.js';
import type { FlagCounts } from '../scan/run.js';
import type { ScanRow } from '../scan/scan.js';
import { blobToF64, blobToI32, nowIso, num, toBlob } from './codec.js';

const ROW_COLS = 'snp, af, n_miss, df, beta_a, se_a, beta_d, se_d, logl_h1, delta_h1, lrt, lnp, flag, log10_bf, log10_abf';

/** A results row as SQLite returns ROW_COLS. */
export type RawRow = [number, number | null, number, number, number | null, number | null, number | null, number | null, number | null, number | null, number | null, number | null, string, number | null, number | null];

export function rowFromRaw(r: RawRow): ScanRow {
  return {
    snp: r[0],
    af: num(r[1]),
    nMiss: r[2],
    df: r[3],
    betaA: num(r[4]),
    seA: num(r[5]),
    betaD: num(r[6]),
    seD: num(r[7]),
    loglH1: num(r[8]),
    deltaH1: num(r[9]),
    lrt: num(r[10]),
    lnP: num(r[11]),
    flag: r[12] as ScanFlag,
    log10Bf: num(r[13]),
    log10Abf: num(r[14]),
  };
}

/** Writes one run's blocks. */
export class ResultWriter {
  private readonly insRow: Database.Statement;
  private readonly insBlock: Database.Statement;
  private readonly progress: Database.Statement;
  private readonly commitTx: (rows: ScanRow[], done: number) => void;

  constructor(
    private readonly db: Database.Database,
    readonly runId: number,
  ) {
    this.insRow = db.prepare(`INSERT INTO results (run_id, ${ROW_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insBlock = db.prepare('INSERT INTO result_blocks (run_id, first_snp, n, snps, lnp) VALUES (?, ?, ?, ?, ?)');
    this.progress = db.prepare('UPDATE runs SET done = ?, n_rows = n_rows + ?, updated_at = ? WHERE id = ? AND done < ?');
    this.commitTx = db.transaction((rows: ScanRow[], done: number) => {
      const changed = this.progress.run(done, rows.length, nowIso(), runId, done).changes;
      if (changed !== 1) throw new Error(`run ${runId}: block ending at position ${done} is not after the committed position`);
      const snps = new Int32Array(rows.length);
      const lnp = new Float64Array(rows.length);
      for (let k = 0; k < rows.length; k++) {
        const r = rows[k]!;
        this.insRow.run(runId, r.snp, r.af, r.nMiss, r.df, r.betaA, r.seA, r.betaD, r.seD, r.loglH1, r.deltaH1, r.lrt, r.lnP, r.flag, r.log10Bf, r.log10Abf);
        snps[k] = r.snp;
        lnp[k] = r.lnP;
      }
      if (rows.length > 0) this.insBlock.run(runId, rows[0]!.snp, rows.length, toBlob(snps), toBlob(lnp));
    });
  }

  /** Commit a block's rows and the run's new position (`done`, in the tested-SNP list) atomically. */
  commit(rows: ScanRow[], done: number): void {
    this.commitTx(rows, done);
  }
}

/** Every row of a run in file order. */
export function* readRows(db: Database.Database, runId: number): Generator<ScanRow> {
  for (const r of db.prepare(`SELECT ${ROW_COLS} FROM results WHERE run_id = ? ORDER BY snp`).raw().iterate(runId) as Iterable<RawRow>) yield rowFromRaw(r);
}

export function readRow(db: Database.Database, runId: number, snp: number): ScanRow | undefined {
  const r = db.prepare(`SELECT ${ROW_COLS} FROM results WHERE run_id = ? AND snp = ?`).raw().get(runId, snp) as RawRow | undefined;
  return r ? rowFromRaw(r) : undefined;
}

export interface BlockArrays {
  firstSnp: number;
  snps: Int32Array;
  lnp: Float64Array;
}

/** The packed (SNP, ln p) blocks of a run, in file order. */
export function* readBlocks(db: Database.Database, runId: number): Generator<BlockArrays> {
  for (const r of db.prepare('SELECT first_snp, snps, lnp FROM result_blocks WHERE run_id = ? ORDER BY first_snp').raw().iterate(runId) as Iterable<[number, Buffer, Buffer]>) {
    yield { firstSnp: r[0], snps: blobToI32(r[1]), lnp: blobToF64(r[2]) };
  }
}

/** All ln p of a run, in file order. */
export function allLnP(db: Database.Database, runId: number): Float64Array {
  const n = db.prepare('SELECT coalesce(sum(n), 0) FROM result_blocks WHERE run_id = ?').pluck().get(runId) as number;
  const out = new Float64Array(n);
  let k = 0;
  for (const b of readBlocks(db, runId)) {
    out.set(b.lnp, k);
    k += b.lnp.length;
  }
  return out;
}

/** The flagged rows of a run, counted as the summary reports them. */
export function flagCounts(db: Database.Database, runId: number): FlagCounts {
  const r = db
    .prepare(
      "SELECT count(*) AS flagged, coalesce(sum(flag LIKE '%below-null%'), 0) AS belowNull, coalesce(sum(flag LIKE '%not-converged%'), 0) AS notConverged FROM results WHERE run_id = ? AND flag <> ''",
    )
    .get(runId) as FlagCounts;
  return { flagged: r.flagged, belowNull: r.belowNull, notConverged: r.notConverged };
}
