/**
 * Genotype datasets in a project: importing a PLINK set once (samples and SNPs as tables, the packed
 * genotypes as compressed BLOBs of `block_snps` SNPs each), and serving them back as the engine's
 * PlinkSet (Fam, Bim and a BLOB-backed BedFile), so a scan from a project never reads the source
 * files again.
 */
import type Database from 'better-sqlite3';
import { InputError } from '../io/errors.js';
import type { DosageSource, GenotypeFormat, ReadSummary } from '../io/genotype-source.js';
import type { Bim, BedFile, Fam, PlinkSet } from '../io/plink.js';
import { openGenotypes, type OpenGenotypesOptions } from '../io/genotype-format.js';
import { blobToF64, blobToI32, inflate } from './codec.js';
import { sourceFiles, type SourceFile } from './files.js';
import { importGenotypes, type ImportDatasetOptions, type ImportResult } from './genotype-import.js';
import { SnpDescriptions } from './snp-descriptions.js';

export { DEFAULT_BLOCK_SNPS, importGenotypes, type ImportDatasetOptions, type ImportResult } from './genotype-import.js';

export interface DatasetInfo {
  id: number;
  name: string;
  /** The PLINK prefix at import time (absolute); for other formats the genotype file's path. */
  prefix: string;
  format: GenotypeFormat;
  /** The dataset has dosages (scans and kinships use them; the 2-bit calls are them rounded). */
  dosage: boolean;
  /** What the import skipped and warned about. */
  importSummary: ReadSummary;
  nSamples: number;
  nSnps: number;
  blockSnps: number;
  codec: 'raw' | 'zlib';
  importedAt: string;
  contentSha256: string;
  files: SourceFile[];
}

interface DatasetRow {
  id: number;
  name: string;
  prefix: string;
  n_samples: number;
  n_snps: number;
  bytes_per_snp: number;
  block_snps: number;
  codec: 'raw' | 'zlib';
  imported_at: string;
  content_sha256: string;
  format: GenotypeFormat;
  dosage: number;
  import_summary: string;
}

const DATASET_COLS = 'id, name, prefix, n_samples, n_snps, bytes_per_snp, block_snps, codec, imported_at, content_sha256, format, dosage, import_summary';

function toInfo(db: Database.Database, r: DatasetRow): DatasetInfo {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    format: r.format,
    dosage: r.dosage === 1,
    importSummary: JSON.parse(r.import_summary) as ReadSummary,
    nSamples: r.n_samples,
    nSnps: r.n_snps,
    blockSnps: r.block_snps,
    codec: r.codec,
    importedAt: r.imported_at,
    contentSha256: r.content_sha256,
    files: sourceFiles(db, { dataset: r.id }),
  };
}

function row(db: Database.Database, id: number): DatasetRow {
  const r = db.prepare(`SELECT ${DATASET_COLS} FROM datasets WHERE id = ?`).get(id) as DatasetRow | undefined;
  if (!r) throw new InputError(`has no dataset ${id}`, { file: db.name }, `List the runs and their datasets with kinscan runs --project ${db.name} --json`);
  return r;
}

export function getDataset(db: Database.Database, id: number): DatasetInfo {
  return toInfo(db, row(db, id));
}

export function listDatasets(db: Database.Database): DatasetInfo[] {
  return (db.prepare(`SELECT ${DATASET_COLS} FROM datasets ORDER BY id`).all() as DatasetRow[]).map((r) => toInfo(db, r));
}

/** How to open a genotype input for import: the import's options and the reader's. */
export type ImportGenotypesOptions = ImportDatasetOptions & OpenGenotypesOptions;

/**
 * Import genotypes: a PLINK prefix or any genotype file (its format told by its content,
 * engine/io/genotype-format.ts), once (the same files again return the dataset imported), through
 * the one genotype import (genotype-import.ts).
 */
export function importDataset(db: Database.Database, path: string, opts: ImportGenotypesOptions = {}): ImportResult {
  const { anno, dosage, ...importOpts } = opts;
  return importGenotypes(db, openGenotypes(path, { ...(anno ? { anno } : {}), ...(dosage ? { dosage } : {}) }), importOpts);
}

/** What a BLOB-backed BedFile needs of a dataset's row. */
type BedRow = Pick<DatasetRow, 'id' | 'name' | 'prefix' | 'n_samples' | 'n_snps' | 'bytes_per_snp' | 'block_snps' | 'codec' | 'format'>;

/** The file a dataset's genotypes came from, for messages: the .bed of a PLINK set, else the file itself. */
function genotypePath(ds: BedRow): string {
  return ds.format === 'plink' ? `${ds.prefix}.bed` : ds.prefix;
}

function damagedBlock(db: Database.Database, name: string, block: number, what: string): InputError {
  return new InputError(
    `genotype block ${block} of dataset ${name} is damaged (${what})`,
    { file: db.name },
    'Restore the project from a backup copy, or import the PLINK files into a new project',
  );
}

