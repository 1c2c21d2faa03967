/**
 * A bgzipped file's decompressed bytes, inflated on a helper thread of their own: with the VCF
 * read helper (vcf-read-thread.ts) parsing and the calling thread storing, inflating (half of
 * reading a GT-only VCF) no longer waits for either. The process's main thread starts the inflater
 * (spawnInflater) and hands its port to the thread that reads (portChunks: the same ByteChunks as
 * openByteChunks, so the reader does not know), which takes the inflated pieces in order
 * (helper-channel.ts).
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { ByteChunks } from './byte-chunks.js';
import { channelControl, quitHelper, spawnHelper, takeNext, type StartingHelper } from './helper-channel.js';
import { reviveError, type ThreadError } from './thread-errors.js';

/** Messages the inflater may run ahead of the reader (memory: AHEAD x MESSAGE_BYTES). */
export const AHEAD = 8;
/** Inflated bytes per message, about. */
export const MESSAGE_BYTES = 1 << 20;

export type InflateMessage = { pieces: Uint8Array[]; consumed: number } | { end: true; consumed: number } | { error: ThreadError };

/** An inflater started: its port and control words go to the thread that reads. */
export interface Inflater {
  port: MessagePort;
  ctrl: SharedArrayBuffer;
  /** Its thread, to wait for (awaitHelpers) with the reader's. */
  starting: StartingHelper;
  /** Stop it (when the reading thread never took the port). */
  stop(): void;
}

/** Start inflating `path` (a BGZF file) on the helper `script` (awaitHelpers says whether it runs). */
export function spawnInflater(script: string, path: string, what: string): Inflater {
  const ctrl = channelControl();
  const { port1, port2 } = new MessageChannel();
  const starting = spawnHelper(script, { path, what, port: port2, ctrl }, [port2], ctrl);
  return { port: port1, ctrl, starting, stop: () => quitHelper(port1, ctrl) };
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
    quitHelper(port, ctrlBuf);
  };
  return {
    path,
    compression: 'bgzf',
    fileBytes,
    consumed: () => consumed,
    next() {
      if (queue.length > 0) return queue.shift();
      if (ended || closed) return undefined;
      const m = takeNext<InflateMessage>(port, ctrl);
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
    },
    close,
  };
}
