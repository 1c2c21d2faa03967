/**
 * The flag column: a SNP whose alternative fit lands below the null by more than the tolerance, or
 * whose fit did not converge, is flagged, its LRT kept as computed (never clamped), and the flag
 * travels through the worker codec, RESULTS.tsv, the project's rows and the summary's counts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BELOW_NULL_TOLERANCE, BlockFitter, likelihoodRatio, type ScanRow } from '../../engine/scan/fit-block.js';
import { RESULT_COLUMNS, RESULT_HEADER } from '../../engine/scan/results.js';
import { decodeRows, encodeRows } from '../../engine/scan/row-codec.js';
import { gemmFast } from '../../engine/stats/kernels/gemm.js';
import { BIMBAM_PRIOR } from '../../engine/stats/bayes/prior.js';
import { fitModel } from '../../engine/stats/lmm/fit.js';
import { ProfileLikelihood } from '../../engine/stats/lmm/profile.js';
import { Project } from '../../engine/store/project.js';
import { flagCounts, readRows, ResultWriter } from '../../engine/store/results.js';
import { beginSession, endSession, setPrepared } from '../../engine/store/runs.js';
import { firstColumns, makeCase } from '../helpers/lmmcase.js';
import { tempDir } from '../helpers/tmp.js';
import { settingsFor, simulatedSet } from '../store/helpers.js';

describe('flagged SNPs', () => {
  const dir = tempDir('kinscan-flag-');

  it('below the null beyond the tolerance: flagged with its negative LRT; within it: rounding, LRT 0', () => {
    const h0 = -1000;
    expect(likelihoodRatio(h0 + 1, h0, true)).toEqual({ lrt: 2, flag: '' });
    const small = likelihoodRatio(h0 - 0.5 * BELOW_NULL_TOLERANCE * 1000, h0, true);
    expect(small).toEqual({ lrt: 0, flag: '' });
    const below = likelihoodRatio(h0 - 0.01, h0, true);
    expect(below.flag).toBe('below-null');
    expect(below.lrt).toBeCloseTo(-0.02, 12);
    expect(likelihoodRatio(h0 + 1, h0, false).flag).toBe('not-converged');
    expect(likelihoodRatio(h0 - 1, h0, false).flag).toBe('below-null,not-converged');
  });

  it('the fitter flags a SNP whose fit lands below the null it is given, with p = 1', () => {
    const c = makeCase({ n: 80, seed: 31, sigmaA2: 1, sigmaE2: 1, snpEffect: 0 });
    const p = c.model.x.length;
    const nullModel = firstColumns(c.model, p - 2);
    const prof = new ProfileLikelihood(c.model.s, 8);
    const nullFit = fitModel(nullModel, prof, { method: 'exact' });
    // A null fit claimed 5 log-likelihood units above the real maximum: no alternative can reach it.
    const claimed = { ...nullFit, logl: nullFit.logl + 5 };
    for (const method of ['fast', 'exact', 'squarem'] as const) {
      const fitter = new BlockFitter({ n: c.n, s: c.model.s, yStar: c.model.y, wStar: nullModel.x, nullFit: claimed }, 'add-dom', method, gemmFast, BIMBAM_PRIOR);
      const x = new Float64Array(2 * c.n);
      x.set(c.model.x[p - 2]!, 0);
      x.set(c.model.x[p - 1]!, c.n);
      const row = fitter.fitBlock(x, [{ snp: 0, af: 0.4, nMiss: 0, classes: 3 }]).rows[0]!;
      expect(row.flag, method).toBe('below-null');
      expect(row.lrt, method).toBeCloseTo(2 * (row.loglH1 - claimed.logl), 9);
      expect(row.lrt, method).toBeLessThan(-1);
      expect(row.lnP, method).toBe(0);
    }
  });

  it('crosses the worker codec, RESULTS.tsv (last column), the project rows and the summary counts', () => {
    const base: Omit<ScanRow, 'snp' | 'flag'> = { af: 0.3, nMiss: 0, df: 1, betaA: 0.1, seA: 0.05, betaD: NaN, seD: NaN, loglH1: -10, deltaH1: 1, lrt: 0.5, lnP: -0.3, log10Bf: 0.25, log10Abf: 0.2 };
    const rows: ScanRow[] = [
      { ...base, snp: 0, flag: '' },
      { ...base, snp: 1, flag: 'below-null', lrt: -0.4, lnP: 0 },
      { ...base, snp: 2, flag: 'not-converged' },
      { ...base, snp: 3, flag: 'below-null,not-converged', lrt: -1, lnP: 0 },
    ];
    expect(decodeRows(encodeRows(rows))).toEqual(rows);
    expect(RESULT_COLUMNS.at(-1)).toBe('flag');
    expect(RESULT_HEADER.endsWith('\tneglog10_p\tlog10_bf\tlog10_abf\tppa\tflag')).toBe(true);

    const set = simulatedSet(dir, 'sim', 40, 100, 3);
    const p = Project.open(join(dir, 'flags.kinscan'), { create: true });
    try {
      const id = p.createRun(settingsFor(set, 't1', { model: 'additive' }));
      const seq = beginSession(p.db, id);
      setPrepared(p.db, id, 4, 40, {});
      new ResultWriter(p.db, id).commit(rows, 4);
      endSession(p.db, id, seq, 'done', 0);
      expect([...readRows(p.db, id)]).toEqual(rows);
      expect(flagCounts(p.db, id)).toEqual({ flagged: 3, belowNull: 2, notConverged: 2 });
      const out = join(dir, 'flags.tsv');
      p.exportRun(id, out);
      const lines = readFileSync(out, 'utf8').split('\n');
      expect(p.run(id).rows).toBe(4);
      expect(lines.slice(1, 5).map((l) => l.split('\t').at(-1))).toEqual(['', 'below-null', 'not-converged', 'below-null,not-converged']);
      expect(lines[2]!.split('\t')[RESULT_COLUMNS.indexOf('lrt')]).toBe('-0.4');
      // ppa = pi BF / (pi BF + 1 - pi) at the default pi = 1e-4, BF = 10^0.25.
      const bf = 10 ** 0.25;
      expect(Number(lines[1]!.split('\t')[RESULT_COLUMNS.indexOf('ppa')])).toBeCloseTo((1e-4 * bf) / (1e-4 * bf + 1 - 1e-4), 9);
    } finally {
      p.close();
    }
  });
});
