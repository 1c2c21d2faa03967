/**
 * Runs in a project: the record of one scan (settings with the ids of its inputs, software version,
 * status, progress, timings, null fit, lambda_GC, summary), its sessions (the first start and every
 * resume) and its log lines.
 *
 * Status: queued -> running -> done | failed | cancelled. A run found 'running' when a writer opens
 * the project was cut off (crash, kill, power loss): it becomes 'interrupted', keeping how far it got
 * (`done` of `total` positions of the tested-SNP list), and can be resumed like a cancelled one.
 */
import type { HeritabilityReport } from '../stats/heritability/heritability.js';
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { InputError } from '../io/errors.js';
import type { ScanSummary } from '../scan/run.js';
import { scanSettingsSchema, type ScanSettings } from '../scan/settings.js';
import { VERSION } from '../version.js';
import { nowIso } from './codec.js';

export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

/** What a run was asked to do: the settings (with the source paths, as given) and the project ids of its inputs. */
export interface RunSpec {
  settings: ScanSettings;
  datasetId: number;
  phenoSheetId: number;
  covarSheetId?: number;
  matrixId?: number;
  /** Tested SNPs per block (each block is one transaction); fixed for the life of the run. */
  blockSize: number;
}

/** A run's recorded spec, as stored in runs.settings (JSON), checked with the one settings schema. */
const runSpecSchema = z
  .object({
    settings: scanSettingsSchema,
    datasetId: z.number().int().positive(),
    phenoSheetId: z.number().int().positive(),
    covarSheetId: z.number().int().positive().optional(),
    matrixId: z.number().int().positive().optional(),
    blockSize: z.number().int().positive(),
  })
  .strict();

/** Parse a run's recorded spec; a damaged record is an InputError naming the project and the run. */
function parseSpec(db: Database.Database, id: number, json: string): RunSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw damagedRun(db, id, `not JSON: ${(e as Error).message}`);
  }
  const r = runSpecSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw damagedRun(db, id, `${issue.path.join('.') || 'the record'}: ${issue.message}`);
  }
  return r.data;
}

function damagedRun(db: Database.Database, id: number, detail: string): InputError {
  return new InputError(
    `the recorded settings of run ${id} are damaged (${detail})`,
    { file: db.name },
    'Start a new run with the settings you want; the other runs of the project are not affected',
  );
}

export interface NullFitRecord {
  logl_h0: number;
  sigma_a2: number;
  sigma_e2: number;
  delta: number;
  pve: number;
}

export interface RunInfo {
  id: number;
  status: RunStatus;
  datasetId: number;
  phenoSheetId: number;
  covarSheetId: number | null;
  matrixId: number | null;
  trait: string;
  model: ScanSettings['model'];
  method: ScanSettings['method'];
  settings: ScanSettings;
  blockSize: number;
  softwareVersion: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  /** Positions of the tested-SNP list (null until the run was prepared). */
  total: number | null;
  /** Positions committed (tested SNPs done, including those skipped as collinear). */
  done: number;
  /** Result rows committed. */
  rows: number;
  analysed: number | null;
  wallSeconds: number;
  timings: Record<string, number> | null;
  nullFit: NullFitRecord | null;
  lambdaGc: number | null;
  /** The null model's h2 with its intervals (null before version 7, or until the run has ended a session). */
  heritability: HeritabilityReport | null;
  error: string | null;
}

export interface RunSession {
  seq: number;
  pid: number;
  host: string;
  softwareVersion: string;
  startedAt: string;
  endedAt: string | null;
  fromPos: number;
  toPos: number | null;
  outcome: string | null;
}

export interface RunLogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

interface RunRowDb {
  id: number;
  dataset_id: number;
  pheno_sheet_id: number;
  covar_sheet_id: number | null;
  matrix_id: number | null;
  trait: string;
  model: ScanSettings['model'];
  method: ScanSettings['method'];
  settings: string;
  software_version: string;
  status: RunStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
  total: number | null;
  done: number;
  n_rows: number;
  analysed: number | null;
  wall_seconds: number;
  timings: string | null;
  null_fit: string | null;
  lambda_gc: number | null;
  heritability: string | null;
  error: string | null;
}

const RUN_COLS =
  'id, dataset_id, pheno_sheet_id, covar_sheet_id, matrix_id, trait, model, method, settings, software_version, status, created_at, started_at, finished_at, updated_at, total, done, n_rows, analysed, wall_seconds, timings, null_fit, lambda_gc, heritability, error';

