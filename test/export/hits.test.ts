/**
 * Top hits on a seeded simulated data set with known causal SNPs and LD around them: one peak per
 * causal locus with the causal SNP as its lead, two loci 300 kb apart kept apart by r^2 and merged by
 * distance alone, a SNP without a position alone; and the clumping against a brute-force greedy
 * reference built from the exported TSV and r^2 computed directly from the PLINK files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../bench/simulate.js';
import { clumpHits, formatPeak, PEAK_COLUMNS, peaksTsv, type Peak } from '../../engine/export/hits.js';
import { createPlink } from '../../engine/io/plink-write.js';
import { decodeSnp, openPlink } from '../../engine/io/plink.js';
import { readSheet } from '../../engine/io/sheet.js';
import { selectSamples } from '../../engine/qc/samples.js';
import { DEFAULT_SETTINGS } from '../../engine/scan/settings.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';
import { recordAndScan } from '../store/helpers.js';

const dir = tempDir('kinscan-hits-');
const prefix = join(dir, 'sim');
const pheno = join(dir, 'sim.csv');
const N = 400;
const PER_CHR = 400;
const SPACING = 5000;
/** Causal SNPs (index in the .bim): two on chromosome 1, 300 kb apart, one on chromosome 2. */
const CAUSAL = [100, 160, PER_CHR + 250];
/** Independent SNPs on chromosomes 3-7 (no effect): the kinship's background. */
const BACKGROUND = 2000;
const UNPLACED = 2 * PER_CHR + BACKGROUND; // a copy of the first causal SNP with position 0
let project: Project;
let runId: number;

/**
 * Genotypes along each chromosome as a Markov chain (a SNP copies its neighbour's genotype with
 * probability 0.92, else is drawn afresh): LD that decays with distance. The chain restarts at SNP
 * 130, so the two loci of chromosome 1 are independent. Then independent background SNPs.
 */
function simulate(): { g: number[][]; y: number[] } {
  const rng = new Rng(2024);
  const g: number[][] = [];
  for (let c = 0; c < 2; c++) {
    let prev: number[] = [];
    for (let j = 0; j < PER_CHR; j++) {
      const p = 0.25 + 0.5 * rng.next();
      const fresh = j === 0 || (c === 0 && j === 130);
      prev = Array.from({ length: N }, (_, i) => (fresh || rng.next() >= 0.92 ? rng.genotype(p) : prev[i]!));
      g.push(prev);
    }
  }
  for (let j = 0; j < BACKGROUND; j++) {
    const p = 0.1 + 0.8 * rng.next();
    g.push(Array.from({ length: N }, () => rng.genotype(p)));
  }
  g.push([...g[CAUSAL[0]!]!]);
  const y = Array.from({ length: N }, (_, i) => CAUSAL.reduce((s, j) => s + 0.8 * (g[j]![i]! - 1), 0) + rng.normal());
  return { g, y };
}

beforeAll(async () => {
  const { g, y } = simulate();
  const w = createPlink(
    prefix,
    Array.from({ length: N }, (_, i) => ({ fid: `f${i}`, iid: `i${i}` })),
    g.map((_, j) => ({
      chr: j < PER_CHR || j === UNPLACED ? '1' : j < 2 * PER_CHR ? '2' : String(3 + Math.floor((j - 2 * PER_CHR) / 400)),
      rs: j === UNPLACED ? 'unplaced' : `snp${j}`,
      pos: j === UNPLACED ? 0 : j < 2 * PER_CHR ? 10_000 + SPACING * (j % PER_CHR) : 1_000_000 * (1 + ((j - 2 * PER_CHR) % 400)),
      allele1: 'A',
      allele0: 'G',
    })),
  );
  for (const s of g) w.writeSnp(s);
  w.close();
  writeFileSync(pheno, 'IID,t\n' + y.map((v, i) => `i${i},${v.toFixed(6)}`).join('\n') + '\n');
  project = Project.open(join(dir, 'sim.kinscan'), { create: true });
  runId = (await recordAndScan(project, { ...DEFAULT_SETTINGS, bfile: prefix, pheno, trait: 't', model: 'additive' })).run.id;
  return () => project.close();
}, 60_000);

/** Every SNP of the run with p <= threshold, from the exported TSV (file order). */
function passing(threshold: number): { rs: string; chr: string; pos: number; lnP: number; snp: number }[] {
  const out = join(dir, 'all.tsv');
  project.exportRun(runId, out);
  const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const col = (name: string): number => lines[0]!.indexOf(name);
  const index = new Map(openPlinkBim().map((rs, j) => [rs, j]));
  return lines
    .slice(1)
    .map((f) => ({ rs: f[col('rs')]!, chr: f[col('chr')]!, pos: Number(f[col('ps')]), lnP: -Number(f[col('neglog10_p')]) * Math.LN10, snp: index.get(f[col('rs')]!)! }))
    .filter((h) => h.lnP <= Math.log(threshold));
}

function openPlinkBim(): string[] {
  const p = openPlink(prefix);
  p.bed.close();
  return p.bim.rs;
}

