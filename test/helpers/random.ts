/** A seeded generator for reproducible simulations in tests (mulberry32 + Box-Muller). */
export class Rng {
  private state: number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform on [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** Binomial(2, p): a genotype count. */
  genotype(p: number): number {
    return (this.next() < p ? 1 : 0) + (this.next() < p ? 1 : 0);
  }
}

/** A random n x n orthogonal matrix (row-major), by Gram-Schmidt on Gaussian rows. */
export function randomOrthogonal(n: number, rng: Rng): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) q[i * n + k] = rng.normal();
    for (let pass = 0; pass < 2; pass++)
      for (let j = 0; j < i; j++) {
        let d = 0;
        for (let k = 0; k < n; k++) d += q[i * n + k]! * q[j * n + k]!;
        for (let k = 0; k < n; k++) q[i * n + k] = q[i * n + k]! - d * q[j * n + k]!;
      }
    let norm = 0;
    for (let k = 0; k < n; k++) norm += q[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    for (let k = 0; k < n; k++) q[i * n + k] = q[i * n + k]! / norm;
  }
  return q;
}
