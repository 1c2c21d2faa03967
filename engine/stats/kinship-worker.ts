/**
 * A kinship worker thread: waits (Atomics.wait) for the main thread to publish a block of centred
 * genotypes in the shared WebAssembly memory, adds its panels of K += G G^T with the SIMD GEMM
 * (beta = 1, straight into K), and reports done. No messages, no event loop: the main thread can
 * drive it synchronously.
 */
import { workerData } from 'node:worker_threads';
import { createKernels, type WasmMemory } from './kernels/wasm-loader.js';
import { CTRL, type KinshipWorkerInit } from './kinship-threads.js';

const init = workerData as KinshipWorkerInit & { memory: WasmMemory };
const k = createKernels({ memory: init.memory, shared: true, packPtr: init.packPtr });
const ctrl = new Int32Array(init.memory.buffer, init.ctrlPtr, CTRL.SIZE);
const { nAll, maxBlock } = init;

Atomics.add(ctrl, CTRL.READY, 1);
Atomics.notify(ctrl, CTRL.READY);
let gen = 0;
for (;;) {
  Atomics.wait(ctrl, CTRL.GEN, gen);
  gen = Atomics.load(ctrl, CTRL.GEN);
  if (Atomics.load(ctrl, CTRL.QUIT)) break;
  const slot = Atomics.load(ctrl, CTRL.SLOT);
  const b = Atomics.load(ctrl, CTRL.B);
  const g = init.gPtr + slot * nAll * maxBlock * 8; // n x b, row stride b
  const gt = init.gtPtr + slot * nAll * maxBlock * 8; // b x n, row stride nAll
  for (const [i0, i1] of init.panels) {
    // Rows [i0, i1) of K, columns [0, i1): K[i0:i1, 0:i1] += G[i0:i1, :] G[0:i1, :]^T
    k.exports.gemm_f64(i1 - i0, b, i1, 1, g + i0 * b * 8, b, gt, nAll, 1, init.kPtr + i0 * nAll * 8, nAll, k.packPtr);
  }
  Atomics.add(ctrl, CTRL.DONE, 1);
  Atomics.notify(ctrl, CTRL.DONE);
}
