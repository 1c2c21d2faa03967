/**
 * Loads the WebAssembly SIMD kernels (engine/stats/kernels/wasm/kernels.wasm, built by
 * wasm/build.sh) synchronously on first use, and manages their linear memory.
 * kernels-shared.wasm is the same code for a shared memory (worker threads): see createKernels.
 *
 * Where the .wasm is looked for, in order:
 *   1. `KINSCAN_WASM_DIR` if set (a folder holding the .wasm files),
 *   2. `./wasm/kernels.wasm` next to this module (the TS sources under vitest, or a build
 *      that copies the .wasm next to the JS),
 *   3. the same relative path under the repository's `engine/` folder when this module runs
 *      from `dist/engine/...` (tsc does not copy the .wasm into dist/).
 * If none loads (or WebAssembly SIMD is unavailable) the callers fall back to TypeScript.
 *
 * Memory is imported by the module, so this side owns it. Views (Float64Array) on it stay
 * valid until the next `reserve` that has to grow it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import v8 from 'node:v8';

let compilerChosen = false;

/**
 * Compile WebAssembly with V8's optimising compiler from the start. By default V8 first runs a
 * module in its baseline compiler (Liftoff) and optimises a function only after it has been hot;
 * a kernel called once for a long time (the tridiagonalisation, the first GEMM of each worker)
 * then runs all its work in baseline code, 2-4x slower. The flag is process-wide (it reaches the
 * worker threads) and only changes how later modules are compiled, not what they compute.
 * Measured on the mouse scan: eigendecomposition 1.26 -> 0.98 s, per-SNP scan 2.55 -> 1.92 s.
 */
export function preferOptimisingCompiler(): void {
  if (compilerChosen) return;
  compilerChosen = true;
  try {
    v8.setFlagsFromString('--no-liftoff');
  } catch {
    // Not V8, or flags locked: the kernels still run, in baseline code first.
  }
}

/**
 * The part of the WebAssembly JS API used here. Declared locally because the project's
 * TypeScript lib (ES2023, no DOM) has no WebAssembly types.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
/** The global WebAssembly object, typed (undefined where WebAssembly is unavailable). */
export const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

export interface KernelExports {
  gemm_pack_size(): number;
  gemm_f64(
    m: number, k: number, n: number, alpha: number, a: number, lda: number, b: number, ldb: number,
    beta: number, c: number, ldc: number, pack: number,
  ): void;
  tridiag_work_size(n: number): number;
  secular_f64(
    K: number, D: number, Z: number, rho: number, lambda: number, delta: number, st: number, col: number, zh: number,
  ): void;
  tridiagonalise_f64(w: number, n: number, d: number, e: number, tau: number, work: number, pack: number): void;
  kin_i16_rows(i0: number, i1: number, n: number, b8: number, g: number, ld: number, k: number, ldk: number, tmp: number): void;
  kin_missing_rows(i0: number, i1: number, n: number, xs: number, k: number, ldk: number, rowStart: number, snp: number, mu: number): void;
}

export interface WasmKernels {
  exports: KernelExports;
  memory: WasmMemory;
  /** First byte free for data (after the module's stack). */
  heapBase: number;
  /** Byte pointer of the GEMM pack scratch (fixed, just after heapBase). */
  packPtr: number;
  /** First byte for caller data. */
  dataBase: number;
  /** Where the module was loaded from. */
  source: string;
}

const PAGE = 65536;
const MAX_BYTES = 4 * 1024 * 1024 * 1024 - PAGE;

let cached: WasmKernels | null | undefined;

/** The default kernels (own non-shared memory), or null when WebAssembly or the .wasm file is unavailable. */
export function wasmKernels(): WasmKernels | null {
  if (cached === undefined) {
    try {
      cached = createKernels();
    } catch {
      cached = null;
    }
  }
  return cached;
}

export interface KernelOptions {
  /**
   * Memory to run on. Default: a new non-shared memory. A memory created with
   * `new WebAssembly.Memory({ initial, maximum, shared: true })` (maximum <= 65536 pages)
   * needs `shared: true`, which loads kernels-shared.wasm; several instances (one per worker
   * thread) can then share it.
   */
  memory?: WasmMemory;
  shared?: boolean;
  /**
   * Byte address of this instance's GEMM pack scratch (gemm_pack_size() doubles); instances on
   * a shared memory must use disjoint ones. Default: just above the module's (unused) stack.
   */
  packPtr?: number;
}

