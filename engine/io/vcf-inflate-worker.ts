/**
 * The helper thread of vcf-inflate.ts: inflates a BGZF file's blocks (openByteChunks) and posts
 * them in pieces of about 1 MiB, at most AHEAD pieces ahead of what the reading thread has taken.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { openByteChunks } from './byte-chunks.js';
import { serializeError } from './thread-errors.js';
import { AHEAD, CTRL, PIECE_BYTES, type InflateMessage } from './vcf-inflate.js';

const { path, what, port, ctrl: ctrlBuf } = workerData as { path: string; what: string; port: MessagePort; ctrl: SharedArrayBuffer };
const ctrl = new Int32Array(ctrlBuf);
// Running: the reader relies on this thread from now on (vcf-inflate.ts waits for it to start).
Atomics.store(ctrl, CTRL.ONLINE, 1);
Atomics.notify(ctrl, CTRL.ONLINE);

function post(m: InflateMessage, transfer: ArrayBuffer[] = []): void {
  // Wait while the reader is AHEAD pieces behind (it notifies on each piece it takes).
  for (;;) {
    const taken = Atomics.load(ctrl, CTRL.TAKEN);
    if (Atomics.load(ctrl, CTRL.POSTED) - taken < AHEAD || Atomics.load(ctrl, CTRL.QUIT) !== 0) break;
    Atomics.wait(ctrl, CTRL.TAKEN, taken, 200);
  }
  port.postMessage(m, transfer);
  Atomics.add(ctrl, CTRL.POSTED, 1);
  Atomics.notify(ctrl, CTRL.POSTED);
}

try {
  const chunks = openByteChunks(path, what);
  try {
    let piece = new Uint8Array(PIECE_BYTES);
    let fill = 0;
    for (let c = chunks.next(); c !== undefined && Atomics.load(ctrl, CTRL.QUIT) === 0; c = chunks.next()) {
      if (fill + c.length > piece.length) {
        post({ bytes: piece.subarray(0, fill), consumed: chunks.consumed() }, [piece.buffer]);
        piece = new Uint8Array(Math.max(PIECE_BYTES, c.length));
        fill = 0;
      }
      piece.set(c, fill);
      fill += c.length;
    }
    if (fill > 0) post({ bytes: piece.subarray(0, fill), consumed: chunks.consumed() }, [piece.buffer]);
    post({ end: true, consumed: chunks.consumed() });
  } finally {
    chunks.close();
  }
} catch (e) {
  post({ error: serializeError(e) });
}
