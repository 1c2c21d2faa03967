/**
 * A Kinscan project: one SQLite file holding the imported genotypes and sheets, the cached kinship
 * matrices and eigendecompositions, and every run with its settings, log and per-SNP results.
 * The engine owns the file; everything else (CLI, UI through the protocol) goes through this class.
 *
 *   const p = Project.open('study.kinscan', { create: true });
 *   const id = p.createRun({ ...DEFAULT_SETTINGS, bfile, pheno, trait: 'trait1' });
 *   await p.runScan(id);                 // or p.resumeRun(id) after a stop, crash or kill
 *   p.exportRun(id, 'trait1.tsv');       // byte-identical to scanToFiles' TSV
 *
 * runScan and resumeRun run the scan through the one scan entry (engine/scan/run.ts runScan, by way
 * of execute.ts), as the CLI's file route does.
 *   p.close();
 */
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { InputError } from '../io/errors.js';
import { requireColumns, type ReadSheetOptions, type Sheet } from '../io/sheet.js';
import type { ScanSummary } from '../scan/run.js';
import { DEFAULT_BLOCK } from '../scan/scan.js';
import { scanSettingsSchema, type ScanSettings } from '../scan/settings.js';
import { cacheStats, pruneCache, type CacheStats } from './cache.js';
import { getDataset, importDataset, listDatasets, loadFam, loadSnpArrays, type DatasetInfo, type ImportGenotypesOptions, type ImportResult, type SnpArrays } from './datasets.js';
import { executeRun, type ExecuteOptions, type ExecuteResult } from './execute.js';
import { summaryPath, writeRunTsv, writeSummary } from './export.js';
import { ownerAlive, type OwnerInfo } from './lock.js';
import { importMatrix, importPedigreeMatrix, listMatrices, type MatrixInfo } from './matrices.js';
import { openDatabase, sqliteProblem, type OpenedDatabase, type OpenOptions } from './open.js';
import {
  compareRuns,
  hitsPage,
  manhattan,
  manhattanChunks,
  region,
  snpDetails,
  topHits,
  type Hit,
  type HitsPageQuery,
  type ManhattanChunk,
  type ManhattanSeries,
  type RegionResult,
  type RunComparison,
  type SnpDetails,
  type SnpQuery,
} from './queries.js';
import { beginSession, cancelQueuedRun, createRun, deleteRun, endSession, getRun, listRuns, markInterrupted, runLog, runSessions, runSummary, type RunInfo, type RunLogLine, type RunSession, type RunSpec } from './runs.js';
import { famSheetId, getSheet, importSheet, isFamSheet, listSheets, loadSheet, type SheetInfo } from './sheets.js';
import { SnpDescriptions } from './snp-descriptions.js';

export { SCHEMA_VERSION } from './migrations.js';

/** Which project inputs a run uses, when not found from the settings' paths. */
export interface RunInputs {
  datasetId?: number;
  phenoSheetId?: number;
  covarSheetId?: number;
}

export interface ExportResult {
  rows: number;
  tsv: string;
  summary: string | undefined;
}

export class Project {
  readonly path: string;
  readonly readonly: boolean;
  /** The previous writer did not close the project (crash, kill, power loss). */
  readonly uncleanClose: boolean;
  /** Runs found cut off when this writer opened the project (now 'interrupted'). */
  readonly interrupted: number[];
  /** Schema versions applied while opening. */
  readonly migrated: number[];
  private readonly opened: OpenedDatabase;
  private readonly snpArrayCache = new Map<number, SnpArrays>();
  private readonly snpDescriptionCache = new Map<number, SnpDescriptions>();
  /** A dataset's SNP descriptions (kept once made), for the queries. */
  private readonly snpsOf = (datasetId: number): SnpDescriptions => this.snpDescriptions(datasetId);
  private readonly active = new Set<number>();