/** Greedy clumping the slow, obvious way, with r^2 from the files. */
function referenceClump(threshold: number, windowBp: number, r2: number | null): { lead: string; members: string[] }[] {
  const plink = openPlink(prefix);
  try {
    const samples = selectSamples(plink.fam, readSheet(pheno), 't').famIndex;
    const counts = (j: number): Int8Array => {
      const packed = new Uint8Array(plink.bed.bytesPerSnp);
      plink.bed.readPacked(j, 1, packed);
      const out = new Int8Array(N);
      decodeSnp(packed, 0, N, out);
      return out;
    };
    const r2Of = (a: number, b: number): number => {
      const x = counts(a);
      const z = counts(b);
      const xs: number[] = [];
      const zs: number[] = [];
      for (const i of samples) {
        if (x[i]! < 0 || z[i]! < 0) continue;
        xs.push(x[i]!);
        zs.push(z[i]!);
      }
      const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
      const mz = zs.reduce((s, v) => s + v, 0) / zs.length;
      let sxz = 0;
      let sxx = 0;
      let szz = 0;
      xs.forEach((v, k) => {
        sxz += (v - mx) * (zs[k]! - mz);
        sxx += (v - mx) ** 2;
        szz += (zs[k]! - mz) ** 2;
      });
      return (sxz * sxz) / (sxx * szz);
    };
    const hits = passing(threshold).sort((a, b) => a.lnP - b.lnP || a.snp - b.snp);
    const used = new Set<string>();
    const peaks: { lead: string; members: string[] }[] = [];
    for (const lead of hits) {
      if (used.has(lead.rs)) continue;
      const members = hits.filter(
        (h) =>
          h === lead ||
          (!used.has(h.rs) && lead.pos > 0 && h.pos > 0 && h.chr === lead.chr && Math.abs(h.pos - lead.pos) <= windowBp && (r2 === null || r2Of(lead.snp, h.snp) >= r2)),
      );
      for (const h of members) used.add(h.rs);
      peaks.push({ lead: lead.rs, members: members.sort((a, b) => a.pos - b.pos || a.snp - b.snp).map((h) => h.rs) });
    }
    return peaks;
  } finally {
    plink.bed.close();
  }
}

const summary = (peaks: Peak[]): { lead: string; members: string[] }[] => peaks.map((p) => ({ lead: p.rs, members: p.memberRs }));

describe('clumpHits', () => {
  it('finds one peak per causal locus, led by the causal SNP; a SNP without a position stands alone', () => {
    const peaks = clumpHits(project, runId);
    expect(peaks.map((p) => p.rs).sort()).toEqual(['snp100', 'snp160', `snp${PER_CHR + 250}`, 'unplaced'].sort());
    for (const p of peaks) {
      expect(p.p).toBeLessThanOrEqual(5e-8);
      expect(p.p).toBeCloseTo(Math.exp(p.lnP), 20);
      expect(p.nSnps).toBe(p.members.length);
      expect(p.memberRs).toContain(p.rs);
      const positions = p.members.map((j) => 10_000 + SPACING * (j % PER_CHR));
      if (p.rs !== 'unplaced') {
        expect(p.start).toBe(Math.min(...positions));
        expect(p.end).toBe(Math.max(...positions));
        expect(Math.max(p.end - p.pos, p.pos - p.start)).toBeLessThanOrEqual(500_000);
      }
    }
    const unplaced = peaks.find((p) => p.rs === 'unplaced')!;
    expect([unplaced.nSnps, unplaced.start, unplaced.end]).toEqual([1, 0, 0]);
    // Several SNPs in LD join each causal peak.
    expect(peaks.filter((p) => p.rs !== 'unplaced').every((p) => p.nSnps >= 2)).toBe(true);
    // Best lead first.
    expect(peaks.map((p) => p.lnP)).toEqual([...peaks.map((p) => p.lnP)].sort((a, b) => a - b));
  });

  it('equals a brute-force greedy clumping with r^2 from the files', () => {
    for (const [p, windowBp, r2] of [
      [5e-8, 500_000, 0.1],
      [1e-4, 250_000, 0.5],
      [1e-4, 500_000, null],
      [1e-4, 20_000, 0.9],
    ] as const) {
      const ours = clumpHits(project, runId, { p, windowBp, r2 });
      const ref = referenceClump(p, windowBp, r2);
      expect(summary(ours), `${p} ${windowBp} ${r2}`).toEqual(ref);
      // Every SNP past the threshold is in exactly one peak.
      const all = ours.flatMap((k) => k.memberRs);
      expect(new Set(all).size).toBe(all.length);
      expect(all.length).toBe(passing(p).length);
    }
    // Tight settings split the loci into several peaks.
    expect(clumpHits(project, runId, { p: 1e-4, windowBp: 20_000, r2: 0.9 }).length).toBeGreaterThan(6);
  });

  it('by distance alone the two chromosome-1 loci, 300 kb apart, are one peak', () => {
    const peaks = clumpHits(project, runId, { r2: null });
    const chr1 = peaks.filter((p) => p.chr === '1' && p.rs !== 'unplaced');
    expect(chr1.length).toBe(1);
    expect(chr1[0]!.memberRs).toEqual(expect.arrayContaining(['snp100', 'snp160']));
    expect(clumpHits(project, runId, { r2: null, windowBp: 100_000 }).filter((p) => p.chr === '1' && p.rs !== 'unplaced').length).toBeGreaterThanOrEqual(2);
  });

  it('gives no peak when nothing passes, and tabulates peaks with the TSV number formats', () => {
    expect(clumpHits(project, runId, { p: 1e-300 })).toEqual([]);
    const peaks = clumpHits(project, runId);
    const tsv = peaksTsv(peaks).trimEnd().split('\n').map((l) => l.split('\t'));
    expect(tsv[0]).toEqual([...PEAK_COLUMNS]);
    expect(tsv.length).toBe(peaks.length + 1);
    const lead = peaks[0]!;
    expect(tsv[1]).toEqual(formatPeak(lead));
    const row = project.topHits(runId, 1)[0]!;
    expect(tsv[1]![0]).toBe(row.rs);
    expect(Number(tsv[1]![PEAK_COLUMNS.indexOf('beta_a')])).toBeCloseTo(row.betaA, 6);
    expect(tsv[1]![PEAK_COLUMNS.indexOf('members')]).toBe(lead.memberRs.join(','));
  });
});
