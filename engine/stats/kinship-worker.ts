/**
 * A kinship worker thread: waits (Atomics.wait) for the main thread to publish a block of genotypes
 * in the shared WebAssembly memory, adds its row panels of K += G G^T straight into K (the exact
 * int16 products into the lower triangle and the missing-call row updates, or the SIMD double
 * GEMM; see kinship-threads.ts), and reports done. No messages, no event loop: the main thread can drive
 * it synchronously.
 */
import { workerData } from 'node:worker_threads';
import { serializeError } from '../io/thread-errors.js';
import { createKernels, type WasmMemory } from './kernels/wasm-loader.js';
import type { KinshipSlot, KinshipWorkerInit } from './kinship-threads.js';
import { CTRL } from './kinship-wait.js';

const init = workerData as KinshipWorkerInit & { memory: WasmMemory };
const ctrl = new Int32Array(init.memory.buffer, init.ctrlPtr, CTRL.SIZE);
const { nAll, maxBlock, kPtr } = init;

/**
 * Reported through the control block and the error port: the main thread is blocked in
 * Atomics.wait and sees no events, but it reads the port synchronously once it sees FAILED.
 */
function failed(e: unknown): void {
  init.errors.postMessage(serializeError(e));
  Atomics.store(ctrl, CTRL.FAILED, 1);
  Atomics.notify(ctrl, CTRL.READY);
  Atomics.notify(ctrl, CTRL.DONE);
}

let k: ReturnType<typeof createKernels> | undefined;
try {
  k = createKernels({ memory: init.memory, shared: true, packPtr: init.packPtr });
} catch (e) {
  failed(e);
}
if (k) {
  Atomics.add(ctrl, CTRL.READY, 1);
  Atomics.notify(ctrl, CTRL.READY);
  let gen = 0;
  for (;;) {
    Atomics.wait(ctrl, CTRL.GEN, gen);
    gen = Atomics.load(ctrl, CTRL.GEN);
    if (Atomics.load(ctrl, CTRL.QUIT)) break;
    const slot = init.slots[Atomics.load(ctrl, CTRL.SLOT)]!;
    const b = Atomics.load(ctrl, CTRL.B);
    try {
      addBlock(k, slot, b);
    } catch (e) {
      failed(e);
    }
    Atomics.add(ctrl, CTRL.DONE, 1);
    Atomics.notify(ctrl, CTRL.DONE);
  }
}
init.errors.close();

/** One row panel added: the main thread's sign that this worker is alive (kinship-wait.ts). */
function beat(): void {
  Atomics.add(ctrl, CTRL.BEAT, 1);
  Atomics.notify(ctrl, CTRL.DONE);
}

function addBlock(k: ReturnType<typeof createKernels>, slot: KinshipSlot, b: number): void {
  if (init.kernel === 'int16') {
    for (const [i0, i1] of init.panels) {
      k.exports.kin_i16_rows(i0, i1, nAll, b, slot.g, maxBlock, kPtr, nAll, k.packPtr);
      k.exports.kin_missing_rows(i0, i1, nAll, slot.gt, kPtr, nAll, slot.rowStart, slot.snp, slot.mu);
      beat();
    }
  } else {
    for (const [i0, i1] of init.panels) {
      // Rows [i0, i1) of K, columns [0, i1): K[i0:i1, 0:i1] += G[i0:i1, :] G[0:i1, :]^T
      k.exports.gemm_f64(i1 - i0, b, i1, 1, slot.g + i0 * b * 8, b, slot.gt, nAll, 1, kPtr + i0 * nAll * 8, nAll, k.packPtr);
      beat();
    }
  }
}
