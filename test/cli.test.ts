import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/tmp.js';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'kinscan.js');
const example = join(root, 'resources', 'example', 'mouse_hs1940');

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kinscan CLI errors: one clear sentence, exit 1 (input) or 2 (command line), no stack trace', () => {
  const dir = tempDir();

  it('prints its version', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(run(['--version']).stdout.trim()).toBe(`kinscan ${pkg.version}`);
  });

  it('a missing option is a usage error (exit 2) with the usage text', () => {
    const r = run(['scan', '--pheno', 'x.csv', '--trait', 't', '--out', join(dir, 'o.tsv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--bfile is required/);
    expect(r.stderr).toMatch(/Usage:/);
  });

  it('an unknown option or value is a usage error', () => {
    expect(run(['scan', '--bogus']).code).toBe(2);
    const r = run(['scan', '--bfile', example, '--pheno', `${example}.pheno.csv`, '--trait', 'trait1', '--model', 'recessive', '--out', join(dir, 'o.tsv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--model must be add-dom or additive, got 'recessive'/);
  });

  it('a missing genotype file names the files and exits 1 without a stack trace', () => {
    const r = run(['scan', '--bfile', join(dir, 'nothere'), '--pheno', `${example}.pheno.csv`, '--trait', 'trait1', '--out', join(dir, 'o.tsv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nothere\.bed/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.trim().split('\n').length).toBe(1);
  });

  it('a trait that is not in the sheet lists the columns; --debug adds the stack', () => {
    const args = ['scan', '--bfile', example, '--pheno', `${example}.pheno.csv`, '--trait', 'height', '--out', join(dir, 'o.tsv')];
    const r = run(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mouse_hs1940\.pheno\.csv.*height.*trait1/);
    expect(run([...args, '--debug']).stderr).toMatch(/\n\s+at /);
  });

  it('a truncated .bed is refused with the expected and actual sizes', () => {
    const p = join(dir, 'trunc');
    copyFileSync(`${example}.bim`, `${p}.bim`);
    copyFileSync(`${example}.fam`, `${p}.fam`);
    writeFileSync(`${p}.bed`, readFileSync(`${example}.bed`).subarray(0, 100000));
    const r = run(['kinship', '--bfile', p, '--out', join(dir, 'k.txt')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/trunc\.bed: size mismatch: the file is 100000 bytes, expected 5929613 bytes/);
  });

  it('Ctrl-C during the scan exits cleanly with partial results marked incomplete', async () => {
    const out = join(dir, 'int.tsv');
    const child = spawn('node', [cli, 'scan', '--bfile', example, '--pheno', `${example}.pheno.csv`, '--trait', 'trait1', '--out', out], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The scan has started once the partial file exists.
    for (let i = 0; i < 600 && !existsSync(`${out}.partial`); i++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/STOPPED after \d+ SNPs: partial results in .*int\.tsv\.partial/);
    expect(existsSync(out)).toBe(false);
    const summary = JSON.parse(readFileSync(join(dir, 'int.summary.json'), 'utf8'));
    expect(summary.complete).toBe(false);
    expect(summary.snps.tested).toBeLessThan(summary.snps.planned);
    const lines = readFileSync(`${out}.partial`, 'utf8').trim().split('\n');
    expect(lines.length - 1).toBe(summary.snps.tested);
  }, 120_000);
});