  private constructor(opened: OpenedDatabase) {
    this.opened = opened;
    this.path = opened.path;
    this.readonly = opened.readonly;
    this.uncleanClose = opened.uncleanClose;
    this.migrated = opened.migrated;
    this.interrupted = opened.readonly ? [] : markInterrupted(opened.db);
  }

  /** Open a project (checks, lock, migrations); `create: true` makes a new one when the file does not exist. */
  static open(path: string, opts: OpenOptions = {}): Project {
    return new Project(openDatabase(path, opts));
  }

  /** The database connection (for the engine's own modules and tests). */
  get db(): Database.Database {
    return this.opened.db;
  }

  close(): void {
    if (this.active.size > 0) throw new Error(`cannot close ${this.path}: run ${[...this.active].join(', ')} is running`);
    this.opened.close();
  }

  private writable(what: string): void {
    if (this.readonly) throw new Error(`${what}: the project ${this.path} is open read-only`);
  }

  /** Run fn, turning SQLite's failures (disk full, damaged file...) into InputErrors naming the project. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw sqliteProblem(this.path, e);
    }
  }

  // ------------------------------------------------------------ inputs

  importDataset(path: string, opts?: ImportGenotypesOptions): ImportResult {
    this.writable('importDataset');
    return this.guard(() => importDataset(this.db, path, opts));
  }

  importSheet(path: string, opts: ReadSheetOptions = {}): { id: number; created: boolean } {
    this.writable('importSheet');
    return this.guard(() => importSheet(this.db, path, opts));
  }

  importMatrix(path: string): { id: number; created: boolean } {
    this.writable('importMatrix');
    return this.guard(() => importMatrix(this.db, path));
  }

  /** A pedigree's A over a dataset's individuals (kinscan import --pedigree; a run with { pedigree } makes it too). */
  importPedigree(setting: { pedigree: string; unlistedFounders?: boolean }, datasetId: number): ReturnType<typeof importPedigreeMatrix> {
    this.writable('importPedigree');
    return this.guard(() => importPedigreeMatrix(this.db, setting, datasetId));
  }

  datasets(): DatasetInfo[] {
    return listDatasets(this.db);
  }

  dataset(id: number): DatasetInfo {
    return getDataset(this.db, id);
  }

  sheets(): SheetInfo[] {
    return listSheets(this.db);
  }

  matrices(): MatrixInfo[] {
    return listMatrices(this.db);
  }

  sheet(id: number): SheetInfo {
    return getSheet(this.db, id);
  }

  loadSheet(id: number): Sheet {
    return loadSheet(this.db, id);
  }

  /** Per-SNP chromosome codes and positions of a dataset (kept in memory once read). */
  snpArrays(datasetId: number): SnpArrays {
    let a = this.snpArrayCache.get(datasetId);
    if (!a) {
      a = loadSnpArrays(this.db, datasetId);
      this.snpArrayCache.set(datasetId, a);
    }
    return a;
  }

  /** A dataset's SNPs by index, ID or position (kept once made). */
  snpDescriptions(datasetId: number): SnpDescriptions {
    let d = this.snpDescriptionCache.get(datasetId);
    if (!d) {
      d = SnpDescriptions.of(this.db, datasetId, this.snpArrays(datasetId));
      this.snpDescriptionCache.set(datasetId, d);
    }
    return d;
  }

  // ------------------------------------------------------------ runs

  /**
   * Record a run (status 'queued'). Inputs are imported if needed: the PLINK set of settings.bfile,
   * the sheets of settings.pheno and settings.covar, a kinship file or a pedigree's A. With an empty bfile or pheno,
   * the project's only dataset, and its latest sheet holding the trait, are used (or the ids given);
   * with no sheet holding it, a trait '1', '2', ... is the dataset's .fam phenotype column (famSheetId).
   */
  createRun(settings: ScanSettings, inputs: RunInputs = {}, blockSize = DEFAULT_BLOCK): number {
    this.writable('createRun');
    return this.guard(() => this.recordRun(settings, inputs, blockSize));
  }

