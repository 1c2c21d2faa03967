/**
 * A scan worker thread: decodes blocks of SNPs from packed genotypes the main thread shares with
 * it (SharedArrayBuffer), rotates them with the eigenvectors U in the shared WebAssembly memory,
 * fits every SNP (fit-block.ts) and posts the rows back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError, type ThreadError } from '../io/thread-errors.js';
import { createKernels, type WasmMemory } from '../stats/kernels/wasm-loader.js';
import type { MlFit } from '../stats/lmm/model.js';
import type { FitMethod } from '../stats/lmm/fit.js';
import { BlockFitter, type SnpInfo } from './fit-block.js';
import { GenotypeDecoder } from './genotypes.js';
import { encodeRows } from './row-codec.js';
import { rotateBlock } from './scan.js';
import { ScratchArena } from './shared-kernels.js';
import type { GeneticModel } from './settings.js';
import type { EffectPrior } from '../stats/bayes/prior.js';

/** What a worker needs to start (before the eigenbasis exists: the pool starts during the eigendecomposition). */
export interface WorkerInit {
  memory: WasmMemory;
  packPtr: number;
  scratch: number;
  scratchBytes: number;
  uPtr: number;
  n: number;
  model: GeneticModel;
  famIndex: Int32Array;
  blockSize: number;
  bytesPerSnp: number;
  /** Samples in the dataset: the stride of a block's dosages. */
  nSamples: number;
}

/** The trait's basis (U itself is in the shared memory at uPtr), sent once before the first block. */
export interface BasisJob {
  type: 'basis';
  s: Float64Array;
  yStar: Float64Array;
  wStar: Float64Array[];
  nullFit: MlFit;
  method: FitMethod;
  prior: EffectPrior;
}

export interface BlockJob {
  type: 'block';
  id: number;
  /** Packed bytes of SNPs firstSnp.. (bytesPerSnp each), shared with the main thread. */
  packed: Uint8Array;
  /** For a dataset with dosages: the dosages of the same SNPs (all samples each, SNP-major), used instead of packed. */
  dosage?: Float32Array;
  firstSnp: number;
  info: SnpInfo[];
}

export interface BlockResult {
  type: 'rows';
  id: number;
  rows: Float64Array;
  collinear: number;
}

export interface WorkerFailure {
  type: 'error';
  id: number;
  /** The error, revived by the pool with its type and message (io/thread-errors.ts). */
  error: ThreadError;
}

const init = workerData as WorkerInit;
const k = createKernels({ memory: init.memory, shared: true, packPtr: init.packPtr });
const arena = new ScratchArena(k, init.scratch, init.scratchBytes);
const { n } = init;
const u = new Float64Array(init.memory.buffer, init.uPtr, n * n);
const cols = init.model === 'add-dom' ? 2 : 1;
const decoder = new GenotypeDecoder(init.famIndex);
const xRaw = arena.alloc(init.blockSize * cols * n);
const xRot = arena.alloc(init.blockSize * cols * n);
const work = arena.alloc(init.blockSize * cols * n);
let fitter: BlockFitter | undefined;
let basisError: unknown;

parentPort!.on('message', (job: BasisJob | BlockJob) => {
  if (job.type === 'basis') {
    try {
      fitter = new BlockFitter({ n, s: job.s, yStar: job.yStar, wStar: job.wStar, nullFit: job.nullFit }, init.model, job.method, arena.gemm, job.prior);
    } catch (e) {
      // Reported with the first block (the pool waits for blocks, not for the basis).
      basisError = e;
    }
    return;
  }
  try {
    if (basisError !== undefined) throw basisError;
    if (!fitter) throw new Error('block before basis');
    const count = job.info.length;
    for (let b = 0; b < count; b++) {
      const it = job.info[b]!;
      const xa = xRaw.subarray(b * cols * n, b * cols * n + n);
      const xd = cols === 2 ? xRaw.subarray(b * cols * n + n, b * cols * n + 2 * n) : undefined;
      if (job.dosage) decoder.decodeDosage(job.dosage, (it.snp - job.firstSnp) * init.nSamples, xa, xd);
      else decoder.decode(job.packed, (it.snp - job.firstSnp) * init.bytesPerSnp, xa, xd);
    }
    rotateBlock(arena.gemm, u, n, xRaw, xRot, work, count * cols);
    const { rows, collinear } = fitter.fitBlock(xRot, job.info);
    const data = encodeRows(rows);
    const msg: BlockResult = { type: 'rows', id: job.id, rows: data, collinear };
    parentPort!.postMessage(msg, [data.buffer as ArrayBuffer]);
  } catch (e) {
    const msg: WorkerFailure = { type: 'error', id: job.id, error: serializeError(e) };
    parentPort!.postMessage(msg);
  }
});
