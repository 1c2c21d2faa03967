/**
 * Per-SNP genotype counts of a dataset over all its individuals, stored once (layout version 3,
 * table snp_counts): counted at import from the same packed bytes that become the genotype BLOBs,
 * and for datasets imported before version 3 by migration 3 from those BLOBs. Three Int32 BLOBs
 * per dataset: two copies of allele 1 (code 0b00), heterozygous (0b10), missing (0b01); two copies
 * of allele 0 is the rest. The QC preview (qc-preview.ts) answers the all-individuals case from
 * these without touching the genotypes.
 */
import type Database from 'better-sqlite3';
import { InputError } from '../io/errors.js';
import type { GenotypeCounts } from '../qc/snps.js';
import { blobToI32, toBlob } from './codec.js';

/** The table of layout version 3 (created by migration 3). */
export const SNP_COUNTS_SCHEMA = `
CREATE TABLE snp_counts (
  dataset_id INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
  n_samples INTEGER NOT NULL,
  hom1 BLOB NOT NULL,
  het BLOB NOT NULL,
  missing BLOB NOT NULL
);`;

/** Record a dataset's counts over all its individuals (inside the caller's transaction). */
export function storeSnpCounts(db: Database.Database, datasetId: number, counts: GenotypeCounts): void {
  db.prepare('INSERT INTO snp_counts (dataset_id, n_samples, hom1, het, missing) VALUES (?, ?, ?, ?, ?)').run(
    datasetId,
    counts.n,
    toBlob(counts.hom1),
    toBlob(counts.het),
    toBlob(counts.missing),
  );
}

/** A dataset's stored counts over all its individuals. */
export function loadSnpCounts(db: Database.Database, datasetId: number): GenotypeCounts {
  const r = db.prepare('SELECT d.n_samples AS n, d.n_snps AS m, c.n_samples AS counted, c.hom1, c.het, c.missing FROM datasets d LEFT JOIN snp_counts c ON c.dataset_id = d.id WHERE d.id = ?').get(datasetId) as
    | { n: number; m: number; counted: number | null; hom1: Buffer | null; het: Buffer | null; missing: Buffer | null }
    | undefined;
  if (!r) throw new InputError(`has no dataset ${datasetId}`, { file: db.name }, 'List the datasets of the project and use one of their ids');
  const damaged = (what: string): InputError =>
    new InputError(`the per-SNP genotype counts of dataset ${datasetId} are ${what}`, { file: db.name }, 'Restore the project from a backup copy, or import the PLINK files into a new project');
  if (r.counted === null || !r.hom1 || !r.het || !r.missing) throw damaged('missing');
  const counts: GenotypeCounts = { n: r.counted, hom1: blobToI32(r.hom1), het: blobToI32(r.het), missing: blobToI32(r.missing) };
  if (counts.n !== r.n || counts.hom1.length !== r.m || counts.het.length !== r.m || counts.missing.length !== r.m) throw damaged('damaged (wrong sizes)');
  return counts;
}
