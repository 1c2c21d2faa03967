/**
 * A helper thread of a GEMM team (gemm-team.ts): waits for a job in the shared memory, computes
 * its rows of C = alpha A B + beta C with the SIMD kernel, reports done.
 */
import { workerData } from 'node:worker_threads';
import { JOB_SLOTS, TEAM, type TeamWorkerInit } from './gemm-team.js';
import { createKernels } from './wasm-loader.js';

const init = workerData as TeamWorkerInit;
const k = createKernels({ memory: init.memory, shared: true, packPtr: init.packPtr });
const ctrl = new Int32Array(init.memory.buffer, init.ctrlPtr, TEAM.SIZE);
const job = new Float64Array(init.memory.buffer, init.jobPtr, JOB_SLOTS);

// Read the generation before announcing readiness: no job can be posted in between.
let gen = Atomics.load(ctrl, TEAM.GEN);
Atomics.add(ctrl, TEAM.READY, 1);
Atomics.notify(ctrl, TEAM.READY);
for (;;) {
  Atomics.wait(ctrl, TEAM.GEN, gen);
  gen = Atomics.load(ctrl, TEAM.GEN);
  if (Atomics.load(ctrl, TEAM.QUIT)) break;
  const [m, kk, n, alpha, a, lda, b, ldb, beta, c, ldc] = job;
  try {
    if (m! > 0) k.exports.gemm_f64(m!, kk!, n!, alpha!, a!, lda!, b!, ldb!, beta!, c!, ldc!, k.packPtr);
  } catch {
    // Reported through the control block: the caller is blocked in Atomics.wait and sees no events.
    Atomics.store(ctrl, TEAM.FAILED, 1);
  }
  Atomics.add(ctrl, TEAM.DONE, 1);
  Atomics.notify(ctrl, TEAM.DONE);
}
