/**
 * Importing a 1,000,000-variant, 500-sample bgzipped VCF: Kinscan's Project import (the VCF reader,
 * then the 2-bit blocks and counts written into a fresh project) beside plink2 --vcf F --make-bed
 * --threads 2 on the same file, alternating rounds, medians and the ratio. The reader alone
 * (every batch read, nothing stored: inflated on one helper thread, parsed on another, while the
 * calling thread, which stores in an import, only collects) is timed too, with its decompressed
 * text rate. Both run on this machine's cores, as plink2 does with its two threads.
 *
 * The VCF is made once into .bench-cache/vcf-500x1m/ with plink2 --dummy (seeded). Without plink2
 * on the PATH nothing is measured.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/import-vcf.js
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openByteChunks } from '../engine/io/byte-chunks.js';
import { openVcf } from '../engine/io/vcf.js';
import { Project } from '../engine/store/project.js';

export interface ImportVcfTiming {
  name: string;
  seconds: number;
  /** The other tool's time for the same step, when there is one. */
  plink2?: number;
  note?: string;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheDir = join(root, '.bench-cache', 'vcf-500x1m');
const vcf = join(cacheDir, 'dummy.vcf.gz');
const N_SAMPLES = 500;
const N_VARIANTS = 1_000_000;

function plink2(args: string[], cwd: string): void {
  const r = spawnSync('plink2', args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`plink2 ${args.join(' ')} failed (${r.status}):\n${(r.stdout + r.stderr).slice(-2000)}`);
}

export function hasPlink2(): boolean {
  return spawnSync('plink2', ['--version'], { encoding: 'utf8' }).status === 0;
}

function ensureVcf(): void {
  if (existsSync(vcf) && statSync(vcf).size > 100e6) return;
  mkdirSync(cacheDir, { recursive: true });
  process.stderr.write('bench: generating the 500 x 1,000,000 bgzipped VCF with plink2 --dummy (seeded, once)...\n');
  plink2(['--dummy', String(N_SAMPLES), String(N_VARIANTS), '0.01', 'acgt', '--seed', '2026', '--threads', '2', '--export', 'vcf', 'bgz', '--out', 'dummy'], cacheDir);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function seconds(fn: () => void): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

export function benchImportVcf(rounds = 3): ImportVcfTiming[] {
  ensureVcf();
  const work = join(cacheDir, 'runs');
  const theirs: number[] = [];
  const ours: number[] = [];
  const reader: number[] = [];
  for (let r = 0; r < rounds; r++) {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    theirs.push(seconds(() => plink2(['--vcf', vcf, '--make-bed', '--threads', '2', '--out', join(work, 'plink2')], work)));
    ours.push(
      seconds(() => {
        const p = Project.open(join(work, 'import.kinscan'), { create: true, command: 'bench' });
        try {
          const res = p.importDataset(vcf);
          if (res.summary.snps !== N_VARIANTS) throw new Error(`VCF import bench: ${res.summary.snps} SNPs imported, expected ${N_VARIANTS}`);
        } finally {
          p.close();
        }
      }),
    );
    reader.push(
      seconds(() => {
        let n = 0;
        const v = openVcf(vcf);
        v.read((b) => { n += b.snps.length; });
        if (n !== N_VARIANTS) throw new Error(`VCF reader bench: ${n} SNPs read, expected ${N_VARIANTS}`);
      }),
    );
  }
  rmSync(work, { recursive: true, force: true });
  const textBytes = decompressedBytes();
  return [
    { name: 'import into a fresh project vs plink2 --make-bed', seconds: median(ours), plink2: median(theirs) },
    { name: 'VCF reader alone (all batches, nothing stored)', seconds: median(reader), plink2: median(theirs), note: `${(textBytes / median(reader) / 1e6).toFixed(0)} MB/s of decompressed text` },
  ];
}

/** The VCF's decompressed size (for the reader's text rate). */
function decompressedBytes(): number {
  const chunks = openByteChunks(vcf, 'VCF file');
  let bytes = 0;
  try {
    for (let c = chunks.next(); c !== undefined; c = chunks.next()) bytes += c.length;
  } finally {
    chunks.close();
  }
  return bytes;
}

export function formatImportVcfTiming(t: ImportVcfTiming): string {
  const ratio = t.plink2 !== undefined ? `   plink2 ${t.plink2.toFixed(2).padStart(6)} s   kinscan/plink2 ${(t.seconds / t.plink2).toFixed(2)}` : '';
  return `  ${t.name.padEnd(52)} ${t.seconds.toFixed(2).padStart(6)} s${ratio}${t.note ? `   (${t.note})` : ''}`;
}