/** A BedFile served from a dataset's genotype BLOBs (decompressed blocks are kept two at a time). */
export class ProjectBed implements BedFile {
  readonly path: string;
  readonly nSamples: number;
  readonly nSnps: number;
  readonly bytesPerSnp: number;
  private readonly blockSnps: number;
  private readonly codec: 'raw' | 'zlib';
  private readonly stmt: Database.Statement;
  private recent: { block: number; data: Uint8Array }[] = [];
  private closed = false;

  constructor(
    private readonly db: Database.Database,
    private readonly ds: BedRow,
  ) {
    this.path = genotypePath(ds);
    this.nSamples = ds.n_samples;
    this.nSnps = ds.n_snps;
    this.bytesPerSnp = ds.bytes_per_snp;
    this.blockSnps = ds.block_snps;
    this.codec = ds.codec;
    this.stmt = db.prepare('SELECT data FROM genotype_blocks WHERE dataset_id = ? AND block = ?').pluck();
  }

  private block(b: number): Uint8Array {
    const hit = this.recent.find((r) => r.block === b);
    if (hit) return hit.data;
    const blob = this.stmt.get(this.ds.id, b) as Buffer | undefined;
    if (!blob) throw damagedBlock(this.db, this.ds.name, b, 'missing');
    let data: Uint8Array;
    try {
      data = this.codec === 'zlib' ? inflate(blob) : blob;
    } catch (e) {
      throw damagedBlock(this.db, this.ds.name, b, (e as Error).message);
    }
    const count = Math.min(this.blockSnps, this.nSnps - b * this.blockSnps);
    if (data.length !== count * this.bytesPerSnp) throw damagedBlock(this.db, this.ds.name, b, `${data.length} bytes, expected ${count * this.bytesPerSnp}`);
    this.recent.unshift({ block: b, data });
    if (this.recent.length > 2) this.recent.pop();
    return data;
  }

  readPacked(start: number, count: number, out: Uint8Array): void {
    if (this.closed) throw new Error(`readPacked: ${this.path} is closed`);
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > this.nSnps) {
      throw new RangeError(`readPacked: SNPs ${start}..${start + count} out of range 0..${this.nSnps}`);
    }
    const bps = this.bytesPerSnp;
    if (out.length < count * bps) throw new RangeError(`readPacked: output holds ${out.length} bytes, needs ${count * bps}`);
    let s = start;
    let o = 0;
    const end = start + count;
    while (s < end) {
      const b = Math.floor(s / this.blockSnps);
      const first = b * this.blockSnps;
      const data = this.block(b);
      const take = Math.min(end, first + this.blockSnps) - s;
      out.set(data.subarray((s - first) * bps, (s - first + take) * bps), o);
      o += take * bps;
      s += take;
    }
  }

  close(): void {
    this.closed = true;
    this.recent = [];
  }
}

/** The .fam as imported. */
export function loadFam(db: Database.Database, id: number): Fam {
  const ds = row(db, id);
  const n = ds.n_samples;
  const fid: string[] = new Array<string>(n);
  const iid: string[] = new Array<string>(n);
  const father: string[] = new Array<string>(n);
  const mother: string[] = new Array<string>(n);
  const sex = new Int8Array(n);
  const line = new Int32Array(n);
  let i = 0;
  for (const r of db.prepare('SELECT fid, iid, father, mother, sex, line FROM samples WHERE dataset_id = ? ORDER BY idx').raw().iterate(id) as Iterable<
    [string, string, string, string, number, number]
  >) {
    fid[i] = r[0];
    iid[i] = r[1];
    father[i] = r[2];
    mother[i] = r[3];
    sex[i] = r[4];
    line[i] = r[5];
    i++;
  }
  if (i !== n) throw new InputError(`dataset ${ds.name} lists ${i} samples, expected ${n}`, { file: db.name }, 'Restore the project from a backup copy');
  const extra = db.prepare('SELECT fam_phenos, fam_pheno_text FROM datasets WHERE id = ?').get(id) as { fam_phenos: Buffer; fam_pheno_text: string };
  const all = blobToF64(extra.fam_phenos);
  const k = all.length / n;
  const phenos = Array.from({ length: k }, (_, c) => all.slice(c * n, (c + 1) * n));
  const phenoText = (JSON.parse(extra.fam_pheno_text) as ({ line: number; value: string } | null)[]).map((t) => t ?? undefined);
  return {
    fid,
    iid,
    father,
    mother,
    sex,
    pheno: phenos[0]!,
    phenos,
    phenoText,
    line,
    iidUnique: new Set(iid).size === n,
    path: ds.format === 'plink' ? `${ds.prefix}.fam` : ds.prefix,
  };
}

