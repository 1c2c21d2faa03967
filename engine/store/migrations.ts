/**
 * Forward migrations of the project layout. Each takes a file from version - 1 to version inside the
 * same transaction as the version bump, so a crash mid-migration leaves the old version intact.
 * Released migrations are never edited; a change of layout is a new entry at the end.
 */
import type Database from 'better-sqlite3';
import { countGenotypes } from '../qc/snps.js';
import { toBlob } from './codec.js';
import { openDatasetBed } from './datasets.js';
import { SCHEMA_V1, SCHEMA_V1_VERSION } from './schema.js';
import { SNP_BLOCKS_SCHEMA, SnpBlockWriter } from './snp-descriptions.js';
import { SNP_COUNTS_SCHEMA, storeSnpCounts } from './snp-stats.js';

export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

/** snp_blocks as migration 8 made it (migration 9 rebuilds it as SNP_BLOCKS_SCHEMA). */
const SNP_BLOCKS_V8 = `
CREATE TABLE snp_blocks (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  block INTEGER NOT NULL,
  ids TEXT NOT NULL,
  alleles TEXT NOT NULL,
  cm BLOB,
  PRIMARY KEY (dataset_id, block)
) WITHOUT ROWID;`;

/** Rows per backfilled result block (v2). */
const BACKFILL_BLOCK = 1024;

