/**
 * Collecting SNPs into the batches a GenotypeReader hands on (genotype-source.ts), and counting
 * the SNPs a reader leaves out, for the text readers (BIMBAM, HapMap, matrices).
 */
import { COUNT_TO_CODE, MISSING_CODE, bytesPerSnp, dosageCode, setCode } from './genotype-source.js';
import type { SkippedSnps, SnpBatch, SnpRecord } from './genotype-source.js';

/** SNPs per batch unless asked otherwise: 1024, fewer for very many samples (about 16 M calls a batch). */
function defaultBatchSnps(nSamples: number): number {
  return Math.max(1, Math.min(1024, Math.floor((16 << 20) / Math.max(1, nSamples))));
}

export class SnpBatcher {
  private readonly bps: number;
  private snps: SnpRecord[] = [];
  private packed: Uint8Array;
  private dosage: Float32Array | undefined;
  delivered = 0;

  private readonly batchSnps: number;

  constructor(
    private readonly nSamples: number,
    batchSnps: number | undefined,
    private readonly withDosage: boolean,
    private readonly onBatch: (batch: SnpBatch) => void,
  ) {
    this.batchSnps = batchSnps !== undefined && batchSnps >= 1 ? Math.floor(batchSnps) : defaultBatchSnps(nSamples);
    this.bps = bytesPerSnp(nSamples);
    this.packed = new Uint8Array(this.batchSnps * this.bps);
    this.dosage = withDosage ? new Float32Array(this.batchSnps * nSamples) : undefined;
  }

  /** Add a SNP given as counts of allele1 (0, 1, 2; -1 missing). */
  addCounts(snp: SnpRecord, count: Int8Array): void {
    const off = this.snps.length * this.bps;
    const p = this.packed;
    for (let j = 0; j < this.nSamples; j++) {
      const c = count[j]!;
      setCode(p, off, j, c < 0 ? MISSING_CODE : COUNT_TO_CODE[c]!);
    }
    this.push(snp);
  }

  /** Add a SNP given as dosages of allele1 in [0, 2] (NaN missing); its codes are the rounded dosages. */
  addDosages(snp: SnpRecord, d: Float32Array): void {
    const off = this.snps.length * this.bps;
    const p = this.packed;
    for (let j = 0; j < this.nSamples; j++) setCode(p, off, j, dosageCode(d[j]!));
    if (this.dosage) this.dosage.set(d.subarray(0, this.nSamples), this.snps.length * this.nSamples);
    this.push(snp);
  }

  private push(snp: SnpRecord): void {
    this.snps.push(snp);
    if (this.snps.length === this.batchSnps) this.flush();
  }

  /** Hand on what is collected (call once more at the end). */
  flush(): void {
    const k = this.snps.length;
    if (k === 0) return;
    const batch: SnpBatch = { snps: this.snps, packed: this.packed.subarray(0, k * this.bps) };
    if (this.dosage) batch.dosage = this.dosage.subarray(0, k * this.nSamples);
    this.delivered += k;
    // Fresh buffers: the consumer may keep a batch.
    this.snps = [];
    this.packed = new Uint8Array(this.batchSnps * this.bps);
    if (this.withDosage) this.dosage = new Float32Array(this.batchSnps * this.nSamples);
    this.onBatch(batch);
  }
}

/** SNPs left out, by reason, with the first few examples. */
export class SkipTally {
  private readonly byReason = new Map<string, SkippedSnps>();

  add(reason: string, id: string, line: number): void {
    let s = this.byReason.get(reason);
    if (!s) {
      s = { reason, count: 0, examples: [] };
      this.byReason.set(reason, s);
    }
    s.count++;
    if (s.examples.length < 5) s.examples.push({ id, line });
  }

  list(): SkippedSnps[] {
    return [...this.byReason.values()];
  }
}

/** Counts SNP IDs seen more than once, for a warning (QC decides what to do with them). */
export class DuplicateIds {
  private readonly seen = new Map<string, number>();
  private readonly dups: { id: string; line: number }[] = [];
  count = 0;

  add(id: string, line: number): void {
    const first = this.seen.get(id);
    if (first === undefined) {
      this.seen.set(id, line);
      return;
    }
    this.count++;
    if (this.dups.length < 5) this.dups.push({ id: `${id} (lines ${first} and ${line})`, line });
  }

  /** The warning, or undefined when every ID is unique. */
  warning(what: string): string | undefined {
    if (this.count === 0) return undefined;
    return `${this.count} SNP ID${this.count === 1 ? '' : 's'} in the ${what} repeat an earlier one: ${this.dups.map((d) => d.id).join(', ')}${this.count > this.dups.length ? ', ...' : ''}; quality control removes or keeps duplicates as you set it`;
  }
}
