/**
 * The helper thread of block-deflate.ts: counts each genotype block's calls per SNP and compresses
 * it (and its dosages) with the store's codec (block-compress.ts), and sends them back, in the order they came, on the
 * port it was given.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { allByteMasks, type ByteMasks } from '../qc/snps.js';
import { compressBlock } from './block-compress.js';
import type { DeflateJob, DeflateResult } from './block-deflate.js';

const { port, ctrl } = workerData as { port: MessagePort; ctrl: SharedArrayBuffer };
const done = new Int32Array(ctrl);
let masks: ByteMasks | undefined;
// Running: the importing thread may hand blocks over from now on.
Atomics.store(done, 1, 1);

parentPort!.on('message', (job: DeflateJob) => {
  if (masks?.n !== job.nSamples) masks = allByteMasks(job.nSamples);
  const msg: DeflateResult = { block: job.block, ...compressBlock(job.bytes, job.nSamples, job.bytesPerSnp, masks, job.dosage) };
  port.postMessage(msg);
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
});
