/**
 * A big VCF is read on helper threads (vcf-read-thread.ts: a parsing helper, and an inflating one
 * for BGZF); a small one, and any VCF read from a worker thread, on the calling thread
 * (readVcfRecords). Both routes give the same batches: the mouse set exported by plink2 as
 * bgzipped GT, plain GT and bgzipped DS dosages (each above the helpers' 4 MiB), read both ways.
 * An error of the caller's batch handler stops the helpers, and the next read starts afresh.
 */
import { createHook } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openByteChunks } from '../../engine/io/byte-chunks.js';
import type { SnpBatch } from '../../engine/io/genotype-source.js';
import { readVcfHeader, VCF_WHAT } from '../../engine/io/vcf-header.js';
import { ByteLines } from '../../engine/io/vcf-lines.js';
import { openVcf, readVcfRecords } from '../../engine/io/vcf.js';
import { makeTmp } from './tmp.js';

const MOUSE = join(import.meta.dirname, '../../resources/example/mouse_hs1940');
const tmp = makeTmp('vcf-threads');
afterAll(() => { tmp.cleanup(); });

function plink2(...args: string[]): void {
  const r = spawnSync('plink2', [...args, '--threads', '1'], { cwd: tmp.dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`plink2 ${args.join(' ')} failed: ${r.stdout}\n${r.stderr}`);
}

interface Read {
  batches: SnpBatch[];
  summary: unknown;
  progress: [number, number][];
  /** Worker threads started by the read. */
  threads: number;
}

/** Through the reader (helpers for a big file). */
function viaReader(path: string, dosage: boolean): Read {
  const batches: SnpBatch[] = [];
  const progress: [number, number][] = [];
  let threads = 0;
  const hook = createHook({ init: (_id, type) => void (type === 'WORKER' && threads++) }).enable();
  try {
    const r = openVcf(path, { dosage });
    const summary = r.read((b) => batches.push(b), { batchSnps: 500, progress: (d, t) => progress.push([d, t]) });
    return { batches, summary, progress, threads };
  } finally {
    hook.disable();
  }
}

/** On this thread, with the same header. */
function onThisThread(path: string, dosage: boolean): Read {
  const head = openByteChunks(path, VCF_WHAT);
  const header = readVcfHeader(path, new ByteLines(head));
  head.close();
  const chunks = openByteChunks(path, VCF_WHAT);
  const batches: SnpBatch[] = [];
  const progress: [number, number][] = [];
  try {
    const summary = readVcfRecords(path, header, dosage, (b) => batches.push(b), 500, (d, t) => progress.push([d, t]), chunks);
    return { batches, summary, progress, threads: 0 };
  } finally {
    chunks.close();
  }
}

describe('helper threads and the calling thread read a VCF alike', () => {
  beforeAll(() => {
    plink2('--bfile', MOUSE, '--export', 'vcf', 'bgz', 'id-paste=iid', '--out', 'gt');
    plink2('--bfile', MOUSE, '--export', 'vcf', 'id-paste=iid', '--out', 'gt-plain');
    plink2('--bfile', MOUSE, '--export', 'vcf', 'bgz', 'vcf-dosage=DS-force', 'id-paste=iid', '--out', 'ds');
  });

  for (const [file, dosage] of [['gt.vcf.gz', false], ['gt-plain.vcf', false], ['ds.vcf.gz', true]] as const) {
    it(`${file}${dosage ? ' (DS dosages)' : ''}: the same batches, summary and final progress`, () => {
      const path = join(tmp.dir, file);
      expect(statSync(path).size).toBeGreaterThan(4 << 20);
      const a = viaReader(path, dosage);
      // A reading helper, and an inflating one for BGZF.
      expect(a.threads).toBe(file.endsWith('.gz') ? 2 : 1);
      const b = onThisThread(path, dosage);
      expect(a.summary).toEqual(b.summary);
      expect(a.batches.length).toBe(b.batches.length);
      expect(a.batches.length).toBeGreaterThan(10);
      a.batches.forEach((x, k) => {
        const y = b.batches[k]!;
        expect(x.snps).toEqual(y.snps);
        expect(Buffer.from(x.packed).equals(Buffer.from(y.packed))).toBe(true);
        if (dosage) expect(Buffer.from(x.dosage!.buffer).equals(Buffer.from(y.dosage!.buffer))).toBe(true);
        else expect(x.dosage).toBeUndefined();
      });
      const size = statSync(path).size;
      expect(a.progress.at(-1)).toEqual([size, size]);
      for (let k = 1; k < a.progress.length; k++) expect(a.progress[k]![0]).toBeGreaterThanOrEqual(a.progress[k - 1]![0]);
    });
  }

  it('a batch handler that throws stops the helpers; the next read starts afresh', () => {
    const path = join(tmp.dir, 'gt.vcf.gz');
    const r = openVcf(path);
    const stop = new Error('enough');
    let seen = 0;
    expect(() => r.read(() => { seen++; if (seen === 3) throw stop; }, { batchSnps: 100 })).toThrow(stop);
    expect(seen).toBe(3);
    let snps = 0;
    const summary = r.read((b) => { snps += b.snps.length; });
    expect(snps).toBe(summary.snps);
    expect(snps).toBe(onThisThread(path, false).batches.reduce((s, b) => s + b.snps.length, 0));
  });
});
