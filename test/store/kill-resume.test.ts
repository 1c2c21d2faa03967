/**
 * The crash-safety test of issue 4 on the mouse set, through the real CLI: a project scan is killed
 * with SIGKILL mid-scan; the project opens cleanly, shows the run interrupted with how far it got,
 * keeps every block committed before the kill, and `kinscan resume` finishes it with an export
 * byte-identical to an uninterrupted run's. Needs the built CLI (npm test builds it first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { MOUSE, ROOT } from './helpers.js';

const cli = join(ROOT, 'bin', 'kinscan.js');
const pheno = `${MOUSE}.pheno.csv`;

function kinscan(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The run's progress as another process sees it (read-only; undefined until the run exists). */
function peek(path: string): { status: string; done: number; total: number | null } | undefined {
  if (!existsSync(path)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 1000 });
    return db.prepare('SELECT status, done, total FROM runs WHERE id = 1').get() as { status: string; done: number; total: number | null } | undefined;
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a project scan killed mid-scan (SIGKILL) on the mouse set', () => {
  const dir = tempDir('kinscan-store-kill-');
  const scanArgs = ['--bfile', MOUSE, '--pheno', pheno, '--trait', 'trait1', '--model', 'additive', '--quiet'];

  it('opens cleanly, shows the run interrupted, loses no committed block, and resumes to a byte-identical export', { timeout: 300_000 }, async () => {
    expect(existsSync(join(ROOT, 'dist', 'cli', 'project-commands.js')), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
    const killed = join(dir, 'killed.kinscan');
    const child = spawn(process.execPath, [cli, 'scan', '--project', killed, ...scanArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let childErr = '';
    child.stderr.on('data', (d: Buffer) => (childErr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));

    // Wait until a few blocks are committed; meanwhile the project is in use for writers, readable for readers.
    let seen: { status: string; done: number; total: number | null } | undefined;
    let checkedInUse = false;
    for (let t = 0; t < 600; t++) {
      seen = peek(killed);
      if (seen && seen.status === 'running' && seen.total !== null && seen.done >= 1024) {
        if (!checkedInUse) {
          const w = kinscan(['import', '--project', killed, '--pheno', pheno]);
          expect(w.code).toBe(1);
          expect(w.stderr).toMatch(new RegExp(`killed\\.kinscan: the project is in use by kinscan scan \\(pid ${child.pid}, user .+\\) since `));
          const r = kinscan(['runs', '--project', killed, '--json']);
          expect(r.code).toBe(0);
          expect(JSON.parse(r.stdout)[0]).toMatchObject({ id: 1, status: 'running', total: 10768 });
          checkedInUse = true;
          continue;
        }
        break;
      }
      if (child.exitCode !== null) break;
      await sleep(50);
    }
    expect(child.exitCode, `the scan ended before it could be killed: ${childErr}`).toBeNull();
    expect(seen!.done).toBeLessThan(seen!.total!);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const committedBeforeKill = peek(killed)!.done;
    expect(committedBeforeKill).toBeGreaterThanOrEqual(seen!.done);

    // The uninterrupted reference, through the same CLI (the plain --out TSV and a project's export).
    const refTsv = join(dir, 'ref.tsv');
    const plain = kinscan(['scan', ...scanArgs, '--out', refTsv]);
    expect(plain.code, plain.stderr).toBe(0);
    const whole = join(dir, 'whole.kinscan');
    expect(kinscan(['scan', '--project', whole, ...scanArgs]).code).toBe(0);
    const wholeTsv = join(dir, 'whole.tsv');
    expect(kinscan(['export', '--project', whole, '--run', '1', '--out', wholeTsv]).code).toBe(0);
    const ref = readFileSync(refTsv);
    expect(readFileSync(wholeTsv).equals(ref)).toBe(true);

    // Reopened: a clean open (integrity_check after the unclean close), the run interrupted where it was.
    const listed = kinscan(['runs', '--project', killed, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const run = JSON.parse(listed.stdout)[0] as { status: string; done: number; total: number; rows: number; sessions: { fromPos: number; outcome: string | null }[] };
    expect(run.status).toBe('interrupted');
    expect(run.done).toBe(committedBeforeKill);
    expect(run.done).toBeLessThan(run.total);
    expect(kinscan(['runs', '--project', killed]).stdout).toMatch(new RegExp(`^1\\s+interrupted\\s+${run.done}/10768\\s+trait1\\s+additive`, 'm'));
    // Every block committed before the kill is there: the partial export is the reference's first rows.
    const partial = join(dir, 'partial.tsv');
    expect(kinscan(['export', '--project', killed, '--run', '1', '--out', partial]).code).toBe(1);
    expect(kinscan(['export', '--project', killed, '--run', '1', '--out', partial, '--partial']).code).toBe(0);
    const partialText = readFileSync(partial);
    expect(partialText.length).toBeGreaterThan(1000);
    expect(ref.subarray(0, partialText.length).equals(partialText)).toBe(true);
    expect(partialText.toString().split('\n').length - 2).toBe(run.rows);

    // Resume finishes it from the committed position.
    const resumed = kinscan(['resume', '--project', killed, '--run', '1']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/run 1 had been interrupted after \d+ of 10768 tested SNPs/);
    expect(resumed.stderr).toMatch(/run 1 done in/);
    const after = JSON.parse(kinscan(['runs', '--project', killed, '--json']).stdout)[0] as typeof run;
    expect(after.status).toBe('done');
    expect(after.sessions.map((s) => [s.fromPos, s.outcome])).toEqual([
      [0, 'interrupted'],
      [run.done, 'done'],
    ]);
    const final = join(dir, 'final.tsv');
    expect(kinscan(['export', '--project', killed, '--run', '1', '--out', final]).code).toBe(0);
    expect(readFileSync(final).equals(ref)).toBe(true);
    const sum = (p: string): Record<string, unknown> => {
      const { wall_seconds: _w, timings_seconds: _t, ...rest } = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
      return rest;
    };
    expect(sum(join(dir, 'final.summary.json'))).toEqual(sum(join(dir, 'ref.summary.json')));
  });

  it('a project with the mouse set and three runs is smaller than the source files plus the results as gzipped TSV', { timeout: 300_000 }, () => {
    const path = join(dir, 'three.kinscan');
    const tsvs: string[] = [];
    for (const [k, extra] of [
      [1, ['--trait', 'trait1', '--model', 'additive']],
      [2, ['--trait', 'trait1']],
      [3, ['--trait', 'trait2', '--model', 'additive']],
    ] as const) {
      const out = join(dir, `three-${k}.tsv`);
      const r = kinscan(['scan', '--project', path, '--bfile', MOUSE, '--pheno', pheno, ...extra, '--out', out, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      tsvs.push(out);
    }
    const size = (p: string): number => statSync(p).size;
    const sources = ['.bed', '.bim', '.fam', '.pheno.csv'].reduce((acc, ext) => acc + size(MOUSE + ext), 0);
    const gz = tsvs.reduce((acc, p) => acc + gzipSync(readFileSync(p)).length, 0);
    const withCache = size(path);
    const compacted = kinscan(['compact', '--project', path]);
    expect(compacted.code, compacted.stderr).toBe(0);
    const compact = size(path);
    process.stderr.write(
      `project with 3 runs: ${withCache} bytes with its kinship/eigen cache, ${compact} bytes compacted; ` +
        `sources ${sources} + gzipped TSVs ${gz} = ${sources + gz} bytes\n`,
    );
    expect(compact).toBeLessThan(sources + gz);
    // Still complete: every run exports the same bytes as its --out TSV.
    for (const [k, tsv] of tsvs.entries()) {
      const out = join(dir, `three-export-${k + 1}.tsv`);
      expect(kinscan(['export', '--project', path, '--run', String(k + 1), '--out', out]).code).toBe(0);
      expect(readFileSync(out).equals(readFileSync(tsv))).toBe(true);
    }
  });
});
