/**
 * The scan's worker pool: threads started early (during the kinship and eigendecomposition), handed
 * the trait's basis and then blocks of packed genotypes, their rows delivered in file order. An
 * internal of the one scan entry (run.ts runScan, through scheduler.ts). A worker that fails posts
 * its error (kept as an InputError when it is one); a worker that dies is seen through its 'error'
 * and 'exit' events, listened to from the moment it starts, so the scan fails at once with the cause.
 */
import { Worker } from 'node:worker_threads';
import { reviveError } from '../io/thread-errors.js';
import { workerScriptBeside } from '../io/worker-script.js';
import type { SnpInfo } from './fit-block.js';
import type { PreparedScan, ScanSelection } from './prepare.js';
import { decodeRows } from './row-codec.js';
import { DEFAULT_BLOCK, type ScanOptions, type ScanSkips } from './scan.js';
import { effectPrior, type GeneticModel, type ScanSettings } from './settings.js';
import { createSharedLayout, type SharedLayout } from './shared-kernels.js';
import type { BasisJob, BlockJob, BlockResult, WorkerFailure, WorkerInit } from './worker.js';

/** The compiled scan worker script (see workerScriptBeside). */
export function workerScript(): string | undefined {
  return workerScriptBeside(import.meta.url, 'worker.js');
}

/** Bytes of private scratch a worker needs for a block (genotype rows, rotated rows, GEMM operands). */
function scratchBytes(n: number, blockSize: number, cols: number, c: number): number {
  const G = 13;
  const r = blockSize * cols;
  const doubles = 4 * r * n + blockSize * n + n * G * (c + 2) + r * G * (c + 2) + 4 * r * G;
  return doubles * 8 + (1 << 20);
}

/** What the pool's workers need before the trait's eigenbasis exists. */
export interface PoolSpec {
  n: number;
  threads: number;
  model: GeneticModel;
  /** Covariates including the intercept. */
  covariates: number;
  famIndex: Int32Array;
  bytesPerSnp: number;
  /** Samples in the dataset (the stride of dosage blocks). */
  nSamples: number;
  blockSize?: number;
}

/**
 * Worker threads for one scan, started early (e.g. while the main thread decomposes the kinship)
 * so that their start-up is off the critical path. run() hands them the basis and the blocks.
 */
export class ScanPool {
  readonly spec: Required<PoolSpec>;
  readonly workers: Worker[];
  private readonly layout: SharedLayout;
  private used = false;
  private closing = false;
  /** Why the pool cannot be used: a worker died or failed to start. */
  private failure: Error | undefined;
  /** Told of a failure while a scan runs. */
  private onFailure: ((e: Error) => void) | undefined;