/**
 * Instantiate the kernels synchronously; throws if the module cannot be found or fails its
 * self-test. On a shared memory, `memory.buffer` is a new SharedArrayBuffer object after each
 * grow: make views from it after the last grow (gemmStridedWasm compares buffers by identity
 * and otherwise falls back to TypeScript).
 */
export function createKernels(options: KernelOptions = {}): WasmKernels {
  if (!WA) throw new Error('WebAssembly is not available');
  const name = options.shared ? 'kernels-shared.wasm' : 'kernels.wasm';
  let lastError: unknown = new Error(`${name} not found`);
  for (const file of candidatePaths(name)) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      lastError = err;
      continue;
    }
    preferOptimisingCompiler();
    const module = new WA.Module(bytes);
    const memory = options.memory ?? new WA.Memory({ initial: 32 });
    const instance = new WA.Instance(module, { env: { memory } });
    const exports = instance.exports as unknown as KernelExports & { __heap_base: { value: number } };
    const heapBase = Number(exports.__heap_base.value);
    const packPtr = options.packPtr ?? align(heapBase, 64);
    const dataBase = align(Math.max(heapBase, packPtr + exports.gemm_pack_size() * 8), 64);
    const k: WasmKernels = { exports, memory, heapBase, packPtr, dataBase, source: file };
    selfTest(k);
    return k;
  }
  throw lastError;
}

/** Where `name` is looked for, in order (see the file comment); `here` is this module's folder. */
export function candidatePaths(name: string, here = path.dirname(fileURLToPath(import.meta.url))): string[] {
  const out: string[] = [];
  const env = process.env.KINSCAN_WASM_DIR;
  if (env) out.push(path.join(env, name));
  out.push(path.join(here, 'wasm', name));
  const marker = `${path.sep}dist${path.sep}engine${path.sep}`;
  const at = here.lastIndexOf(marker);
  if (at >= 0) {
    const rel = here.slice(at + marker.length);
    out.push(path.join(here.slice(0, at), 'engine', rel, 'wasm', name));
  }
  return out;
}

export function align(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

/** Grow the memory so that [0, bytes) is addressable. Detaches old views when it grows. */
export function reserve(k: WasmKernels, bytes: number): void {
  if (bytes > MAX_BYTES) throw new RangeError(`wasm kernels: ${bytes} bytes exceed the 4 GiB wasm32 limit`);
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / PAGE));
}

/**
 * Lay out arrays of the given lengths (in doubles) from dataBase, growing memory as needed,
 * and return Float64Array views on them. Every call reuses the same region, so views from an
 * earlier call alias the new ones. The contents are left as they are (callers overwrite them)
 * unless `zero` is set: zero-filling hundreds of MB costs more than some of the kernels.
 */
export function allocateViews(k: WasmKernels, lengths: number[], zero = false): Float64Array[] {
  let ptr = k.dataBase;
  const ptrs = lengths.map((len) => {
    const p = ptr;
    ptr = align(ptr + len * 8, 64);
    return p;
  });
  reserve(k, ptr);
  return lengths.map((len, i) => {
    const v = new Float64Array(k.memory.buffer, ptrs[i], len);
    if (zero) v.fill(0);
    return v;
  });
}

/**
 * Tiny product checked against the obvious answer, so a broken build falls back to TS. Runs
 * inside this instance's own pack scratch (the 2x3x2 product packs into its first doubles),
 * so it never touches memory another instance may be using.
 */
function selfTest(k: WasmKernels): void {
  reserve(k, k.dataBase);
  const at = k.packPtr + 8 * 1024;
  const a = new Float64Array(k.memory.buffer, at, 6);
  const b = new Float64Array(k.memory.buffer, at + 64, 6);
  const c = new Float64Array(k.memory.buffer, at + 128, 4);
  a.set([1, 2, 3, 4, 5, 6]); // 2x3
  b.set([7, 8, 9, 10, 11, 12]); // 3x2
  k.exports.gemm_f64(2, 3, 2, 1, a.byteOffset, 3, b.byteOffset, 2, 0, c.byteOffset, 2, k.packPtr);
  const want = [58, 64, 139, 154];
  if (want.some((x, i) => c[i] !== x)) throw new Error('wasm kernels failed their self-test');
}
