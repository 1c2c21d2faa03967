import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulateGenotypes, simulateTraits, writeSimulation } from '../../bench/simulate.js';
import { DEFAULT_SETTINGS, type ScanSettings } from '../../engine/scan/settings.js';
import type { ExecuteOptions, ExecuteResult, Project, RunInputs } from '../../engine/store/project.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const MOUSE = join(ROOT, 'resources', 'example', 'mouse_hs1940');

export interface SimSet {
  prefix: string;
  pheno: string;
  covar: string;
}

/** A small simulated PLINK set with two traits and a covariate sheet, written under `dir`. */
export function simulatedSet(dir: string, name = 'sim', n = 160, m = 900, seed = 7): SimSet {
  const sim = simulateGenotypes({ n, m, seed, missing: 0.01, chromosomes: 3 });
  const [t1, t2] = simulateTraits(
    sim,
    [
      { name: 't1', additive: [[50, 0.8]], polygenic: { snps: 60, variance: 0.6 }, noise: 1 },
      { name: 't2', dominance: [[400, 0.7]], polygenic: { snps: 60, variance: 0.3 }, noise: 1 },
    ],
    seed + 1,
  );
  // Some missing phenotypes, so the analysed individuals differ between traits.
  for (let i = 0; i < n; i += 9) t2![i] = NaN;
  const prefix = join(dir, name);
  writeSimulation(prefix, sim, { names: ['t1', 't2'], values: [t1!, t2!] });
  const pheno = `${prefix}.pheno.csv`;
  const lines = ['IID,age,sex'];
  for (let i = 0; i < n; i++) lines.push(`${sim.ids[i]},${(20 + ((i * 7) % 30)).toFixed(1)},${i % 2 === 0 ? 'M' : 'F'}`);
  const covar = `${prefix}.covar.csv`;
  writeFileSync(covar, lines.join('\n') + '\n');
  return { prefix, pheno, covar };
}

/** Copy a PLINK set and its sheet(s) to another prefix. */
export function copySet(from: string, to: string, extras: string[] = []): void {
  for (const ext of ['.bed', '.bim', '.fam', ...extras]) copyFileSync(from + ext, to + ext);
}

export function settingsFor(set: { prefix: string; pheno: string }, trait: string, extra: Partial<ScanSettings> = {}): ScanSettings {
  return { ...DEFAULT_SETTINGS, bfile: set.prefix, pheno: set.pheno, trait, ...extra };
}

/** Record a run in the project and run it (what `kinscan scan --project` does: createRun, then runScan). */
export async function recordAndScan(
  project: Project,
  settings: ScanSettings,
  opts: ExecuteOptions = {},
  inputs: RunInputs = {},
): Promise<ExecuteResult> {
  return project.runScan(project.createRun(settings, inputs), opts);
}