  private constructor(spec: Required<PoolSpec>, layout: SharedLayout, workers: Worker[]) {
    this.spec = spec;
    this.layout = layout;
    this.workers = workers;
    workers.forEach((w, k) => {
      // From the start: a worker that dies while the main thread prepares is found out when the scan begins.
      w.on('error', (e: Error) => this.fail(new Error(`scan worker ${k + 1} of ${workers.length} died: ${e.message}`, { cause: e })));
      w.on('messageerror', (e: Error) => this.fail(new Error(`scan worker ${k + 1} of ${workers.length} sent a message that could not be read: ${e.message}`, { cause: e })));
      w.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`scan worker ${k + 1} of ${workers.length} stopped unexpectedly (exit code ${code})`));
      });
    });
  }

  private fail(e: Error): void {
    if (this.closing) return;
    this.failure ??= e;
    this.onFailure?.(this.failure);
  }

  /** Start the workers; undefined when threads cannot be used here (no worker script or no WebAssembly). */
  static start(spec: PoolSpec): ScanPool | undefined {
    const script = workerScript();
    if (!script || spec.threads < 1) return undefined;
    const full: Required<PoolSpec> = { ...spec, blockSize: spec.blockSize ?? DEFAULT_BLOCK };
    const { n, threads, model, blockSize } = full;
    const cols = model === 'add-dom' ? 2 : 1;
    const layout = createSharedLayout(n, threads, scratchBytes(n, blockSize, cols, spec.covariates));
    if (!layout) return undefined;
    const workers = layout.workers.map((w) => {
      const init: WorkerInit = {
        memory: layout.memory,
        packPtr: w.packPtr,
        scratch: w.scratch,
        scratchBytes: w.scratchBytes,
        uPtr: layout.uPtr,
        n,
        model,
        famIndex: spec.famIndex,
        blockSize,
        bytesPerSnp: spec.bytesPerSnp,
        nSamples: spec.nSamples,
      };
      return new Worker(script, { workerData: init });
    });
    return new ScanPool(full, layout, workers);
  }

  /** Whether this pool was started for prep's individuals, model and covariates. */
  fits(prep: PreparedScan): boolean {
    const { spec } = this;
    return (
      !this.used &&
      spec.n === prep.n &&
      spec.model === prep.settings.model &&
      spec.covariates === prep.wStar.length &&
      spec.bytesPerSnp === prep.plink.bed.bytesPerSnp &&
      spec.famIndex.length === prep.samples.famIndex.length &&
      spec.famIndex.every((v, i) => v === prep.samples.famIndex[i])
    );
  }

  async close(): Promise<void> {
    this.used = true;
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /**
   * Scan prep's SNPs (once per pool): U is moved into the shared memory, the basis sent, blocks
   * handed out as workers free up and their rows delivered in file order. Stops dispatching when
   * shouldStop() turns true, delivers the blocks finished in order, and returns.
   */
  async run(prep: PreparedScan, opts: ScanOptions): Promise<ScanSkips> {
    if (!this.fits(prep)) throw new Error('scan pool: started for other individuals, model or covariates, or already used');
    this.used = true;
    try {
      if (this.failure) throw this.failure;
      return await this.dispatch(prep, opts);
    } finally {
      await this.close();
    }
  }

  private async dispatch(prep: PreparedScan, opts: ScanOptions): Promise<ScanSkips> {
    const { n, tested, settings, plink } = prep;
    const { blockSize } = this.spec;
    const workers = this.workers;
    // Move U into the shared memory; the scan keeps only that copy.
    const shared = new Float64Array(this.layout.memory.buffer, this.layout.uPtr, n * n);
    shared.set(prep.u);
    prep.u = shared;
    const basis: BasisJob = { type: 'basis', s: prep.s, yStar: prep.yStar, wStar: prep.wStar, nullFit: prep.nullFit, method: settings.method, prior: effectPrior(settings) };
    for (const w of workers) w.postMessage(basis);

    const skips: ScanSkips = { collinear: 0 };
    const to = Math.min(opts.to ?? tested.length, tested.length);
    const from = opts.from ?? 0;
    const bps = plink.bed.bytesPerSnp;
    const { snpStats } = prep;

    await new Promise<void>((resolve, reject) => {
      let nextPos = from;
      let nextId = 0;
      let deliverId = 0;
      let inFlight = 0;
      let stopped = false;
      let failed = false;
      const done = new Map<number, { rows: Float64Array; collinear: number; end: number }>();
      const endOf = new Map<number, number>();
      // Two jobs per worker in flight, so a worker finds its next block queued when it posts a result
      // (no idle round trip through the main thread); a stop still takes effect within two blocks.
      const idle = [...workers, ...workers];

      const fail = (e: Error): void => {
        if (failed) return;
        failed = true;
        this.onFailure = undefined;
        reject(e);
      };
      this.onFailure = fail;

      const dispatch = (): void => {
        // At most two blocks per worker between the last delivered one and the newest dispatched, so a
        // slow worker cannot make the others run far ahead (results held back for file order stay
        // bounded, and a stop lets at most that many blocks finish).
        while (!stopped && !failed && idle.length > 0 && nextPos < to && nextId - deliverId < 2 * workers.length) {
          if (opts.shouldStop?.()) {
            stopped = true;
            break;
          }
          const count = Math.min(blockSize, to - nextPos);
          const first = tested[nextPos]!;
          const last = tested[nextPos + count - 1]!;
          const packed = new Uint8Array(new SharedArrayBuffer(plink.dosage ? 0 : (last - first + 1) * bps));
          let dosage: Float32Array | undefined;
          if (plink.dosage) {
            dosage = new Float32Array(new SharedArrayBuffer((last - first + 1) * plink.dosage.nSamples * 4));
            plink.dosage.readDosage(first, last - first + 1, dosage);
          } else plink.bed.readPacked(first, last - first + 1, packed);
          const info: SnpInfo[] = [];
          for (let b = 0; b < count; b++) {
            const snp = tested[nextPos + b]!;
            info.push({ snp, af: snpStats.af[snp]!, nMiss: snpStats.nMiss[snp]!, classes: snpStats.classes[snp]! });
          }
          const job: BlockJob = dosage ? { type: 'block', id: nextId, packed, dosage, firstSnp: first, info } : { type: 'block', id: nextId, packed, firstSnp: first, info };
          endOf.set(nextId, nextPos + count);
          nextId++;
          nextPos += count;
          inFlight++;
          idle.shift()!.postMessage(job);
        }
        if (inFlight === 0 && (stopped || nextPos >= to) && !failed) {
          this.onFailure = undefined;
          resolve();
        }
      };

      const deliver = (): void => {
        while (done.has(deliverId)) {
          const r = done.get(deliverId)!;
          done.delete(deliverId);
          deliverId++;
          skips.collinear += r.collinear;
          try {
            opts.onBlock(decodeRows(r.rows), { done: r.end, total: tested.length });
          } catch (e) {
            fail(e as Error);
            return;
          }
        }
      };

      for (const w of workers) {
        w.on('message', (msg: BlockResult | WorkerFailure) => {
          inFlight--;
          idle.push(w);
          if (msg.type === 'error') {
            fail(reviveError(msg.error, 'a scan worker'));
            return;
          }
          // Blocks finishing after a stop are still delivered when they extend the contiguous prefix.
          done.set(msg.id, { rows: msg.rows, collinear: msg.collinear, end: endOf.get(msg.id)! });
          deliver();
          if (opts.shouldStop?.()) stopped = true;
          dispatch();
        });
      }
      dispatch();
    });
    return skips;
  }
}

