/**
 * The one scan-settings schema: its bounds and defaults, the command line's messages for bad flags
 * (mapped from the schema's complaints), and a run record damaged in SQLite read back as a clear
 * InputError.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../engine/io/errors.js';
import { DEFAULT_SETTINGS, scanSettingsSchema } from '../../engine/protocol/settings.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';
import { ROOT, settingsFor, simulatedSet } from '../store/helpers.js';

const cli = join(ROOT, 'bin', 'kinscan.js');

describe('scan settings schema', () => {
  const dir = tempDir('kinscan-settings-');

  it('fills the defaults and bounds every value', () => {
    const s = scanSettingsSchema.parse({ bfile: 'b', pheno: 'p.csv', trait: 't' });
    expect(s).toEqual({ bfile: 'b', pheno: 'p.csv', trait: 't', ...DEFAULT_SETTINGS });
    const bad = (extra: Record<string, unknown>): boolean => !scanSettingsSchema.safeParse({ bfile: 'b', pheno: 'p', trait: 't', ...extra }).success;
    for (const maf of [-0.01, 0.51, NaN, Infinity, '0.1']) expect(bad({ maf }), String(maf)).toBe(true);
    for (const maxMissing of [-1, 1.01, NaN]) expect(bad({ maxMissing }), String(maxMissing)).toBe(true);
    expect(bad({ maf: 0.5, maxMissing: 1 })).toBe(false);
    expect(bad({ model: 'recessive' })).toBe(true);
    expect(bad({ method: 'newton' })).toBe(true);
    expect(bad({ kinship: 'ibs' })).toBe(true);
    expect(bad({ kinship: { file: 'K.txt' } })).toBe(false);
    expect(bad({ kinship: { file: 'K.txt', extra: 1 } })).toBe(true);
    expect(bad({ trait: '' })).toBe(true);
    expect(bad({ covarNames: ['age', ''] })).toBe(true);
    expect(bad({ surprise: true })).toBe(true);
  });

  it('the command line refuses bad flags with its own messages (exit 2)', () => {
    const set = simulatedSet(dir, 'sim', 30, 50, 2);
    const base = ['scan', '--bfile', set.prefix, '--pheno', set.pheno, '--trait', 't1', '--out', join(dir, 'o.tsv')];
    const cases: [string[], RegExp][] = [
      [['--maf', '0.7'], /^kinscan: --maf must be a number from 0 to 0\.5, got '0\.7'\n$/],
      [['--maf', 'abc'], /--maf must be a number from 0 to 0\.5, got 'abc'/],
      [['--max-miss', '2'], /--max-miss must be a number from 0 to 1, got '2'/],
      [['--model', 'recessive'], /--model must be add-dom or additive, got 'recessive'/],
      [['--method', 'newton'], /--method must be fast, em, squarem or exact, got 'newton'/],
    ];
    for (const [extra, msg] of cases) {
      const r = spawnSync(process.execPath, [cli, ...base, ...extra], { encoding: 'utf8' });
      expect(r.status, extra.join(' ')).toBe(2);
      expect(r.stderr, extra.join(' ')).toMatch(msg);
    }
  });

  it('a run record damaged in the project file is a clear InputError, not a crash', () => {
    const set = simulatedSet(dir, 'sim2', 30, 50, 4);
    const path = join(dir, 'damaged.kinscan');
    const p = Project.open(path, { create: true });
    try {
      const good = p.createRun(settingsFor(set, 't1'));
      const bad = p.createRun(settingsFor(set, 't2'));
      const spec = JSON.parse(p.db.prepare('SELECT settings FROM runs WHERE id = ?').pluck().get(bad) as string);
      spec.settings.maf = 7;
      p.db.prepare('UPDATE runs SET settings = ? WHERE id = ?').run(JSON.stringify(spec), bad);
      expect(p.run(good).settings.trait).toBe('t1');
      let err: unknown;
      try {
        p.run(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(/damaged\.kinscan: the recorded settings of run 2 are damaged \(settings\.maf: .+\)\. Start a new run/);
      p.db.prepare("UPDATE runs SET settings = '{not json' WHERE id = ?").run(bad);
      expect(() => p.runs()).toThrow(/the recorded settings of run 2 are damaged \(not JSON/);
    } finally {
      p.close();
    }
  });
});
