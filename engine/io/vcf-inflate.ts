/**
 * A bgzipped VCF's decompressed bytes, inflated by a helper thread while the calling thread parses
 * (the same ByteChunks as openByteChunks, so the reader does not know): inflating is about half of
 * reading a GT-only VCF, so two threads overlap it with the parsing. The calling thread stays
 * synchronous: it takes the helper's pieces with receiveMessageOnPort and waits on a shared counter
 * (Atomics) when none is ready. Plain and gzip files, small files, and a missing compiled worker
 * script (the TypeScript sources without a build) read on the calling thread.
 */
import { isMainThread, MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { openByteChunks, type ByteChunks } from './byte-chunks.js';
import { reviveError, type ThreadError } from './thread-errors.js';
import { workerScriptBeside } from './worker-script.js';

/** Shared control words: pieces posted by the helper, taken by the reader; QUIT asks the helper to stop. */
export const CTRL = { POSTED: 0, TAKEN: 1, QUIT: 2, ONLINE: 3, SIZE: 4 } as const;
/** How long the reader waits for the helper to start before it reads the file itself. */
const START_MS = 3000;
/** Pieces the helper may run ahead of the reader (memory: AHEAD x PIECE_BYTES). */
export const AHEAD = 8;
export const PIECE_BYTES = 1 << 20;
/** Below this compressed size a thread is not worth starting. */
const MIN_THREAD_BYTES = 4 << 20;

export type InflateMessage = { bytes: Uint8Array; consumed: number } | { end: true; consumed: number } | { error: ThreadError };

/** The file's decompressed chunks; a BGZF file of some size is inflated on a helper thread. */
export function openVcfChunks(path: string, what: string): ByteChunks {
  const local = openByteChunks(path, what);
  // Started only from a process's main thread (see engine/store/block-deflate.ts).
  const script = isMainThread && local.compression === 'bgzf' && local.fileBytes >= MIN_THREAD_BYTES ? workerScriptBeside(import.meta.url, 'vcf-inflate-worker.js') : undefined;
  if (script === undefined) return local;
  local.close();
  return threaded(path, what, script, local.fileBytes) ?? openByteChunks(path, what);
}

/** The helper-thread reading, or undefined when the helper does not start (then this thread reads). */
function threaded(path: string, what: string, script: string, fileBytes: number): ByteChunks | undefined {
  const ctrlBuf = new SharedArrayBuffer(CTRL.SIZE * 4);
  const ctrl = new Int32Array(ctrlBuf);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(script, { workerData: { path, what, port: port2, ctrl: ctrlBuf }, transferList: [port2] });
  worker.unref();
  // A helper that does not start (a nested worker's start can wait on this thread's event loop,
  // which this synchronous reader holds) is given up on: the file is then read on this thread.
  const deadline = Date.now() + START_MS;
  while (Atomics.load(ctrl, CTRL.ONLINE) === 0 && Date.now() < deadline) Atomics.wait(ctrl, CTRL.ONLINE, 0, 50);
  if (Atomics.load(ctrl, CTRL.ONLINE) === 0) {
    Atomics.store(ctrl, CTRL.QUIT, 1);
    port1.close();
    void worker.terminate();
    return undefined;
  }
  let consumed = 0;
  let ended = false;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    Atomics.store(ctrl, CTRL.QUIT, 1);
    Atomics.notify(ctrl, CTRL.TAKEN);
    // The helper stops by itself at QUIT (terminating it mid-inflate can abort node's zlib cleanup).
    port1.close();
  };
  return {
    path,
    compression: 'bgzf',
    fileBytes,
    consumed: () => consumed,
    next() {
      if (ended || closed) return undefined;
      for (;;) {
        const posted = Atomics.load(ctrl, CTRL.POSTED);
        const got = receiveMessageOnPort(port1) as { message: InflateMessage } | undefined;
        if (got === undefined) {
          // Nothing yet: wait for the helper's next post (the timeout only guards against a lost wake-up).
          Atomics.wait(ctrl, CTRL.POSTED, posted, 100);
          continue;
        }
        Atomics.add(ctrl, CTRL.TAKEN, 1);
        Atomics.notify(ctrl, CTRL.TAKEN);
        const m = got.message;
        if ('error' in m) {
          close();
          throw reviveError(m.error, 'Reading the bgzipped VCF');
        }
        consumed = m.consumed;
        if ('end' in m) {
          ended = true;
          close();
          return undefined;
        }
        return m.bytes;
      }
    },
    close,
  };
}
