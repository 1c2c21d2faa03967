/**
 * Importing any genotype input (a GenotypeReader: PLINK, VCF, BIMBAM, HapMap, matrices) into a
 * project, once per content: samples as a table, the 2-bit genotypes as compressed BLOBs of
 * `block_snps` SNPs (dosage inputs: their Float32 dosages too, in BLOBs of the same SNPs), the
 * SNPs' descriptions per block of the same SNPs (snp-descriptions.ts), their chromosomes and
 * positions as arrays, and the per-SNP genotype counts for the QC preview. One transaction: a
 * crash or a bad record mid-import leaves nothing behind.
 *
 * Order: a PLINK set keeps its .bim order (the .bed is tied to it, and GEMMA reads it so). Any other
 * input whose SNPs are not grouped by chromosome with non-decreasing positions is sorted by
 * chromosome (natural order: 1, 2, ..., 10, X, Y, MT, then other names) and position, stably; the
 * import says so in its warnings. SNPs are written straight into blocks while the input is in
 * order; at the first SNP out of order, those written are moved to a staging table, and every SNP
 * is staged and written in sorted order at the end.
 */
import { createHash, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { compareChromosomes } from '../figures/chromosomes.js';
import { InputError } from '../io/errors.js';
import { bytesPerSnp, type GenotypeReader, type ReadSummary, type SnpRecord } from '../io/genotype-source.js';
import type { Fam } from '../io/plink.js';
import type { SnpArrays } from './datasets.js';
import { allByteMasks, countPacked, emptyCounts, type ByteMasks, type GenotypeCounts } from '../qc/snps.js';
import { BlockDeflater } from './block-deflate.js';
import { inflate, nowIso, toBlob } from './codec.js';
import { FileHasher, insertSourceFile, type SourceFile } from './files.js';
import { SnpBlockWriter, SnpDescriptions } from './snp-descriptions.js';
import { storeSnpCounts } from './snp-stats.js';

/** SNPs per genotype BLOB. */
export const DEFAULT_BLOCK_SNPS = 1024;

export interface ImportDatasetOptions {
  blockSnps?: number;
  codec?: 'raw' | 'zlib';
  /**
   * How far the import has come: stage 'import' (the reader's done and total, in its own units:
   * bytes, lines or SNPs; total 0 when it cannot tell) or 'sort' (SNPs placed of all), and the
   * SNPs read so far.
   */
  progress?: (stage: 'import' | 'sort', done: number, total: number, snps: number) => void;
}

/** What an import did: the dataset, whether it is new, and what the reader skipped or warned about. */
export interface ImportResult {
  id: number;
  created: boolean;
  summary: ReadSummary;
}

/** The dataset's identity: a PLINK set's as before (three hashes), any other input's by format, dosage flag and files. */
function contentHash(reader: GenotypeReader, files: SourceFile[]): string {
  const h = createHash('sha256');
  if (reader.format === 'plink') {
    for (const f of files) h.update(`${f.role}:${f.sha256}\n`);
  } else {
    h.update(`format:${reader.format}\ndosage:${reader.dosage ? 1 : 0}\n`);
    for (const f of files) h.update(`${f.role}:${f.sha256}\n`);
  }
  return h.digest('hex');
}

function roleOf(reader: GenotypeReader, path: string, k: number): SourceFile['role'] {
  if (reader.format === 'plink') return path.endsWith('.bed') ? 'bed' : path.endsWith('.bim') ? 'bim' : 'fam';
  return k === 0 ? 'genotypes' : 'map';
}

/** The .fam-like columns of the samples: a PLINK reader's .fam, else IDs only. */
function famColumns(reader: GenotypeReader): Pick<Fam, 'father' | 'mother' | 'sex' | 'phenos' | 'phenoText'> {
  const fam = (reader as { fam?: Fam }).fam;
  if (fam) return fam;
  const n = reader.samples.iid.length;
  // No phenotype column: one all-missing column, so the dataset reads back as a .fam with column 6.
  return { father: new Array<string>(n).fill('0'), mother: new Array<string>(n).fill('0'), sex: new Int8Array(n), phenos: [new Float64Array(n).fill(NaN)], phenoText: [undefined] };
}

/** Writes SNPs in their final order: genotype (and dosage) blocks, their SNPs' descriptions, counts, positions. */
class BlockWriter {
  private readonly descriptions: SnpBlockWriter;
  private readonly insBlock: Database.Statement;
  private readonly insDosage: Database.Statement;
  private readonly packed: Uint8Array;
  private readonly dosage: Float32Array | undefined;
  private inBlock = 0;
  private block = 0;
  written = 0;
  readonly chrNames: string[] = [];
  private readonly chrIndex = new Map<string, number>();
  private chrCode: number[] = [];
  private pos: number[] = [];
  private counts: GenotypeCounts;
  private readonly masks: ByteMasks;
  /** Compresses blocks on a helper thread ('zlib' codec). */
  private readonly deflater: BlockDeflater | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly id: number,
    private readonly n: number,
    private readonly bps: number,
    private readonly blockSnps: number,
    private readonly codec: 'raw' | 'zlib',
    withDosage: boolean,
    expectedSnps: number,
  ) {
    this.descriptions = new SnpBlockWriter(db, id);
    this.insBlock = db.prepare('INSERT INTO genotype_blocks (dataset_id, block, data) VALUES (?, ?, ?)');
    this.insDosage = db.prepare('INSERT INTO dosage_blocks (dataset_id, block, data) VALUES (?, ?, ?)');
    this.packed = new Uint8Array(blockSnps * bps);
    this.dosage = withDosage ? new Float32Array(blockSnps * n) : undefined;
    this.masks = allByteMasks(n);
    this.counts = emptyCounts(n, Math.max(expectedSnps, 1));
    this.deflater = codec === 'zlib' ? new BlockDeflater(n, bps, (r) => this.stored(r.block, r.data, r.dosage, r.counts), expectedSnps > 0 ? Math.ceil(expectedSnps / blockSnps) : Infinity) : undefined;
  }

  /** A block counted and compressed (by the deflater): its counts kept, its BLOBs inserted. */
  private stored(block: number, data: Uint8Array, dosage: Uint8Array | undefined, counts: GenotypeCounts): void {
    const at = block * this.blockSnps;
    this.counts.hom1.set(counts.hom1, at);
    this.counts.missing.set(counts.missing, at);
    this.counts.het.set(counts.het, at);
    this.insertBlock(block, data, dosage);
  }

  private insertBlock(block: number, data: Uint8Array, dosage: Uint8Array | undefined): void {
    this.insBlock.run(this.id, block, data);
    if (dosage) this.insDosage.run(this.id, block, dosage);
  }

  add(rec: SnpRecord, packed: Uint8Array, pOff: number, dosage: Float32Array | undefined, dOff: number): void {
    let c = this.chrIndex.get(rec.chr);
    if (c === undefined) {
      c = this.chrNames.length;
      this.chrNames.push(rec.chr);
      this.chrIndex.set(rec.chr, c);
    }
    this.chrCode.push(c);
    this.pos.push(rec.pos);
    this.descriptions.add(rec.rs, rec.allele1, rec.allele0, rec.cm);
    this.packed.set(packed.subarray(pOff, pOff + this.bps), this.inBlock * this.bps);
    if (this.dosage) this.dosage.set(dosage!.subarray(dOff, dOff + this.n), this.inBlock * this.n);
    this.inBlock++;
    this.written++;
    if (this.inBlock === this.blockSnps) this.flush();
  }

  private growCounts(): void {
    // The reader's SNP count was a hint (or absent): widen the count arrays as needed.
    const need = this.written;
    const cur = this.counts.hom1.length;
    if (need <= cur) return;
    const grown = emptyCounts(this.n, Math.max(need, cur * 2));
    grown.hom1.set(this.counts.hom1);
    grown.missing.set(this.counts.missing);
    grown.het.set(this.counts.het);
    this.counts = grown;
  }

  flush(): void {
    if (this.inBlock === 0) return;
    this.descriptions.flush(this.block);
    const count = this.inBlock;
    const bytes = this.packed.subarray(0, count * this.bps);
    this.growCounts();
    const d = this.dosage?.subarray(0, count * this.n);
    const raw = d ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : undefined;
    if (this.deflater) this.deflater.add(this.block, bytes, raw);
    else {
      countPacked(bytes, count, this.bps, this.masks, this.counts, this.written - count);
      this.insertBlock(this.block, Buffer.from(bytes), raw ? Buffer.from(raw) : undefined);
    }
    this.block++;
    this.inBlock = 0;
  }

  /** Wait for the blocks being compressed to be stored. */
  settle(): void {
    this.deflater?.drain();
  }

  /** Stop the compression thread (after a failure too). */
  close(): void {
    this.deflater?.close();
  }

  /** Undo everything written (the SNPs are being moved to staging). */
  reset(): void {
    this.settle();
    this.db.prepare('DELETE FROM snp_blocks WHERE dataset_id = ?').run(this.id);
    this.db.prepare('DELETE FROM genotype_blocks WHERE dataset_id = ?').run(this.id);
    this.db.prepare('DELETE FROM dosage_blocks WHERE dataset_id = ?').run(this.id);
    this.chrNames.length = 0;
    this.chrIndex.clear();
    this.chrCode = [];
    this.pos = [];
    this.counts.hom1.fill(0);
    this.counts.missing.fill(0);
    this.counts.het.fill(0);
    this.inBlock = 0;
    this.block = 0;
    this.written = 0;
  }

  /** The chromosomes and positions of the SNPs written so far. */
  arrays(): SnpArrays {
    return { chrNames: [...this.chrNames], chrCode: Int32Array.from(this.chrCode), pos: Float64Array.from(this.pos) };
  }

  finish(): { counts: GenotypeCounts; arrays: SnpArrays } {
    this.flush();
    this.settle();
    const m = this.written;
    const c = this.counts;
    const counts = c.hom1.length === m ? c : { n: c.n, hom1: c.hom1.slice(0, m), missing: c.missing.slice(0, m), het: c.het.slice(0, m) };
    return { counts, arrays: this.arrays() };
  }
}

