/**
 * The kinship main thread's wait for a block (engine/stats/kinship-wait.ts) against real worker
 * threads sharing its control block: a worker that stops (its thread exits without finishing,
 * as when it is terminated or runs out of memory) is an error within seconds, while a slow worker
 * that keeps beating is waited for however long its block takes.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CTRL, newStallWatch, waitForBlock } from '../../engine/stats/kinship-wait.js';

/** A worker thread on the control block: `beats` beats `gapMs` apart, then DONE (or a silent exit). */
function startWorker(ctrl: Int32Array, beats: number, gapMs: number, finish: 'done' | 'vanish' | 'fail'): Worker {
  const code = `
    const { workerData } = require('node:worker_threads');
    const ctrl = new Int32Array(workerData.buffer);
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < workerData.beats; i++) {
      Atomics.wait(pause, 0, 0, workerData.gapMs);
      Atomics.add(ctrl, ${CTRL.BEAT}, 1);
      Atomics.notify(ctrl, ${CTRL.DONE});
    }
    if (workerData.finish === 'done') { Atomics.add(ctrl, ${CTRL.DONE}, 1); Atomics.notify(ctrl, ${CTRL.DONE}); }
    if (workerData.finish === 'fail') { Atomics.store(ctrl, ${CTRL.FAILED}, 1); Atomics.notify(ctrl, ${CTRL.DONE}); }
    process.exit(0);`;
  return new Worker(code, { eval: true, workerData: { buffer: ctrl.buffer, beats, gapMs, finish } });
}

function controlBlock(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CTRL.SIZE * 4));
}

describe('waiting for the kinship workers', () => {
  it('reports a worker that stopped without finishing within seconds, and how long it was quiet', () => {
    const ctrl = controlBlock();
    const workers = [startWorker(ctrl, 3, 20, 'done'), startWorker(ctrl, 2, 20, 'vanish')];
    const started = Date.now();
    expect(() => waitForBlock(ctrl, 2, newStallWatch(1000))).toThrow(/a kinship worker thread stopped working: no progress for 1\.\d s/);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(5000);
    for (const w of workers) void w.terminate();
  });

  it('waits for a slow worker that keeps beating, far past the no-progress allowance in total', () => {
    const ctrl = controlBlock();
    const workers = [startWorker(ctrl, 12, 200, 'done'), startWorker(ctrl, 1, 10, 'done')];
    const started = Date.now();
    expect(waitForBlock(ctrl, 2, newStallWatch(600))).toBe(false);
    expect(Date.now() - started).toBeGreaterThan(2000);
    expect(Atomics.load(ctrl, CTRL.DONE)).toBe(2);
    for (const w of workers) void w.terminate();
  });

  it('widens the allowance to ten times the longest gap between beats seen', () => {
    const ctrl = controlBlock();
    const watch = newStallWatch(100);
    const worker = startWorker(ctrl, 3, 150, 'done');
    // The thread's start is not a gap between beats (it can take longer than 100 ms on a busy
    // machine): the wait begins at the first beat.
    const until = Date.now() + 30_000;
    while (Atomics.load(ctrl, CTRL.BEAT) === 0 && Date.now() < until) Atomics.wait(ctrl, CTRL.DONE, 0, 50);
    expect(waitForBlock(ctrl, 1, watch)).toBe(false);
    expect(watch.longestGapMs).toBeGreaterThanOrEqual(140);
    void worker.terminate();
  });

  it('returns at once when a worker raises FAILED (its error travels by its port)', () => {
    const ctrl = controlBlock();
    const worker = startWorker(ctrl, 1, 10, 'fail');
    const started = Date.now();
    expect(waitForBlock(ctrl, 2, newStallWatch(10_000))).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    void worker.terminate();
  });
});
