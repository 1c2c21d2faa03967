import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { simulateGenotypes, simulateTraits, writeSimulation } from '../bench/simulate.js';
import { Project } from '../engine/store/project.js';
import { tempDir } from './helpers/tmp.js';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'kinscan.js');

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kinscan scan --pcs K', () => {
  const dir = tempDir();
  const prefix = join(dir, 'sim');
  const sim = simulateGenotypes({ n: 160, m: 900, seed: 3, pops: 2, fst: 0.1, familySize: 4 });
  writeSimulation(prefix, sim, { names: ['t'], values: simulateTraits(sim, [{ name: 't', polygenic: { snps: 80, variance: 1 }, popEffect: 1, noise: 1 }], 4) });
  const data = ['--bfile', prefix, '--pheno', `${prefix}.pheno.csv`, '--trait', 't'];

  it('is in the help, and a value out of range or not whole is a usage error naming the rule', () => {
    const help = run(['scan', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout + help.stderr).toMatch(/--pcs K\s+also adjust for population structure with the top K principal/);
    for (const bad of ['21', '2.5', 'three', '-1']) {
      const r = run(['scan', ...data, `--pcs=${bad}`, '--out', join(dir, 'x.tsv')]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toContain(`--pcs must be a whole number from 0 to 20, got '${bad}'`);
    }
  });

  it('writes the PCs and their eigenvalues into the summary and says so', () => {
    const out = join(dir, 'r.tsv');
    const r = run(['scan', ...data, '--pcs', '2', '--threads', '1', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'r.summary.json'), 'utf8'));
    expect(summary.settings.pcs).toBe(2);
    expect(summary.covariates).toEqual(['intercept', 'PC1', 'PC2']);
    expect(summary.null.beta.length).toBe(3);
    expect(summary.pcs.map((p: { name: string }) => p.name)).toEqual(['PC1', 'PC2']);
    expect(summary.pcs[0].eigenvalue).toBeGreaterThan(summary.pcs[1].eigenvalue);
    expect(r.stderr).toContain(`PC1 (eigenvalue ${summary.pcs[0].eigenvalue.toPrecision(6)}`);
  }, 60_000);

  it('round-trips through a project: the setting, the runs table, the log; a run recorded without it reads as 0', () => {
    const project = join(dir, 'p.kinscan');
    const r = run(['scan', ...data, '--pcs', '3', '--threads', '1', '--project', project]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(run(['runs', '--project', project, '--json']).stdout);
    expect(json[0].settings.pcs).toBe(3);
    expect(run(['runs', '--project', project]).stdout).toMatch(/\bPC1-3\b/);
    const p = Project.open(project, { readonly: true });
    try {
      const log = p.runLog(json[0].id).map((l) => l.message);
      expect(log.some((m) => /^principal components of the kinship added as covariates: PC1 \(eigenvalue [\d.e+-]+, [\d.]+% of the trace\), PC2 .*, PC3 /.test(m))).toBe(true);
    } finally {
      p.close();
    }
    // A run recorded before the setting existed: its stored settings have no pcs.
    const db = new Database(project);
    db.prepare(`UPDATE runs SET settings = json_remove(settings, '$.settings.pcs') WHERE id = ?`).run(json[0].id);
    expect(JSON.parse(db.prepare('SELECT settings FROM runs WHERE id = ?').pluck().get(json[0].id) as string).settings.pcs).toBeUndefined();
    db.close();
    const again = JSON.parse(run(['runs', '--project', project, '--json']).stdout);
    expect(again[0].settings.pcs).toBe(0);
  }, 60_000);
});