/** SNPs held aside, when the input is out of order, until they can be written sorted. */
class Staging {
  private readonly ins: Database.Statement;
  private next = 0;

  constructor(private readonly db: Database.Database) {
    db.exec('DROP TABLE IF EXISTS temp.import_stage; CREATE TEMP TABLE import_stage (k INTEGER PRIMARY KEY, rec TEXT NOT NULL, packed BLOB NOT NULL, dosage BLOB)');
    this.ins = db.prepare('INSERT INTO temp.import_stage (k, rec, packed, dosage) VALUES (?, ?, ?, ?)');
  }

  get size(): number {
    return this.next;
  }

  add(rec: SnpRecord, packed: Uint8Array, dosage: Float32Array | undefined): void {
    const d = dosage ? Buffer.from(dosage.buffer, dosage.byteOffset, dosage.byteLength) : null;
    this.ins.run(this.next++, JSON.stringify([rec.chr, rec.rs, rec.cm, rec.pos, rec.allele1, rec.allele0, rec.line]), Buffer.from(packed), d);
  }

  /** Staged SNPs in sorted order (chromosome, position, file order) into the writer. */
  drain(writer: BlockWriter, progress?: (done: number, total: number) => void): void {
    const keys: { k: number; chr: string; pos: number }[] = [];
    for (const [k, rec] of this.db.prepare('SELECT k, rec FROM temp.import_stage ORDER BY k').raw().iterate() as Iterable<[number, string]>) {
      const r = JSON.parse(rec) as [string, string, number, number, string, string, number];
      keys.push({ k, chr: r[0], pos: r[3] });
    }
    const chrOrder = new Map<string, number>();
    [...new Set(keys.map((x) => x.chr))].sort(compareChromosomes).forEach((c, i) => chrOrder.set(c, i));
    keys.sort((a, b) => chrOrder.get(a.chr)! - chrOrder.get(b.chr)! || a.pos - b.pos || a.k - b.k);
    const get = this.db.prepare('SELECT rec, packed, dosage FROM temp.import_stage WHERE k = ?').raw();
    for (let i = 0; i < keys.length; i++) {
      const [rec, packed, dosage] = get.get(keys[i]!.k) as [string, Buffer, Buffer | null];
      const r = JSON.parse(rec) as [string, string, number, number, string, string, number];
      const d = dosage ? new Float32Array(dosage.buffer.slice(dosage.byteOffset, dosage.byteOffset + dosage.byteLength)) : undefined;
      writer.add({ chr: r[0], rs: r[1], cm: r[2], pos: r[3], allele1: r[4], allele0: r[5], line: r[6] }, packed, 0, d, 0);
      if ((i & 1023) === 1023) progress?.(i + 1, keys.length);
    }
    progress?.(keys.length, keys.length);
  }

