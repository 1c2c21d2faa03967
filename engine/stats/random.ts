/**
 * A seeded generator (mulberry32 + Box-Muller) for reproducible simulated data sets: the bench's
 * simulated studies, the tests, and the engine's parametric bootstraps (heritability/) all draw
 * from this one generator, so a seed means the same numbers everywhere.
 */
export class Rng {
  private state: number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
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
