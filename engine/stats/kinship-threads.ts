import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { reviveError, type ThreadError } from '../io/thread-errors.js';
import { workerScriptBeside } from '../io/worker-script.js';
import type { DosageSource } from '../io/genotype-source.js';
import type { BedFile } from '../io/plink.js';
import { align, createKernels, WA, type WasmMemory } from './kernels/wasm-loader.js';
import { centreSnp, forEachKinshipSnp, type Kinship, type KinshipMode } from './kinship.js';
import { CTRL, newStallWatch, waitForBlock } from './kinship-wait.js';

/**
 * How a block reaches the workers.
 *   'int16':  genotype counts as int16, sample-major (n x LD), summed exactly as integers
 *             (kin_i16_rows), with the missing calls listed for kin_missing_rows ('centered' mode);
 *   'float':  centred (and scaled) doubles, n x b, summed by the SIMD GEMM ('standardized' mode).
 */
export type KinshipKernel = 'int16' | 'float';

export interface KinshipSlot {
  /** float: G (n x b, row stride b); int16: G (n x LD int16). */
  g: number;
  /** float: G^T (b x n); int16: the block's calls SNP-major as int8 (-1 = missing). */
  gt: number;
  /** int16: the missing calls by individual (CSR: rowStart[i] .. rowStart[i + 1] index snp[]), each block SNP's mean. */
  rowStart: number;
  snp: number;
  mu: number;
}

export interface KinshipWorkerInit {
  memory: WasmMemory;
  kernel: KinshipKernel;
  packPtr: number;
  ctrlPtr: number;
  kPtr: number;
  slots: KinshipSlot[];
  nAll: number;
  /** SNPs per block (int16: also the row stride of G, a multiple of 8). */
  maxBlock: number;
  /** Row panels [i0, i1) of K this worker computes (columns 0..i1: the lower triangle and the diagonal block). */
  panels: [number, number][];
  /** Where the worker posts its error (a ThreadError) before raising FAILED; read synchronously. */
  errors: MessagePort;
}

/**
 * The least time without a beat from any worker (one per row panel) before the main thread gives
 * up on a block: a worker that fails says so at once (FAILED and its error), so this only bounds a
 * worker that vanished without a word. 15 s, or the largest panel's multiply-adds at a slow
 * 1e9 a second when that is longer (n = 50,000: about 160 s); ten times the longest gap seen
 * between beats once that is larger (kinship-wait.ts).
 */
function stallMinMs(panels: [number, number][][], block: number): number {
  let largest = 0;
  for (const list of panels) for (const [i0, i1] of list) largest = Math.max(largest, (i1 - i0) * i1 * block);
  return Math.max(15_000, largest / 1e6);
}

const PAGE = 65536;
const FLOAT_BLOCK = 512;
const INT_BLOCK = 1024;


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

/** Bump allocation of the shared memory's regions, 64-byte aligned. */
class Layout {
  constructor(public end: number) {}
  take(bytes: number): number {
    const p = align(this.end, 64);
    this.end = p + bytes;
    return p;
  }
}

/**
 * The same kinship as computeKinship (GEMMA's conventions), on worker threads: the main thread
 * decodes blocks of SNPs into one of two buffers in a shared WebAssembly memory while the workers
 * add the previous block to the lower triangle of K. Synchronous (Atomics.wait), so callers need
 * not be async. Returns undefined when threads cannot be used (no WebAssembly, no compiled worker,
 * K beyond 4 GiB), so the caller falls back to computeKinship.
 *
 * 'centered' (GEMMA -gk 1) is summed exactly in integers. With x~ the allele counts (0 at a
 * missing call), mu_j each SNP's mean over its calls, B = x~ - mu and E = mu_j at the missing calls
 * (0 elsewhere), the centred, mean-imputed genotypes are C = B + E and
 *   C C^T = X~ X~^T - a 1^T - 1 a^T + q 1 1^T + (E B^T + E E^T / 2) + (E B^T + E E^T / 2)^T,
 *   a_i = sum_j mu_j x~_ij,  q = sum_j mu_j^2.
 * X~ X~^T is an int16 product into the lower triangle (kin_i16_rows, exact, several times the speed
 * of the double GEMM). Row i of Y = E B^T + E E^T / 2 + s 1^T (s_i = sum of mu_j^2 over i's missing
 * calls) is a sum over i's missing calls of mu_j x_j (mu_j^2 / 2 where x_rj is missing): contiguous
 * O(n) row updates (kin_missing_rows) into the whole row i, whose upper triangle the product leaves
 * free. The final pass adds K[i,k] + K[k,i] and the rank-one terms (the diagonal once, see there).
 * 'standardized' divides each SNP by its sd, so it stays on the double GEMM.
 */