  drop(): void {
    this.db.exec('DROP TABLE IF EXISTS temp.import_stage');
  }
}

/** Move SNPs already written (in order so far) into staging, reading their blocks back. */
function restage(db: Database.Database, id: number, name: string, writer: BlockWriter, staging: Staging, n: number, bps: number, blockSnps: number, codec: 'raw' | 'zlib', dosage: boolean): void {
  writer.flush();
  writer.settle();
  const arrays = writer.arrays();
  const text = new SnpDescriptions(db, id, name, writer.written, blockSnps, arrays).all();
  const blocks = db.prepare('SELECT block, data FROM genotype_blocks WHERE dataset_id = ? ORDER BY block').raw().all(id) as [number, Buffer][];
  const dblocks = dosage ? (db.prepare('SELECT block, data FROM dosage_blocks WHERE dataset_id = ? ORDER BY block').raw().all(id) as [number, Buffer][]) : [];
  for (const [b, data] of blocks) {
    const bytes = codec === 'zlib' ? inflate(data) : data;
    let dos: Float32Array | undefined;
    if (dosage) {
      const raw = codec === 'zlib' ? inflate(dblocks[b]![1]) : dblocks[b]![1];
      dos = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    }
    const count = bytes.length / bps;
    for (let k = 0; k < count; k++) {
      const j = b * blockSnps + k;
      const rec = { chr: arrays.chrNames[arrays.chrCode[j]!]!, rs: text.rs[j]!, cm: text.cm[j]!, pos: arrays.pos[j]!, allele1: text.allele1[j]!, allele0: text.allele0[j]!, line: 0 };
      staging.add(rec, bytes.subarray(k * bps, (k + 1) * bps), dos?.subarray(k * n, (k + 1) * n));
    }
  }
  writer.reset();
}

