/**
 * relatedness.overview and relatedness.scene: a dataset's kinship over all its genotyped
 * individuals, computed on the worker thread and cached in the project. On mouse HS1940 the kinship
 * equals GEMMA -gk 1, the top PCs equal a power iteration on that kinship re-centred here, the
 * service answers app.ping within 100 ms meanwhile, two calls at once compute once, and a later
 * scan of trait1 finds the kinship in the cache. On a small simulated set every PC equals a Jacobi
 * eigendecomposition of a kinship computed here from the genotypes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeSnp, openPlink } from '../../engine/io/plink.js';
import { snpQc, SnpStatus } from '../../engine/qc/snps.js';
import { ProjectCache } from '../../engine/store/cache.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';
import { ROOT, simulatedSet } from '../store/helpers.js';
import { harness, isProgress, isStatus, type Harness } from './helpers.js';

const dir = tempDir('kinscan-relatedness-');
let h: Harness;

beforeAll(() => {
  h = harness(dir);
});
afterAll(async () => {
  await h.close();
});

/** The project's cached kinship of a dataset (the one entry of that kind), through a second, read-only connection. */
function cachedKinship(projectPath: string, datasetId: number): Float64Array {
  const p = Project.open(projectPath, { readonly: true, check: 'none' });
  try {
    const keys = p.db.prepare("SELECT key FROM cache_entries WHERE dataset_id = ? AND kind = 'kinship'").pluck().all(datasetId) as string[];
    expect(keys.length).toBe(1);
    return new ProjectCache(p.db, datasetId, false).getKinship(keys[0]!)!;
  } finally {
    p.close();
  }
}

/** P K P with P = I - 11^T/n, written out plainly. */
function recentre(k: Float64Array, n: number): Float64Array {
  const row = new Float64Array(n);
  let all = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) row[i] += k[i * n + j]!;
    all += row[i]!;
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = k[i * n + j]! - row[i]! / n - row[j]! / n + all / (n * n);
  return out;
}

/** Top `count` eigenpairs by power iteration with deflation (each to a change below 1e-14). */
function powerEigen(a: Float64Array, n: number, count: number): { values: number[]; vectors: Float64Array[] } {
  const values: number[] = [];
  const vectors: Float64Array[] = [];
  for (let c = 0; c < count; c++) {
    let v = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1 + c));
    let lambda = 0;
    for (let it = 0; it < 20_000; it++) {
      const w = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += a[i * n + j]! * v[j]!;
        w[i] = acc;
      }
      for (let k = 0; k < c; k++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += vectors[k]![i]! * w[i]!;
        for (let i = 0; i < n; i++) w[i] -= d * vectors[k]![i]!;
      }
      const norm = Math.hypot(...w);
      let change = 0;
      for (let i = 0; i < n; i++) {
        w[i] /= norm;
        change = Math.max(change, Math.abs(w[i]! - v[i]!));
      }
      v = w;
      lambda = norm;
      if (change < 1e-14) break;
    }
    values.push(lambda);
    vectors.push(v);
  }
  return { values, vectors };
}

/** All eigenpairs of a symmetric matrix by cyclic Jacobi rotations, largest first. */
function jacobiEigen(m: Float64Array, n: number): { values: number[]; vectors: Float64Array[] } {
  const a = Float64Array.from(m);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y]! - a[x * n + x]!);
  return { values: order.map((i) => a[i * n + i]!), vectors: order.map((i) => Float64Array.from({ length: n }, (_, k) => v[k * n + i]!)) };
}

/** Largest difference between a PC and an eigenvector scaled by sqrt(eigenvalue), up to sign. */
function pcDifference(pc: Float64Array, vector: Float64Array, value: number): number {
  let dot = 0;
  for (let i = 0; i < pc.length; i++) dot += pc[i]! * vector[i]!;
  const sign = dot < 0 ? -1 : 1;
  let max = 0;
  for (let i = 0; i < pc.length; i++) max = Math.max(max, Math.abs(pc[i]! - sign * Math.sqrt(value) * vector[i]!));
  return max;
}

