import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPlink } from '../../engine/io/plink.js';
import { readSheet } from '../../engine/io/sheet.js';
import { loadPlink } from '../../engine/store/datasets.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';
import { simulatedSet } from './helpers.js';

describe('datasets and sheets in a project', () => {
  const dir = tempDir('kinscan-store-ds-');
  const set = simulatedSet(dir, 'sim', 150, 700, 3);

  it('imports a PLINK set once and serves back the same .fam, .bim and packed genotypes', () => {
    for (const codec of ['raw', 'zlib'] as const) {
      const p = Project.open(join(dir, `a-${codec}.kinscan`), { create: true });
      try {
        const { id, created } = p.importDataset(set.prefix, { blockSnps: 97, codec });
        expect(created).toBe(true);
        const src = openPlink(set.prefix);
        const got = loadPlink(p.db, id);
        const { path: _fp, ...famSrc } = src.fam;
        const { path: _fg, ...famGot } = got.fam;
        expect(famGot).toEqual(famSrc);
        const { path: _bp, ...bimSrc } = src.bim;
        const { path: _bg, ...bimGot } = got.bim;
        expect(bimGot).toEqual(bimSrc);
        expect([got.bed.nSamples, got.bed.nSnps, got.bed.bytesPerSnp]).toEqual([src.bed.nSamples, src.bed.nSnps, src.bed.bytesPerSnp]);
        // Ranges inside one block, across block boundaries, and the whole file.
        for (const [start, count] of [[0, 1], [5, 90], [90, 20], [96, 98], [600, 100], [0, 700]] as const) {
          const a = new Uint8Array(count * src.bed.bytesPerSnp);
          const b = new Uint8Array(count * src.bed.bytesPerSnp);
          src.bed.readPacked(start, count, a);
          got.bed.readPacked(start, count, b);
          expect(Buffer.compare(a, b), `SNPs ${start}+${count}`).toBe(0);
        }
        expect(() => got.bed.readPacked(650, 51, new Uint8Array(51 * src.bed.bytesPerSnp))).toThrow(RangeError);
        src.bed.close();
        got.bed.close();
        // Only the first import creates the dataset: the same files (same SHA-256) give the same id.
        expect(p.importDataset(set.prefix)).toMatchObject({ id, created: false });
        const [ds] = p.datasets();
        expect(ds!.codec).toBe(codec);
        expect(ds!.files.map((f) => [f.role, f.name, f.size])).toEqual([
          ['bed', 'sim.bed', readFileSync(`${set.prefix}.bed`).length],
          ['bim', 'sim.bim', readFileSync(`${set.prefix}.bim`).length],
          ['fam', 'sim.fam', readFileSync(`${set.prefix}.fam`).length],
        ]);
        expect(ds!.files[0]!.sha256).toBe(createHash('sha256').update(readFileSync(`${set.prefix}.bed`)).digest('hex'));
      } finally {
        p.close();
      }
    }
  });

  it('stores phenotype and covariate sheets (numeric and text columns) and reads them back as the engine reads the file', () => {
    const p = Project.open(join(dir, 'b.kinscan'), { create: true });
    try {
      for (const file of [set.pheno, set.covar]) {
        const { id, created } = p.importSheet(file);
        expect(created).toBe(true);
        const { path: _a, ...fromFile } = readSheet(file);
        const { path: _b, ...fromProject } = p.loadSheet(id);
        expect(fromProject).toEqual(fromFile);
        expect(p.importSheet(file)).toEqual({ id, created: false });
      }
      expect(p.sheets().map((s) => [s.name, s.columns, s.numericColumns])).toEqual([
        ['sim.pheno.csv', ['t1', 't2'], ['t1', 't2']],
        ['sim.covar.csv', ['age', 'sex'], ['age']],
      ]);
    } finally {
      p.close();
    }
  });
});