/** Bytes the hash runs ahead of the reader (so it ends with the reading). */
const HASH_LEAD_BYTES = 8 << 20;

/** The files, hashed as they were read, are those of a dataset already imported: undo the import, answer that one. */
class RepeatFound {
  constructor(readonly result: ImportResult) {}
}

function changedWhileImported(file: SourceFile): boolean {
  try {
    const st = statSync(file.path);
    return st.size !== file.size || st.mtime.toISOString() !== file.mtime;
  } catch {
    return true;
  }
}

/**
 * Import a genotype input (once: an input whose files have the same SHA-256 as an imported one
 * returns that dataset). The reader is closed afterwards.
 */
export function importGenotypes(db: Database.Database, reader: GenotypeReader, opts: ImportDatasetOptions = {}): ImportResult {
  const hashers: FileHasher[] = [];
  try {
    // One by one, so a file that cannot be opened leaves those opened before it to the finally.
    reader.files.forEach((p, k) => hashers.push(new FileHasher(p, roleOf(reader, p, k))));
    const findExisting = (files: SourceFile[]): ImportResult | undefined => {
      const r = db.prepare('SELECT id, import_summary FROM datasets WHERE content_sha256 = ?').get(contentHash(reader, files)) as { id: number; import_summary: string } | undefined;
      return r && { id: r.id, created: false, summary: JSON.parse(r.import_summary) as ReadSummary };
    };
    // Only a genotype file the size of one imported before can be a repeat: then the files are
    // hashed first (a repeat costs one read of them). Otherwise they are hashed as the reading goes
    // (a slice after each batch, keeping up with the reader's progress), beside its threads.
    const mayRepeat = db.prepare('SELECT 1 FROM source_files WHERE dataset_id IS NOT NULL AND size = ? LIMIT 1').pluck().get(hashers[0]?.size ?? -1) !== undefined;
    if (mayRepeat) {
      const repeat = findExisting(hashers.map((h) => h.done()));
      if (repeat) return repeat;
    }

    const blockSnps = opts.blockSnps ?? DEFAULT_BLOCK_SNPS;
    const codec = opts.codec ?? 'zlib';
    const { fid, iid, where } = reader.samples;
    const n = iid.length;
    const bps = bytesPerSnp(n);
    const fam = famColumns(reader);
    const mainPath = resolve(reader.path);
    const prefix = reader.format === 'plink' ? mainPath.replace(/\.bed$/, '') : mainPath;
    const name = reader.format === 'plink' ? basename(prefix) : basename(mainPath);
    const result = db.transaction((): { id: number; summary: ReadSummary } => {
      const k = fam.phenos.length;
      const phenos = new Float64Array(n * k);
      for (let c = 0; c < k; c++) phenos.set(fam.phenos[c]!, c * n);
      // n_snps is set once the SNPs are counted (the CHECK needs a positive placeholder meanwhile),
      // the content hash once the files are hashed (UNIQUE: a placeholder of its own meanwhile).
      const info = db
        .prepare(
          `INSERT INTO datasets (name, prefix, n_samples, n_snps, bytes_per_snp, block_snps, codec, fam_phenos, fam_pheno_text, content_sha256, imported_at, format, dosage)
           VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(name, prefix, n, bps, blockSnps, codec, toBlob(phenos), JSON.stringify(fam.phenoText.map((t) => t ?? null)), `hashing:${randomUUID()}`, nowIso(), reader.format, reader.dosage ? 1 : 0);
      const id = Number(info.lastInsertRowid);

      const insSample = db.prepare('INSERT INTO samples (dataset_id, idx, fid, iid, father, mother, sex, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      for (let i = 0; i < n; i++) insSample.run(id, i, fid[i], iid[i], fam.father[i], fam.mother[i], fam.sex[i], where[i]);

      const writer = new BlockWriter(db, id, n, bps, blockSnps, codec, reader.dosage, reader.snpsHint ?? 0);
      try {
        const keepOrder = reader.format === 'plink';
        let staging: Staging | undefined;
        const seenChr = new Set<string>();
        let lastChr: string | undefined;
        let lastPos = -Infinity;
        const inOrder = (rec: SnpRecord): boolean => {
          if (rec.chr !== lastChr) {
            if (seenChr.has(rec.chr)) return false;
            seenChr.add(rec.chr);
            lastChr = rec.chr;
            lastPos = rec.pos;
            return true;
          }
          if (rec.pos < lastPos) return false;
          lastPos = rec.pos;
          return true;
        };
        let snpsRead = 0;
        // The genotype file is hashed a slice ahead of the reader's progress (a fraction of its units).
        const hasher = hashers[0];
        let readFraction = 0;
        const summary = reader.read(
          (batch) => {
            snpsRead += batch.snps.length;
            if (hasher) hasher.step(Math.min(hasher.size, readFraction * hasher.size + HASH_LEAD_BYTES) - hasher.hashed);
            for (let s = 0; s < batch.snps.length; s++) {
              const rec = batch.snps[s]!;
              if (!staging && !keepOrder && !inOrder(rec)) {
                staging = new Staging(db);
                restage(db, id, name, writer, staging, n, bps, blockSnps, codec, reader.dosage);
              }
              if (staging) staging.add(rec, batch.packed.subarray(s * bps, (s + 1) * bps), batch.dosage?.subarray(s * n, (s + 1) * n));
              else writer.add(rec, batch.packed, s * bps, batch.dosage, s * n);
            }
          },
          {
            batchSnps: blockSnps,
            progress: (d, t) => {
              if (t > 0) readFraction = d / t;
              opts.progress?.('import', d, t, snpsRead);
            },
          },
        );
        const files = hashers.map((h) => h.done());
        const repeat = mayRepeat ? undefined : findExisting(files);
        if (repeat) throw new RepeatFound(repeat);
        db.prepare('UPDATE datasets SET content_sha256 = ? WHERE id = ?').run(contentHash(reader, files), id);
        for (const sf of files) insertSourceFile(db, { dataset: id }, sf);
        const warnings = [...summary.warnings];
        if (staging) {
          warnings.push('the SNPs were not in chromosome and position order; they were sorted (chromosomes 1, 2, …, X, Y, MT, then other names; within each, by position)');
          staging.drain(writer, (d, t) => opts.progress?.('sort', d, t, t));
          staging.drop();
        }
        const { counts, arrays } = writer.finish();
        const m = writer.written;
        if (m === 0) {
          const skipped = summary.skipped.map((s) => `${s.count} ${s.reason}`).join(', ');
          throw new InputError(
            `has no SNP Kinscan can test${skipped ? ` (skipped: ${skipped})` : ''}`,
            { file: reader.path },
            'Kinscan tests biallelic SNPs; check that this is the genotype file you meant',
          );
        }
        const finalSummary: ReadSummary = { snps: m, skipped: summary.skipped, warnings };
        db.prepare('UPDATE datasets SET n_snps = ?, import_summary = ? WHERE id = ?').run(m, JSON.stringify(finalSummary), id);
        db.prepare('INSERT INTO snp_arrays (dataset_id, chr_names, chr_code, pos) VALUES (?, ?, ?, ?)').run(id, JSON.stringify(arrays.chrNames), toBlob(arrays.chrCode), toBlob(arrays.pos));
        storeSnpCounts(db, id, counts);
        const changed = files.find(changedWhileImported);
        if (changed) {
          throw new InputError('changed while it was being imported', { file: changed.path }, 'Make sure nothing writes the genotype files while they are imported, then import again');
        }
        return { id, summary: finalSummary };
      } finally {
        writer.close();
      }
    })();
    return { id: result.id, created: true, summary: result.summary };
  } catch (e) {
    if (e instanceof RepeatFound) return e.result;
    throw e;
  } finally {
    for (const h of hashers) h.close();
    reader.close();
  }
}
