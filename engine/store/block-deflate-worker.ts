/**
 * The helper thread of block-deflate.ts: counts each genotype block's calls per SNP and compresses
 * it (and its dosages) with the store's codec (block-compress.ts), and sends them back, in the
 * order they came, on the port it was given.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { allByteMasks } from '../qc/snps.js';
import { BlockCompressor } from './block-compress.js';
import type { DeflateJob, DeflateResult } from './block-deflate.js';

const { port, ctrl } = workerData as { port: MessagePort; ctrl: SharedArrayBuffer };
const done = new Int32Array(ctrl);
/** This import's compressor (one helper per import), made at the first job. */
let compressor: BlockCompressor | undefined;
// Running: the importing thread may hand blocks over from now on.
Atomics.store(done, 1, 1);

parentPort!.on('message', (job: DeflateJob) => {
  compressor ??= new BlockCompressor(job.nSamples, job.bytesPerSnp, allByteMasks(job.nSamples), job.storing ?? 0);
  const { data, counts, dosage } = compressor.compress(job.bytes, job.dosage);
  const msg: DeflateResult = { block: job.block, data, counts, ...(dosage ? { dosage } : {}) };
  port.postMessage(msg);
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
});
