/**
 * Genotype datasets in a project: importing a PLINK set once (samples and SNPs as tables, the packed
 * genotypes as compressed BLOBs of `block_snps` SNPs each), and serving them back as the engine's
 * PlinkSet (Fam, Bim and a BLOB-backed BedFile), so a scan from a project never reads the source
 * files again.
 */
import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { InputError } from '../io/errors.js';
import { openPlink, plinkPrefix, type Bim, type BedFile, type Fam, type PlinkSet } from '../io/plink.js';
import { allByteMasks, countPacked, emptyCounts } from '../qc/snps.js';
import { blobToF64, blobToI32, deflate, inflate, nowIso, toBlob } from './codec.js';
import { hashFile, insertSourceFile, sourceFiles, type SourceFile } from './files.js';
import { storeSnpCounts } from './snp-stats.js';

/** SNPs per genotype BLOB. */
export const DEFAULT_BLOCK_SNPS = 1024;

export interface DatasetInfo {
  id: number;
  name: string;
  /** The PLINK prefix at import time (absolute). */
  prefix: string;
  nSamples: number;
  nSnps: number;
  blockSnps: number;
  codec: 'raw' | 'zlib';
  importedAt: string;
  contentSha256: string;
  files: SourceFile[];
}

export interface ImportDatasetOptions {
  blockSnps?: number;
  codec?: 'raw' | 'zlib';
  progress?: (stage: string, done: number, total: number) => void;
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
}

const DATASET_COLS = 'id, name, prefix, n_samples, n_snps, bytes_per_snp, block_snps, codec, imported_at, content_sha256';

