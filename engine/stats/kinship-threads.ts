import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { decodeSnp, type BedFile } from '../io/plink.js';
import { forEachSnpBlock } from '../io/snp-blocks.js';
import { align, createKernels, WA, type WasmMemory } from './kernels/wasm-loader.js';
import { centreSnp, type Kinship, type KinshipMode } from './kinship.js';

/** Slots of the control block shared with the kinship workers. */
export const CTRL = { GEN: 0, DONE: 1, SLOT: 2, B: 3, QUIT: 4, READY: 5, SIZE: 8 } as const;

export interface KinshipWorkerInit {
  memory: WasmMemory;
  packPtr: number;
  ctrlPtr: number;
  kPtr: number;
  gPtr: number;
  gtPtr: number;
  nAll: number;
  maxBlock: number;
  /** Row panels [i0, i1) of K this worker computes (columns 0..i1: the lower triangle and the diagonal block). */
  panels: [number, number][];
}

const PAGE = 65536;
const BLOCK = 512;

function workerScript(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const p = here.endsWith('.ts')
    ? fileURLToPath(new URL('../../dist/engine/stats/kinship-worker.js', import.meta.url))
    : fileURLToPath(new URL('./kinship-worker.js', import.meta.url));
  return existsSync(p) ? p : undefined;
}

/** Split rows 0..n into panels with equal-ish lower-triangle work and deal them to the workers. */
function assignPanels(n: number, threads: number): [number, number][][] {
  const count = Math.max(threads * 4, 8);
  const edges = Array.from({ length: count + 1 }, (_, k) => Math.round(n * Math.sqrt(k / count)));
  const panels: [number, number][] = [];
  for (let k = 0; k < count; k++) if (edges[k + 1]! > edges[k]!) panels.push([edges[k]!, edges[k + 1]!]);
  const out: [number, number][][] = Array.from({ length: threads }, () => []);
  const load = new Array<number>(threads).fill(0);
  // Largest first, each to the least loaded worker.
  panels
    .map((p) => ({ p, work: (p[1] - p[0]) * p[1] }))
    .sort((a, b) => b.work - a.work)
    .forEach(({ p, work }) => {
      const w = load.indexOf(Math.min(...load));
      out[w]!.push(p);
      load[w] = load[w]! + work;
    });
  return out;
}

/**
 * The same kinship as computeKinship (GEMMA's conventions), on worker threads: the main thread
 * decodes and centres blocks of SNPs into one of two buffers in a shared WebAssembly memory while
 * the workers add the previous block to the lower triangle of K with the SIMD GEMM. Synchronous
 * (Atomics.wait), so callers need not be async. Returns undefined when threads cannot be used
 * (no WebAssembly, no compiled worker, K beyond 4 GiB), so the caller falls back to one thread.
 */
