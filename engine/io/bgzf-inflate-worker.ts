/**
 * The inflater of bgzf-inflate-thread.ts: inflates a BGZF file's blocks (openByteChunks) and posts
 * them, each block's own buffer transferred, in messages of about MESSAGE_BYTES, at most AHEAD
 * messages ahead of what the reading thread has taken.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { openByteChunks } from './byte-chunks.js';
import { AHEAD, INFLATE_CTRL as CTRL, MESSAGE_BYTES, type InflateMessage } from './bgzf-inflate-thread.js';
import { serializeError } from './thread-errors.js';

const { path, what, port, ctrl: ctrlBuf } = workerData as { path: string; what: string; port: MessagePort; ctrl: SharedArrayBuffer };
const ctrl = new Int32Array(ctrlBuf);
// Running: the reader relies on this thread from now on.
Atomics.store(ctrl, CTRL.ONLINE, 1);
Atomics.notify(ctrl, CTRL.ONLINE);

/** The pieces' buffers, when each is a buffer of its own (else they are copied). */
function transferOf(pieces: Uint8Array[]): ArrayBuffer[] {
  const own = pieces.every((p) => p.byteOffset === 0 && p.buffer instanceof ArrayBuffer);
  return own ? pieces.map((p) => p.buffer as ArrayBuffer) : [];
}

/** Post, waiting while the reader is AHEAD messages behind; false once the reader has quit. */
function post(m: InflateMessage, transfer: ArrayBuffer[] = []): boolean {
  for (;;) {
    if (Atomics.load(ctrl, CTRL.QUIT) !== 0) return false;
    const taken = Atomics.load(ctrl, CTRL.TAKEN);
    if (Atomics.load(ctrl, CTRL.POSTED) - taken < AHEAD) break;
    Atomics.wait(ctrl, CTRL.TAKEN, taken, 200);
  }
  port.postMessage(m, transfer);
  Atomics.add(ctrl, CTRL.POSTED, 1);
  Atomics.notify(ctrl, CTRL.POSTED);
  return true;
}

try {
  const chunks = openByteChunks(path, what);
  try {
    let pieces: Uint8Array[] = [];
    let fill = 0;
    let going = true;
    for (let c = chunks.next(); c !== undefined && going; c = chunks.next()) {
      pieces.push(c);
      fill += c.length;
      if (fill >= MESSAGE_BYTES) {
        going = post({ pieces, consumed: chunks.consumed() }, transferOf(pieces));
        pieces = [];
        fill = 0;
      }
    }
    if (going && pieces.length > 0) going = post({ pieces, consumed: chunks.consumed() }, transferOf(pieces));
    if (going) post({ end: true, consumed: chunks.consumed() });
  } finally {
    chunks.close();
  }
} catch (e) {
  post({ error: serializeError(e) });
}
