import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPlink, readBim, type Bim } from '../../engine/io/plink.js';
import { loadBim } from '../../engine/store/datasets.js';
import type { ScanRow } from '../../engine/scan/scan.js';
import { Project } from '../../engine/store/project.js';
import { readRows } from '../../engine/store/results.js';
import { tempDir } from '../helpers/tmp.js';
import { settingsFor, simulatedSet, recordAndScan } from './helpers.js';

describe('queries on a run', () => {
  const dir = tempDir('kinscan-store-q-');
  const set = simulatedSet(dir, 'sim', 120, 800, 31);
  let p: Project;
  let bim: Bim;
  const rows: Record<number, ScanRow[]> = {};

  beforeAll(async () => {
    p = Project.open(join(dir, 'q.kinscan'), { create: true });
    await recordAndScan(p, settingsFor(set, 't1', { model: 'additive' }));
    await recordAndScan(p, settingsFor(set, 't2'));
    for (const id of [1, 2]) rows[id] = [...readRows(p.db, id)];
    const plink = openPlink(set.prefix);
    bim = plink.bim;
    plink.bed.close();
  });
  afterAll(() => p.close());

  const byP = (r: ScanRow[]): ScanRow[] => [...r].sort((a, b) => a.lnP - b.lnP || a.snp - b.snp);

  it('top hits: the smallest p-values first, with their SNPs, from the (run_id, lnp) index', () => {
    const top = p.topHits(1, 15);
    expect(top.map((h) => h.snp)).toEqual(byP(rows[1]!).slice(0, 15).map((r) => r.snp));
    const h = top[0]!;
    expect([h.chr, h.rs, h.pos, h.allele1, h.allele0]).toEqual([bim.chr[h.snp], bim.rs[h.snp], bim.pos[h.snp], bim.allele1[h.snp], bim.allele0[h.snp]]);
    expect(h.negLog10P).toBe(-h.lnP / Math.LN10);
    const plan = p.db
      .prepare('EXPLAIN QUERY PLAN SELECT r.snp FROM results r INDEXED BY results_lnp WHERE r.run_id = ? ORDER BY r.lnp, r.snp LIMIT 10')
      .all(1)
      .map((x) => (x as { detail: string }).detail)
      .join('; ');
    expect(plan).toMatch(/USING COVERING INDEX results_lnp/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
    expect(p.topHits(1, 0)).toEqual([]);
  });

  it('the Manhattan series: chromosome, position and -log10 p of every tested SNP in file order, whole or in chunks', () => {
    const m = p.manhattan(2);
    const r = rows[2]!;
    expect(m.snp.length).toBe(r.length);
    expect(Array.from(m.snp)).toEqual(r.map((x) => x.snp));
    expect(Array.from(m.negLog10P)).toEqual(r.map((x) => -x.lnP / Math.LN10));
    expect(Array.from(m.pos)).toEqual(r.map((x) => bim.pos[x.snp]));
    expect(Array.from(m.chr, (c) => m.chrNames[c])).toEqual(r.map((x) => bim.chr[x.snp]));
    const { chrNames, chunks } = p.manhattanChunks(2, 100);
    expect(chrNames).toEqual(['1', '2', '3']);
    const parts = [...chunks];
    expect(parts.length).toBe(Math.ceil(r.length / 100));
    expect(parts.slice(0, -1).every((c) => c.snp.length === 100)).toBe(true);
    expect(Float64Array.from(parts.flatMap((c) => Array.from(c.negLog10P)))).toEqual(m.negLog10P);
    expect(Int32Array.from(parts.flatMap((c) => Array.from(c.chr)))).toEqual(m.chr);
  });

  it("one SNP's details, by index or ID, in this run and in the others", () => {
    const hit = p.topHits(2, 1)[0]!;
    const d = p.snpDetails(2, { rs: hit.rs })!;
    expect(d.info).toMatchObject({ snp: hit.snp, rs: hit.rs, chr: hit.chr, pos: hit.pos });
    expect(d.result).toEqual(hit);
    expect(d.runs.map((x) => [x.runId, x.trait, x.model])).toEqual([
      [1, 't1', 'additive'],
      [2, 't2', 'add-dom'],
    ]);
    expect(d.runs[0]!.result).toEqual(rows[1]!.find((x) => x.snp === hit.snp));
    expect(p.snpDetails(2, { snp: hit.snp })).toEqual(d);
    // A SNP that was not tested (filtered out) has its info but no result.
    const tested = new Set(rows[2]!.map((x) => x.snp));
    const untested = Array.from({ length: 800 }, (_, j) => j).find((j) => !tested.has(j));
    if (untested !== undefined) expect(p.snpDetails(2, { snp: untested })!.result).toBeNull();
    expect(p.snpDetails(2, { rs: 'no-such-snp' })).toBeUndefined();
  });

  it('a region: the tested SNPs of a chromosome between two positions, by position', () => {
    const reg = p.region(1, '2', 20000, 90000);
    const want = rows[1]!.filter((x) => bim.chr[x.snp] === '2' && bim.pos[x.snp]! >= 20000 && bim.pos[x.snp]! <= 90000);
    expect(want.length).toBeGreaterThan(10);
    expect(Array.from(reg.snp)).toEqual(want.map((x) => x.snp));
    expect(reg.rs).toEqual(want.map((x) => bim.rs[x.snp]));
    expect(Array.from(reg.lnP)).toEqual(want.map((x) => x.lnP));
    expect(Array.from(reg.betaA)).toEqual(want.map((x) => x.betaA));
    expect(p.region(1, '9', 0, 1e9).snp.length).toBe(0);
  });

  it('runs side by side: settings and fits, and the union of their top hits with every run\'s values', () => {
    const c = p.compareRuns([1, 2], 5);
    expect(c.runs.map((r) => [r.id, r.model])).toEqual([
      [1, 'additive'],
      [2, 'add-dom'],
    ]);
    const union = new Set([...p.topHits(1, 5), ...p.topHits(2, 5)].map((h) => h.snp));
    expect(new Set(c.snps.map((s) => s.snp))).toEqual(union);
    c.snps.forEach((s, k) => {
      for (const [i, id] of [1, 2].entries()) {
        const row = rows[id]!.find((x) => x.snp === s.snp);
        expect(c.negLog10P[i]![k]).toBe(row ? -row.lnP / Math.LN10 : NaN);
        expect(c.betaA[i]![k]).toBe(row ? row.betaA : NaN);
      }
    });
    // Ordered by the best -log10 p over the runs.
    const best = c.snps.map((_, k) => Math.max(c.negLog10P[0]![k]!, c.negLog10P[1]![k]!));
    expect(best).toEqual([...best].sort((a, b) => b - a));
  });
});

describe('queries on a .bim out of order, with IDs JSON has to escape', () => {
  const dir = tempDir('kinscan-store-q2-');
  const set = simulatedSet(dir, 'mixed', 100, 300, 41);
  // Chromosomes 1 and 2 alternate SNP by SNP (150 runs each: the chromosome filter lists them),
  // positions fall within each; some IDs hold quotes, backslashes, commas and non-ASCII letters,
  // one is repeated, and genetic positions are set.
  const AWKWARD: Record<number, string> = { 3: 'a"b', 70: 'back\\slash', 150: ',', 151: '","', 200: 'dup', 260: 'dup', 280: 'Ünïcødé_ß' };
  const bimPath = `${set.prefix}.bim`;
  writeFileSync(
    bimPath,
    readFileSync(bimPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line, j) => {
        const f = line.split('\t');
        return [j % 2 === 0 ? '1' : '2', AWKWARD[j] ?? f[1], (j * 0.01).toFixed(2), String(1_000_000 - j * 1000), f[4], f[5]].join('\t');
      })
      .join('\n') + '\n',
  );
  let p: Project;
  let bim: Bim;
  let rows: ScanRow[];

  beforeAll(async () => {
    p = Project.open(join(dir, 'q2.kinscan'), { create: true });
    p.importDataset(set.prefix, { blockSnps: 64 });
    await recordAndScan(p, settingsFor(set, 't1', { model: 'additive' }));
    rows = [...readRows(p.db, 1)];
    bim = readBim(bimPath);
  });
  afterAll(() => p.close());

  it('the .bim reads back from its blocks as the file has it', () => {
    expect({ ...loadBim(p.db, 1), path: bimPath }).toEqual(bim);
    expect(p.db.prepare('SELECT count(*) FROM snp_blocks WHERE dataset_id = 1').pluck().get()).toBe(5);
  });

  it('finds each awkward ID (a repeated one at its first index), and no ID that only spans two', () => {
    for (const [j, rs] of Object.entries(AWKWARD)) {
      const first = bim.rs.indexOf(rs);
      expect(first).toBe(rs === 'dup' ? 200 : Number(j));
      expect(p.snpDescriptions(1).findRs(rs)).toBe(first);
      expect(p.snpDetails(1, { rs })!.info).toEqual({ snp: first, chr: bim.chr[first], rs, cm: bim.cm[first], pos: bim.pos[first], allele1: bim.allele1[first], allele0: bim.allele0[first] });
    }
    // '","' sits between every two IDs of a block's JSON text: only the real one is found.
    expect(p.snpDescriptions(1).findRs('"b')).toBeUndefined();
    expect(p.snpDetails(1, { rs: 'no"such' })).toBeUndefined();
    expect(p.snpDetails(1, { snp: 300 })).toBeUndefined();
  });

  it('pages filtered to a chromosome scattered through the .bim, sorted by ID either way, as the .bim says', () => {
    const onChr2 = rows.filter((r) => bim.chr[r.snp] === '2');
    const byRs = [...onChr2].sort((a, b) => (bim.rs[a.snp]! < bim.rs[b.snp]! ? -1 : bim.rs[a.snp]! > bim.rs[b.snp]! ? 1 : a.snp - b.snp)).map((r) => r.snp);
    const asc = p.hitsPage(1, { sort: 'rs', order: 'asc', chr: '2', offset: 5, limit: 40 });
    expect(asc.total).toBe(onChr2.length);
    expect(asc.rows.map((h) => h.snp)).toEqual(byRs.slice(5, 45));
    expect(asc.rows.every((h) => h.chr === '2' && h.rs === bim.rs[h.snp] && h.pos === bim.pos[h.snp])).toBe(true);
    const desc = p.hitsPage(1, { sort: 'rs', order: 'desc', offset: 0, limit: 1000 });
    expect(desc.rows.map((h) => h.snp)).toEqual(
      [...rows].sort((a, b) => (bim.rs[a.snp]! > bim.rs[b.snp]! ? -1 : bim.rs[a.snp]! < bim.rs[b.snp]! ? 1 : b.snp - a.snp)).map((r) => r.snp),
    );
    const byP = p.hitsPage(1, { sort: 'p', order: 'asc', chr: '1', pBelow: 0.5, offset: 0, limit: 1000 });
    const want = rows.filter((r) => bim.chr[r.snp] === '1' && r.lnP < Math.log(0.5)).sort((a, b) => a.lnP - b.lnP || a.snp - b.snp);
    expect(byP.total).toBe(want.length);
    expect(byP.rows.map((h) => h.snp)).toEqual(want.map((r) => r.snp));
    expect(p.hitsPage(1, { sort: 'p', order: 'asc', chr: 'X', offset: 0, limit: 10 })).toEqual({ total: 0, rows: [] });
  });

  it('a region on the scattered chromosome, by position', () => {
    const reg = p.region(1, '2', 800_000, 900_000);
    const want = rows.filter((r) => bim.chr[r.snp] === '2' && bim.pos[r.snp]! >= 800_000 && bim.pos[r.snp]! <= 900_000).sort((a, b) => bim.pos[a.snp]! - bim.pos[b.snp]!);
    expect(want.length).toBeGreaterThan(20);
    expect(Array.from(reg.snp)).toEqual(want.map((r) => r.snp));
    expect(reg.rs).toEqual(want.map((r) => bim.rs[r.snp]));
    expect(Array.from(reg.lnP)).toEqual(want.map((r) => r.lnP));
  });
});