function toInfo(db: Database.Database, r: RunRowDb): RunInfo {
  const spec = parseSpec(db, r.id, r.settings);
  return {
    id: r.id,
    status: r.status,
    datasetId: r.dataset_id,
    phenoSheetId: r.pheno_sheet_id,
    covarSheetId: r.covar_sheet_id,
    matrixId: r.matrix_id,
    trait: r.trait,
    model: r.model,
    method: r.method,
    settings: spec.settings,
    blockSize: spec.blockSize,
    softwareVersion: r.software_version,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    updatedAt: r.updated_at,
    total: r.total,
    done: r.done,
    rows: r.n_rows,
    analysed: r.analysed,
    wallSeconds: r.wall_seconds,
    timings: r.timings ? (JSON.parse(r.timings) as Record<string, number>) : null,
    nullFit: r.null_fit ? (JSON.parse(r.null_fit) as NullFitRecord) : null,
    lambdaGc: r.lambda_gc,
    heritability: r.heritability ? (JSON.parse(r.heritability) as HeritabilityReport) : null,
    error: r.error,
  };
}

export function createRun(db: Database.Database, spec: RunSpec): number {
  const now = nowIso();
  const info = db
    .prepare(
      `INSERT INTO runs (dataset_id, pheno_sheet_id, covar_sheet_id, matrix_id, trait, model, method, settings, software_version, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
    )
    .run(
      spec.datasetId,
      spec.phenoSheetId,
      spec.covarSheetId ?? null,
      spec.matrixId ?? null,
      spec.settings.trait,
      spec.settings.model,
      spec.settings.method,
      JSON.stringify(spec),
      VERSION,
      now,
      now,
    );
  return Number(info.lastInsertRowid);
}

export function runSpec(db: Database.Database, id: number): RunSpec {
  const s = db.prepare('SELECT settings FROM runs WHERE id = ?').pluck().get(id) as string | undefined;
  if (s === undefined) throw noSuchRun(db, id);
  return parseSpec(db, id, s);
}

export function noSuchRun(db: Database.Database, id: number): InputError {
  return new InputError(`has no run ${id}`, { file: db.name }, `List the runs with kinscan runs --project ${db.name}`);
}

export function getRun(db: Database.Database, id: number): RunInfo {
  const r = db.prepare(`SELECT ${RUN_COLS} FROM runs WHERE id = ?`).get(id) as RunRowDb | undefined;
  if (!r) throw noSuchRun(db, id);
  return toInfo(db, r);
}

export function listRuns(db: Database.Database): RunInfo[] {
  return (db.prepare(`SELECT ${RUN_COLS} FROM runs ORDER BY id`).all() as RunRowDb[]).map((r) => toInfo(db, r));
}

export function runSummary(db: Database.Database, id: number): ScanSummary | undefined {
  const s = db.prepare('SELECT summary FROM runs WHERE id = ?').pluck().get(id) as string | null | undefined;
  return s ? (JSON.parse(s) as ScanSummary) : undefined;
}

export function addLog(db: Database.Database, runId: number, level: RunLogLine['level'], message: string): void {
  db.prepare('INSERT INTO run_log (run_id, seq, at, level, message) VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM run_log WHERE run_id = ?), ?, ?, ?)').run(
    runId,
    runId,
    nowIso(),
    level,
    message,
  );
}

export function runLog(db: Database.Database, runId: number): RunLogLine[] {
  return db.prepare('SELECT at, level, message FROM run_log WHERE run_id = ? ORDER BY seq').all(runId) as RunLogLine[];
}

export function runSessions(db: Database.Database, runId: number): RunSession[] {
  return db
    .prepare(
      'SELECT seq, pid, host, software_version AS softwareVersion, started_at AS startedAt, ended_at AS endedAt, from_pos AS fromPos, to_pos AS toPos, outcome FROM run_sessions WHERE run_id = ? ORDER BY seq',
    )
    .all(runId) as RunSession[];
}

/** Mark the run running and open a session starting at its committed position. Returns the session number. */
export function beginSession(db: Database.Database, runId: number): number {
  return db.transaction(() => {
    const r = getRun(db, runId);
    const now = nowIso();
    const seq = ((db.prepare('SELECT max(seq) FROM run_sessions WHERE run_id = ?').pluck().get(runId) as number | null) ?? 0) + 1;
    db.prepare(
      'INSERT INTO run_sessions (run_id, seq, pid, host, software_version, started_at, from_pos) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(runId, seq, process.pid, hostname(), VERSION, now, r.done);
    db.prepare("UPDATE runs SET status = 'running', started_at = coalesce(started_at, ?), updated_at = ?, error = NULL WHERE id = ?").run(now, now, runId);
    addLog(db, runId, 'info', seq === 1 ? `started by kinscan ${VERSION}` : `resumed at ${r.done} of ${r.total ?? '?'} by kinscan ${VERSION}`);
    return seq;
  })();
}

/** Record what preparing the run found: the tested-SNP count, the individuals analysed, the preparation timings. */
export function setPrepared(db: Database.Database, runId: number, total: number, analysed: number, timings: Record<string, number>): void {
  db.prepare('UPDATE runs SET total = ?, analysed = ?, timings = ? WHERE id = ?').run(total, analysed, JSON.stringify(timings), runId);
}

/** Close a session: the run's new status, where it stopped, the wall time spent, and an error if any. */
export function endSession(
  db: Database.Database,
  runId: number,
  seq: number,
  status: Exclude<RunStatus, 'queued' | 'running' | 'interrupted'>,
  wallSeconds: number,
  error?: string,
): void {
  db.transaction(() => {
    const r = getRun(db, runId);
    const now = nowIso();
    db.prepare('UPDATE run_sessions SET ended_at = ?, to_pos = ?, outcome = ? WHERE run_id = ? AND seq = ?').run(now, r.done, status, runId, seq);
    db.prepare('UPDATE runs SET status = ?, finished_at = ?, updated_at = ?, wall_seconds = wall_seconds + ?, error = ? WHERE id = ?').run(
      status,
      status === 'done' ? now : null,
      now,
      wallSeconds,
      error ?? null,
      runId,
    );
    const where = `${r.done} of ${r.total ?? '?'} tested SNPs`;
    if (status === 'done') addLog(db, runId, 'info', `done: ${r.rows} result rows, lambda_GC ${r.lambdaGc?.toFixed(4) ?? 'NA'}`);
    else if (status === 'cancelled') addLog(db, runId, 'warn', `stopped after ${where}`);
    else addLog(db, runId, 'error', `failed after ${where}: ${error ?? 'unknown error'}`);
  })();
}

/**
 * Runs left 'running' by a writer that is gone (the caller holds the writer lock, so no one else is
 * running them) become 'interrupted'; their open sessions are closed. Returns their ids.
 */
export function markInterrupted(db: Database.Database): number[] {
  return db.transaction(() => {
    const ids = db.prepare("SELECT id FROM runs WHERE status = 'running'").pluck().all() as number[];
    const now = nowIso();
    for (const id of ids) {
      const r = getRun(db, id);
      // The time the cut-off session worked: from its start to the run's last commit.
      const open = db.prepare('SELECT started_at FROM run_sessions WHERE run_id = ? AND ended_at IS NULL ORDER BY seq DESC').pluck().get(id) as string | undefined;
      const worked = open ? Math.max(0, (Date.parse(r.updatedAt) - Date.parse(open)) / 1000) : 0;
      db.prepare("UPDATE run_sessions SET ended_at = ?, to_pos = ?, outcome = 'interrupted' WHERE run_id = ? AND ended_at IS NULL").run(r.updatedAt, r.done, id);
      db.prepare("UPDATE runs SET status = 'interrupted', updated_at = ?, wall_seconds = wall_seconds + ? WHERE id = ?").run(now, worked, id);
      addLog(db, id, 'warn', `interrupted after ${r.done} of ${r.total ?? '?'} tested SNPs (the process ended without closing the run); resume it to finish`);
    }
    return ids;
  })();
}

/** A queued run that will not start after all: it becomes 'cancelled' (and can be resumed like any cancelled run). */
export function cancelQueuedRun(db: Database.Database, runId: number): void {
  db.transaction(() => {
    const r = getRun(db, runId);
    if (r.status !== 'queued') throw new Error(`cancelQueuedRun: run ${runId} is ${r.status}, not queued`);
    db.prepare("UPDATE runs SET status = 'cancelled', updated_at = ? WHERE id = ?").run(nowIso(), runId);
    addLog(db, runId, 'warn', 'cancelled before it started');
  })();
}

/** Delete a run with its sessions, log and results (the caller makes sure it is not running). */
export function deleteRun(db: Database.Database, runId: number): void {
  db.transaction(() => {
    getRun(db, runId);
    // Results, blocks, sessions and log lines go with it (ON DELETE CASCADE).
    db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
  })();
}
