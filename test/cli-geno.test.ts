/**
 * `--geno FILE` on the command line: a scan of a VCF without a project (through a scratch project
 * that is removed afterwards) gives the same rows as a scan of the .bed it was made from, and says
 * what the import skipped; `kinscan kinship --geno` builds BIMBAM's kinship from its dosages as
 * GEMMA -gk 1 does (reference made once with GEMMA 0.98.5, test/fixtures/bxd-gemma/README.md).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/tmp.js';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'kinscan.js');
const example = join(root, 'resources', 'example', 'mouse_hs1940');
const bxd = (f: string): string => join(root, 'test', 'fixtures', 'bxd', f);

function run(args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

function column(path: string, name: string): Map<string, string> {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const h = lines[0]!.split('\t');
  return new Map(lines.slice(1).map((l) => l.split('\t')).map((f) => [f[h.indexOf('rs')]!, f[h.indexOf(name)]!]));
}

describe('kinscan --geno FILE', () => {
  const dir = tempDir('kinscan-cli-geno-');

  it('scans a VCF without a project: the .bed’s rows, the import’s notes said, no scratch project left', () => {
    execFileSync('plink2', ['--silent', '--bfile', example, '--chr', '19', '--make-bed', '--out', join(dir, 'chr19')], { stdio: 'pipe' });
    execFileSync('plink2', ['--silent', '--bfile', join(dir, 'chr19'), '--export', 'vcf', 'id-paste=iid', '--out', join(dir, 'chr19')], { stdio: 'pipe' });
    // One multi-allelic record added: skipped, and said so.
    const vcf = readFileSync(join(dir, 'chr19.vcf'), 'utf8').split('\n');
    const at = vcf.findIndex((l) => !l.startsWith('#'));
    const extra = vcf[at]!.split('\t');
    extra[1] = String(Number(extra[1]) + 1);
    extra[2] = 'multi1';
    extra[4] = `${extra[4]},T`;
    vcf.splice(at + 1, 0, extra.join('\t'));
    writeFileSync(join(dir, 'chr19.vcf'), vcf.join('\n'));
    const scratchBefore = readdirSync(tmpdir()).filter((f) => f.startsWith('kinscan-scan-')).length;
    const common = ['--pheno', `${example}.pheno.csv`, '--trait', 'trait1', '--model', 'additive', '--threads', '1'];
    const a = run(['scan', '--bfile', join(dir, 'chr19'), ...common, '--out', join(dir, 'bed.tsv')]);
    expect(a.code, a.stderr).toBe(0);
    const b = run(['scan', '--geno', join(dir, 'chr19.vcf'), ...common, '--out', join(dir, 'vcf.tsv')]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/skipped 1 record: multi-allelic site .*multi1 \(line \d+\)/);
    expect(b.stderr).not.toMatch(/recorded in|kinscan-scan-/);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('kinscan-scan-')).length).toBe(scratchBefore);
    const p1 = column(join(dir, 'bed.tsv'), 'neglog10_p');
    const p2 = column(join(dir, 'vcf.tsv'), 'neglog10_p');
    expect(p2.size).toBe(p1.size);
    for (const [rs, p] of p1) expect(Math.abs(Number(p2.get(rs)) - Number(p)), rs).toBeLessThan(1e-8);
  }, 120_000);

  it('kinship --geno: BXD’s dosage kinship equals GEMMA -gk 1’s', () => {
    const out = join(dir, 'K.txt');
    const r = run(['kinship', '--geno', bxd('BXD_geno.txt.gz'), '--anno', bxd('BXD_snps.txt.gz'), '--pheno', bxd('BXD_pheno.txt'), '--trait', '1', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/centered kinship of 198 individuals from 7320 SNPs \(their dosages\)/);
    const ours = readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(/\s+/).map(Number));
    const ref = gunzipSync(readFileSync(join(root, 'test', 'fixtures', 'bxd-gemma', 'bxd_nocovar.cXX.txt.gz'))).toString('utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
    let worst = 0;
    for (let i = 0; i < 198; i++) for (let j = 0; j < 198; j++) worst = Math.max(worst, Math.abs(ours[i]![j]! - ref[i]![j]!));
    expect(worst).toBeLessThan(1e-9);
  }, 60_000);
});
