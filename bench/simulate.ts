import { writeFileSync } from 'node:fs';
import { createPlink } from '../engine/io/plink-write.js';
import { Rng } from '../engine/stats/random.js';

/** The seeded generator (mulberry32 + Box-Muller) lives in the engine, so that there is one. */
export { Rng };

export interface SimSpec {
  n: number;
  m: number;
  seed: number;
  /** Number of subpopulations (structure) and their divergence (Balding-Nichols Fst). */
  pops?: number;
  fst?: number;
  /** Siblings per family: individuals of one family share parents (relatedness). */
  familySize?: number;
  /** Fraction of missing calls. */
  missing?: number;
  chromosomes?: number;
}

export interface SimulatedGenotypes {
  n: number;
  m: number;
  /** Allele-1 counts, SNP-major: g[j * n + i] (-1 missing). */
  g: Int8Array;
  pop: Int32Array;
  ids: string[];
  chr: string[];
  pos: number[];
}

/**
 * Genotypes with population structure (Balding-Nichols allele frequencies per subpopulation) and
 * family relatedness (full siblings drawn from two parents of the same subpopulation).
 */
export function simulateGenotypes(spec: SimSpec): SimulatedGenotypes {
  const { n, m, seed } = spec;
  const rng = new Rng(seed);
  const pops = spec.pops ?? 2;
  const fst = spec.fst ?? 0.05;
  const fam = spec.familySize ?? 4;
  const nChr = spec.chromosomes ?? 5;
  const pop = new Int32Array(n);
  const nFam = Math.ceil(n / fam);
  for (let i = 0; i < n; i++) pop[i] = Math.floor(i / fam) % pops;
  const g = new Int8Array(n * m);
  const beta = (a: number, b: number): number => {
    // Beta via two gammas (Marsaglia-Tsang), a, b > 0.
    const gamma = (k: number): number => {
      if (k < 1) return gamma(k + 1) * Math.pow(rng.next(), 1 / k);
      const d = k - 1 / 3;
      const c = 1 / Math.sqrt(9 * d);
      for (;;) {
        const x = rng.normal();
        const v = Math.pow(1 + c * x, 3);
        if (v <= 0) continue;
        const u = rng.next();
        if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
      }
    };
    const x = gamma(a);
    return x / (x + gamma(b));
  };
  const parentHap = new Uint8Array(nFam * 4);
  for (let j = 0; j < m; j++) {
    const p0 = 0.05 + 0.9 * rng.next();
    const pp = new Float64Array(pops);
    for (let k = 0; k < pops; k++) pp[k] = beta((p0 * (1 - fst)) / fst, ((1 - p0) * (1 - fst)) / fst);
    for (let f = 0; f < nFam; f++) {
      const p = pp[(f * fam < n ? pop[f * fam]! : 0)]!;
      for (let h = 0; h < 4; h++) parentHap[f * 4 + h] = rng.next() < p ? 1 : 0;
    }
    for (let i = 0; i < n; i++) {
      const f = Math.floor(i / fam);
      const a = parentHap[f * 4 + (rng.next() < 0.5 ? 0 : 1)]!;
      const b = parentHap[f * 4 + (rng.next() < 0.5 ? 2 : 3)]!;
      g[j * n + i] = spec.missing && rng.next() < spec.missing ? -1 : a + b;
    }
  }
  const ids = Array.from({ length: n }, (_, i) => `ind${i + 1}`);
  const chr = Array.from({ length: m }, (_, j) => String(1 + Math.floor((j * nChr) / m)));
  const pos = Array.from({ length: m }, (_, j) => 1000 + 1000 * (j % Math.ceil(m / nChr)));
  return { n, m, g, pop, ids, chr, pos };
}

export interface Trait {
  name: string;
  /** Additive effects: SNP index -> effect per copy of allele 1. */
  additive?: [number, number][];
  /** Dominance effects: SNP index -> effect on Xd (heterozygote +d, homozygotes -d). */
  dominance?: [number, number][];
  /** Polygenic background: that many random SNPs with small effects, scaled to this variance. */
  polygenic?: { snps: number; variance: number };
  /** Mean shift between subpopulations (confounding by structure). */
  popEffect?: number;
  noise: number;
}

/** Phenotypes from genotypes; missing genotypes count as the mean. Returns one column per trait. */
export function simulateTraits(sim: SimulatedGenotypes, traits: Trait[], seed: number): Float64Array[] {
  const rng = new Rng(seed);
  const { n, m, g } = sim;
  return traits.map((t) => {
    const y = new Float64Array(n);
    const add = (j: number, eff: number, dom: boolean): void => {
      for (let i = 0; i < n; i++) {
        const c = g[j * n + i]!;
        if (c < 0) continue;
        y[i] = y[i]! + eff * (dom ? (c === 1 ? 1 : -1) : c - 1);
      }
    };
    if (t.polygenic) {
      const bg = new Float64Array(n);
      for (let k = 0; k < t.polygenic.snps; k++) {
        const j = Math.floor(rng.next() * m);
        const e = rng.normal();
        for (let i = 0; i < n; i++) {
          const c = g[j * n + i]!;
          if (c >= 0) bg[i] = bg[i]! + e * c;
        }
      }
      let mean = 0;
      for (let i = 0; i < n; i++) mean += bg[i]!;
      mean /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (bg[i]! - mean) ** 2;
      const sc = Math.sqrt(t.polygenic.variance / (v / n));
      for (let i = 0; i < n; i++) y[i] = y[i]! + (bg[i]! - mean) * sc;
    }
    for (const [j, e] of t.additive ?? []) add(j, e, false);
    for (const [j, e] of t.dominance ?? []) add(j, e, true);
    for (let i = 0; i < n; i++) y[i] = y[i]! + (t.popEffect ?? 0) * sim.pop[i]! + t.noise * rng.normal();
    return y;
  });
}

/** Write the simulated set as PLINK files PREFIX.bed/.bim/.fam and traits as PREFIX.pheno.csv. */
export function writeSimulation(prefix: string, sim: SimulatedGenotypes, traits?: { names: string[]; values: Float64Array[] }): void {
  const w = createPlink(
    prefix,
    sim.ids.map((iid) => ({ fid: iid, iid })),
    sim.chr.map((chr, j) => ({ chr, rs: `snp${j + 1}`, pos: sim.pos[j]!, allele1: 'A', allele0: 'G' })),
  );
  for (let j = 0; j < sim.m; j++) w.writeSnp(sim.g.subarray(j * sim.n, (j + 1) * sim.n));
  w.close();
  if (traits) {
    const lines = ['IID,' + traits.names.join(',')];
    for (let i = 0; i < sim.n; i++) lines.push([sim.ids[i], ...traits.values.map((v) => v[i]!.toPrecision(10))].join(','));
    writeFileSync(`${prefix}.pheno.csv`, lines.join('\n') + '\n');
  }
}