/**
 * Run the scan on a pool of worker threads (ScanPool); returns undefined when threads cannot be
 * used here (no worker script or no WebAssembly), so the caller can run in-process.
 */
export async function runScanPooled(prep: PreparedScan, opts: ScanOptions, threads: number, pool?: ScanPool): Promise<ScanSkips | undefined> {
  const sameBlocks = pool !== undefined && (opts.blockSize === undefined || opts.blockSize === pool.spec.blockSize);
  const p = pool && sameBlocks && pool.fits(prep) ? pool : ScanPool.start({ ...selectionPoolSpec(prep.settings, prep, threads), ...(opts.blockSize ? { blockSize: opts.blockSize } : {}) });
  if (pool && p !== pool) await pool.close();
  if (!p) return undefined;
  return p.run(prep, opts);
}

/** The pool a scan of these individuals needs, known as soon as they are chosen (before the kinship). */
export function selectionPoolSpec(settings: ScanSettings, sel: ScanSelection, threads: number): PoolSpec {
  return {
    n: sel.samples.famIndex.length,
    threads,
    model: settings.model,
    covariates: 1 + sel.samples.covariates.length + settings.pcs,
    famIndex: sel.samples.famIndex,
    bytesPerSnp: sel.plink.bed.bytesPerSnp,
    nSamples: sel.plink.bed.nSamples,
  };
}
