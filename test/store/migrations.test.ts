import { readFileSync } from 'node:fs';
import { RESULT_COLUMNS } from '../../engine/scan/results.js';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../engine/io/errors.js';
import { scanToFiles } from '../../engine/scan/run.js';
import { importDataset, loadBim } from '../../engine/store/datasets.js';
import { createV1, MIGRATIONS, SCHEMA_VERSION } from '../../engine/store/migrations.js';
import { Project } from '../../engine/store/project.js';
import { createRun } from '../../engine/store/runs.js';
import { APPLICATION_ID, SCHEMA_V1_VERSION } from '../../engine/store/schema.js';
import { importSheet, loadSheet } from '../../engine/store/sheets.js';
import { SNP_BLOCKS_SCHEMA } from '../../engine/store/snp-descriptions.js';
import { SNP_COUNTS_SCHEMA } from '../../engine/store/snp-stats.js';
import { collectScan } from '../helpers/scan.js';
import { tempDir } from '../helpers/tmp.js';
import { settingsFor, simulatedSet } from './helpers.js';

/** The schema as SQLite reports it: every table, index and column definition. */
function schemaOf(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as { sql: string | null }[]).map((r) =>
      JSON.stringify(r),
    );
  } finally {
    db.close();
  }
}

describe('schema migrations', () => {
  const dir = tempDir('kinscan-store-mig-');
  const set = simulatedSet(dir, 'sim', 80, 500, 21);
  const settings = settingsFor(set, 't1', { model: 'additive' });
  const v1 = join(dir, 'v1.kinscan');
  const refTsv = join(dir, 'ref.tsv');
  /** The .bim as the version-1 file holds it. */
  let bimV1: ReturnType<typeof loadBim>;

  beforeAll(async () => {
    await scanToFiles(settings, refTsv);
    // A project as version 1 wrote it: the version-1 tables, a dataset, a sheet, and a finished run
    // whose results are rows only (version 1 had no result_blocks).
    const db = new Database(v1);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.transaction(() => {
      db.pragma(`application_id = ${APPLICATION_ID}`);
      createV1(db);
      db.prepare("INSERT INTO meta (key, value) VALUES ('created_by', 'kinscan 0.1.0')").run();
    })();
    // Today's import also writes the per-SNP counts of version 3 and the format columns and dosage
    // table of version 5, which version 1 did not have: added for the import, then taken out again.
    db.exec(SNP_COUNTS_SCHEMA);
    db.exec(`ALTER TABLE datasets ADD COLUMN format TEXT NOT NULL DEFAULT 'plink';
ALTER TABLE datasets ADD COLUMN dosage INTEGER NOT NULL DEFAULT 0;
ALTER TABLE datasets ADD COLUMN import_summary TEXT NOT NULL DEFAULT '{}';
CREATE TABLE dosage_blocks (dataset_id INTEGER, block INTEGER, data BLOB);`);
    // Today's import writes SNP descriptions per block (version 8); version 1 had a row per SNP in
    // snps: those rows written from the blocks, which then go. Blocks of 128 SNPs: migration 8
    // rebuilds four, the last one short.
    db.exec(SNP_BLOCKS_SCHEMA);
    const datasetId = importDataset(db, set.prefix, { blockSnps: 128 }).id;
    const bim = (bimV1 = loadBim(db, datasetId));
    const insSnp = db.prepare('INSERT INTO snps (dataset_id, idx, chr, rs, cm, pos, allele1, allele0) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    bim.rs.forEach((rs, j) => insSnp.run(datasetId, j, bim.chr[j], rs, bim.cm[j], bim.pos[j], bim.allele1[j], bim.allele0[j]));
    db.exec('DROP TABLE snp_blocks; DROP TABLE snp_counts; DROP TABLE dosage_blocks; ALTER TABLE datasets DROP COLUMN format; ALTER TABLE datasets DROP COLUMN dosage; ALTER TABLE datasets DROP COLUMN import_summary;');
    // Today's sheet import also writes the columns of version 6 (positional, ...), which version 1 did not have.
    const V6_SHEET_COLUMNS = ['positional', 'decimal_comma', 'worksheet', 'warnings'];
    db.exec("ALTER TABLE sheets ADD COLUMN positional INTEGER NOT NULL DEFAULT 0; ALTER TABLE sheets ADD COLUMN decimal_comma INTEGER NOT NULL DEFAULT 0; ALTER TABLE sheets ADD COLUMN worksheet TEXT; ALTER TABLE sheets ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';");
    const phenoSheetId = importSheet(db, set.pheno).id;
    for (const c of V6_SHEET_COLUMNS) db.exec(`ALTER TABLE sheets DROP COLUMN ${c}`);
    const runId = createRun(db, { settings, datasetId, phenoSheetId, blockSize: 256 });
    const { rows, outcome } = await collectScan(settings);
    const prep = outcome.prep;
    const ins = db.prepare('INSERT INTO results (run_id, snp, af, n_miss, df, beta_a, se_a, beta_d, se_d, logl_h1, delta_h1, lrt, lnp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (const r of rows) ins.run(runId, r.snp, r.af, r.nMiss, r.df, r.betaA, r.seA, r.betaD, r.seD, r.loglH1, r.deltaH1, r.lrt, r.lnP);
      db.prepare("UPDATE runs SET status = 'done', total = ?, done = ?, n_rows = ? WHERE id = ?").run(prep.tested.length, prep.tested.length, rows.length, runId);
    })();
    db.close();
  });

  it('the version numbers follow on from version 1', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: MIGRATIONS.length }, (_, k) => SCHEMA_V1_VERSION + 1 + k));
    expect(SCHEMA_VERSION).toBe(SCHEMA_V1_VERSION + MIGRATIONS.length);
  });

  it('opens a file made by version 1: migrates it forward, keeps its runs, and ends with the schema of a new project', () => {
    const fresh = join(dir, 'fresh.kinscan');
    Project.open(fresh, { create: true }).close();
    expect(schemaOf(v1)).not.toEqual(schemaOf(fresh));

    // A read-only open writes nothing, so it does not upgrade: it says how to.
    const before = readFileSync(v1);
    expect(() => Project.open(v1, { readonly: true })).toThrow(InputError);
    expect(() => Project.open(v1, { readonly: true })).toThrow(/was written by an older Kinscan \(project layout version 1; .*\) and is opened read-only here, so it is not upgraded\. Open it once for writing to upgrade it/);
    expect(readFileSync(v1).equals(before)).toBe(true);

    // A writer upgrades it; then readers read it.
    const w = Project.open(v1);
    expect(w.migrated).toEqual(MIGRATIONS.map((m) => m.version));
    w.close();
    const db = new Database(v1, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    expect(schemaOf(v1)).toEqual(schemaOf(fresh));
    const r = Project.open(v1, { readonly: true });
    expect(r.runs().map((x) => [x.id, x.status])).toEqual([[1, 'done']]);
    r.close();

    const p = Project.open(v1);
    try {
      expect(p.migrated).toEqual([]);
      // A sheet imported before version 6 had a header row and no stated warnings.
      const sheet = p.sheet(1);
      expect([sheet.positional, sheet.decimalComma, sheet.worksheet, sheet.warnings]).toEqual([false, false, undefined, []]);
      expect(loadSheet(p.db, 1).positional).toBeUndefined();
      // Migration 8 moved the SNP rows into blocks: the same .bim reads back.
      expect(loadBim(p.db, 1)).toEqual(bimV1);
      expect(p.db.prepare('SELECT count(*) FROM snp_blocks WHERE dataset_id = 1').pluck().get()).toBe(4);
      // Migration 9 made it a rowid table (its rows whole in the b-tree); the file keeps its 4 KiB pages.
      expect(p.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'snp_blocks'").pluck().get()).not.toMatch(/WITHOUT ROWID/);
      expect(p.db.pragma('page_size', { simple: true })).toBe(4096);
      // Rows written before version 4 carry an empty flag.
      expect(p.db.prepare("SELECT count(*) FROM results WHERE flag <> ''").pluck().get()).toBe(0);
      // The backfilled blocks give the Manhattan series; the rows give the same TSV.
      const m = p.manhattan(1);
      const lnps = p.db.prepare('SELECT lnp FROM results WHERE run_id = 1 ORDER BY snp').pluck().all() as number[];
      expect(Array.from(m.negLog10P)).toEqual(lnps.map((x) => -x / Math.LN10));
      p.exportRun(1, join(dir, 'v1.tsv'));
      // Rows written before version 7 have no Bayes factors: NA there, every other column as the scan wrote it.
      const bayes = ['log10_bf', 'log10_abf', 'ppa'].map((c) => RESULT_COLUMNS.indexOf(c as (typeof RESULT_COLUMNS)[number]));
      const withoutBayes = readFileSync(refTsv, 'utf8')
        .split('\n')
        .map((line, k) => (k === 0 || line === '' ? line : line.split('\t').map((v, c) => (bayes.includes(c) ? 'NA' : v)).join('\t')))
        .join('\n');
      expect(readFileSync(join(dir, 'v1.tsv'), 'utf8')).toBe(withoutBayes);
    } finally {
      p.close();
    }
  });

  it('a writer reports the versions it applied', () => {
    const path = join(dir, 'v1b.kinscan');
    const db = new Database(path);
    db.transaction(() => {
      db.pragma(`application_id = ${APPLICATION_ID}`);
      createV1(db);
    })();
    db.close();
    const p = Project.open(path);
    expect(p.migrated).toEqual(MIGRATIONS.map((m) => m.version));
    p.close();
  });
});