describe('mouse HS1940', () => {
  let projectPath = '';
  let datasetId = 0;

  test('the overview computes on the worker: app.ping answers within 100 ms meanwhile, and two calls at once compute once', async () => {
    const info = await h.api.call('project.openExample', {});
    projectPath = info.path;
    datasetId = info.datasets[0]!.id;
    let inFlight = true;
    const first = h.api.call('relatedness.overview', { datasetId, kinship: 'centered' });
    const second = h.api.call('relatedness.overview', { datasetId, kinship: 'centered', count: 3 });
    void Promise.all([first, second]).finally(() => (inFlight = false));
    let pings = 0;
    let slowest = 0;
    while (inFlight) {
      const t = performance.now();
      await h.api.call('app.ping', {});
      slowest = Math.max(slowest, performance.now() - t);
      pings++;
      await new Promise((r) => setTimeout(r, 20));
    }
    const [a, b] = await Promise.all([first, second]);
    expect(pings).toBeGreaterThan(10);
    expect(slowest).toBeLessThan(100);
    expect(a.n).toBe(1940);
    expect(a.snps).toBe(10768); // GEMMA -gk 1: number of analyzed SNPs/var = 10768
    expect(a.sampleIds.length).toBe(1940);
    expect(a.pcs.length).toBe(10);
    expect(b.pcs.length).toBe(3);
    // One computation: both answers hold the same arrays.
    expect(b.pcs[0]).toBe(a.pcs[0]);
    const p = Project.open(projectPath, { readonly: true, check: 'none' });
    try {
      const kinds = p.db.prepare('SELECT kind, count(*) AS k FROM cache_entries WHERE dataset_id = ? GROUP BY kind ORDER BY kind').all(datasetId);
      expect(kinds).toEqual([
        { kind: 'eigen', k: 1 },
        { kind: 'kinship', k: 1 },
      ]);
    } finally {
      p.close();
    }
  }, 120_000);

  test('the kinship equals GEMMA -gk 1 (cXX) to 1e-8', () => {
    const ref = JSON.parse(gunzipSync(readFileSync(join(ROOT, 'test', 'fixtures', 'mouse_gk_rows.json.gz'))).toString()) as {
      rows: number[];
      cXX: { rows: number[][]; diag: number[] };
    };
    const k = cachedKinship(projectPath, datasetId);
    const n = 1940;
    let max = 0;
    for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(k[i * n + i]! - ref.cXX.diag[i]!));
    ref.rows.forEach((i, r) => {
      for (let j = 0; j < n; j++) max = Math.max(max, Math.abs(k[i * n + j]! - ref.cXX.rows[r]![j]!));
    });
    expect(ref.rows.length).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(1e-8);
  });

  test('the top PCs equal a power iteration on the re-centred kinship, up to sign, to 1e-8; variance explained is the eigenvalue share', async () => {
    const o = await h.api.call('relatedness.overview', { datasetId, kinship: 'centered', count: 3 });
    const n = o.n;
    const kc = recentre(cachedKinship(projectPath, datasetId), n);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += kc[i * n + i]!;
    const ref = powerEigen(kc, n, 3);
    for (let c = 0; c < 3; c++) {
      expect(pcDifference(o.pcs[c]!, ref.vectors[c]!, ref.values[c]!), `PC ${c + 1}`).toBeLessThan(1e-8);
      expect(Math.abs(o.varianceExplained[c]! - ref.values[c]! / trace)).toBeLessThan(1e-10);
    }
  }, 120_000);

  test('scenes: the heatmap of all 1,940 and the PCA coloured by a sheet column; a later scan of trait1 reuses the kinship', async () => {
    const heat = await h.api.call('relatedness.scene', { datasetId, kinship: 'centered', figure: 'kinship' });
    expect(heat.scene.widthMm).toBe(120);
    const info = await h.api.call('project.info', {});
    const sheetId = info.sheets[0]!.id;
    const pca = await h.api.call('relatedness.scene', { datasetId, kinship: 'centered', figure: 'pca', pcs: [1, 3], colourBy: { sheetId, column: 'trait1' }, widthMm: 89 });
    expect(pca.scene.widthMm).toBe(89);
    expect(JSON.stringify(pca.scene.items, (_k, v: unknown) => (ArrayBuffer.isView(v) ? undefined : v))).toContain('trait1');
    const bad = await h.api.call('relatedness.scene', { datasetId, kinship: 'centered', figure: 'pca', colourBy: { sheetId, column: 'sex' } }).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string; hint: string },
    );
    expect(bad).toMatchObject({ code: 'input', message: expect.stringContaining("has no column 'sex'"), hint: expect.stringContaining('trait1') });

    const since = h.events.length;
    const { runId } = await h.api.call('runs.start', { settings: { bfile: '', pheno: '', trait: 'trait1', model: 'additive' } });
    await h.waitFor(isProgress(runId, 'null-fit'), since, 120_000);
    await h.api.call('runs.cancel', { runId });
    await h.waitFor(isStatus(runId, 'done', 'cancelled', 'failed'), since);
    const log = (await h.api.call('runs.get', { runId })).log.map((l) => l.message);
    // The kinship came from the overview's cache entry; only trait1's 1,410 individuals needed their own eigendecomposition.
    expect(log).toContain('eigendecomposition computed on a worker thread and stored in the project cache');
    expect(log.some((m) => m.startsWith('kinship and eigendecomposition computed'))).toBe(false);
  }, 180_000);
});