/** The .bim as imported. */
export function loadBim(db: Database.Database, id: number): Bim {
  const ds = row(db, id);
  const arrays = loadSnpArrays(db, id);
  const { rs, cm, allele1, allele0 } = SnpDescriptions.of(db, id, arrays).all();
  const chr = Array.from(arrays.chrCode, (c) => arrays.chrNames[c]!);
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const r of rs) {
    if (seen.has(r)) dup.add(r);
    else seen.add(r);
  }
  return { chr, rs, cm, pos: arrays.pos, allele1, allele0, duplicateRs: [...dup], path: ds.format === 'plink' ? `${ds.prefix}.bim` : ds.prefix };
}

/** The dataset's genotypes as a BedFile over its BLOBs (close it when done). */
export function openDatasetBed(db: Database.Database, id: number): ProjectBed {
  // Also called by migration 3, on a layout from before datasets.format (version 5): PLINK sets all.
  const hasFormat = (db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('datasets') as string[]).includes('format');
  const r = db.prepare(`SELECT id, name, prefix, n_samples, n_snps, bytes_per_snp, block_snps, codec${hasFormat ? ', format' : ", 'plink' AS format"} FROM datasets WHERE id = ?`).get(id) as BedRow | undefined;
  if (!r) return new ProjectBed(db, row(db, id));
  return new ProjectBed(db, r);
}

/** The dataset's dosages, when it has them (a BIMBAM or VCF DS import). */
export function openDatasetDosage(db: Database.Database, id: number): ProjectDosage | undefined {
  const ds = row(db, id);
  return ds.dosage === 1 ? new ProjectDosage(db, ds) : undefined;
}

/** The dataset as the engine's PlinkSet: tables for .fam/.bim, BLOBs for the .bed. */
export function loadPlink(db: Database.Database, id: number): PlinkSet {
  const ds = row(db, id);
  const set: PlinkSet = { prefix: ds.prefix, fam: loadFam(db, id), bim: loadBim(db, id), bed: new ProjectBed(db, ds) };
  if (ds.dosage === 1) set.dosage = new ProjectDosage(db, ds);
  return set;
}

/** A dataset's dosages served from its dosage BLOBs (the last decompressed block kept). */
export class ProjectDosage implements DosageSource {
  readonly nSamples: number;
  readonly nSnps: number;
  private readonly stmt: Database.Statement;
  private recent: { block: number; data: Float32Array } | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly ds: DatasetRow,
  ) {
    this.nSamples = ds.n_samples;
    this.nSnps = ds.n_snps;
    this.stmt = db.prepare('SELECT data FROM dosage_blocks WHERE dataset_id = ? AND block = ?').pluck();
  }

  private block(b: number): Float32Array {
    if (this.recent?.block === b) return this.recent.data;
    const blob = this.stmt.get(this.ds.id, b) as Buffer | undefined;
    if (!blob) throw damagedBlock(this.db, this.ds.name, b, 'its dosages are missing');
    let raw: Uint8Array;
    try {
      raw = this.ds.codec === 'zlib' ? inflate(blob) : blob;
    } catch (e) {
      throw damagedBlock(this.db, this.ds.name, b, (e as Error).message);
    }
    const count = Math.min(this.ds.block_snps, this.nSnps - b * this.ds.block_snps);
    if (raw.byteLength !== count * this.nSamples * 4) throw damagedBlock(this.db, this.ds.name, b, `${raw.byteLength} dosage bytes, expected ${count * this.nSamples * 4}`);
    const data = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    this.recent = { block: b, data };
    return data;
  }

  readDosage(start: number, count: number, out: Float32Array): void {
    if (start < 0 || count < 0 || start + count > this.nSnps) throw new RangeError(`readDosage: SNPs ${start}..${start + count} out of range 0..${this.nSnps}`);
    const n = this.nSamples;
    const per = this.ds.block_snps;
    for (let s = start, o = 0; s < start + count; ) {
      const b = Math.floor(s / per);
      const first = b * per;
      const take = Math.min(start + count, first + per) - s;
      out.set(this.block(b).subarray((s - first) * n, (s - first + take) * n), o);
      o += take * n;
      s += take;
    }
  }
}

export interface SnpArrays {
  chrNames: string[];
  /** Index into chrNames per SNP. */
  chrCode: Int32Array;
  pos: Float64Array;
}

export function loadSnpArrays(db: Database.Database, id: number): SnpArrays {
  const r = db.prepare('SELECT chr_names, chr_code, pos FROM snp_arrays WHERE dataset_id = ?').get(id) as
    | { chr_names: string; chr_code: Buffer; pos: Buffer }
    | undefined;
  if (!r) throw new InputError(`has no SNP positions for dataset ${id}`, { file: db.name }, 'Restore the project from a backup copy');
  return { chrNames: JSON.parse(r.chr_names) as string[], chrCode: blobToI32(r.chr_code), pos: blobToF64(r.pos) };
}