export const MIGRATIONS: Migration[] = [
  {
    version: 2,
    description: 'result_blocks: per-block packed SNP indices and ln p, for the Manhattan series',
    up(db) {
      db.exec(`
CREATE TABLE result_blocks (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  first_snp INTEGER NOT NULL,
  n INTEGER NOT NULL,
  snps BLOB NOT NULL,
  lnp BLOB NOT NULL,
  PRIMARY KEY (run_id, first_snp)
);`);
      // Backfill from the rows of runs written by version 1.
      const ins = db.prepare('INSERT INTO result_blocks (run_id, first_snp, n, snps, lnp) VALUES (?, ?, ?, ?, ?)');
      const runIds = db.prepare('SELECT id FROM runs ORDER BY id').pluck().all() as number[];
      const rows = db.prepare('SELECT snp, lnp FROM results WHERE run_id = ? ORDER BY snp').raw();
      for (const runId of runIds) {
        let snps: number[] = [];
        let lnps: number[] = [];
        const flush = (): void => {
          if (snps.length === 0) return;
          ins.run(runId, snps[0], snps.length, toBlob(Int32Array.from(snps)), toBlob(Float64Array.from(lnps, (x) => (x === null ? NaN : x))));
          snps = [];
          lnps = [];
        };
        for (const r of rows.iterate(runId) as Iterable<[number, number]>) {
          snps.push(r[0]);
          lnps.push(r[1]);
          if (snps.length === BACKFILL_BLOCK) flush();
        }
        flush();
      }
    },
  },
  {
    version: 3,
    description: 'snp_counts: per-SNP genotype counts over all individuals of each dataset, for the QC preview',
    up(db) {
      db.exec(SNP_COUNTS_SCHEMA);
      // Datasets imported before version 3: counted from their genotype BLOBs (the import counts them from then on).
      for (const id of db.prepare('SELECT id FROM datasets ORDER BY id').pluck().all() as number[]) {
        const bed = openDatasetBed(db, id);
        try {
          storeSnpCounts(db, id, countGenotypes(bed, Int32Array.from({ length: bed.nSamples }, (_, i) => i)));
        } finally {
          bed.close();
        }
      }
    },
  },
  {
    version: 4,
    description: "results.flag: '' or why a SNP's fit is not to be trusted ('below-null', 'not-converged')",
    up(db) {
      // Rows written before version 4 were not checked: they keep an empty flag.
      db.exec("ALTER TABLE results ADD COLUMN flag TEXT NOT NULL DEFAULT ''");
    },
  },
  {
    version: 5,
    description: 'genotypes from any format: datasets.format, datasets.dosage and dosage_blocks (Float32 dosages), datasets.import_summary; source file roles genotypes, map, pedigree',
    up(db) {
      db.exec(`
ALTER TABLE datasets ADD COLUMN format TEXT NOT NULL DEFAULT 'plink';
ALTER TABLE datasets ADD COLUMN dosage INTEGER NOT NULL DEFAULT 0;
ALTER TABLE datasets ADD COLUMN import_summary TEXT NOT NULL DEFAULT '{"snps":0,"skipped":[],"warnings":[]}';
CREATE TABLE dosage_blocks (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  block INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (dataset_id, block)
);
CREATE TABLE source_files_v5 (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER REFERENCES datasets(id) ON DELETE CASCADE,
  sheet_id INTEGER REFERENCES sheets(id) ON DELETE CASCADE,
  matrix_id INTEGER REFERENCES matrices(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('bed', 'bim', 'fam', 'genotypes', 'map', 'sheet', 'matrix', 'pedigree')),
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  CHECK ((dataset_id IS NOT NULL) + (sheet_id IS NOT NULL) + (matrix_id IS NOT NULL) = 1)
);
INSERT INTO source_files_v5 SELECT id, dataset_id, sheet_id, matrix_id, role, name, path, size, mtime, sha256 FROM source_files;
DROP TABLE source_files;
ALTER TABLE source_files_v5 RENAME TO source_files;
CREATE INDEX source_files_dataset ON source_files(dataset_id);
CREATE INDEX source_files_sheet ON source_files(sheet_id);
CREATE INDEX source_files_matrix ON source_files(matrix_id);`);
      // Datasets imported before version 5 are PLINK sets: their summary is their SNP count.
      db.prepare(`UPDATE datasets SET import_summary = json_object('snps', n_snps, 'skipped', json('[]'), 'warnings', json('[]'))`).run();
    },
  },
  {
    version: 6,
    description: 'sheets.positional (GEMMA headerless files, matched by row order), sheets.decimal_comma, sheets.worksheet (.xlsx), sheets.warnings; matrices.ids (a kinship file with an ID header)',
    up(db) {
      // Sheets and matrices imported before version 6 had headers and were in .fam order: the defaults say so.
      db.exec(`
ALTER TABLE sheets ADD COLUMN positional INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sheets ADD COLUMN decimal_comma INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sheets ADD COLUMN worksheet TEXT;
ALTER TABLE sheets ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
ALTER TABLE matrices ADD COLUMN ids TEXT;`);
    },
  },
  {
    version: 7,
    description: "results.log10_bf and results.log10_abf: each SNP's exact (BIMBAM prior) and Wakefield's approximate Bayes factor; runs.heritability: the null model's h2 with its intervals",
    up(db) {
      // Rows written before version 7 have no Bayes factors (NULL, shown as NA); runs no h2 report.
      db.exec(`
ALTER TABLE results ADD COLUMN log10_bf REAL;
ALTER TABLE results ADD COLUMN log10_abf REAL;
ALTER TABLE runs ADD COLUMN heritability TEXT;`);
    },
  },
  {
    version: 8,
    description: "snp_blocks: each genotype block's SNP IDs, alleles and genetic positions in one row, in place of the snps table's row per SNP and its two indexes",
    up(db) {
      db.exec(SNP_BLOCKS_V8);
      const datasets = db.prepare('SELECT id, n_snps, block_snps FROM datasets ORDER BY id').raw().all() as [number, number, number][];
      const blockRows = db.prepare('SELECT rs, cm, allele1, allele0 FROM snps WHERE dataset_id = ? AND idx >= ? AND idx < ? ORDER BY idx').raw();
      for (const [id, nSnps, blockSnps] of datasets) {
        const writer = new SnpBlockWriter(db, id);
        for (let b = 0; b * blockSnps < nSnps; b++) {
          for (const [rs, cm, allele1, allele0] of blockRows.all(id, b * blockSnps, (b + 1) * blockSnps) as [string, number, string, string][]) writer.add(rs, allele1, allele0, cm);
          writer.flush(b);
        }
      }
      db.exec('DROP TABLE snps');
    },
  },
  {
    version: 9,
    description: 'snp_blocks as a rowid table: its rows whole in the b-tree and full overflow pages (16 KiB pages of new projects)',
    up(db) {
      db.exec(`ALTER TABLE snp_blocks RENAME TO snp_blocks_v8;
${SNP_BLOCKS_SCHEMA}
INSERT INTO snp_blocks (dataset_id, block, ids, alleles, cm) SELECT dataset_id, block, ids, alleles, cm FROM snp_blocks_v8 ORDER BY dataset_id, block;
DROP TABLE snp_blocks_v8;`);
    },
  },
];

/** The layout version this software writes. */
export const SCHEMA_VERSION = MIGRATIONS.length > 0 ? MIGRATIONS[MIGRATIONS.length - 1]!.version : SCHEMA_V1_VERSION;

/** Create the version-1 tables in an empty database (caller holds a transaction). */
export function createV1(db: Database.Database): void {
  db.exec(SCHEMA_V1);
  db.pragma(`user_version = ${SCHEMA_V1_VERSION}`);
}

/**
 * Apply every migration after `from`, one transaction each. Returns the versions applied.
 * The caller has checked that `from` is not newer than SCHEMA_VERSION.
 */
export function migrate(db: Database.Database, from: number): number[] {
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (m.version <= from) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}
