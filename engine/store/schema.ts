/**
 * The project file's layout. A new project is created with SCHEMA_V1 and then brought up to date by
 * the same forward migrations (migrations.ts) that upgrade an old file, so a fresh project and an
 * upgraded one have exactly the same schema. Never edit SCHEMA_V1 or a released migration: add a
 * migration instead.
 *
 * Tables (current version):
 *   meta            key/value: created_at, created_by (software version), cache_limit_bytes
 *   owner           the process that has the project open for writing (pid, host, user, command, since)
 *   datasets        imported PLINK sets: sizes, genotype block layout, .fam phenotype columns
 *   source_files    name, path, size, mtime and SHA-256 of every imported file
 *   samples         the .fam rows          (dataset_id, idx)
 *   snps            (to v7) the .bim rows (dataset_id, idx); indexed by (chr, pos) and rs
 *   snp_blocks      (v8, in place of snps) per genotype block: its SNPs' IDs and alleles (JSON
 *                   arrays) and genetic positions (Float64, NULL when all 0); snp-descriptions.ts
 *   genotype_blocks 2-bit packed SNP-major genotypes, block_snps SNPs per BLOB (zlib-compressed)
 *   snp_arrays      per dataset: chromosome names, code (Int32) and position (Float64) per SNP
 *   sheets          imported phenotype/covariate sheets; sheet_rows (IDs), sheet_columns (Float64 BLOB or text)
 *   matrices        imported kinship matrix files; matrix_chunks holds the Float64 values
 *   cache_entries   cached kinship matrices and eigendecompositions, by content-hash key per dataset;
 *                   cache_chunks holds their Float64 values
 *   runs            one scan each: settings (JSON, with the ids), software version, status, progress
 *                   (done = positions of the tested-SNP list committed, total), timings, null fit,
 *                   lambda_gc, summary; run_sessions (each start/resume), run_log (log lines)
 *   results         one row per tested SNP and run, every value of the TSV row at full precision;
 *                   indexed by (run_id, snp) and (run_id, lnp)
 *   result_blocks   (v2) per committed block: the SNP indices (Int32) and ln p (Float64) as BLOBs,
 *                   for the Manhattan series
 *   snp_counts      (v3) per dataset: per-SNP genotype counts over all its individuals as Int32 BLOBs
 *                   (hom1 = two copies of allele 1, het, missing), for the QC preview
 *   results.flag    (v4) '' or why the SNP's fit is not to be trusted: 'below-null', 'not-converged'
 *   (v5, v6)        genotype formats and dosages, sheet layouts: see migrations.ts
 *   results.log10_bf, results.log10_abf (v7) exact and approximate Bayes factors (NULL before v7);
 *   runs.heritability (v7) JSON: the null model's h2 with profile, posterior and bootstrap intervals
 */

/** Identifies a Kinscan project among SQLite files: 'KNSC'. */
export const APPLICATION_ID = 0x4b4e5343;

/** The version of the layout written by SCHEMA_V1. */
export const SCHEMA_V1_VERSION = 1;

