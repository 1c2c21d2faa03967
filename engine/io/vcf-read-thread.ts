/**
 * Reading a big VCF on helper threads: one parses it (vcf.ts's own reading, run there) and posts
 * each batch (its SNP descriptions as snp-columns.ts packs them), a bgzipped file being inflated
 * for it on a second (bgzf-inflate-thread.ts), while the calling thread stores the batches it has.
 * Both helpers are started together and boot side by side. The calling thread stays synchronous,
 * as the import's transaction needs: it takes the batches in order (helper-channel.ts). When a
 * helper does not start, neither reads: the caller then reads on its own thread.
 */
import { MessageChannel } from 'node:worker_threads';
import { spawnInflater } from './bgzf-inflate-thread.js';
import { VCF_WHAT } from './vcf-header.js';
import type { ReadSummary, SnpBatch } from './genotype-source.js';
import { awaitHelpers, channelControl, quitHelper, spawnHelper, takeNext } from './helper-channel.js';
import { fromSnpColumns, type SnpColumns } from './snp-columns.js';
import { reviveError, type ThreadError } from './thread-errors.js';

/** Bytes of batches the helper may hold ready ahead of the reader (at least two batches). */
const AHEAD_BYTES = 32 << 20;

/** The compiled helper scripts: the reader's, and the inflater's for a BGZF file. */
export interface HelperScripts {
  read: string;
  inflate?: string;
}

export interface ReadJob {
  path: string;
  /** The VCF's header as opened (vcf-header.ts), its FORMAT IDs as a list. */
  header: { samples: string[]; line: number; columns: number; formats: string[] };
  dosage: boolean;
  batchSnps: number;
  /** Batches the helper may run ahead of the reader. */
  ahead: number;
}

export interface PostedBatch {
  snps: SnpColumns;
  packed: Uint8Array;
  dosage?: Float32Array;
}

/** A batch, or the end; each with the read's progress so far (compressed bytes done of the file's). */
export type ReadMessage = { batch: PostedBatch; done: number; total: number } | { summary: ReadSummary; done: number; total: number } | { error: ThreadError };

/** Batches held ahead for batches of this many bytes. */
export function batchesAhead(batchBytes: number): number {
  return Math.max(2, Math.min(16, Math.floor(AHEAD_BYTES / Math.max(1, batchBytes))));
}

/**
 * Read the VCF on the helpers, handing each batch to onBatch in file order; undefined when the
 * reader did not start (nothing was read). An error of the helpers (a bad record, a damaged block)
 * is thrown here as itself; an error of onBatch stops them and is thrown on.
 */
export function readOnHelper(
  scripts: HelperScripts,
  job: ReadJob,
  onBatch: (batch: SnpBatch) => void,
  progress: ((done: number, total: number) => void) | undefined,
): ReadSummary | undefined {
  const ctrlBuf = channelControl();
  const ctrl = new Int32Array(ctrlBuf);
  const inflater = scripts.inflate !== undefined ? spawnInflater(scripts.inflate, job.path, VCF_WHAT) : undefined;
  const { port1, port2 } = new MessageChannel();
  const inflate = inflater ? { port: inflater.port, ctrl: inflater.ctrl } : undefined;
  const reader = spawnHelper(scripts.read, { job, port: port2, ctrl: ctrlBuf, inflate }, inflater ? [port2, inflater.port] : [port2], ctrlBuf);
  if (!awaitHelpers(inflater ? [inflater.starting, reader] : [reader])) {
    port1.close();
    inflater?.stop();
    return undefined;
  }
  let lastDone = -1;
  try {
    for (;;) {
      const m = takeNext<ReadMessage>(port1, ctrl);
      if ('error' in m) throw reviveError(m.error, 'Reading the VCF');
      if ('batch' in m) {
        const { snps, packed, dosage } = m.batch;
        onBatch({ snps: fromSnpColumns(snps), packed, ...(dosage ? { dosage } : {}) });
      }
      // Before the reader's first word (done and total 0) there is nothing to say.
      if (progress !== undefined && m.total > 0 && m.done !== lastDone) {
        lastDone = m.done;
        progress(m.done, m.total);
      }
      if ('summary' in m) return m.summary;
    }
  } finally {
    quitHelper(port1, ctrlBuf);
  }
}
