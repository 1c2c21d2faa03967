/**
 * A bgzipped file's decompressed bytes, inflated on a helper thread of their own: with the VCF
 * read helper (vcf-read-thread.ts) parsing and the calling thread storing, inflating (half of
 * reading a GT-only VCF) no longer waits for either. The process's main thread starts the inflater
 * (startInflater) and hands its port to the thread that reads (portChunks: the same ByteChunks as
 * openByteChunks, so the reader does not know), which takes the inflated pieces in order with
 * receiveMessageOnPort and waits on a shared counter (Atomics) when none is ready.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { ByteChunks } from './byte-chunks.js';
import { reviveError, type ThreadError } from './thread-errors.js';

/** Shared control words: messages posted by the inflater, taken by the reader; QUIT asks the inflater to stop. */
export const INFLATE_CTRL = { POSTED: 0, TAKEN: 1, QUIT: 2, ONLINE: 3, SIZE: 4 } as const;
/** Messages the inflater may run ahead of the reader (memory: AHEAD x MESSAGE_BYTES). */
export const AHEAD = 8;
/** Inflated bytes per message, about. */
export const MESSAGE_BYTES = 1 << 20;
/** How long the starting thread waits for the inflater to run. */
const START_MS = 3000;

export type InflateMessage = { pieces: Uint8Array[]; consumed: number } | { end: true; consumed: number } | { error: ThreadError };

/** A running inflater: its port and control words go to the thread that reads. */
export interface Inflater {
  port: MessagePort;
  ctrl: SharedArrayBuffer;
  /** Stop it (when the reading thread never took the port). */
  stop(): void;
}

/** Start inflating `path` (a BGZF file) on the helper `script`; undefined when it does not start. */
export function startInflater(script: string, path: string, what: string): Inflater | undefined {
  const ctrl = new SharedArrayBuffer(INFLATE_CTRL.SIZE * 4);
  const words = new Int32Array(ctrl);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(script, { workerData: { path, what, port: port2, ctrl }, transferList: [port2] });
  // A script that fails to load never comes online (below); its error is not this thread's to throw.
  worker.on('error', () => undefined);
  worker.unref();
  const stop = (): void => {
    Atomics.store(words, INFLATE_CTRL.QUIT, 1);
    Atomics.notify(words, INFLATE_CTRL.TAKEN);
    port1.close();
  };
  // A helper that does not start (a nested worker's start can wait on this thread's event loop,
  // which a synchronous import holds) is given up on.
  const deadline = Date.now() + START_MS;
  while (Atomics.load(words, INFLATE_CTRL.ONLINE) === 0 && Date.now() < deadline) Atomics.wait(words, INFLATE_CTRL.ONLINE, 0, 50);
  if (Atomics.load(words, INFLATE_CTRL.ONLINE) === 0) {
    stop();
    void worker.terminate();
    return undefined;
  }
  return { port: port1, ctrl, stop };
}

/** The inflater's pieces, read on the thread that holds its port. */
export function portChunks(path: string, fileBytes: number, port: MessagePort, ctrlBuf: SharedArrayBuffer): ByteChunks {
  const ctrl = new Int32Array(ctrlBuf);
  let consumed = 0;
  /** Pieces of the last message not yet handed out. */
  let queue: Uint8Array[] = [];
  let ended = false;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    Atomics.store(ctrl, INFLATE_CTRL.QUIT, 1);
    Atomics.notify(ctrl, INFLATE_CTRL.TAKEN);
    // The inflater stops by itself at QUIT (terminating it mid-inflate can abort node's zlib cleanup).
    port.close();
  };
  return {
    path,
    compression: 'bgzf',
    fileBytes,
    consumed: () => consumed,
    next() {
      if (queue.length > 0) return queue.shift();
      if (ended || closed) return undefined;
      for (;;) {
        const posted = Atomics.load(ctrl, INFLATE_CTRL.POSTED);
        const got = receiveMessageOnPort(port) as { message: InflateMessage } | undefined;
        if (got === undefined) {
          // Nothing yet: wait for the inflater's next post (the timeout only guards against a lost wake-up).
          Atomics.wait(ctrl, INFLATE_CTRL.POSTED, posted, 100);
          continue;
        }
        Atomics.add(ctrl, INFLATE_CTRL.TAKEN, 1);
        Atomics.notify(ctrl, INFLATE_CTRL.TAKEN);
        const m = got.message;
        if ('error' in m) {
          close();
          throw reviveError(m.error, 'Inflating the bgzipped file');
        }
        consumed = m.consumed;
        if ('end' in m) {
          ended = true;
          close();
          return undefined;
        }
        queue = m.pieces;
        return queue.shift();
      }
    },
    close,
  };
}
