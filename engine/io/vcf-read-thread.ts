/**
 * Reading a big VCF on helper threads: one parses it (vcf.ts's own reading, run there) and posts
 * each batch, a bgzipped file being inflated for it on a second (bgzf-inflate-thread.ts), while
 * the calling thread stores the batches it has (an import's SQLite work takes about as long as
 * either). The calling thread stays synchronous, as the import's transaction needs: it takes the
 * batches in order with receiveMessageOnPort and waits on a shared counter (Atomics) when none is
 * ready. A helper that does not start reads nothing: the caller then reads on its own thread.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { startInflater } from './bgzf-inflate-thread.js';
import { VCF_WHAT } from './vcf-header.js';
import type { ReadSummary, SnpBatch } from './genotype-source.js';
import { fromSnpColumns, type SnpColumns } from './snp-columns.js';
import { reviveError, type ThreadError } from './thread-errors.js';

/** Shared control words: batches posted by the helper, taken by the reader; QUIT asks the helper to stop. */
export const CTRL = { POSTED: 0, TAKEN: 1, QUIT: 2, ONLINE: 3, SIZE: 4 } as const;
/** How long the reader waits for the helper to start before it reads the file itself. */
const START_MS = 3000;
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
  const ctrlBuf = new SharedArrayBuffer(CTRL.SIZE * 4);
  const ctrl = new Int32Array(ctrlBuf);
  const inflater = scripts.inflate !== undefined ? startInflater(scripts.inflate, job.path, VCF_WHAT) : undefined;
  const { port1, port2 } = new MessageChannel();
  const inflate = inflater ? { port: inflater.port, ctrl: inflater.ctrl } : undefined;
  const worker = new Worker(scripts.read, { workerData: { job, port: port2, ctrl: ctrlBuf, inflate }, transferList: inflater ? [port2, inflater.port] : [port2] });
  // A script that fails to load never comes online (below); its error is not this thread's to throw.
  worker.on('error', () => undefined);
  worker.unref();
  const stop = (): void => {
    Atomics.store(ctrl, CTRL.QUIT, 1);
    Atomics.notify(ctrl, CTRL.TAKEN);
    // The helper stops by itself at QUIT (terminating it mid-inflate can abort node's zlib cleanup).
    port1.close();
  };
  // A helper that does not start (a nested worker's start can wait on this thread's event loop,
  // which this synchronous reader holds) is given up on.
  const deadline = Date.now() + START_MS;
  while (Atomics.load(ctrl, CTRL.ONLINE) === 0 && Date.now() < deadline) Atomics.wait(ctrl, CTRL.ONLINE, 0, 50);
  if (Atomics.load(ctrl, CTRL.ONLINE) === 0) {
    stop();
    inflater?.stop();
    void worker.terminate();
    return undefined;
  }
  let lastDone = -1;
  try {
    for (;;) {
      const posted = Atomics.load(ctrl, CTRL.POSTED);
      const got = receiveMessageOnPort(port1) as { message: ReadMessage } | undefined;
      if (got === undefined) {
        // Nothing yet: wait for the helper's next post (the timeout only guards against a lost wake-up).
        Atomics.wait(ctrl, CTRL.POSTED, posted, 100);
        continue;
      }
      Atomics.add(ctrl, CTRL.TAKEN, 1);
      Atomics.notify(ctrl, CTRL.TAKEN);
      const m = got.message;
      if ('error' in m) throw reviveError(m.error, 'Reading the VCF');
      if ('batch' in m) {
        const { snps, packed, dosage } = m.batch;
        onBatch({ snps: fromSnpColumns(snps), packed, ...(dosage ? { dosage } : {}) });
      }
      if (progress !== undefined && m.done !== lastDone) {
        lastDone = m.done;
        progress(m.done, m.total);
      }
      if ('summary' in m) return m.summary;
    }
  } finally {
    stop();
  }
}
