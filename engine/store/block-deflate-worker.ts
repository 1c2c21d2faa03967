/**
 * The helper thread of block-deflate.ts: counts each genotype block's calls per SNP and compresses
 * it (and its dosages) with the store's codec, and sends them back, in the order they came, on the
 * port it was given.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { allByteMasks, countPacked, emptyCounts, type ByteMasks } from '../qc/snps.js';
import { deflate } from './codec.js';
import type { DeflateJob, DeflateResult } from './block-deflate.js';

const { port, ctrl } = workerData as { port: MessagePort; ctrl: SharedArrayBuffer };
const done = new Int32Array(ctrl);
let masks: ByteMasks | undefined;
// Running: the importing thread may hand blocks over from now on.
Atomics.store(done, 1, 1);

parentPort!.on('message', (job: DeflateJob) => {
  if (masks?.n !== job.nSamples) masks = allByteMasks(job.nSamples);
  const snps = job.bytes.length / job.bytesPerSnp;
  const counts = emptyCounts(job.nSamples, snps);
  countPacked(job.bytes, snps, job.bytesPerSnp, masks, counts, 0);
  const data = deflate(job.bytes);
  const dosage = job.dosage ? deflate(job.dosage) : undefined;
  const msg: DeflateResult = { block: job.block, data, counts, ...(dosage ? { dosage } : {}) };
  port.postMessage(msg);
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
});
