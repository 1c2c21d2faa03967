/**
 * Counting and compressing an import's genotype blocks on a helper thread while the importing
 * thread reads and parses the next ones (together about a third of a large import's time). The importing
 * thread stays synchronous, as the import's SQLite transaction needs: it posts each block and takes
 * the compressed ones back in order with receiveMessageOnPort, waiting on a shared counter when
 * one is not ready. Without the compiled worker (the TypeScript sources without a build) blocks are
 * compressed on the importing thread; the bytes stored are the same either way.
 */
import { isMainThread, MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { workerScriptBeside } from '../io/worker-script.js';
import { allByteMasks, type GenotypeCounts } from '../qc/snps.js';
import { BlockCompressor } from './block-compress.js';

export interface DeflateJob {
  block: number;
  bytes: Uint8Array;
  nSamples: number;
  bytesPerSnp: number;
  dosage?: Uint8Array;
  /** The first job only: the importing thread's compressor state (block-compress.ts), carried on. */
  storing?: number;
}

export interface DeflateResult {
  block: number;
  data: Uint8Array;
  /** The block's genotype counts over all samples, per SNP (qc/snps.ts countPacked). */
  counts: GenotypeCounts;
  dosage?: Uint8Array;
}

/** Fewer blocks than this are compressed on the importing thread (a thread's start costs more). */
const MIN_HELPER_BLOCKS = 16;

/** Blocks in flight at most (memory: that many blocks' bytes). */
const AHEAD = 4;

export class BlockDeflater {
  private readonly worker: Worker | undefined;
  private readonly port: MessagePort | undefined;
  /** Word 0: results sent back; word 1: 1 once the helper runs (it may not start while this thread is blocked). */
  private readonly done = new Int32Array(new SharedArrayBuffer(8));
  private posted = 0;
  private received = 0;
  /** Compresses the blocks taken before the helper runs (or all of them, without one). */
  private compressor: BlockCompressor | undefined;

  /** onDone gets every block's counts and compressed bytes, in the order the blocks were added. */
  constructor(
    private readonly nSamples: number,
    private readonly bytesPerSnp: number,
    private readonly onDone: (r: DeflateResult) => void,
    expectedBlocks = Infinity,
  ) {
    // A helper pays only for a large import, and is started only from a process's main thread: an
    // engine host in a worker thread (the tests' stand-in for the desktop app's utility process)
    // was seen to hang around a nested helper (test/hosts/message-port.test.ts).
    const script = isMainThread && expectedBlocks >= MIN_HELPER_BLOCKS ? workerScriptBeside(import.meta.url, 'block-deflate-worker.js') : undefined;
    if (!script) return;
    const { port1, port2 } = new MessageChannel();
    this.worker = new Worker(script, { workerData: { port: port2, ctrl: this.done.buffer }, transferList: [port2] });
    this.worker.on('error', () => undefined);
    this.worker.unref();
    this.port = port1;
  }

  /** Count and compress a block (its bytes are copied: the caller may reuse them). */
  add(block: number, bytes: Uint8Array, dosage?: Uint8Array): void {
    const { nSamples, bytesPerSnp } = this;
    // Until the helper runs, blocks are compressed here: this thread never waits on a thread that
    // has not started (a nested worker's start can need this thread's event loop, which the
    // synchronous import holds).
    if (!this.worker || (this.posted === 0 && Atomics.load(this.done, 1) === 0)) {
      const { data, counts, dosage: packedDosage } = (this.compressor ??= new BlockCompressor(nSamples, bytesPerSnp, allByteMasks(nSamples))).compress(bytes, dosage);
      this.onDone({ block, data, counts, ...(packedDosage ? { dosage: packedDosage } : {}) });
      return;
    }
    while (this.posted - this.received >= AHEAD) this.take(true);
    const carried = this.posted === 0 ? { storing: this.compressor?.storing ?? 0 } : {};
    const job: DeflateJob = { block, bytes: bytes.slice(), nSamples, bytesPerSnp, ...(dosage ? { dosage: dosage.slice() } : {}), ...carried };
    this.worker.postMessage(job, dosage ? [job.bytes.buffer as ArrayBuffer, job.dosage!.buffer as ArrayBuffer] : [job.bytes.buffer as ArrayBuffer]);
    this.posted++;
    while (this.take(false));
  }

  /** Take one result if there is one (waiting for it when `wait`); false when none was taken. */
  private take(wait: boolean): boolean {
    for (;;) {
      const m = receiveMessageOnPort(this.port!);
      if (m) {
        this.received++;
        this.onDone(m.message as DeflateResult);
        return true;
      }
      if (!wait) return false;
      const seen = Atomics.load(this.done, 0);
      // A result counted but not yet readable on the port: look again at once.
      if (seen > this.received) continue;
      if (Atomics.wait(this.done, 0, seen, 30_000) === 'timed-out' && Atomics.load(this.done, 0) === seen) {
        throw new Error('the block compression thread stopped answering');
      }
    }
  }

  /** Wait until every block added has been handed to onDone. */
  drain(): void {
    while (this.worker && this.received < this.posted) this.take(true);
  }

  /** Stop the helper (also after a failure: blocks not taken are dropped). */
  close(): void {
    this.port?.close();
    void this.worker?.terminate();
  }
}