function toInfo(db: Database.Database, r: DatasetRow): DatasetInfo {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
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

/** The dataset whose three source files have these hashes, if imported. */
function contentHash(bed: SourceFile, bim: SourceFile, fam: SourceFile): string {
  return createHash('sha256').update(`bed:${bed.sha256}\nbim:${bim.sha256}\nfam:${fam.sha256}\n`).digest('hex');
}

/**
 * Import a PLINK set (once: a set whose .bed, .bim and .fam have the same SHA-256 as an imported one
 * returns that dataset), with its per-SNP genotype counts (snp-stats.ts). One transaction: a crash
 * mid-import leaves nothing behind.
 */
export function importDataset(db: Database.Database, prefixOrFile: string, opts: ImportDatasetOptions = {}): { id: number; created: boolean } {
  const prefix = resolve(plinkPrefix(prefixOrFile));
  const plink = openPlink(prefix);
  try {
    const fam = hashFile(`${prefix}.fam`, 'fam');
    const bim = hashFile(`${prefix}.bim`, 'bim');
    const bed = hashFile(`${prefix}.bed`, 'bed');
    const content = contentHash(bed, bim, fam);
    const existing = db.prepare('SELECT id FROM datasets WHERE content_sha256 = ?').pluck().get(content) as number | undefined;
    if (existing !== undefined) return { id: existing, created: false };

    const blockSnps = opts.blockSnps ?? DEFAULT_BLOCK_SNPS;
    const codec = opts.codec ?? 'zlib';
    const { fam: f, bim: b, bed: bf } = plink;
    const n = f.iid.length;
    const m = b.rs.length;
    const id = db.transaction(() => {
      const k = f.phenos.length;
      const phenos = new Float64Array(n * k);
      for (let c = 0; c < k; c++) phenos.set(f.phenos[c]!, c * n);
      const info = db
        .prepare(
          `INSERT INTO datasets (name, prefix, n_samples, n_snps, bytes_per_snp, block_snps, codec, fam_phenos, fam_pheno_text, content_sha256, imported_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(basename(prefix), prefix, n, m, bf.bytesPerSnp, blockSnps, codec, toBlob(phenos), JSON.stringify(f.phenoText.map((t) => t ?? null)), content, nowIso());
      const id = Number(info.lastInsertRowid);
      for (const sf of [bed, bim, fam]) insertSourceFile(db, { dataset: id }, sf);

      const insSample = db.prepare('INSERT INTO samples (dataset_id, idx, fid, iid, father, mother, sex, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      for (let i = 0; i < n; i++) insSample.run(id, i, f.fid[i], f.iid[i], f.father[i], f.mother[i], f.sex[i], f.line[i]);

      const insSnp = db.prepare('INSERT INTO snps (dataset_id, idx, chr, rs, cm, pos, allele1, allele0) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const chrNames: string[] = [];
      const chrIndex = new Map<string, number>();
      const chrCode = new Int32Array(m);
      for (let j = 0; j < m; j++) {
        const chr = b.chr[j]!;
        let c = chrIndex.get(chr);
        if (c === undefined) {
          c = chrNames.length;
          chrNames.push(chr);
          chrIndex.set(chr, c);
        }
        chrCode[j] = c;
        insSnp.run(id, j, chr, b.rs[j], b.cm[j], b.pos[j], b.allele1[j], b.allele0[j]);
      }
      db.prepare('INSERT INTO snp_arrays (dataset_id, chr_names, chr_code, pos) VALUES (?, ?, ?, ?)').run(id, JSON.stringify(chrNames), toBlob(chrCode), toBlob(b.pos));

      // Genotypes: the .bed body in blocks, hashed again as read so a file changed meanwhile is caught,
      // and counted per SNP over all individuals (for the QC preview).
      const masks = allByteMasks(n);
      const counts = emptyCounts(n, m);
      const insBlock = db.prepare('INSERT INTO genotype_blocks (dataset_id, block, data) VALUES (?, ?, ?)');
      const h = createHash('sha256').update(Uint8Array.of(0x6c, 0x1b, 0x01));
      const buf = new Uint8Array(blockSnps * bf.bytesPerSnp);
      for (let start = 0, blk = 0; start < m; start += blockSnps, blk++) {
        const count = Math.min(blockSnps, m - start);
        const bytes = buf.subarray(0, count * bf.bytesPerSnp);
        bf.readPacked(start, count, bytes);
        h.update(bytes);
        countPacked(bytes, count, bf.bytesPerSnp, masks, counts, start);
        insBlock.run(id, blk, codec === 'zlib' ? deflate(bytes) : Buffer.from(bytes));
        opts.progress?.('import', start + count, m);
      }
      if (h.digest('hex') !== bed.sha256) {
        throw new InputError(
          'changed while it was being imported',
          { file: bed.path },
          'Make sure nothing writes the PLINK files while they are imported, then import again',
        );
      }
      storeSnpCounts(db, id, counts);
      return id;
    })();
    return { id, created: true };
  } finally {
    plink.bed.close();
  }
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
    private readonly ds: DatasetRow,
  ) {
    this.path = `${ds.prefix}.bed`;
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
    path: `${ds.prefix}.fam`,
  };
}

/** The .bim as imported. */
export function loadBim(db: Database.Database, id: number): Bim {
  const ds = row(db, id);
  const m = ds.n_snps;
  const chr: string[] = new Array<string>(m);
  const rs: string[] = new Array<string>(m);
  const cm = new Float64Array(m);
  const pos = new Float64Array(m);
  const allele1: string[] = new Array<string>(m);
  const allele0: string[] = new Array<string>(m);
  const seen = new Set<string>();
  const dup = new Set<string>();
  let j = 0;
  for (const r of db.prepare('SELECT chr, rs, cm, pos, allele1, allele0 FROM snps WHERE dataset_id = ? ORDER BY idx').raw().iterate(id) as Iterable<
    [string, string, number, number, string, string]
  >) {
    chr[j] = r[0];
    rs[j] = r[1];
    cm[j] = r[2];
    pos[j] = r[3];
    allele1[j] = r[4];
    allele0[j] = r[5];
    if (seen.has(r[1])) dup.add(r[1]);
    else seen.add(r[1]);
    j++;
  }
  if (j !== m) throw new InputError(`dataset ${ds.name} lists ${j} SNPs, expected ${m}`, { file: db.name }, 'Restore the project from a backup copy');
  return { chr, rs, cm, pos, allele1, allele0, duplicateRs: [...dup], path: `${ds.prefix}.bim` };
}

/** The dataset's genotypes as a BedFile over its BLOBs (close it when done). */
export function openDatasetBed(db: Database.Database, id: number): ProjectBed {
  return new ProjectBed(db, row(db, id));
}

/** The dataset as the engine's PlinkSet: tables for .fam/.bim, BLOBs for the .bed. */
export function loadPlink(db: Database.Database, id: number): PlinkSet {
  const ds = row(db, id);
  return { prefix: ds.prefix, fam: loadFam(db, id), bim: loadBim(db, id), bed: new ProjectBed(db, ds) };
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
