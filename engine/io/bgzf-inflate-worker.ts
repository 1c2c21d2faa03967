/**
 * The inflater of bgzf-inflate-thread.ts: inflates a BGZF file's blocks (openByteChunks) and posts
 * them, each block's own buffer transferred, in messages of about MESSAGE_BYTES, at most AHEAD
 * messages ahead of what the reading thread has taken (helper-channel.ts).
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { openByteChunks } from './byte-chunks.js';
import { AHEAD, MESSAGE_BYTES, type InflateMessage } from './bgzf-inflate-thread.js';
import { helperOnline, postAhead } from './helper-channel.js';
import { serializeError } from './thread-errors.js';

const { path, what, port, ctrl } = workerData as { path: string; what: string; port: MessagePort; ctrl: SharedArrayBuffer };
helperOnline(ctrl);

/** The pieces' buffers, when each is a buffer of its own (else they are copied). */
function transferOf(pieces: Uint8Array[]): ArrayBuffer[] {
  const own = pieces.every((p) => p.byteOffset === 0 && p.buffer instanceof ArrayBuffer);
  return own ? pieces.map((p) => p.buffer as ArrayBuffer) : [];
}

/** Post, waiting while the reader is AHEAD messages behind; false once the reader has quit. */
const post = (m: InflateMessage, transfer: ArrayBuffer[] = []): boolean => postAhead(port, ctrl, AHEAD, m, transfer);

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
