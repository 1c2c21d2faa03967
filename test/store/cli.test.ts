import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { ROOT, simulatedSet } from './helpers.js';

const cli = join(ROOT, 'bin', 'kinscan.js');

function kinscan(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kinscan project commands', () => {
  const dir = tempDir('kinscan-store-cli-');
  const set = simulatedSet(dir, 'sim', 100, 600, 41);
  const P = join(dir, 'p.kinscan');

  it('import creates the project and imports each file once', () => {
    expect(existsSync(join(ROOT, 'dist', 'cli', 'project-commands.js')), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
    const a = kinscan(['import', '--project', P, '--bfile', set.prefix, '--pheno', set.pheno, '--covar', set.covar]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toBe(
      'kinscan: dataset 1: sim, 100 samples x 600 SNPs, imported\n' +
        'kinscan: sheet 1 (--pheno): sim.pheno.csv, 100 rows, columns t1, t2, imported\n' +
        'kinscan: sheet 2 (--covar): sim.covar.csv, 100 rows, columns age, sex, imported\n',
    );
    const b = kinscan(['import', '--project', P, '--bfile', `${set.prefix}.bed`]);
    expect(b.stderr).toBe('kinscan: dataset 1: sim, 100 samples x 600 SNPs, already in the project\n');
    expect(kinscan(['runs', '--project', P]).stdout).toBe('no runs yet\n');
    expect(JSON.parse(kinscan(['runs', '--project', P, '--json']).stdout)).toEqual([]);
  });

  it('scan --project records runs (using the project\'s inputs when --bfile/--pheno are left out); runs lists them; export writes the --out bytes', () => {
    const out = join(dir, 'r1.tsv');
    const s1 = kinscan(['scan', '--project', P, '--trait', 't2', '--covar', set.covar, '--covar-names', 'age', '--model', 'additive', '--out', out]);
    expect(s1.code, s1.stderr).toBe(0);
    expect(s1.stderr).toMatch(/kinscan: run 1 done in [\d.]+ s, recorded in .*p\.kinscan: .*r1\.tsv and its \.summary\.json\n$/);
    const s2 = kinscan(['scan', '--project', P, '--bfile', set.prefix, '--pheno', set.pheno, '--trait', 't1', '--quiet']);
    expect(s2.code, s2.stderr).toBe(0);
    expect(s2.stderr).toBe('');
    const table = kinscan(['runs', '--project', P]).stdout.split('\n');
    expect(table[0]).toMatch(/^ID\s+STATUS\s+SNPS DONE\/TOTAL\s+TRAIT\s+MODEL\s+METHOD\s+COVARIATES\s+KINSHIP\s+MAF\s+MAX-MISS\s+LAMBDA_GC\s+DATASET\s+CREATED$/);
    expect(table[1]).toMatch(/^1\s+done\s+(\d+)\/\1\s+t2\s+additive\s+fast\s+age\s+centered\s+0\.01\s+0\.05\s+\d\.\d{4}\s+sim\s+\d{4}-/);
    expect(table[2]).toMatch(/^2\s+done\s+(\d+)\/\1\s+t1\s+add-dom\s+fast\s+-\s+centered/);
    const json = JSON.parse(kinscan(['runs', '--project', P, '--json']).stdout) as Record<string, unknown>[];
    expect(json[0]).toMatchObject({ id: 1, status: 'done', trait: 't2', covar_sheet: 2, dataset: { id: 1, name: 'sim' }, settings: { covarNames: ['age'], model: 'additive' } });
    expect(json[0]!['sessions']).toMatchObject([{ seq: 1, fromPos: 0, outcome: 'done' }]);
    const e = join(dir, 'e1.tsv');
    const ex = kinscan(['export', '--project', P, '--run', '1', '--out', e]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(readFileSync(e).equals(readFileSync(out))).toBe(true);
    expect(readFileSync(join(dir, 'e1.summary.json'), 'utf8')).toBe(readFileSync(join(dir, 'r1.summary.json'), 'utf8'));
  });

  it('bad requests: exit 2 for the command line, exit 1 with one sentence for the project', () => {
    const cases: [string[], number, RegExp][] = [
      [['runs'], 2, /--project is required/],
      [['export', '--project', P, '--run', 'x', '--out', join(dir, 'x.tsv')], 2, /--run must be a run id/],
      [['import', '--project', P], 2, /import needs at least one of --bfile/],
      [['export', '--project', P, '--run', '7', '--out', join(dir, 'x.tsv')], 1, /p\.kinscan: has no run 7\. List the runs with kinscan runs --project/],
      [['resume', '--project', P, '--run', '1'], 1, /p\.kinscan: run 1 is already done\. Export it with kinscan export/],
      [['runs', '--project', join(dir, 'none.kinscan')], 1, /none\.kinscan: no such project/],
      [['scan', '--project', join(dir, 'empty.kinscan'), '--trait', 't1'], 1, /empty\.kinscan: holds no genotypes yet\. Give --bfile PREFIX/],
      [['scan', '--project', P, '--trait', 'height'], 1, /p\.kinscan: holds no phenotype sheet with a column 'height'/],
      [['scan', '--project', P, '--trait', 't1', '--loco'], 1, /--loco\) cannot be recorded in a project yet/],
    ];
    for (const [args, code, msg] of cases) {
      const r = kinscan(args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(msg);
      if (code === 1) expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('compact drops the cached matrices and shrinks the file; the runs stay', () => {
    const r = kinscan(['compact', '--project', P]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/p\.kinscan: [\d.]+ MB -> [\d.]+ MB \(\d+ cached matrices dropped\)/);
    expect(JSON.parse(kinscan(['runs', '--project', P, '--json']).stdout)).toHaveLength(2);
  });
});
