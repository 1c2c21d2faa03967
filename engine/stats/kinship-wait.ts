/**
 * How the main thread waits for the kinship workers to finish a block (kinship-threads.ts). It
 * waits in Atomics.wait, so it sees no 'exit' event: a worker that fails says so through FAILED
 * and its error port, but a worker whose thread was stopped from outside (terminated, out of
 * memory) just goes quiet. Each worker beats (CTRL.BEAT) after every row panel it adds, so the
 * main thread can tell a slow block from a dead worker: no beat and no finished worker for
 * `stallMs` (a few seconds, or ten times the longest gap between beats seen so far) is an error.
 */

/** Slots of the control block shared with the kinship workers. */
export const CTRL = { GEN: 0, DONE: 1, SLOT: 2, B: 3, QUIT: 4, READY: 5, FAILED: 6, BEAT: 7, SIZE: 8 } as const;

/** The no-progress allowance: at least `minMs`, and ten times the longest gap between beats seen. */
export interface StallWatch {
  minMs: number;
  /** The longest gap between two beats (or a hand-over and the first beat) seen so far, ms. */
  longestGapMs: number;
}

export function newStallWatch(minMs: number): StallWatch {
  return { minMs, longestGapMs: 0 };
}

function stallMs(watch: StallWatch): number {
  return Math.max(watch.minMs, 10 * watch.longestGapMs);
}

/**
 * Wait until `threads` workers have finished the block handed over (CTRL.DONE) or one of them
 * raised FAILED; returns whether one failed. Throws when the workers stop beating for longer than
 * the watch allows (a worker that vanished without a word).
 */
export function waitForBlock(ctrl: Int32Array, threads: number, watch: StallWatch): boolean {
  const started = Date.now();
  let lastBeatAt = started;
  let done = Atomics.load(ctrl, CTRL.DONE);
  let beat = Atomics.load(ctrl, CTRL.BEAT);
  while (done < threads) {
    if (Atomics.load(ctrl, CTRL.FAILED)) return true;
    // Workers notify DONE after each beat too, so this wakes at every panel.
    Atomics.wait(ctrl, CTRL.DONE, done, 250);
    const now = Date.now();
    const d = Atomics.load(ctrl, CTRL.DONE);
    const b = Atomics.load(ctrl, CTRL.BEAT);
    if (d !== done || b !== beat) {
      watch.longestGapMs = Math.max(watch.longestGapMs, now - lastBeatAt);
      lastBeatAt = now;
    } else if (now - lastBeatAt > stallMs(watch)) {
      const missing = threads - d;
      throw new Error(
        `${missing === 1 ? 'a kinship worker thread' : `${missing} kinship worker threads`} stopped working: ` +
          `no progress for ${((now - lastBeatAt) / 1000).toFixed(1)} s (the thread was stopped or ran out of memory)`,
      );
    }
    done = d;
    beat = b;
  }
  return Atomics.load(ctrl, CTRL.FAILED) !== 0;
}
