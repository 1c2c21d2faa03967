/**
 * What a dataset says of each SNP beyond its chromosome and position (those are snp_arrays'): its
 * ID, its two alleles and its genetic position. Stored per genotype block (the same `block_snps`
 * SNPs as genotype_blocks), as JSON arrays in the dataset's SNP order: an import writes a thousand
 * rows for a million SNPs where a row per SNP, with its two indexes, took longer than reading the
 * whole VCF. A SNP by index reads its block (the last few decoded kept); by ID, SQLite's instr()
 * picks the blocks whose ID text holds it and the block's array confirms; by chromosome and
 * position, the in-memory snp_arrays answer.
 */
import type Database from 'better-sqlite3';
import { InputError } from '../io/errors.js';
import type { SnpRecord } from '../io/genotype-source.js';
import { blobToF64, toBlob } from './codec.js';
import type { SnpArrays } from './datasets.js';

/**
 * The table (migration 9). A rowid table, as genotype_blocks: a 10-30 KB row keeps up to a whole
 * 16 KiB page in the b-tree and the rest in full overflow pages, where a WITHOUT ROWID table keeps
 * at most a quarter of a page there and leaves most of a second overflow page empty (13 MB of 33
 * at 1M SNPs).
 */
export const SNP_BLOCKS_SCHEMA = `
CREATE TABLE snp_blocks (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  block INTEGER NOT NULL,
  ids TEXT NOT NULL,
  alleles TEXT NOT NULL,
  cm BLOB,
  PRIMARY KEY (dataset_id, block)
);`;

/** One SNP of a dataset: its description as read, and its index in the dataset's SNP order (a PLINK set's .bim order). */
export type SnpInfo = Omit<SnpRecord, 'line'> & { snp: number };

/** The descriptions of a run of SNPs, as parallel arrays. */
export interface SnpText {
  rs: string[];
  allele1: string[];
  allele0: string[];
  cm: Float64Array;
}

/** Collects an import's SNP descriptions and writes them a block at a time. */
export class SnpBlockWriter {
  private readonly insert: Database.Statement;
  private rs: string[] = [];
  private allele1: string[] = [];
  private allele0: string[] = [];
  private cm: number[] = [];

  constructor(
    db: Database.Database,
    private readonly datasetId: number,
  ) {
    this.insert = db.prepare('INSERT INTO snp_blocks (dataset_id, block, ids, alleles, cm) VALUES (?, ?, ?, ?, ?)');
  }

  add(rs: string, allele1: string, allele0: string, cm: number): void {
    this.rs.push(rs);
    this.allele1.push(allele1);
    this.allele0.push(allele0);
    this.cm.push(cm);
  }

  /** Write the SNPs added since the last flush as block `block` (nothing when none were). */
  flush(block: number): void {
    if (this.rs.length === 0) return;
    // Genetic positions are stored only when one is set (a VCF's, a HapMap's are all 0).
    const cm = this.cm.some((x) => x !== 0) ? toBlob(Float64Array.from(this.cm)) : null;
    this.insert.run(this.datasetId, block, JSON.stringify(this.rs), JSON.stringify([this.allele1, this.allele0]), cm);
    this.rs = [];
    this.allele1 = [];
    this.allele0 = [];
    this.cm = [];
  }
}

interface DecodedBlock {
  rs: string[];
  allele1: string[];
  allele0: string[];
  /** Undefined: all 0. */
  cm: Float64Array | undefined;
}

/** Blocks kept decoded (a results page or a region touches a few). */
const KEPT_BLOCKS = 8;

