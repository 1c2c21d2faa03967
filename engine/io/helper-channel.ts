/**
 * An ordered, bounded stream of messages from a helper thread to a thread that stays synchronous
 * (an import holds its SQLite transaction open): the helper posts on a MessagePort, at most
 * `ahead` messages ahead of what the reader has taken; the reader takes them in order with
 * receiveMessageOnPort, waiting on shared counters (Atomics) when none is ready. Used by the VCF
 * reading helper (vcf-read-thread.ts) and the BGZF inflater (bgzf-inflate-thread.ts).
 */
import { receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** The shared control words: messages posted and taken; QUIT (the reader stopped); ONLINE (the helper runs). */
const POSTED = 0;
const TAKEN = 1;
const QUIT = 2;
const ONLINE = 3;
/** How long a helper may take to start before the starting thread does the work itself. */
const START_MS = 3000;

/** Fresh control words for one channel. */
export function channelControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * 4);
}

/** A helper thread started (spawnHelper) and not yet known to run. */
export interface StartingHelper {
  worker: Worker;
  ctrl: SharedArrayBuffer;
}

/** Start the helper `script` with its channel's control words; awaitHelpers says whether it runs. */
export function spawnHelper(script: string, workerData: unknown, transferList: MessagePort[], ctrlBuf: SharedArrayBuffer): StartingHelper {
  const worker = new Worker(script, { workerData, transferList });
  // A script that fails to load never comes online (awaitHelpers); its error is not this thread's to throw.
  worker.on('error', () => undefined);
  worker.unref();
  return { worker, ctrl: ctrlBuf };
}

/**
 * Wait until every helper runs (helperOnline), started together so they boot side by side; false
 * when one does not start in time (a nested worker's start can wait on this thread's event loop,
 * which a synchronous caller holds), every one then told to quit and ended.
 */
export function awaitHelpers(helpers: StartingHelper[]): boolean {
  const deadline = Date.now() + START_MS;
  const online = (h: StartingHelper): boolean => Atomics.load(new Int32Array(h.ctrl), ONLINE) !== 0;
  for (const h of helpers) {
    const ctrl = new Int32Array(h.ctrl);
    while (Atomics.load(ctrl, ONLINE) === 0 && Date.now() < deadline) Atomics.wait(ctrl, ONLINE, 0, 50);
  }
  if (helpers.every(online)) return true;
  for (const h of helpers) {
    const ctrl = new Int32Array(h.ctrl);
    Atomics.store(ctrl, QUIT, 1);
    Atomics.notify(ctrl, TAKEN);
    void h.worker.terminate();
  }
  return false;
}

/** In the helper: it runs; the starting thread relies on it from now on. */
export function helperOnline(ctrlBuf: SharedArrayBuffer): void {
  const ctrl = new Int32Array(ctrlBuf);
  Atomics.store(ctrl, ONLINE, 1);
  Atomics.notify(ctrl, ONLINE);
}

/** In the helper: post m once the reader is fewer than `ahead` messages behind; false (nothing posted) once it has quit. */
export function postAhead(port: MessagePort, ctrlBuf: SharedArrayBuffer, ahead: number, m: unknown, transfer: ArrayBuffer[] = []): boolean {
  const ctrl = new Int32Array(ctrlBuf);
  for (;;) {
    if (Atomics.load(ctrl, QUIT) !== 0) return false;
    const taken = Atomics.load(ctrl, TAKEN);
    if (Atomics.load(ctrl, POSTED) - taken < ahead) break;
    Atomics.wait(ctrl, TAKEN, taken, 200);
  }
  port.postMessage(m, transfer);
  Atomics.add(ctrl, POSTED, 1);
  Atomics.notify(ctrl, POSTED);
  return true;
}

/** In the reader: the next message, waiting for it. */
export function takeNext<T>(port: MessagePort, ctrl: Int32Array): T {
  for (;;) {
    const posted = Atomics.load(ctrl, POSTED);
    const got = receiveMessageOnPort(port) as { message: T } | undefined;
    if (got !== undefined) {
      Atomics.add(ctrl, TAKEN, 1);
      Atomics.notify(ctrl, TAKEN);
      return got.message;
    }
    // Nothing yet: wait for the helper's next post (the timeout only guards against a lost wake-up).
    Atomics.wait(ctrl, POSTED, posted, 100);
  }
}

/** In the reader: stop the helper (it stops by itself at QUIT: terminating it mid-inflate can abort node's zlib cleanup). */
export function quitHelper(port: MessagePort, ctrlBuf: SharedArrayBuffer): void {
  const ctrl = new Int32Array(ctrlBuf);
  Atomics.store(ctrl, QUIT, 1);
  Atomics.notify(ctrl, TAKEN);
  port.close();
}