/** Version 1 of the layout, as first written. Frozen. */
export const SCHEMA_V1 = `
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE owner (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  user TEXT NOT NULL,
  command TEXT NOT NULL,
  since TEXT NOT NULL
);

CREATE TABLE datasets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  n_samples INTEGER NOT NULL CHECK (n_samples > 0),
  n_snps INTEGER NOT NULL CHECK (n_snps > 0),
  bytes_per_snp INTEGER NOT NULL,
  block_snps INTEGER NOT NULL CHECK (block_snps > 0),
  codec TEXT NOT NULL CHECK (codec IN ('raw', 'zlib')),
  fam_phenos BLOB NOT NULL,
  fam_pheno_text TEXT NOT NULL,
  content_sha256 TEXT NOT NULL UNIQUE,
  imported_at TEXT NOT NULL
);

CREATE TABLE sheets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  id_column TEXT NOT NULL,
  fid_column TEXT,
  delimiter TEXT NOT NULL,
  header_line INTEGER NOT NULL,
  n_rows INTEGER NOT NULL,
  sha256 TEXT NOT NULL UNIQUE,
  imported_at TEXT NOT NULL
);

CREATE TABLE matrices (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  n INTEGER NOT NULL,
  sha256 TEXT NOT NULL UNIQUE,
  imported_at TEXT NOT NULL
);

CREATE TABLE source_files (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER REFERENCES datasets(id) ON DELETE CASCADE,
  sheet_id INTEGER REFERENCES sheets(id) ON DELETE CASCADE,
  matrix_id INTEGER REFERENCES matrices(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('bed', 'bim', 'fam', 'sheet', 'matrix')),
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  CHECK ((dataset_id IS NOT NULL) + (sheet_id IS NOT NULL) + (matrix_id IS NOT NULL) = 1)
);
CREATE INDEX source_files_dataset ON source_files(dataset_id);
CREATE INDEX source_files_sheet ON source_files(sheet_id);
CREATE INDEX source_files_matrix ON source_files(matrix_id);

CREATE TABLE samples (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  fid TEXT NOT NULL,
  iid TEXT NOT NULL,
  father TEXT NOT NULL,
  mother TEXT NOT NULL,
  sex INTEGER NOT NULL,
  line INTEGER NOT NULL,
  PRIMARY KEY (dataset_id, idx)
) WITHOUT ROWID;

CREATE TABLE snps (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  chr TEXT NOT NULL,
  rs TEXT NOT NULL,
  cm REAL NOT NULL,
  pos INTEGER NOT NULL,
  allele1 TEXT NOT NULL,
  allele0 TEXT NOT NULL,
  PRIMARY KEY (dataset_id, idx)
) WITHOUT ROWID;
CREATE INDEX snps_position ON snps(dataset_id, chr, pos);
CREATE INDEX snps_rs ON snps(dataset_id, rs);

CREATE TABLE genotype_blocks (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  block INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (dataset_id, block)
);

CREATE TABLE snp_arrays (
  dataset_id INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
  chr_names TEXT NOT NULL,
  chr_code BLOB NOT NULL,
  pos BLOB NOT NULL
);

CREATE TABLE sheet_rows (
  sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
  row INTEGER NOT NULL,
  id TEXT NOT NULL,
  fid TEXT,
  line INTEGER NOT NULL,
  PRIMARY KEY (sheet_id, row)
) WITHOUT ROWID;

CREATE TABLE sheet_columns (
  sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
  col INTEGER NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('numeric', 'text')),
  data BLOB,
  text TEXT,
  first_line INTEGER,
  first_value TEXT,
  PRIMARY KEY (sheet_id, col)
);

CREATE TABLE matrix_chunks (
  matrix_id INTEGER NOT NULL REFERENCES matrices(id) ON DELETE CASCADE,
  part INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (matrix_id, part)
);

CREATE TABLE cache_entries (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('kinship', 'eigen')),
  n INTEGER NOT NULL,
  snps INTEGER,
  layout TEXT NOT NULL CHECK (layout IN ('full', 'upper')),
  bytes INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  used_at TEXT NOT NULL,
  UNIQUE (dataset_id, key)
);

CREATE TABLE cache_chunks (
  entry_id INTEGER NOT NULL REFERENCES cache_entries(id) ON DELETE CASCADE,
  field TEXT NOT NULL,
  part INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (entry_id, field, part)
);

CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id),
  pheno_sheet_id INTEGER NOT NULL REFERENCES sheets(id),
  covar_sheet_id INTEGER REFERENCES sheets(id),
  matrix_id INTEGER REFERENCES matrices(id),
  trait TEXT NOT NULL,
  model TEXT NOT NULL,
  method TEXT NOT NULL,
  settings TEXT NOT NULL,
  software_version TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  updated_at TEXT NOT NULL,
  total INTEGER,
  done INTEGER NOT NULL DEFAULT 0,
  n_rows INTEGER NOT NULL DEFAULT 0,
  analysed INTEGER,
  wall_seconds REAL NOT NULL DEFAULT 0,
  timings TEXT,
  null_fit TEXT,
  lambda_gc REAL,
  summary TEXT,
  error TEXT
);
CREATE INDEX runs_dataset ON runs(dataset_id);
CREATE INDEX runs_pheno ON runs(pheno_sheet_id);
CREATE INDEX runs_covar ON runs(covar_sheet_id);
CREATE INDEX runs_matrix ON runs(matrix_id);

CREATE TABLE run_sessions (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  software_version TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  from_pos INTEGER NOT NULL,
  to_pos INTEGER,
  outcome TEXT,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE run_log (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  level TEXT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE results (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  snp INTEGER NOT NULL,
  af REAL,
  n_miss INTEGER NOT NULL,
  df INTEGER NOT NULL,
  beta_a REAL,
  se_a REAL,
  beta_d REAL,
  se_d REAL,
  logl_h1 REAL,
  delta_h1 REAL,
  lrt REAL,
  lnp REAL,
  PRIMARY KEY (run_id, snp)
) WITHOUT ROWID;
CREATE INDEX results_lnp ON results(run_id, lnp);
`;
