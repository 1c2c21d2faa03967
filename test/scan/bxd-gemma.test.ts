/**
 * BXD (BIMBAM mean genotypes with an annotation file, GEMMA's headerless phenotype and covariate
 * files) imported into a project and scanned, against GEMMA 0.98.5's own output on the same files
 * (test/fixtures/bxd-gemma/README.md says how it was made): the same SNP set, -log10 p within 1e-4
 * on every SNP, also at the 2,576 SNPs whose GEMMA fit sits at its lambda = 1e-5 bound, and the
 * dosage kinship equal to GEMMA's -gk 1 matrix.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { kinshipData } from '../../engine/export/figure-data.js';
import { DEFAULT_SETTINGS, type ScanSettings } from '../../engine/scan/settings.js';
import { subsetAndCenter } from '../../engine/stats/kinship.js';
import { Project } from '../../engine/store/project.js';
import { qcPreview } from '../../engine/store/qc-preview.js';
import { tempDir } from '../helpers/tmp.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const bxd = (f: string): string => join(fixtures, 'bxd', f);
const gemma = (f: string): string => readFileSync(join(fixtures, 'bxd-gemma', f)).toString('utf8');
const gemmaGz = (f: string): string => gunzipSync(readFileSync(join(fixtures, 'bxd-gemma', f))).toString('utf8');

function settings(covar: string): ScanSettings {
  return {
    ...DEFAULT_SETTINGS,
    bfile: bxd('BXD_geno.txt.gz'),
    anno: bxd('BXD_snps.txt.gz'),
    pheno: bxd('BXD_pheno.txt'),
    trait: '1',
    covar: bxd(covar),
    covarNames: ['1', '2'],
    model: 'additive',
  };
}

describe('BXD (BIMBAM dosages) against GEMMA 0.98.5 -lmm 2', () => {
  const dir = tempDir('kinscan-bxd-');

  it('imports the dosages, tests the same SNPs and agrees in -log10 p on every one, at the lambda bound too', async () => {
    const p = Project.open(join(dir, 'bxd.kinscan'), { create: true });
    try {
      const id = p.createRun(settings('BXD_covariates2.txt'));
      const res = await p.runScan(id, { threads: 2 });
      expect(res.run.status).toBe('done');
      const ds = p.datasets()[0]!;
      expect([ds.format, ds.dosage, ds.nSamples, ds.nSnps]).toEqual(['bimbam', true, 198, 7320]);
      const out = join(dir, 'bxd.tsv');
      p.exportRun(id, out);

      const ours = new Map<string, { p: number; logl: number; chr: string; ps: string; af: number }>();
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      const head = lines[0]!.split('\t');
      const col = (name: string): number => head.indexOf(name);
      for (const l of lines.slice(1)) {
        const f = l.split('\t');
        ours.set(f[col('rs')]!, { p: Number(f[col('neglog10_p')]), logl: Number(f[col('logl_h1')]), chr: f[col('chr')]!, ps: f[col('ps')]!, af: Number(f[col('af')]) });
      }
      const ref = gemmaGz('bxd_lmm2.assoc.txt.gz').trim().split('\n');
      const rh = ref[0]!.split('\t');
      expect(ours.size).toBe(ref.length - 1);
      let worst = 0;
      let worstBound = 0;
      let atBound = 0;
      for (const l of ref.slice(1)) {
        const f = l.split('\t');
        const r = ours.get(f[rh.indexOf('rs')]!);
        expect(r, f[rh.indexOf('rs')]).toBeDefined();
        expect([r!.chr, r!.ps]).toEqual([f[rh.indexOf('chr')], f[rh.indexOf('ps')]]);
        // GEMMA prints af with 3 decimals.
        expect(Math.abs(r!.af - Number(f[rh.indexOf('af')]))).toBeLessThan(6e-4);
        const diff = Math.abs(r!.p + Math.log10(Number(f[rh.indexOf('p_lrt')])));
        worst = Math.max(worst, diff);
        if (Number(f[rh.indexOf('l_mle')]) <= 1.00001e-5) {
          atBound++;
          worstBound = Math.max(worstBound, diff);
        }
      }
      expect(atBound).toBe(2576);
      expect(worst).toBeLessThan(1e-4);
      expect(worstBound).toBeLessThan(1e-4);
      // The QC screen's preview filters the dosages as the scan did: the same SNPs kept, 3 collinear.
      const sheets = p.sheets();
      const preview = qcPreview(p.db, {
        datasetId: ds.id,
        sheetId: sheets.find((s) => s.name === 'BXD_pheno.txt')!.id,
        trait: '1',
        covarSheetId: sheets.find((s) => s.name === 'BXD_covariates2.txt')!.id,
        covarNames: ['1', '2'],
        maf: 0.01,
        maxMissing: 0.05,
      });
      expect([preview.snps.kept, preview.snps.failedCollinear, preview.samples.kept]).toEqual([7317, 3, 67]);
      // GEMMA's null model: "MLE log-likelihood in the null model = -43.1922".
      const nullLogl = Number(/^## MLE log-likelihood in the null model = (\S+)/m.exec(gemma('bxd_lmm2.log.txt'))![1]);
      expect(res.summary.null.logl_h0).toBeCloseTo(nullLogl, 3);
    } finally {
      p.close();
    }
  });

  it('builds the kinship from the dosages as GEMMA -gk 1 does (compared over the analysed lines, re-centred as the scan uses it)', () => {
    const p = Project.open(join(dir, 'bxd.kinscan'));
    try {
      const k = kinshipData(p, p.runs()[0]!.id);
      const ref = gemmaGz('bxd.cXX.txt.gz').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
      const nAll = ref.length;
      const full = Float64Array.from(ref.flat());
      // BIMBAM samples are named by their row, '1'..'198'.
      const idx = Int32Array.from(k.sampleIds, (id) => Number(id) - 1);
      const expected = subsetAndCenter(full, nAll, idx);
      expect(k.n).toBe(67);
      let worst = 0;
      for (let x = 0; x < k.n * k.n; x++) worst = Math.max(worst, Math.abs(k.k[x]! - expected[x]!));
      // GEMMA writes 6 significant digits; the eigendecomposition round trip adds ~1e-15.
      expect(worst).toBeLessThan(5e-6);
    } finally {
      p.close();
    }
  });

  it("refuses BXD_covariates.txt, whose two columns are the same over the analysed lines (GEMMA issue #78), naming the file and both columns", async () => {
    const p = Project.open(join(dir, 'bxd-collinear.kinscan'), { create: true });
    try {
      const id = p.createRun(settings('BXD_covariates.txt'));
      await expect(p.runScan(id)).rejects.toThrow(/BXD_covariates\.txt: the covariate '2' is a linear combination .* over the 67 analysed individuals \('2' = 1 × '1'\)/);
    } finally {
      p.close();
    }
  });
});