export function computeKinshipThreaded(
  bed: BedFile,
  include: Uint8Array,
  mode: KinshipMode,
  threads: number,
  onProgress?: (done: number, total: number) => void,
  dosage?: DosageSource,
): Kinship | undefined {
  const script = workerScriptBeside(import.meta.url, 'kinship-worker.js');
  if (!script || !WA || threads < 1) return undefined;
  // Dosages are not small integers: they take the double GEMM.
  const kernel: KinshipKernel = mode === 'centered' && !dosage ? 'int16' : 'float';
  const nAll = bed.nSamples;
  const block = kernel === 'int16' ? INT_BLOCK : FLOAT_BLOCK;
  const missCap = Math.max(nAll * 64, 1 << 16);
  let layout: Layout;
  let packBytes: number;
  try {
    const probe = createKernels({ memory: new WA.Memory({ initial: 64, maximum: 64, shared: true }), shared: true });
    layout = new Layout(align(probe.heapBase, 64));
    packBytes = align(probe.exports.gemm_pack_size() * 8, 64);
  } catch {
    return undefined;
  }
  const packs = Array.from({ length: threads }, () => layout.take(packBytes));
  const ctrlPtr = layout.take(CTRL.SIZE * 4);
  const kPtr = layout.take(nAll * nAll * 8);
  const slots: KinshipSlot[] = [0, 1].map(() =>
    kernel === 'int16'
      ? { g: layout.take(nAll * block * 2), gt: layout.take(nAll * block), rowStart: layout.take((nAll + 1) * 4), snp: layout.take(missCap * 4), mu: layout.take(block * 8) }
      : { g: layout.take(nAll * block * 8), gt: layout.take(nAll * block * 8), rowStart: 0, snp: 0, mu: 0 },
  );
  const pages = Math.ceil(layout.end / PAGE) + 1;
  if (pages > 65536) return undefined;
  const memory = new WA.Memory({ initial: pages, maximum: pages, shared: true });
  const ctrl = new Int32Array(memory.buffer, ctrlPtr, CTRL.SIZE);
  const panels = assignPanels(nAll, threads);
  const errorPorts: MessagePort[] = [];
  const workers = packs.map((packPtr, w) => {
    const channel = new MessageChannel();
    errorPorts.push(channel.port1);
    const init: KinshipWorkerInit = { memory, kernel, packPtr, ctrlPtr, kPtr, slots, nAll, maxBlock: block, panels: panels[w]!, errors: channel.port2 };
    const worker = new Worker(script, { workerData: init, transferList: [channel.port2] });
    // Failures come through the control block and the error ports (the main thread waits in
    // Atomics.wait and sees no events); an 'error' event must still have a listener.
    worker.on('error', () => undefined);
    worker.unref();
    return worker;
  });
  const quit = (): void => {
    Atomics.store(ctrl, CTRL.QUIT, 1);
    Atomics.add(ctrl, CTRL.GEN, 1);
    Atomics.notify(ctrl, CTRL.GEN);
    for (const w of workers) void w.terminate();
    for (const port of errorPorts) port.close();
  };
  /** The first error a worker posted, as this thread's error. */
  const workerError = (): Error => {
    for (const port of errorPorts) {
      const m = receiveMessageOnPort(port);
      if (m) return reviveError(m.message as ThreadError, 'a kinship worker thread');
    }
    return new Error('a kinship worker thread failed (no error was reported)');
  };

  const buffer = memory.buffer;
  const counts = new Int8Array(nAll);
  let total = 0;
  for (let j = 0; j < include.length; j++) total += include[j]!;
  let used = 0;
  let slot = 0;
  let filled = 0;
  let nMiss = 0;
  let busy = false;
  let ready = false;
  // Wait for every worker to be ready (a worker that cannot start makes us fall back). Called
  // before the first block is handed over, so that decoding it overlaps the workers' start-up.
  const awaitWorkers = (): boolean => {
    const deadline = Date.now() + 20000;
    while (Atomics.load(ctrl, CTRL.READY) < threads) {
      // A worker that could not start (it raises FAILED): fall back to this thread.
      if (Atomics.load(ctrl, CTRL.FAILED)) return false;
      const seen = Atomics.load(ctrl, CTRL.READY);
      if (Date.now() > deadline) return false;
      Atomics.wait(ctrl, CTRL.READY, seen, 100);
    }
    return !Atomics.load(ctrl, CTRL.FAILED);
  };
  const watch = newStallWatch(stallMinMs(panels, block));
  const waitDone = (): void => {
    if (!busy) return;
    const failedNow = waitForBlock(ctrl, threads, watch);
    busy = false;
    if (failedNow) throw workerError();
  };
  class WorkersUnavailable extends Error {}
  const start = (b: number): void => {
    if (!ready) {
      if (!awaitWorkers()) throw new WorkersUnavailable();
      ready = true;
    }
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
    nMiss = 0;
  };

  // 'centered': the rank-one terms, summed here while the workers run, and the missing calls of
  // the block being filled (individual, block SNP), listed by individual when it is handed over.
  const a = new Float64Array(nAll);
  const sMiss = new Float64Array(nAll);
  let q = 0;
  const g16 = slots.map((s) => new Int16Array(buffer, s.g, kernel === 'int16' ? nAll * block : 0));
  const xs = slots.map((s) => new Int8Array(buffer, s.gt, kernel === 'int16' ? nAll * block : 0));
  const rowStart = slots.map((s) => new Int32Array(buffer, s.rowStart, kernel === 'int16' ? nAll + 1 : 0));
  const snpOf = slots.map((s) => new Int32Array(buffer, s.snp, kernel === 'int16' ? missCap : 0));
  const mu = slots.map((s) => new Float64Array(buffer, s.mu, kernel === 'int16' ? block : 0));
  const missI = new Int32Array(kernel === 'int16' ? missCap : 0);
  const missJ = new Int32Array(kernel === 'int16' ? missCap : 0);
  const addInt = (): void => {
    let sum = 0;
    let called = 0;
    for (let i = 0; i < nAll; i++) {
      const c = counts[i]!;
      if (c >= 0) {
        sum += c;
        called++;
      }
    }
    if (nMiss + (nAll - called) > missCap) dispatchInt();
    const m = called > 0 ? sum / called : 0;
    const g = g16[slot]!;
    const s = filled;
    xs[slot]!.set(counts, s * nAll);
    for (let i = 0, at = s; i < nAll; i++, at += block) {
      const c = counts[i]!;
      if (c >= 0) {
        g[at] = c;
        a[i] = a[i]! + m * c;
      } else {
        g[at] = 0;
        sMiss[i] = sMiss[i]! + m * m;
        missI[nMiss] = i;
        missJ[nMiss] = s;
        nMiss++;
      }
    }
    mu[slot]![s] = m;
    q += m * m;
    filled++;
    if (filled === block) dispatchInt();
  };
  const dispatchInt = (): void => {
    if (filled === 0) return;
    const b = filled;
    const b8 = Math.ceil(b / 8) * 8;
    const g = g16[slot]!;
    // Padding SNPs of a short block must be 0 (the slot may hold an earlier block).
    if (b8 > b) for (let i = 0; i < nAll; i++) g.fill(0, i * block + b, i * block + b8);
    // The missing calls by individual (counting sort; within an individual, in SNP order).
    const rs = rowStart[slot]!;
    const sj = snpOf[slot]!;
    rs.fill(0);
    for (let t = 0; t < nMiss; t++) rs[missI[t]! + 1]!++;
    for (let i = 0; i < nAll; i++) rs[i + 1] = rs[i + 1]! + rs[i]!;
    const next = rs.slice(0, nAll);
    for (let t = 0; t < nMiss; t++) sj[next[missI[t]!]!++] = missJ[t]!;
    start(b8);
  };

  const gSlot = slots.map((s) => new Float64Array(buffer, s.g, kernel === 'float' ? nAll * block : 0));
  const gtSlot = slots.map((s) => new Float64Array(buffer, s.gt, kernel === 'float' ? nAll * block : 0));
  const addFloat = (values?: Float32Array): void => {
    const out = gtSlot[slot]!.subarray(filled * nAll, (filled + 1) * nAll);
    centreSnp(values ?? counts, mode, out);
    filled++;
    if (filled === block) dispatchFloat();
  };
  const dispatchFloat = (): void => {
    if (filled === 0) return;
    // Lay the block out as G (n x b, row stride b) for the GEMM.
    const b = filled;
    const g = gSlot[slot]!;
    const gt = gtSlot[slot]!;
    for (let i = 0; i < nAll; i++) for (let j = 0; j < b; j++) g[i * b + j] = gt[j * nAll + i]!;
    start(b);
  };

  try {
    forEachKinshipSnp(
      bed,
      include,
      dosage,
      (c) => {
        counts.set(c);
        used++;
        if (kernel === 'int16') addInt();
        else addFloat();
      },
      (values) => {
        used++;
        addFloat(values);
      },
    );
    if (kernel === 'int16') dispatchInt();
    else dispatchFloat();
    waitDone();
  } catch (e) {
    if (e instanceof WorkersUnavailable) return undefined;
    throw e;
  } finally {
    quit();
  }
  // Add the two halves (int16: the product and row i's missing-call terms below the diagonal, row
  // k's above it; float: the lower triangle only) and the rank-one terms, mirror and scale, in
  // tiles so that the transposed reads and writes stay in cache.
  const kv = new Float64Array(buffer, kPtr, nAll * nAll);
  const out = new Float64Array(nAll * nAll);
  const inv = used > 0 ? 1 / used : 0;
  const int = kernel === 'int16';
  // With E E^T / 2 + s in each row's terms, the diagonal holds its row term once, s_i / 2 of it.
  const aa = int ? a.map((v, i) => v + sMiss[i]!) : a;
  const T = 64;
  for (let i0 = 0; i0 < nAll; i0 += T) {
    const i1 = Math.min(nAll, i0 + T);
    for (let j0 = 0; j0 < i1; j0 += T) {
      for (let i = i0; i < i1; i++) {
        const ai = q - aa[i]!;
        const jEnd = Math.min(j0 + T, i);
        for (let j = j0; j < jEnd; j++) {
          const sum = int ? kv[i * nAll + j]! + kv[j * nAll + i]! : kv[i * nAll + j]!;
          const v = (sum + ai - aa[j]!) * inv;
          out[i * nAll + j] = v;
          out[j * nAll + i] = v;
        }
        if (jEnd === i && i < j0 + T) {
          const d = int ? kv[i * nAll + i]! - 1.5 * sMiss[i]! - 2 * a[i]! + q : kv[i * nAll + i]! + 2 * ai;
          out[i * nAll + i] = d * inv;
        }
      }
    }
  }
  return { n: nAll, data: out, snps: used, mode };
}
