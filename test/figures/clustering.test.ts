import { describe, expect, test } from 'vitest';
import { averageLinkage, clusterKinship, kinshipDistances, leafOrder, type Dendrogram } from '../../engine/figures/clustering.js';
import { Rng } from '../helpers/random.js';

/** The leaves under each merge, as sorted lists joined into strings. */
function clusterSets(tree: Dendrogram): string[] {
  const { n } = tree;
  const leaves: number[][] = [];
  const of = (node: number): number[] => (node < n ? [node] : leaves[node - n]!);
  for (let m = 0; m < n - 1; m++) leaves.push([...of(tree.children[2 * m]!), ...of(tree.children[2 * m + 1]!)].sort((a, b) => a - b));
  return leaves.map((l) => l.join(','));
}

/** Textbook UPGMA: at every step merge the closest pair of clusters by the mean of member distances, O(n^3). */
function naiveUpgma(d: Float64Array, n: number): { merges: number[][]; heights: number[] } {
  let clusters: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const merges: number[][] = [];
  const heights: number[] = [];
  const mean = (a: number[], b: number[]): number => {
    let s = 0;
    for (const i of a) for (const j of b) s += d[i * n + j]!;
    return s / (a.length * b.length);
  };
  while (clusters.length > 1) {
    let best = Infinity;
    let bi = 0;
    let bj = 1;
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const v = mean(clusters[i]!, clusters[j]!);
        if (v < best) {
          best = v;
          bi = i;
          bj = j;
        }
      }
    }
    const merged = [...clusters[bi]!, ...clusters[bj]!].sort((a, b) => a - b);
    merges.push(merged);
    heights.push(best);
    clusters = clusters.filter((_, k) => k !== bi && k !== bj);
    clusters.push(merged);
  }
  return { merges, heights };
}

function randomPoints(rng: Rng, n: number, dims: number): Float64Array {
  const p = new Float64Array(n * dims);
  for (let i = 0; i < p.length; i++) p[i] = rng.normal();
  return p;
}

function squaredDistances(p: Float64Array, n: number, dims: number): Float64Array {
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dims; k++) s += (p[i * dims + k]! - p[j * dims + k]!) ** 2;
      d[i * n + j] = s;
    }
  }
  return d;
}

