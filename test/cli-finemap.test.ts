/**
 * kinscan finemap and the Bayes-factor settings on the command line: a simulated set with one strong
 * causal SNP, scanned into a project; the credible sets printed, as JSON and as a TSV agree with
 * the project's rows (PIP = BF / sum of the region's BFs); the prior flags change the TSV's columns
 * as the formulas say; bad values are usage errors naming the flag.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULT_COLUMNS } from '../engine/scan/results.js';
import { Project } from '../engine/store/project.js';
import { tempDir } from './helpers/tmp.js';
import { simulatedSet } from './store/helpers.js';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'kinscan.js');

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kinscan finemap', () => {
  const dir = tempDir();
  const set = simulatedSet(dir, 'sim', 300, 900, 5);
  const project = join(dir, 'p.kinscan');
  const data = ['--bfile', set.prefix, '--pheno', set.pheno, '--trait', 't1'];

  it('gives credible sets whose PIPs are the shares of the region’s Bayes factors', () => {
    const scan = run(['scan', ...data, '--project', project, '--out', join(dir, 'r.tsv'), '--quiet']);
    expect(scan.code, scan.stderr).toBe(0);
    const json = run(['finemap', '--project', project, '--run', '1', '--p', '1e-5', '--window', '20kb', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const fm = JSON.parse(json.stdout) as { regions: { chr: string; start: number; end: number; lead: { rs: string; snp: number }; snps: number; members: { snp: number; pip: number; log10Bf: number }[]; coverage: number }[] };
    expect(fm.regions.length).toBeGreaterThan(0);
    // The causal SNP (index 50) leads the first region and is in its set.
    expect(fm.regions[0]!.lead.snp).toBe(50);
    expect(fm.regions[0]!.members.map((m) => m.snp)).toContain(50);
    const p = Project.open(project, { readonly: true });
    try {
      for (const r of fm.regions) {
        const reg = p.region(1, r.chr, r.start, r.end);
        expect(reg.snp.length).toBe(r.snps);
        let total = 0;
        for (const v of reg.log10Bf) total += 10 ** v;
        for (const m of r.members) expect(m.pip).toBeCloseTo(10 ** m.log10Bf / total, 10);
        // The smallest set reaching 95%: without its last member it falls short.
        const sum = r.members.reduce((s, m) => s + m.pip, 0);
        expect(sum).toBeGreaterThanOrEqual(0.95);
        expect(sum - r.members.at(-1)!.pip).toBeLessThan(0.95);
        expect(r.coverage).toBeCloseTo(sum, 12);
      }
    } finally {
      p.close();
    }
    const out = join(dir, 'sets.tsv');
    const text = run(['finemap', '--project', project, '--run', '1', '--p', '1e-5', '--window', '20kb', '--out', out]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/REGION\s+LEAD\s+P\s+PPA/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]!.split('\t')).toEqual(['region', 'chr', 'start', 'end', 'lead_rs', 'lead_ppa', 'region_snps', 'set_size', 'coverage', 'rank', 'rs', 'ps', 'neglog10_p', 'log10_bf', 'pip', 'cumulative_pip']);
    expect(lines.length - 1).toBe(fm.regions.reduce((n, r) => n + r.members.length, 0));
    // The same file from kinscan export --format credible-sets (at the default threshold).
    const exp = run(['export', '--project', project, '--run', '1', '--format', 'credible-sets', '--out', join(dir, 'sets2.tsv')]);
    expect(exp.code, exp.stderr).toBe(0);
  });

  it('takes the prior from the scan flags: ppa follows --prior-prob, the BF the prior sds', () => {
    const a = join(dir, 'a.tsv');
    const b = join(dir, 'b.tsv');
    expect(run(['scan', ...data, '--model', 'additive', '--out', a, '--quiet']).code).toBe(0);
    expect(run(['scan', ...data, '--model', 'additive', '--prior-prob', '0.01', '--bf-prior-sd', '0.2', '--out', b, '--quiet']).code).toBe(0);
    const rows = (f: string): string[][] => readFileSync(f, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
    const col = (name: (typeof RESULT_COLUMNS)[number]): number => RESULT_COLUMNS.indexOf(name);
    const ra = rows(a);
    const rb = rows(b);
    expect(ra.length).toBe(rb.length);
    for (let k = 0; k < ra.length; k += 37) {
      // Same p-values; ppa = pi BF / (pi BF + 1 - pi) from each file's own BF.
      expect(rb[k]![col('p_lrt')]).toBe(ra[k]![col('p_lrt')]);
      for (const [r, pi] of [[ra[k]!, 1e-4], [rb[k]!, 0.01]] as const) {
        const bf = 10 ** Number(r[col('log10_bf')]);
        expect(Number(r[col('ppa')])).toBeCloseTo((pi * bf) / (pi * bf + 1 - pi), 5);
      }
    }
    // A single prior sd differs from the four-sd average.
    expect(rb[0]![col('log10_bf')]).not.toBe(ra[0]![col('log10_bf')]);
    for (const [flag, value, words] of [
      ['--prior-prob', '2', /--prior-prob must be a probability from/],
      ['--bf-prior-sd', '0.1,x', /--bf-prior-sd must be one or more numbers from/],
      ['--bf-dom-ratio', '-1', /--bf-dom-ratio must be a number from/],
    ] as const) {
      const r = run(['scan', ...data, `${flag}=${value}`, '--out', join(dir, 'x.tsv')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(words);
    }
  });
});
