import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SnpInfo } from './fit-block.js';
import type { PreparedScan } from './prepare.js';
import { decodeRows } from './row-codec.js';
import { DEFAULT_BLOCK, type ScanOptions, type ScanSkips } from './scan.js';
import { createSharedLayout } from './shared-kernels.js';
import type { BlockJob, BlockResult, WorkerFailure, WorkerInit } from './worker.js';

/** The compiled worker script (workers run plain JS: from the TypeScript sources, use dist/). */
export function workerScript(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const candidates = here.endsWith('.ts')
    ? [fileURLToPath(new URL('../../dist/engine/scan/worker.js', import.meta.url))]
    : [fileURLToPath(new URL('./worker.js', import.meta.url))];
  return candidates.find((p) => existsSync(p));
}

/** Bytes of private scratch a worker needs for a block (genotype rows, rotated rows, GEMM operands). */
function scratchBytes(n: number, blockSize: number, cols: number, c: number): number {
  const G = 13;
  const r = blockSize * cols;
  const doubles = 4 * r * n + blockSize * n + n * G * (c + 2) + r * G * (c + 2) + 4 * r * G;
  return doubles * 8 + (1 << 20);
}

/**
 * Run the scan on a pool of worker threads. The packed genotypes of each block and the eigenvectors
 * U are shared with the workers (SharedArrayBuffer / shared WebAssembly memory), never copied per
 * worker; blocks are handed out as workers free up and their rows delivered in file order.
 * Stops dispatching when shouldStop() turns true, delivers the blocks finished in order, and returns.
 * Returns undefined when threads cannot be used here (no worker script or no WebAssembly), so the
 * caller can run in-process.
 */
export async function runScanPooled(prep: PreparedScan, opts: ScanOptions, threads: number): Promise<ScanSkips | undefined> {
  const script = workerScript();
  if (!script) return undefined;
  const { n, tested, settings, plink } = prep;
  const cols = settings.model === 'add-dom' ? 2 : 1;
  const blockSize = opts.blockSize ?? DEFAULT_BLOCK;
  const layout = createSharedLayout(n, threads, scratchBytes(n, blockSize, cols, prep.wStar.length));
  if (!layout) return undefined;
  // Move U into the shared memory; the scan keeps only that copy.
  const shared = new Float64Array(layout.memory.buffer, layout.uPtr, n * n);
  shared.set(prep.u);
  prep.u = shared;

  const workers = layout.workers.map((w) => {
    const init: WorkerInit = {
      memory: layout.memory,
      packPtr: w.packPtr,
      scratch: w.scratch,
      scratchBytes: w.scratchBytes,
      uPtr: layout.uPtr,
      n,
      s: prep.s,
      yStar: prep.yStar,
      wStar: prep.wStar,
      nullFit: prep.nullFit,
      model: settings.model,
      method: settings.method,
      famIndex: prep.samples.famIndex,
      blockSize,
      bytesPerSnp: plink.bed.bytesPerSnp,
    };
    return new Worker(script, { workerData: init });
  });

  const skips: ScanSkips = { collinear: 0 };
  const to = Math.min(opts.to ?? tested.length, tested.length);
  const from = opts.from ?? 0;
  const bps = plink.bed.bytesPerSnp;
  const { snpStats } = prep;

  try {
    await new Promise<void>((resolve, reject) => {
      let nextPos = from;
      let nextId = 0;
      let deliverId = 0;
      let inFlight = 0;
      let stopped = false;
      let failed = false;
      const done = new Map<number, { rows: Float64Array; collinear: number; end: number }>();
      const endOf = new Map<number, number>();
      const idle = [...workers];

      const fail = (e: Error): void => {
        if (failed) return;
        failed = true;
        reject(e);
      };

      const dispatch = (): void => {
        while (!stopped && !failed && idle.length > 0 && nextPos < to) {
          if (opts.shouldStop?.()) {
            stopped = true;
            break;
          }
          const count = Math.min(blockSize, to - nextPos);
          const first = tested[nextPos]!;
          const last = tested[nextPos + count - 1]!;
          const packed = new Uint8Array(new SharedArrayBuffer((last - first + 1) * bps));
          plink.bed.readPacked(first, last - first + 1, packed);
          const info: SnpInfo[] = [];
          for (let b = 0; b < count; b++) {
            const snp = tested[nextPos + b]!;
            info.push({ snp, af: snpStats.af[snp]!, nMiss: snpStats.nMiss[snp]!, classes: snpStats.classes[snp]! });
          }
          const job: BlockJob = { type: 'block', id: nextId, packed, firstSnp: first, info };
          endOf.set(nextId, nextPos + count);
          nextId++;
          nextPos += count;
          inFlight++;
          idle.pop()!.postMessage(job);
        }
        if (inFlight === 0 && (stopped || nextPos >= to)) resolve();
      };

      const deliver = (): void => {
        while (done.has(deliverId)) {
          const r = done.get(deliverId)!;
          done.delete(deliverId);
          deliverId++;
          skips.collinear += r.collinear;
          try {
            opts.onBlock(decodeRows(r.rows), { done: r.end, total: tested.length });
          } catch (e) {
            fail(e as Error);
            return;
          }
        }
      };

      for (const w of workers) {
        w.on('message', (msg: BlockResult | WorkerFailure) => {
          inFlight--;
          idle.push(w);
          if (msg.type === 'error') {
            fail(new Error(`scan worker failed: ${msg.message}`));
            return;
          }
          // Blocks finishing after a stop are still delivered when they extend the contiguous prefix.
          done.set(msg.id, { rows: msg.rows, collinear: msg.collinear, end: endOf.get(msg.id)! });
          deliver();
          if (opts.shouldStop?.()) stopped = true;
          dispatch();
        });
        w.on('error', (e) => fail(e));
        w.on('exit', (code) => {
          if (code !== 0 && !failed && (inFlight > 0 || nextPos < to)) fail(new Error(`scan worker exited with code ${code}`));
        });
      }
      dispatch();
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return skips;
}
