/**
 * The reading helper of vcf-read-thread.ts: parses the VCF with vcf.ts's reading (its bytes
 * inflated by the inflater thread when it has one, else here) and posts each batch, its SNPs as
 * columns and its bytes transferred, at most `ahead` batches ahead of what the reading thread has
 * taken (helper-channel.ts); then the summary, or the error.
 */
import { statSync } from 'node:fs';
import { workerData, type MessagePort } from 'node:worker_threads';
import { portChunks } from './bgzf-inflate-thread.js';
import { openByteChunks } from './byte-chunks.js';
import { helperOnline, postAhead } from './helper-channel.js';
import { toSnpColumns } from './snp-columns.js';
import { serializeError } from './thread-errors.js';
import { VCF_WHAT } from './vcf-header.js';
import { readVcfRecords } from './vcf.js';
import type { ReadJob, ReadMessage } from './vcf-read-thread.js';

const { job, port, ctrl, inflate } = workerData as {
  job: ReadJob;
  port: MessagePort;
  ctrl: SharedArrayBuffer;
  inflate: { port: MessagePort; ctrl: SharedArrayBuffer } | undefined;
};
/** Thrown out of the read when the reading thread has stopped taking batches. */
const STOPPED = Symbol('the reader stopped');
helperOnline(ctrl);

function post(m: ReadMessage, transfer: ArrayBuffer[] = []): void {
  if (!postAhead(port, ctrl, job.ahead, m, transfer)) throw STOPPED;
}

let done = 0;
let total = 0;
try {
  const chunks = inflate ? portChunks(job.path, statSync(job.path).size, inflate.port, inflate.ctrl) : openByteChunks(job.path, VCF_WHAT);
  const header = { ...job.header, formats: new Set(job.header.formats) };
  let summary;
  try {
    summary = readVcfRecords(
      job.path,
      header,
      job.dosage,
      (b) => {
        // Batch buffers are the reader's own (a fresh one per batch), so they are handed over.
        const transfer = [b.packed.buffer as ArrayBuffer, ...(b.dosage ? [b.dosage.buffer as ArrayBuffer] : [])];
        post({ batch: { snps: toSnpColumns(b.snps), packed: b.packed, ...(b.dosage ? { dosage: b.dosage } : {}) }, done, total }, transfer);
      },
      job.batchSnps,
      (d, t) => ((done = d), (total = t)),
      chunks,
    );
  } finally {
    chunks.close();
  }
  post({ summary, done, total });
} catch (e) {
  if (e !== STOPPED) {
    try {
      post({ error: serializeError(e) });
    } catch {
      // The reader has gone: nobody to tell.
    }
  }
}
