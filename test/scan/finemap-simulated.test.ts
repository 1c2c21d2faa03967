/**
 * Credible sets on simulated traits over real genotypes (the example mouse set, its real LD): known
 * causal SNPs, scanned through the project as the app does, fine-mapped by finemapRun. Every causal
 * SNP past 5e-8 must lie in its region's 95% credible set; the sets' sizes and their coverage over
 * all replicates are printed (KINSCAN_PRINT=1) and bounded; on null traits the ppa stays low.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateTraits, type Trait } from '../../bench/simulate.js';
import { finemapRun } from '../../engine/export/finemap.js';
import { decodeSnp, openPlink } from '../../engine/io/plink.js';
import { posteriorProbability } from '../../engine/stats/bayes/posterior-probability.js';
import { Project } from '../../engine/store/project.js';
import { readRows } from '../../engine/store/results.js';
import { Rng } from '../helpers/random.js';
import { tempDir } from '../helpers/tmp.js';
import { MOUSE, recordAndScan, settingsFor } from '../store/helpers.js';

/** Individuals analysed (the first ones of the .fam; the others' phenotypes are missing), to keep each scan short. */
const N_ANALYSED = 600;
const CAUSAL_TRAITS = 8;
const NULL_TRAITS = 4;

describe('credible sets on simulated traits over the mouse genotypes', () => {
  it('hold every causal SNP past 5e-8 in its 95% set, are small, and null traits keep a low ppa', async () => {
    const dir = tempDir();
    const plink = openPlink(MOUSE);
    const n = plink.fam.iid.length;
    const m = plink.bim.rs.length;
    const g = new Int8Array(n * m);
    const packed = new Uint8Array(plink.bed.bytesPerSnp);
    const one = new Int8Array(n);
    for (let j = 0; j < m; j++) {
      plink.bed.readPacked(j, 1, packed);
      decodeSnp(packed, 0, n, one);
      g.set(one, j * n);
    }
    plink.bed.close();
    const sub = N_ANALYSED;
    // Causal SNPs: placed, common (MAF >= 0.2 among the analysed), two per trait on different chromosomes.
    const maf = (j: number): number => {
      let s = 0;
      let c = 0;
      for (let i = 0; i < sub; i++) {
        if (g[j * n + i]! < 0) continue;
        s += g[j * n + i]!;
        c++;
      }
      const p = s / (2 * c);
      return Math.min(p, 1 - p);
    };
    const rng = new Rng(2026);
    const traits: Trait[] = [];
    const causal: number[][] = [];
    for (let t = 0; t < CAUSAL_TRAITS; t++) {
      const picks: number[] = [];
      while (picks.length < 2) {
        const j = Math.floor(rng.next() * m);
        // A SNP without a known position is in no region (finemap lists it apart): not a causal candidate here.
        if (!(plink.bim.pos[j]! > 0) || maf(j) < 0.2 || picks.some((k) => plink.bim.chr[k] === plink.bim.chr[j])) continue;
        picks.push(j);
      }
      causal.push(picks);
      // About 15% of the variance each (per-copy effect 0.7 at MAF 0.3 against a total variance near 1.8).
      traits.push({ name: `causal${t + 1}`, additive: picks.map((j) => [j, 0.7] as [number, number]), polygenic: { snps: 300, variance: 0.4 }, noise: 1 });
    }
    for (let t = 0; t < NULL_TRAITS; t++) traits.push({ name: `null${t + 1}`, polygenic: { snps: 300, variance: 0.4 }, noise: 1 });
    const values = simulateTraits({ n, m, g, pop: new Int32Array(n), ids: plink.fam.iid, chr: plink.bim.chr, pos: Array.from(plink.bim.pos) }, traits, 77);
    const pheno = join(dir, 'sim.csv');
    const lines = [['IID', ...traits.map((t) => t.name)].join(',')];
    for (let i = 0; i < n; i++) lines.push([plink.fam.iid[i]!, ...values.map((v) => (i < sub ? v[i]!.toPrecision(10) : 'NA'))].join(','));
    writeFileSync(pheno, lines.join('\n') + '\n');

    const project = Project.open(join(dir, 'finemap.kinscan'), { create: true });
    try {
      let detected = 0;
      let covered = 0;
      const sizes: number[] = [];
      let setsWithCausal = 0;
      let sets = 0;
      for (let t = 0; t < CAUSAL_TRAITS; t++) {
        const runId = (await recordAndScan(project, settingsFor({ prefix: MOUSE, pheno }, `causal${t + 1}`, { model: 'additive' }), { threads: 2 })).run.id;
        const fm = finemapRun(project, runId);
        for (const r of fm.regions) {
          sets++;
          sizes.push(r.members.length);
          const inside = causal[t]!.some((j) => plink.bim.chr[j] === r.chr && plink.bim.pos[j]! >= r.start && plink.bim.pos[j]! <= r.end);
          if (inside && causal[t]!.some((j) => r.members.some((s) => s.snp === j))) setsWithCausal++;
          expect(r.coverage).toBeGreaterThanOrEqual(0.95);
          // The PIPs of a region add up to 1: the set's are at most that.
          expect(r.members.reduce((acc, s) => acc + s.pip, 0)).toBeLessThanOrEqual(1 + 1e-12);
        }
        for (const j of causal[t]!) {
          const row = project.snpDetails(runId, { snp: j })!.result!;
          if (row.lnP > Math.log(5e-8)) continue;
          detected++;
          const region = fm.regions.find((r) => r.chr === plink.bim.chr[j] && plink.bim.pos[j]! >= r.start && plink.bim.pos[j]! <= r.end);
          expect(region, `causal SNP ${plink.bim.rs[j]} (trait ${t + 1}) has a region`).toBeDefined();
          const inSet = region!.members.some((s) => s.snp === j);
          expect(inSet, `causal SNP ${plink.bim.rs[j]} in its credible set of ${region!.members.length}`).toBe(true);
          if (inSet) covered++;
        }
      }
      let maxNullPpa = 0;
      let nullRegions = 0;
      for (let t = 0; t < NULL_TRAITS; t++) {
        const runId = (await recordAndScan(project, settingsFor({ prefix: MOUSE, pheno }, `null${t + 1}`, { model: 'additive' }), { threads: 2 })).run.id;
        const prior = project.run(runId).settings.bayes.priorProbability;
        for (const r of readRows(project.db, runId)) maxNullPpa = Math.max(maxNullPpa, posteriorProbability(r.log10Bf * Math.LN10, prior));
        nullRegions += finemapRun(project, runId).regions.length;
      }
      sizes.sort((a, b) => a - b);
      const median = sizes[Math.floor(sizes.length / 2)] ?? NaN;
      if (process.env['KINSCAN_PRINT'])
        console.log(
          `finemap: ${detected} of ${2 * CAUSAL_TRAITS} causal SNPs past 5e-8, ${covered} in their 95% sets; ${setsWithCausal} of ${sets} sets hold a causal SNP; ` +
            `set sizes median ${median}, max ${sizes.at(-1)}, all ${sizes.join(' ')}; null traits: max ppa ${maxNullPpa.toExponential(3)}, ${nullRegions} regions`,
        );
      expect(detected).toBeGreaterThanOrEqual(1.5 * CAUSAL_TRAITS);
      expect(covered).toBe(detected);
      // Small: a handful of SNPs in the mouse set's long LD, not the whole window.
      expect(median).toBeLessThanOrEqual(15);
      expect(maxNullPpa).toBeLessThan(0.5);
    } finally {
      project.close();
    }
  }, 240_000);
});