/** A dataset's SNPs, looked up by index, ID or position. */
export class SnpDescriptions {
  private readonly blockStmt: Database.Statement;
  private readonly kept = new Map<number, DecodedBlock>();
  private rankByRs: Int32Array | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly datasetId: number,
    private readonly datasetName: string,
    readonly nSnps: number,
    private readonly blockSnps: number,
    readonly arrays: SnpArrays,
  ) {
    this.blockStmt = db.prepare('SELECT ids, alleles, cm FROM snp_blocks WHERE dataset_id = ? AND block = ?').raw();
  }

  /** Any dataset of the project (its snp_arrays read here; a Project passes the ones it keeps). */
  static of(db: Database.Database, datasetId: number, arrays: SnpArrays): SnpDescriptions {
    const r = db.prepare('SELECT name, n_snps, block_snps FROM datasets WHERE id = ?').get(datasetId) as { name: string; n_snps: number; block_snps: number } | undefined;
    if (!r) throw new InputError(`has no dataset ${datasetId}`, { file: db.name }, `List the datasets with kinscan datasets --project ${db.name}`);
    return new SnpDescriptions(db, datasetId, r.name, r.n_snps, r.block_snps, arrays);
  }

  private damaged(block: number, what: string): InputError {
    return new InputError(`the SNP descriptions of block ${block} of dataset ${this.datasetName} are damaged (${what})`, { file: this.db.name }, 'Restore the project from a backup copy');
  }

  private decode(block: number, ids: string, alleles: string, cm: Buffer | null): DecodedBlock {
    const count = Math.min(this.blockSnps, this.nSnps - block * this.blockSnps);
    let out: DecodedBlock;
    try {
      const rs = JSON.parse(ids) as string[];
      const [allele1, allele0] = JSON.parse(alleles) as [string[], string[]];
      out = { rs, allele1, allele0, cm: cm === null ? undefined : blobToF64(cm) };
    } catch (e) {
      throw this.damaged(block, (e as Error).message);
    }
    if (out.rs.length !== count || out.allele1.length !== count || out.allele0.length !== count || (out.cm !== undefined && out.cm.length !== count)) {
      throw this.damaged(block, `${out.rs.length} SNPs, expected ${count}`);
    }
    return out;
  }

  private block(b: number): DecodedBlock {
    const hit = this.kept.get(b);
    if (hit) return hit;
    const r = this.blockStmt.get(this.datasetId, b) as [string, string, Buffer | null] | undefined;
    if (!r) throw this.damaged(b, 'the block is missing');
    const d = this.decode(b, r[0], r[1], r[2]);
    if (this.kept.size >= KEPT_BLOCKS) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(b, d);
    return d;
  }

  private checkIndex(snp: number): void {
    if (!Number.isInteger(snp) || snp < 0 || snp >= this.nSnps) throw new RangeError(`SNP index ${snp} is outside dataset ${this.datasetName}'s 0..${this.nSnps - 1}`);
  }

  /** The SNP at index `snp`. */
  info(snp: number): SnpInfo {
    this.checkIndex(snp);
    const b = this.block(Math.floor(snp / this.blockSnps));
    const k = snp % this.blockSnps;
    const { chrNames, chrCode, pos } = this.arrays;
    return { snp, chr: chrNames[chrCode[snp]!]!, rs: b.rs[k]!, cm: b.cm?.[k] ?? 0, pos: pos[snp]!, allele1: b.allele1[k]!, allele0: b.allele0[k]! };
  }

  /** The first SNP (lowest index) with this ID. */
  findRs(rs: string): number | undefined {
    const needle = JSON.stringify(rs);
    const blocks = this.db
      .prepare('SELECT block, ids FROM snp_blocks WHERE dataset_id = ? AND instr(ids, ?) > 0 ORDER BY block')
      .raw()
      .iterate(this.datasetId, needle) as Iterable<[number, string]>;
    for (const [b, ids] of blocks) {
      // instr() may match across two IDs ("a","b" holds ","): the array says.
      const k = (JSON.parse(ids) as string[]).indexOf(rs);
      if (k >= 0) return b * this.blockSnps + k;
    }
    return undefined;
  }

  /** The first SNP at this chromosome and position. */
  findPosition(chr: string, position: number): number | undefined {
    const c = this.arrays.chrNames.indexOf(chr);
    if (c < 0) return undefined;
    const { chrCode, pos } = this.arrays;
    for (let j = 0; j < this.nSnps; j++) if (chrCode[j] === c && pos[j] === position) return j;
    return undefined;
  }

  /** The SNPs on `chr` with start <= position <= end, by position (ties by index). */
  inRegion(chr: string, start: number, end: number): Int32Array {
    const c = this.arrays.chrNames.indexOf(chr);
    if (c < 0) return new Int32Array(0);
    const { chrCode, pos } = this.arrays;
    const hits: number[] = [];
    for (let j = 0; j < this.nSnps; j++) if (chrCode[j] === c && pos[j]! >= start && pos[j]! <= end) hits.push(j);
    return Int32Array.from(hits).sort((a, b) => pos[a]! - pos[b]! || a - b);
  }

  /** The index runs [first, last] of the SNPs on `chr`, ascending (one run when the chromosome's SNPs are together). */
  rangesOn(chr: string): [number, number][] {
    const c = this.arrays.chrNames.indexOf(chr);
    const out: [number, number][] = [];
    if (c < 0) return out;
    const { chrCode } = this.arrays;
    for (let j = 0; j < this.nSnps; j++) {
      if (chrCode[j] !== c) continue;
      const last = out[out.length - 1];
      if (last && last[1] === j - 1) last[1] = j;
      else out.push([j, j]);
    }
    return out;
  }

  /** Every SNP's description, in order. */
  all(): SnpText {
    const m = this.nSnps;
    const out: SnpText = { rs: new Array<string>(m), allele1: new Array<string>(m), allele0: new Array<string>(m), cm: new Float64Array(m) };
    let j = 0;
    for (const [b, ids, alleles, cm] of this.db.prepare('SELECT block, ids, alleles, cm FROM snp_blocks WHERE dataset_id = ? ORDER BY block').raw().iterate(this.datasetId) as Iterable<
      [number, string, string, Buffer | null]
    >) {
      if (b * this.blockSnps !== j) throw this.damaged(b, j < m ? `block ${j / this.blockSnps} is missing` : 'one block too many');
      const d = this.decode(b, ids, alleles, cm);
      for (let k = 0; k < d.rs.length; k++, j++) {
        out.rs[j] = d.rs[k]!;
        out.allele1[j] = d.allele1[k]!;
        out.allele0[j] = d.allele0[k]!;
        out.cm[j] = d.cm?.[k] ?? 0;
      }
    }
    if (j !== m) throw new InputError(`dataset ${this.datasetName} describes ${j} SNPs, expected ${m}`, { file: this.db.name }, 'Restore the project from a backup copy');
    return out;
  }

  /** Each SNP's place when the SNPs are ordered by ID (ties by index), worked out once. */
  rsRank(): Int32Array {
    if (this.rankByRs) return this.rankByRs;
    const { rs } = this.all();
    const order = Int32Array.from({ length: this.nSnps }, (_, j) => j).sort((a, b) => (rs[a]! < rs[b]! ? -1 : rs[a]! > rs[b]! ? 1 : a - b));
    const rank = new Int32Array(this.nSnps);
    order.forEach((j, r) => (rank[j] = r));
    this.rankByRs = rank;
    return rank;
  }
}