  private recordRun(settings: ScanSettings, inputs: RunInputs, blockSize: number): number {
    if (settings.loco) {
      throw new InputError(
        'leave-one-chromosome-out scans (--loco) cannot be recorded in a project yet',
        { file: this.path },
        'Run the --loco scan without --project (kinscan scan ... --loco --out FILE.tsv)',
      );
    }
    const db = this.db;
    let datasetId = inputs.datasetId;
    if (datasetId === undefined) {
      if (settings.bfile) datasetId = importDataset(db, settings.bfile, { ...(settings.anno ? { anno: settings.anno } : {}), ...(settings.dosage ? { dosage: true } : {}) }).id;
      else {
        const all = listDatasets(db);
        if (all.length !== 1) {
          throw new InputError(
            all.length === 0 ? 'holds no genotypes yet' : `holds ${all.length} datasets (${all.map((d) => `${d.id}: ${d.name}`).join(', ')})`,
            { file: this.path },
            all.length === 0 ? 'Give --bfile PREFIX to import the PLINK files' : 'Give --bfile PREFIX to say which genotypes to scan',
          );
        }
        datasetId = all[0]!.id;
      }
    }
    let phenoSheetId = inputs.phenoSheetId;
    if (phenoSheetId === undefined) {
      if (settings.pheno) phenoSheetId = importSheet(db, settings.pheno, settings.phenoWorksheet !== undefined ? { worksheet: settings.phenoWorksheet } : {}).id;
      else {
        const withTrait = listSheets(db).filter((s) => s.columns.includes(settings.trait));
        if (withTrait.length > 0) phenoSheetId = withTrait[withTrait.length - 1]!.id;
        else if (/^[1-9]\d*$/.test(settings.trait) && loadFam(db, datasetId).phenos.length >= Number(settings.trait)) {
          // No sheet has the trait, and it names a .fam phenotype column ('1' is column 6): the .fam's phenotypes.
          phenoSheetId = famSheetId(db, datasetId);
        } else {
          throw new InputError(
            `holds no phenotype sheet with a column '${settings.trait}'`,
            { file: this.path },
            "Give --pheno FILE with that column (it is imported into the project), or a .fam phenotype number ('1' for column 6) as --trait",
          );
        }
      }
    }
    let covarSheetId = inputs.covarSheetId;
    if (covarSheetId === undefined && settings.covar && settings.covarNames.length > 0) {
      covarSheetId = importSheet(db, settings.covar, settings.covarWorksheet !== undefined ? { worksheet: settings.covarWorksheet } : {}).id;
    }
    // A pedigree is made into its A over the dataset's individuals now, once: the run reads that, never the pedigree.
    const k = settings.kinship;
    const matrixId = typeof k !== 'object' ? undefined : 'pedigree' in k ? importPedigreeMatrix(db, k, datasetId).id : importMatrix(db, k.file).id;

    // Catch a mistyped trait or covariate now, rather than recording a failed run.
    requireColumns(loadSheet(db, phenoSheetId), [settings.trait]);
    if (covarSheetId !== undefined) requireColumns(loadSheet(db, covarSheetId), settings.covarNames);

    const ds = getDataset(db, datasetId);
    const ph = getSheet(db, phenoSheetId);
    // Recorded as the one settings schema reads it back (engine/store/runs.ts).
    const checked = scanSettingsSchema.safeParse({ ...settings, bfile: settings.bfile || ds.prefix, pheno: settings.pheno || (isFamSheet(db, phenoSheetId) ? '' : ph.path) });
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw new InputError(`cannot record a run with these settings (${issue.path.join('.') || 'settings'}: ${issue.message})`, { file: this.path }, 'Correct the setting named and start the run again');
    }
    const recorded: ScanSettings = checked.data;
    const spec: RunSpec = {
      settings: recorded,
      datasetId,
      phenoSheetId,
      ...(covarSheetId !== undefined ? { covarSheetId } : {}),
      ...(matrixId !== undefined ? { matrixId } : {}),
      blockSize,
    };
    return createRun(db, spec);
  }

  /** Run a queued run, or continue a cancelled, interrupted or failed one from where it stopped. */
  async runScan(runId: number, opts: ExecuteOptions = {}): Promise<ExecuteResult> {
    this.writable('runScan');
    if (this.active.has(runId)) throw new InputError(`run ${runId} is running now`, { file: this.path }, 'Wait for it to finish');
    this.active.add(runId);
    try {
      return await executeRun(this.db, runId, opts);
    } catch (e) {
      throw sqliteProblem(this.path, e);
    } finally {
      this.active.delete(runId);
    }
  }

  /** Continue a run that was stopped, interrupted (crash, kill, power loss) or failed. */
  async resumeRun(runId: number, opts: ExecuteOptions = {}): Promise<ExecuteResult> {
    const r = getRun(this.db, runId);
    if (r.status === 'queued') throw new InputError(`run ${runId} has not started`, { file: this.path }, 'Start it (runScan) rather than resuming it');
    return this.runScan(runId, opts);
  }

  /** A queued run that is not to start: it becomes 'cancelled' (resumable). */
  cancelQueuedRun(runId: number): void {
    this.writable('cancelQueuedRun');
    this.guard(() => cancelQueuedRun(this.db, runId));
  }

  /**
   * A run that ends before its scan starts: cancelled, or failed while its preparation ran elsewhere
   * (the service's worker thread). A queued run cancelled so is cancelled before it started; any
   * other outcome is recorded as a session of its own, as a scan's would be.
   */
  endBeforeScan(runId: number, outcome: 'cancelled' | 'failed', error?: string): void {
    this.writable('endBeforeScan');
    if (this.active.has(runId)) throw new InputError(`run ${runId} is running now`, { file: this.path }, 'Wait for it to finish');
    this.guard(() => {
      if (outcome === 'cancelled' && getRun(this.db, runId).status === 'queued') return cancelQueuedRun(this.db, runId);
      endSession(this.db, runId, beginSession(this.db, runId), outcome, 0, error);
    });
  }

  /** Delete a run and its results; a running one is refused. */
  deleteRun(runId: number): void {
    this.writable('deleteRun');
    if (this.active.has(runId)) throw new InputError(`run ${runId} is running now`, { file: this.path }, 'Stop it first, then delete it');
    this.guard(() => deleteRun(this.db, runId));
  }

  /** The run's status as seen now: in a read-only view, a run still marked running whose writer is gone shows as interrupted. */
  private effective(r: RunInfo, owner: OwnerInfo | undefined | null): RunInfo {
    if (r.status !== 'running' || !this.readonly) return r;
    const alive = owner ? ownerAlive(owner) : false;
    return alive === false ? { ...r, status: 'interrupted' } : r;
  }

  private owner(): OwnerInfo | undefined {
    return this.db.prepare('SELECT pid, host, user, command, since FROM owner WHERE id = 1').get() as OwnerInfo | undefined;
  }

  runs(): RunInfo[] {
    const owner = this.readonly ? this.owner() : null;
    return listRuns(this.db).map((r) => this.effective(r, owner));
  }

  run(id: number): RunInfo {
    return this.effective(getRun(this.db, id), this.readonly ? this.owner() : null);
  }

  runLog(id: number): RunLogLine[] {
    getRun(this.db, id);
    return runLog(this.db, id);
  }

  runSessions(id: number): RunSession[] {
    getRun(this.db, id);
    return runSessions(this.db, id);
  }

  summary(id: number): ScanSummary | undefined {
    getRun(this.db, id);
    return runSummary(this.db, id);
  }

  /**
   * Write a run's RESULTS.tsv (and its .summary.json, when the run has one). A run that is not done
   * is refused unless `partial` (then the rows committed so far are written).
   */
  exportRun(id: number, out: string, opts: { partial?: boolean } = {}): ExportResult {
    const r = this.run(id);
    if (r.status !== 'done' && !opts.partial) {
      throw new InputError(
        `run ${id} is ${r.status} at ${r.done} of ${r.total ?? '?'} tested SNPs, so its results are incomplete`,
        { file: this.path },
        `Finish it with kinscan resume --project ${this.path} --run ${id}, or export what is there with --partial`,
      );
    }
    const rows = writeRunTsv(this.db, id, r.datasetId, out);
    const summary = runSummary(this.db, id);
    return { rows, tsv: out, summary: summary ? writeSummary(out, summary) : undefined };
  }

  // ------------------------------------------------------------ queries

  topHits(runId: number, n = 100): Hit[] {
    return topHits(this.db, this.snpsOf, runId, n);
  }

  /** A page of a run's rows, sorted and filtered, with the count the filter keeps. */
  hitsPage(runId: number, q: HitsPageQuery): { total: number; rows: Hit[] } {
    return hitsPage(this.db, this.snpsOf, runId, q);
  }

  manhattan(runId: number): ManhattanSeries {
    return manhattan(this.db, runId, this.snpArrays(getRun(this.db, runId).datasetId));
  }

  manhattanChunks(runId: number, chunkRows?: number): { chrNames: string[]; chunks: Generator<ManhattanChunk> } {
    const arrays = this.snpArrays(getRun(this.db, runId).datasetId);
    return { chrNames: arrays.chrNames, chunks: manhattanChunks(this.db, runId, arrays, chunkRows) };
  }

  snpDetails(runId: number, q: SnpQuery): SnpDetails | undefined {
    return snpDetails(this.db, this.snpsOf, runId, q);
  }

  region(runId: number, chr: string, start: number, end: number): RegionResult {
    return region(this.db, this.snpsOf, runId, chr, start, end);
  }

  compareRuns(runIds: number[], top = 20): RunComparison {
    return compareRuns(this.db, this.snpsOf, runIds, top);
  }

  // ------------------------------------------------------------ housekeeping

  cacheStats(): CacheStats {
    return cacheStats(this.db);
  }

  /** Limit the cached kinship/eigen matrices to `bytes` (least recently used dropped first). */
  setCacheLimit(bytes: number): void {
    this.writable('setCacheLimit');
    this.db.transaction(() => {
      this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('cache_limit_bytes', ?)").run(String(bytes));
      pruneCache(this.db, bytes);
    })();
  }

  /**
   * Make the file as small as it can be, e.g. before copying it: drop the cached kinship matrices
   * and eigendecompositions (recomputed from the project's genotypes when next needed) unless
   * keepCache, and rewrite the file without free pages (VACUUM).
   */
  compact(opts: { keepCache?: boolean } = {}): { before: number; after: number; droppedCache: number } {
    this.writable('compact');
    if (this.active.size > 0) throw new InputError('cannot be compacted while a run is running', { file: this.path }, 'Wait for the run to finish');
    const before = this.fileBytes();
    let dropped = 0;
    if (!opts.keepCache) dropped = this.db.prepare('DELETE FROM cache_entries').run().changes;
    this.db.exec('VACUUM');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return { before, after: this.fileBytes(), droppedCache: dropped };
  }

  /** Bytes of the project file plus its write-ahead log. */
  fileBytes(): number {
    const size = (p: string): number => {
      try {
        return statSync(p).size;
      } catch {
        return 0;
      }
    };
    return size(this.path) + size(`${this.path}-wal`);
  }

  /** Write any committed changes from the write-ahead log into the file itself. */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }
}

export { summaryPath };
export type { DatasetInfo, ExecuteOptions, ExecuteResult, Hit, HitsPageQuery, ManhattanChunk, MatrixInfo, ManhattanSeries, RegionResult, RunComparison, RunInfo, RunLogLine, RunSession, SheetInfo, SnpDetails, SnpQuery, SnpArrays };
