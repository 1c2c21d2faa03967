/**
 * Average-linkage (UPGMA) hierarchical clustering by the nearest-neighbour-chain algorithm:
 * O(n^2) time and memory, all in typed arrays. The distance between two clusters is the mean of
 * the distances between their members; a merge's height is that distance when the two clusters
 * merge (R's hclust(method = "average") heights). For a kinship matrix the distance between
 * individuals i and j is d_ij = K_ii + K_jj - 2 K_ij (a squared distance in the genotype space).
 *
 * The result is a dendrogram in hclust's layout: nodes 0..n-1 are the leaves, node n + m is the
 * m-th merge, merges in order of increasing height; and the leaves in dendrogram order, the lower
 * leaf index's subtree first at every merge.
 */

export interface Dendrogram {
  n: number;
  /** For merge m: its two children (node ids), at [2m] and [2m + 1], the one with the lower leaf first. */
  children: Int32Array;
  /** Height of each merge, non-decreasing. */
  heights: Float64Array;
  /** Leaves under each merge. */
  sizes: Int32Array;
  /** Leaves in dendrogram order: every cluster is a contiguous run. */
  order: Int32Array;
}

/** d_ij = K_ii + K_jj - 2 K_ij for an n x n row-major kinship. */
export function kinshipDistances(kinship: Float64Array, n: number): Float64Array {
  const distances = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const kii = kinship[i * n + i]!;
    for (let j = 0; j < n; j++) distances[i * n + j] = i === j ? 0 : kii + kinship[j * n + j]! - 2 * kinship[i * n + j]!;
  }
  return distances;
}

/**
 * UPGMA of an n x n row-major symmetric distance matrix, which is OVERWRITTEN (it becomes the
 * working matrix of cluster distances). Non-finite distances count as +Infinity.
 */
export function averageLinkage(distances: Float64Array, n: number): Dendrogram {
  if (n <= 1) return { n, children: new Int32Array(0), heights: new Float64Array(0), sizes: new Int32Array(0), order: Int32Array.from({ length: n }, (_, i) => i) };
  for (let i = 0; i < distances.length; i++) if (Number.isNaN(distances[i]!)) distances[i] = Infinity;
  // Slot s holds a cluster that contains leaf s (a merged cluster keeps the slot of one member).
  const active = new Uint8Array(n).fill(1);
  const clusterSize = new Int32Array(n).fill(1);
  const clusterHeight = new Float64Array(n);
  // Merges as found (not in height order): the two slots and the height.
  const foundSlotA = new Int32Array(n - 1);
  const foundSlotB = new Int32Array(n - 1);
  const foundHeight = new Float64Array(n - 1);
  const chain = new Int32Array(n);
  let chainLength = 0;
  let merges = 0;
  let nextStart = 0;
  while (merges < n - 1) {
    if (chainLength === 0) {
      while (!active[nextStart]) nextStart++;
      chain[chainLength++] = nextStart;
    }
    const top = chain[chainLength - 1]!;
    const previous = chainLength > 1 ? chain[chainLength - 2]! : -1;
    // Nearest active neighbour of `top`; ties go to the previous chain element, then the lowest slot.
    let nearest = previous;
    let nearestDistance = previous >= 0 ? distances[top * n + previous]! : Infinity;
    const row = top * n;
    for (let k = 0; k < n; k++) {
      if (k === top || !active[k]) continue;
      const d = distances[row + k]!;
      if (d < nearestDistance || (nearest < 0 && d === nearestDistance)) {
        nearest = k;
        nearestDistance = d;
      }
    }
    if (nearest !== previous) {
      chain[chainLength++] = nearest;
      continue;
    }
    // top and previous are reciprocal nearest neighbours: merge them into the lower slot.
    chainLength -= 2;
    const keep = Math.min(top, previous);
    const drop = Math.max(top, previous);
    const sizeKeep = clusterSize[keep]!;
    const sizeDrop = clusterSize[drop]!;
    const merged = sizeKeep + sizeDrop;
    // Rounding must not put a merge below one of its children.
    const height = Math.max(nearestDistance, clusterHeight[keep]!, clusterHeight[drop]!);
    foundSlotA[merges] = keep;
    foundSlotB[merges] = drop;
    foundHeight[merges] = height;
    merges++;
    active[drop] = 0;
    clusterSize[keep] = merged;
    clusterHeight[keep] = height;
    const rowKeep = keep * n;
    const rowDrop = drop * n;
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === keep) continue;
      const d = (sizeKeep * distances[rowKeep + k]! + sizeDrop * distances[rowDrop + k]!) / merged;
      distances[rowKeep + k] = d;
      distances[k * n + keep] = d;
    }
  }
  return dendrogramFromMerges(n, foundSlotA, foundSlotB, foundHeight);
}

