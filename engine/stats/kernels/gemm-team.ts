/**
 * A GEMM shared by the calling thread and helper worker threads over one shared WebAssembly memory:
 * a product big enough is split by rows of C, the caller computes the first part while each helper
 * computes one of the others, and the call returns when all are done (Atomics, no messages, so the
 * caller stays synchronous). Until the helpers have started, and for small products, the caller
 * computes alone, so creating a team never waits for threads.
 *
 * Used by the eigendecomposition (eigen.ts), whose divide-and-conquer merges and back-transformation
 * are GEMM-bound; its tridiagonalisation stays on the calling thread.
 */
import { Worker } from 'node:worker_threads';
import { workerScriptBeside } from '../../io/worker-script.js';
import type { GemmStrided } from './gemm-ts.js';
import { gemmStridedWasm } from './gemm.js';
import { align, createKernels, WA, type WasmKernels, type WasmMemory } from './wasm-loader.js';

/** Control words (Int32) shared with the helpers. */
export const TEAM = { GEN: 0, DONE: 1, QUIT: 2, READY: 3, FAILED: 4, SIZE: 16 } as const;
/** Per helper, the job (Float64 slots after the control words): m, k, n, alpha, a, lda, b, ldb, beta, c, ldc. */
export const JOB_SLOTS = 11;

export interface TeamWorkerInit {
  memory: WasmMemory;
  packPtr: number;
  ctrlPtr: number;
  /** Byte offset of this helper's job slots. */
  jobPtr: number;
}

/** Below this many multiply-adds a product is not worth splitting (a wake-up costs ~20 us). */
const SPLIT_MIN = 4e6;
const PAGE = 65536;


export interface GemmTeam {
  /** The calling thread's kernels on the shared memory: allocate views with allocateViews(kernels, ...). */
  kernels: WasmKernels;
  gemm: GemmStrided;
  /** Wait up to timeoutMs for every helper to have started; true when they have. */
  ready(timeoutMs: number): boolean;
  /** Stop the helpers. */
  close(): void;
}

/**
 * A team of the calling thread and `threads - 1` helpers over a shared memory with `dataBytes`
 * bytes free above the kernels' own data. Undefined when WebAssembly threads are unavailable or
 * the memory would exceed 4 GiB (callers use the single-thread kernels then).
 */
export function createGemmTeam(dataBytes: number, threads: number): GemmTeam | undefined {
  const script = workerScriptBeside(import.meta.url, 'gemm-team-worker.js');
  const helpers = threads - 1;
  if (!script || !WA || helpers < 1) return undefined;
  let heapBase: number;
  let packBytes: number;
  try {
    const probe = createKernels({ memory: new WA.Memory({ initial: 64, maximum: 64, shared: true }), shared: true });
    heapBase = probe.heapBase;
    packBytes = align(probe.exports.gemm_pack_size() * 8, 64);
  } catch {
    return undefined;
  }
  let ptr = align(heapBase, 64);
  const ctrlPtr = ptr;
  ptr += TEAM.SIZE * 4;
  const jobPtrs = Array.from({ length: helpers }, () => {
    const p = align(ptr, 64);
    ptr = p + JOB_SLOTS * 8;
    return p;
  });
  const helperPacks = Array.from({ length: helpers }, () => {
    const p = align(ptr, 64);
    ptr = p + packBytes;
    return p;
  });
  const mainPack = align(ptr, 64); // the kernels' data region starts after it
  const pages = Math.ceil((mainPack + packBytes + dataBytes) / PAGE) + 2;
  if (pages > 65536) return undefined;
  const memory = new WA.Memory({ initial: pages, maximum: pages, shared: true });
  const kernels = createKernels({ memory, shared: true, packPtr: mainPack });
  const ctrl = new Int32Array(memory.buffer, ctrlPtr, TEAM.SIZE);
  const jobs = jobPtrs.map((p) => new Float64Array(memory.buffer, p, JOB_SLOTS));
  const workers = helperPacks.map((packPtr, h) => {
    const init: TeamWorkerInit = { memory, packPtr, ctrlPtr, jobPtr: jobPtrs[h]! };
    const w = new Worker(script, { workerData: init });
    w.unref();
    return w;
  });
  const local = gemmStridedWasm(kernels);
  let closed = false;

  const gemm: GemmStrided = (m, k, n, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) => {
    const buf = kernels.memory.buffer;
    const inMemory = a.buffer === buf && b.buffer === buf && c.buffer === buf;
    if (closed || !inMemory || m * k * n < SPLIT_MIN || m < 8 * threads || Atomics.load(ctrl, TEAM.READY) < helpers) {
      local(m, k, n, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      return;
    }
    // Rows [0, rows) for this thread, the rest in equal parts (multiples of 4) for the helpers.
    const part = Math.ceil(m / threads / 4) * 4;
    const aPtr = a.byteOffset + 8 * aOff;
    const cPtr = c.byteOffset + 8 * cOff;
    let row = part;
    let used = 0;
    for (let h = 0; h < helpers && row < m; h++) {
      const rows = Math.min(part, m - row);
      jobs[h]!.set([rows, k, n, alpha, aPtr + 8 * row * lda, lda, b.byteOffset + 8 * bOff, ldb, beta, cPtr + 8 * row * ldc, ldc]);
      row += rows;
      used++;
    }
    for (let h = used; h < helpers; h++) jobs[h]![0] = 0;
    Atomics.store(ctrl, TEAM.DONE, 0);
    Atomics.add(ctrl, TEAM.GEN, 1);
    Atomics.notify(ctrl, TEAM.GEN);
    local(Math.min(part, m), k, n, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    for (;;) {
      const d = Atomics.load(ctrl, TEAM.DONE);
      if (d >= helpers) break;
      Atomics.wait(ctrl, TEAM.DONE, d, 1000);
    }
    if (Atomics.load(ctrl, TEAM.FAILED)) throw new Error('a GEMM helper thread failed (see gemm-team-worker.ts)');
  };

  const close = (): void => {
    if (closed) return;
    closed = true;
    Atomics.store(ctrl, TEAM.QUIT, 1);
    Atomics.add(ctrl, TEAM.GEN, 1);
    Atomics.notify(ctrl, TEAM.GEN);
    for (const w of workers) void w.terminate();
  };
  const ready = (timeoutMs: number): boolean => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = Atomics.load(ctrl, TEAM.READY);
      if (r >= helpers) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(ctrl, TEAM.READY, r, left);
    }
  };
  return { kernels, gemm, ready, close };
}