export function computeKinshipThreaded(
  bed: BedFile,
  include: Uint8Array,
  mode: KinshipMode,
  threads: number,
  onProgress?: (done: number, total: number) => void,
): Kinship | undefined {
  const script = workerScript();
  if (!script || !WA || threads < 2) return undefined;
  const nAll = bed.nSamples;
  // Layout: [module data | pack scratch x threads | ctrl | K | G x 2 | Gt x 2]
  let probeHeap: number;
  let packBytes: number;
  try {
    const probe = createKernels({ memory: new WA.Memory({ initial: 64, maximum: 64, shared: true }), shared: true });
    probeHeap = probe.heapBase;
    packBytes = align(probe.exports.gemm_pack_size() * 8, 64);
  } catch {
    return undefined;
  }
  let ptr = align(probeHeap, 64) + packBytes;
  const packs = Array.from({ length: threads }, () => {
    const p = ptr;
    ptr += packBytes;
    return p;
  });
  const ctrlPtr = align(ptr, 64);
  const kPtr = align(ctrlPtr + CTRL.SIZE * 4, 64);
  const gPtr = align(kPtr + nAll * nAll * 8, 64);
  const gtPtr = align(gPtr + 2 * nAll * BLOCK * 8, 64);
  const end = gtPtr + 2 * nAll * BLOCK * 8;
  const pages = Math.ceil(end / PAGE) + 1;
  if (pages > 65536) return undefined;
  const memory = new WA.Memory({ initial: pages, maximum: pages, shared: true });
  const ctrl = new Int32Array(memory.buffer, ctrlPtr, CTRL.SIZE);
  const panels = assignPanels(nAll, threads);
  const workers = packs.map((packPtr, w) => {
    const init: KinshipWorkerInit = { memory, packPtr, ctrlPtr, kPtr, gPtr, gtPtr, nAll, maxBlock: BLOCK, panels: panels[w]! };
    const worker = new Worker(script, { workerData: init });
    worker.unref();
    return worker;
  });
  const quit = (): void => {
    Atomics.store(ctrl, CTRL.QUIT, 1);
    Atomics.add(ctrl, CTRL.GEN, 1);
    Atomics.notify(ctrl, CTRL.GEN);
    for (const w of workers) void w.terminate();
  };
  // Wait for every worker to be ready (a worker that cannot start makes us fall back).
  const deadline = Date.now() + 20000;
  while (Atomics.load(ctrl, CTRL.READY) < threads) {
    const seen = Atomics.load(ctrl, CTRL.READY);
    if (Date.now() > deadline) {
      quit();
      return undefined;
    }
    Atomics.wait(ctrl, CTRL.READY, seen, 100);
  }

  const buffer = memory.buffer;
  const gSlot = [0, 1].map((s) => new Float64Array(buffer, gPtr + s * nAll * BLOCK * 8, nAll * BLOCK));
  const gtSlot = [0, 1].map((s) => new Float64Array(buffer, gtPtr + s * nAll * BLOCK * 8, nAll * BLOCK));
  const counts = new Int8Array(nAll);
  let total = 0;
  for (let j = 0; j < include.length; j++) total += include[j]!;
  let used = 0;
  let slot = 0;
  let filled = 0;
  let busy = false;
  const waitDone = (): void => {
    if (!busy) return;
    for (;;) {
      const d = Atomics.load(ctrl, CTRL.DONE);
      if (d >= threads) break;
      Atomics.wait(ctrl, CTRL.DONE, d, 1000);
    }
    busy = false;
  };
  const dispatch = (): void => {
    if (filled === 0) return;
    // The block in `slot` is full: lay it out (G is n x b with stride b), wait for the previous block, start this one.
    const b = filled;
    const g = gSlot[slot]!;
    const gt = gtSlot[slot]!;
    for (let i = 0; i < nAll; i++) for (let j = 0; j < b; j++) g[i * b + j] = gt[j * nAll + i]!;
    waitDone();
    Atomics.store(ctrl, CTRL.SLOT, slot);
    Atomics.store(ctrl, CTRL.B, b);
    Atomics.store(ctrl, CTRL.DONE, 0);
    Atomics.add(ctrl, CTRL.GEN, 1);
    Atomics.notify(ctrl, CTRL.GEN);
    busy = true;
    onProgress?.(used, total);
    slot = 1 - slot;
    filled = 0;
  };
  try {
    forEachSnpBlock(bed, 1024, (start, count, packed) => {
      for (let s = 0; s < count; s++) {
        if (!include[start + s]) continue;
        decodeSnp(packed, s * bed.bytesPerSnp, nAll, counts);
        centreSnp(counts, mode, gtSlot[slot]!.subarray(filled * nAll, (filled + 1) * nAll));
        filled++;
        used++;
        if (filled === BLOCK) dispatch();
      }
    });
    dispatch();
    waitDone();
  } finally {
    quit();
  }
  // Lower triangle (and diagonal blocks) are summed; mirror and scale.
  const kv = new Float64Array(buffer, kPtr, nAll * nAll);
  const out = new Float64Array(nAll * nAll);
  const inv = used > 0 ? 1 / used : 0;
  for (let i = 0; i < nAll; i++) {
    for (let j = 0; j <= i; j++) {
      const v = kv[i * nAll + j]! * inv;
      out[i * nAll + j] = v;
      out[j * nAll + i] = v;
    }
  }
  return { n: nAll, data: out, snps: used, mode };
}
