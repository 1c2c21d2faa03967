import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateGenotypes, writeSimulation, type SimulatedGenotypes } from '../../bench/simulate.js';
import { openPlink } from '../../engine/io/plink.js';
import { computeKinship, type KinshipMode } from '../../engine/stats/kinship.js';
import { computeKinshipThreaded } from '../../engine/stats/kinship-threads.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * GEMMA's kinship computed the plain way, one SNP at a time in doubles: the mean over the calls,
 * a missing call set to it (0 once centred), divided by the sd of the imputed vector for
 * 'standardized'; K = sum c c^T / m.
 */
function reference(sim: SimulatedGenotypes, include: Uint8Array, mode: KinshipMode): Float64Array {
  const { n, m, g } = sim;
  const k = new Float64Array(n * n);
  const c = new Float64Array(n);
  let used = 0;
  for (let j = 0; j < m; j++) {
    if (!include[j]) continue;
    used++;
    let sum = 0;
    let called = 0;
    for (let i = 0; i < n; i++) {
      const x = g[j * n + i]!;
      if (x >= 0) {
        sum += x;
        called++;
      }
    }
    const mean = called > 0 ? sum / called : 0;
    for (let i = 0; i < n; i++) c[i] = g[j * n + i]! >= 0 ? g[j * n + i]! - mean : 0;
    if (mode === 'standardized') {
      let v = 0;
      for (let i = 0; i < n; i++) v += c[i]! * c[i]!;
      v /= n;
      if (v > 0) for (let i = 0; i < n; i++) c[i] = c[i]! / Math.sqrt(v);
    }
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) k[a * n + b] = k[a * n + b]! + c[a]! * c[b]!;
  }
  for (let x = 0; x < n * n; x++) k[x] = k[x]! / used;
  return k;
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('kinship on worker threads (exact integer products for centred, the SIMD GEMM for standardized)', () => {
  const dir = tempDir('kinscan-kin-');

  // n odd and not a multiple of the kernels' tiles; more SNPs than one block (1024) with a short last
  // block; an all-missing SNP, a SNP with one call, a monomorphic SNP, and excluded SNPs.
  const sim = simulateGenotypes({ n: 203, m: 2600, seed: 11, missing: 0.03 });
  const { n } = sim;
  sim.g.fill(-1, 5 * n, 6 * n);
  sim.g.fill(-1, 6 * n, 7 * n);
  sim.g[6 * n + 17] = 2;
  sim.g.fill(1, 7 * n, 8 * n);
  const prefix = join(dir, 'sim');
  writeSimulation(prefix, sim);
  const include = new Uint8Array(sim.m).fill(1);
  for (let j = 0; j < sim.m; j += 97) include[j] = 0;

  for (const mode of ['centered', 'standardized'] as const) {
    const ref = reference(sim, include, mode);
    const scale = Math.max(...ref.map(Math.abs));
    for (const threads of [1, 2, 3]) {
      it(`${mode}, ${threads} worker${threads > 1 ? 's' : ''}: equals the plain double sum to 1e-13`, () => {
        const bed = openPlink(prefix).bed;
        try {
          const k = computeKinshipThreaded(bed, include, mode, threads);
          expect(k).toBeDefined();
          expect(k!.snps).toBe(include.reduce((a, b) => a + b, 0));
          expect(maxAbsDiff(k!.data, ref) / scale).toBeLessThan(1e-13);
          // Exactly symmetric.
          for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) expect(k!.data[a * n + b]).toBe(k!.data[b * n + a]);
        } finally {
          bed.close();
        }
      });
    }
    it(`${mode}: the one-thread fallback (no workers) agrees too`, () => {
      const bed = openPlink(prefix).bed;
      try {
        expect(maxAbsDiff(computeKinship(bed, include, mode).data, ref) / scale).toBeLessThan(1e-13);
      } finally {
        bed.close();
      }
    });
  }

  it('centred with many missing calls (blocks handed over early when the list of missing calls fills)', () => {
    const heavy = simulateGenotypes({ n: 151, m: 1500, seed: 5, missing: 0.45 });
    const p = join(dir, 'heavy');
    writeSimulation(p, heavy);
    const inc = new Uint8Array(heavy.m).fill(1);
    const ref = reference(heavy, inc, 'centered');
    const bed = openPlink(p).bed;
    try {
      const k = computeKinshipThreaded(bed, inc, 'centered', 2)!;
      expect(maxAbsDiff(k.data, ref) / Math.max(...ref.map(Math.abs))).toBeLessThan(1e-13);
    } finally {
      bed.close();
    }
  });
});
