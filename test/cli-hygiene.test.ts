/**
 * The command line's hygiene: every command answers --help with its usage (exit 0); --out never
 * overwrites an input (genotypes, sheets, kinship file, project); exit codes are 1 for bad input,
 * 2 for a bad command line, 3 for an internal error.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_USAGE } from '../cli/commands.js';
import { errorExit, EXIT, UsageError } from '../cli/report.js';
import { InputError } from '../engine/io/errors.js';
import { tempDir } from './helpers/tmp.js';
import { ROOT, simulatedSet } from './store/helpers.js';

const cli = join(ROOT, 'bin', 'kinscan.js');
const kinscan = (args: string[]): { code: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('kinscan command-line hygiene', () => {
  const dir = tempDir('kinscan-cli-hygiene-');
  const set = simulatedSet(dir, 'sim', 50, 200, 9);

  it('every command prints its usage for --help and exits 0', () => {
    const commands = Object.keys(COMMAND_USAGE);
    expect(commands).toEqual(expect.arrayContaining(['scan', 'kinship', 'import', 'runs', 'export', 'hits', 'plot', 'report', 'resume', 'compact']));
    for (const cmd of commands) {
      const r = kinscan([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toContain(`kinscan ${cmd}`);
      expect(r.stderr, cmd).toBe('');
    }
    expect(kinscan(['scan', '--bfile', 'x', '--help']).code).toBe(0);
    expect(kinscan(['plot', 'manhattan', '--help']).stdout).toMatch(/--dpi/);
    expect(kinscan(['--help']).stdout).toMatch(/Exit codes: 0 done; 1 bad input.*\n2 bad command line; 3 internal error/);
  });

  it('--out is never one of the scan\'s inputs: exit 1, the input untouched', () => {
    const k = join(dir, 'K.txt');
    expect(kinscan(['kinship', '--bfile', set.prefix, '--out', k, '--quiet']).code).toBe(0);
    const base = ['scan', '--bfile', set.prefix, '--pheno', set.pheno, '--trait', 't1', '--quiet'];
    for (const [extra, out] of [
      [[], `${set.prefix}.bed`],
      [[], set.pheno],
      [['--covar', set.covar, '--covar-names', 'age'], set.covar],
      [['--kinship', k], k],
      [[], `${set.prefix}.fam`],
    ] as const) {
      const before = readFileSync(out);
      const r = kinscan([...base, ...extra, '--out', out]);
      expect(r.code, out).toBe(1);
      expect(r.stderr, out).toMatch(/: is an input of the scan, so writing it would destroy that input\. Choose another file name for --out\n$/);
      expect(readFileSync(out).equals(before), out).toBe(true);
    }
    // The project route, and the project itself as --out.
    const project = join(dir, 'p.kinscan');
    const r = kinscan([...base, '--project', project, '--out', set.pheno]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is an input of the scan/);
    expect(kinscan([...base, '--project', project, '--out', project]).code).toBe(1);
    // The kinship command's --out is not one of its inputs either.
    const before = readFileSync(`${set.prefix}.bim`);
    expect(kinscan(['kinship', '--bfile', set.prefix, '--out', `${set.prefix}.bim`]).code).toBe(1);
    expect(readFileSync(`${set.prefix}.bim`).equals(before)).toBe(true);
  });

  it('a file problem is bad input (exit 1, one sentence); a bug is an internal error (exit 3)', () => {
    const r = kinscan(['scan', '--bfile', set.prefix, '--pheno', set.pheno, '--trait', 't1', '--quiet', '--out', join(dir, 'no-such-folder', 'o.tsv')]);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(/no-such-folder.*: no such file or folder \(ENOENT\)\. Check the path/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);

    expect(errorExit(new UsageError('--x is required'), false, 'USAGE').code).toBe(EXIT.usage);
    expect(errorExit(new InputError('bad', { file: 'f' }, 'fix it'), false, '').code).toBe(EXIT.input);
    const bug = errorExit(new TypeError('undefined is not a function'), false, '');
    expect(bug.code).toBe(3);
    expect(bug.text).toBe('kinscan: internal error: undefined is not a function. Please report it with the command you ran (rerun with --debug for details).\n');
    expect(errorExit(new Error('boom'), true, '').text).toMatch(/internal error: boom\..*\nError: boom\n\s+at /s);
  });
});