/** Cluster the individuals of an n x n kinship by UPGMA on d_ij = K_ii + K_jj - 2 K_ij. */
export function clusterKinship(kinship: Float64Array, n: number): Dendrogram {
  return averageLinkage(kinshipDistances(kinship, n), n);
}

/**
 * The dendrogram of n - 1 merges given in any order consistent with the tree (every cluster
 * merged before it merges again), each named by one leaf of either side: sorts them by height
 * (stably) and numbers the nodes hclust's way.
 */
export function dendrogramFromMerges(n: number, leafA: Int32Array, leafB: Int32Array, height: Float64Array): Dendrogram {
  const m = n - 1;
  const byHeight = Int32Array.from({ length: m }, (_, i) => i).sort((a, b) => height[a]! - height[b]! || a - b);
  // Union-find over leaves; each root remembers its cluster's node id and lowest leaf.
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const nodeOfRoot = Int32Array.from({ length: n }, (_, i) => i);
  const lowestLeaf = Int32Array.from({ length: n }, (_, i) => i);
  const find = (leaf: number): number => {
    let root = leaf;
    while (parent[root] !== root) root = parent[root]!;
    while (parent[leaf] !== root) {
      const next = parent[leaf]!;
      parent[leaf] = root;
      leaf = next;
    }
    return root;
  };
  const children = new Int32Array(2 * m);
  const heights = new Float64Array(m);
  const sizes = new Int32Array(m);
  const nodeSize = (node: number): number => (node < n ? 1 : sizes[node - n]!);
  for (let k = 0; k < m; k++) {
    const found = byHeight[k]!;
    const rootA = find(leafA[found]!);
    const rootB = find(leafB[found]!);
    const [first, second] = lowestLeaf[rootA]! <= lowestLeaf[rootB]! ? [rootA, rootB] : [rootB, rootA];
    children[2 * k] = nodeOfRoot[first]!;
    children[2 * k + 1] = nodeOfRoot[second]!;
    heights[k] = height[found]!;
    sizes[k] = nodeSize(nodeOfRoot[first]!) + nodeSize(nodeOfRoot[second]!);
    parent[second] = first;
    nodeOfRoot[first] = n + k;
    lowestLeaf[first] = Math.min(lowestLeaf[first]!, lowestLeaf[second]!);
  }
  return { n, children, heights, sizes, order: leafOrder(n, children) };
}

/** Leaves left to right: a depth-first walk from the root (the last merge), first child first. */
export function leafOrder(n: number, children: Int32Array): Int32Array {
  const order = new Int32Array(n);
  if (n === 1) return order;
  const stack = new Int32Array(n);
  let depth = 0;
  let count = 0;
  stack[depth++] = 2 * n - 2;
  while (depth > 0) {
    const node = stack[--depth]!;
    if (node < n) {
      order[count++] = node;
      continue;
    }
    const merge = node - n;
    stack[depth++] = children[2 * merge + 1]!;
    stack[depth++] = children[2 * merge]!;
  }
  return order;
}

/**
 * Where each node sits when the leaves are spread at 0, 1, ..., n-1 in `order`: x of leaves by
 * their rank, x of a merge midway between its children; y is the merge height (0 for leaves).
 */
export function nodePositions(tree: Dendrogram): { x: Float64Array; y: Float64Array } {
  const { n } = tree;
  const x = new Float64Array(2 * n - 1);
  const y = new Float64Array(2 * n - 1);
  for (let rank = 0; rank < n; rank++) x[tree.order[rank]!] = rank;
  for (let m = 0; m < n - 1; m++) {
    x[n + m] = (x[tree.children[2 * m]!]! + x[tree.children[2 * m + 1]!]!) / 2;
    y[n + m] = tree.heights[m]!;
  }
  return { x, y };
}