describe('small simulated set', () => {
  test('every PC equals a Jacobi eigendecomposition of a kinship computed here from the genotypes, up to sign, to 1e-8', async () => {
    await h.api.call('project.close', {});
    const set = simulatedSet(dir, 'sim', 120, 600, 11);
    await h.api.call('project.create', { path: join(dir, 'sim.kinscan') });
    const { dataset } = await h.api.call('data.addGenotypes', { path: set.prefix });
    const o = await h.api.call('relatedness.overview', { datasetId: dataset.id, kinship: 'centered', count: 20 });

    // The kinship of GEMMA -gk 1, plainly: SNPs passing MAF 0.01 and missing 0.05 among the individuals with a .fam phenotype.
    const plink = openPlink(set.prefix);
    const n = plink.fam.iid.length;
    const phenotyped = Int32Array.from(Array.from({ length: n }, (_, i) => i).filter((i) => !Number.isNaN(plink.fam.pheno[i]!)));
    const { stats } = snpQc(plink.bed, phenotyped.length > 0 ? phenotyped : Int32Array.from({ length: n }, (_, i) => i), { maf: 0.01, maxMissing: 0.05 });
    const k = new Float64Array(n * n);
    const packed = new Uint8Array(plink.bed.bytesPerSnp);
    const g = new Int8Array(n);
    let used = 0;
    for (let j = 0; j < plink.bed.nSnps; j++) {
      if (stats.status[j] !== SnpStatus.Pass) continue;
      plink.bed.readPacked(j, 1, packed);
      decodeSnp(packed, 0, n, g);
      let sum = 0;
      let called = 0;
      for (let i = 0; i < n; i++) {
        if (g[i]! < 0) continue;
        sum += g[i]!;
        called++;
      }
      const x = Array.from(g, (c) => (c >= 0 ? c - sum / called : 0));
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) k[a * n + b] += x[a]! * x[b]!;
      used++;
    }
    plink.bed.close();
    for (let i = 0; i < n * n; i++) k[i] /= used;
    expect(o.snps).toBe(used);

    const ref = jacobiEigen(recentre(k, n), n);
    const trace = ref.values.reduce((s, v) => s + v, 0);
    expect(o.pcs.length).toBe(20);
    for (let c = 0; c < 20; c++) {
      expect(pcDifference(o.pcs[c]!, ref.vectors[c]!, ref.values[c]!), `PC ${c + 1}`).toBeLessThan(1e-8);
      expect(Math.abs(o.varianceExplained[c]! - ref.values[c]! / trace)).toBeLessThan(1e-10);
    }
  }, 120_000);
});