describe('UPGMA by the nearest-neighbour chain', () => {
  test('the 5-taxon example by hand: merges at 17, 22, 28 and 33', () => {
    // Wikipedia's UPGMA example (a..e). By hand: (a,b) at 17; d(ab,e) = (23+21)/2 = 22;
    // d(abe,c) = (21+30+39)/3 = 30, d(abe,d) = (31+34+43)/3 = 36, d(c,d) = 28 -> (c,d) at 28;
    // d(abe,cd) = (21+30+39+31+34+43)/6 = 33.
    const m = [
      [0, 17, 21, 31, 23],
      [17, 0, 30, 34, 21],
      [21, 30, 0, 28, 39],
      [31, 34, 28, 0, 43],
      [23, 21, 39, 43, 0],
    ];
    const tree = averageLinkage(Float64Array.from(m.flat()), 5);
    expect(Array.from(tree.heights)).toEqual([17, 22, 28, 33]);
    // Nodes: 5 = (a,b), 6 = (ab,e), 7 = (c,d), 8 = root; lower leaf first.
    expect(Array.from(tree.children)).toEqual([0, 1, 5, 4, 2, 3, 6, 7]);
    expect(Array.from(tree.sizes)).toEqual([2, 3, 2, 5]);
    expect(Array.from(tree.order)).toEqual([0, 1, 4, 2, 3]);
  });

  test('equals a naive O(n^3) UPGMA on random 40 x 40 cases', () => {
    const rng = new Rng(20240611);
    for (let rep = 0; rep < 8; rep++) {
      const n = 40;
      const dims = 1 + (rep % 4);
      const d = squaredDistances(randomPoints(rng, n, dims), n, dims);
      const naive = naiveUpgma(d, n);
      const tree = averageLinkage(Float64Array.from(d), n);
      // Same merge heights, in the same (increasing) order.
      expect(tree.heights.length).toBe(n - 1);
      for (let k = 0; k < n - 1; k++) expect(tree.heights[k]).toBeCloseTo(naive.heights[k]!, 10);
      // Same clusters.
      expect(new Set(clusterSets(tree))).toEqual(new Set(naive.merges.map((l) => l.join(','))));
      // The order is a permutation in which every naive cluster is a contiguous run.
      expect([...tree.order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      const rank = new Int32Array(n);
      tree.order.forEach((leaf, r) => (rank[leaf] = r));
      for (const cluster of naive.merges) {
        const ranks = cluster.map((leaf) => rank[leaf]!);
        expect(Math.max(...ranks) - Math.min(...ranks) + 1).toBe(cluster.length);
      }
      // And it is the lower-leaf-first walk of that tree.
      expect(Array.from(leafOrder(n, tree.children))).toEqual(Array.from(tree.order));
    }
  });

  test('ties and tiny inputs terminate', () => {
    const n = 7;
    const d = new Float64Array(n * n).fill(1);
    for (let i = 0; i < n; i++) d[i * n + i] = 0;
    const tree = averageLinkage(d, n);
    expect(Array.from(tree.heights)).toEqual(new Array(n - 1).fill(1));
    expect(tree.sizes[n - 2]).toBe(n);
    expect(Array.from(averageLinkage(new Float64Array(1), 1).order)).toEqual([0]);
    const two = averageLinkage(Float64Array.of(0, 3, 3, 0), 2);
    expect(Array.from(two.heights)).toEqual([3]);
    expect(Array.from(two.order)).toEqual([0, 1]);
  });

  test('kinship distances are K_ii + K_jj - 2 K_ij', () => {
    const k = Float64Array.of(1.0, 0.25, -0.1, 0.25, 0.9, 0.05, -0.1, 0.05, 1.1);
    const d = kinshipDistances(k, 3);
    expect(d[0 * 3 + 1]).toBeCloseTo(1.0 + 0.9 - 0.5, 12);
    expect(d[2 * 3 + 0]).toBeCloseTo(1.1 + 1.0 + 0.2, 12);
    expect(d[4]).toBe(0);
  });

  test('a block-diagonal kinship of 3 families gives contiguous family blocks', () => {
    const rng = new Rng(7);
    const sizes = [8, 12, 10];
    const n = sizes.reduce((a, b) => a + b, 0);
    // Families interleaved in the input order.
    const family = Array.from({ length: n }, (_, i) => i % 3);
    for (let f = 0; f < 3; f++) expect(family.filter((x) => x === f).length).toBeGreaterThan(0);
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const v = i === j ? 1 + 0.05 * rng.normal() : family[i] === family[j] ? 0.5 + 0.03 * rng.normal() : 0.02 * rng.normal();
        k[i * n + j] = v;
        k[j * n + i] = v;
      }
    }
    const tree = clusterKinship(k, n);
    const seq = Array.from(tree.order, (leaf) => family[leaf]!);
    // Three runs, one per family.
    const runs = seq.filter((f, r) => r === 0 || f !== seq[r - 1]);
    expect(runs.length).toBe(3);
    expect(new Set(runs).size).toBe(3);
  });

  test('n = 2,000 clusters (time reported)', () => {
    const rng = new Rng(99);
    const n = 2000;
    const dims = 5;
    const d = squaredDistances(randomPoints(rng, n, dims), n, dims);
    const t0 = performance.now();
    const tree = averageLinkage(d, n);
    const ms = performance.now() - t0;
    console.log(`UPGMA of 2,000 points: ${ms.toFixed(0)} ms`);
    expect(tree.sizes[n - 2]).toBe(n);
    for (let m = 1; m < n - 1; m++) expect(tree.heights[m]!).toBeGreaterThanOrEqual(tree.heights[m - 1]!);
  });
});
