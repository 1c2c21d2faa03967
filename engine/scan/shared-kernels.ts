import { align, createKernels, WA, type WasmKernels, type WasmMemory } from '../stats/kernels/wasm-loader.js';
import type { Gemm } from './fit-block.js';

const PAGE = 65536;

/**
 * One WebAssembly memory shared by the scan's threads (a SharedArrayBuffer underneath), laid out
 * once by the main thread: the module's own data, a GEMM pack scratch per thread, the eigenvectors
 * U (n x n, the only n x n matrix of the scan), and a private scratch region per worker.
 */
export interface SharedLayout {
  memory: WasmMemory;
  /** Byte offset of U. */
  uPtr: number;
  /** Per worker: pack scratch pointer, scratch region [start, start + bytes). */
  workers: { packPtr: number; scratch: number; scratchBytes: number }[];
}

/** Allocate the shared memory for `threads` workers; returns undefined when WebAssembly is unavailable. */
export function createSharedLayout(n: number, threads: number, scratchBytesPerWorker: number): SharedLayout | undefined {
  if (!WA) return undefined;
  // Instantiate once on a probe memory to learn the module's data size and pack scratch size.
  let probe: WasmKernels;
  try {
    probe = createKernels({ memory: new WA.Memory({ initial: 64, maximum: 64, shared: true }), shared: true });
  } catch {
    return undefined;
  }
  const packBytes = align(probe.exports.gemm_pack_size() * 8, 64);
  let ptr = align(probe.heapBase, 64) + packBytes; // region of the main thread's instance
  const packs: number[] = [];
  for (let w = 0; w < threads; w++) {
    packs.push(ptr);
    ptr += packBytes;
  }
  const uPtr = align(ptr, 64);
  ptr = uPtr + n * n * 8;
  const workers = packs.map((packPtr) => {
    const scratch = align(ptr, 64);
    ptr = scratch + scratchBytesPerWorker;
    return { packPtr, scratch, scratchBytes: scratchBytesPerWorker };
  });
  const pages = Math.ceil(ptr / PAGE) + 1;
  if (pages > 65536) return undefined; // beyond wasm32's 4 GiB: the caller runs in one thread
  const memory = new WA.Memory({ initial: pages, maximum: pages, shared: true });
  return { memory, uPtr, workers };
}

/**
 * A bump allocator over one worker's scratch region, and a GEMM that runs on the shared memory:
 * operands already in it are used in place, others are copied into the scratch first.
 */
export class ScratchArena {
  private readonly k: WasmKernels;
  private readonly start: number;
  private readonly end: number;
  private top: number;

  constructor(k: WasmKernels, start: number, bytes: number) {
    this.k = k;
    this.start = start;
    this.end = start + bytes;
    this.top = start;
  }

  /** A Float64Array of `len` doubles that lives until reset(). */
  alloc(len: number): Float64Array {
    const p = align(this.top, 64);
    if (p + len * 8 > this.end) throw new RangeError(`scan worker scratch exhausted (${len} doubles)`);
    this.top = p + len * 8;
    return new Float64Array(this.k.memory.buffer, p, len);
  }

  /** Free everything allocated after `mark` (a value from mark()). */
  release(mark: number): void {
    this.top = mark;
  }

  mark(): number {
    return this.top;
  }

  reset(): void {
    this.top = this.start;
  }

  private inMemory(x: Float64Array): boolean {
    return x.buffer === this.k.memory.buffer;
  }

  readonly gemm: Gemm = (a, b, c, rows, inner, cols) => {
    const m = this.mark();
    const wa = this.inMemory(a) ? a : this.copy(a, rows * inner);
    const wb = this.inMemory(b) ? b : this.copy(b, inner * cols);
    const wc = this.inMemory(c) ? c : this.alloc(rows * cols);
    this.k.exports.gemm_f64(rows, inner, cols, 1, wa.byteOffset, inner, wb.byteOffset, cols, 0, wc.byteOffset, cols, this.k.packPtr);
    if (wc !== c) c.set(wc.subarray(0, rows * cols));
    this.release(m);
  };

  private copy(x: Float64Array, len: number): Float64Array {
    const v = this.alloc(len);
    v.set(x.subarray(0, len));
    return v;
  }
}
