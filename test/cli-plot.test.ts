/**
 * The six figures of the mouse example (trait 1, 2-df scan in a project) in every format, checked
 * in the files by independent readers: PNG size and pHYs, TIFF tags (tiffinfo) and pixels (utif2),
 * SVG rendered by resvg, PDF fonts and images (pdffonts, pdfimages) and render (pdftoppm), EPS
 * BoundingBox and render (Ghostscript); then `kinscan plot` and `kinscan report` as a user runs them,
 * from a project and from a results table (GEMMA's own .assoc.txt), with their refusals.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFigureScene } from '../engine/export/figures.js';
import { fontFiles } from '../engine/export/paint/fonts.js';
import { paintScene } from '../engine/export/paint/index.js';
import type { Scene } from '../engine/figures/scene.js';
import { FIGURE_KINDS, figureRequestSchema } from '../engine/protocol/figures.js';
import { Project } from '../engine/store/project.js';
import { decodeTiff, pngChunks, pngSize, renderEps, renderPdf, renderSvg, run, type RgbImage } from './export/paint-readers.js';
import { tempDir } from './helpers/tmp.js';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'kinscan.js');
const mouse = join(root, 'resources', 'example', 'mouse_hs1940');
const dir = tempDir('kinscan-plot-');
const projectPath = join(dir, 'mouse.kinscan');
const scenes = new Map<string, Scene>();
let project: Project;

function kinscan(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Share of pixels that are not white: a figure that drew something, but not a black page. */
function inkShare(img: RgbImage): number {
  let ink = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) if (img.data[3 * i]! + img.data[3 * i + 1]! + img.data[3 * i + 2]! < 720) ink++;
  return ink / n;
}

/** Mean lightness, 0 (black) to 1 (white). */
function lightness(img: RgbImage): number {
  let sum = 0;
  for (let i = 0; i < img.data.length; i++) sum += img.data[i]!;
  return sum / img.data.length / 255;
}

beforeAll(async () => {
  const r = kinscan('scan', '--project', projectPath, '--bfile', mouse, '--pheno', `${mouse}.pheno.csv`, '--trait', 'trait1', '--quiet');
  expect(r.code, r.stderr).toBe(0);
  project = Project.open(projectPath, { readonly: true });
  for (const kind of FIGURE_KINDS) scenes.set(kind, runFigureScene(project, 1, figureRequestSchema.parse({ kind })));
}, 120_000);

afterAll(() => project?.close());

describe('the six mouse figures in every format', () => {
  it.each(FIGURE_KINDS)('%s', async (kind) => {
    const scene = scenes.get(kind)!;
    const dpi = 300;
    const width = Math.round((scene.widthMm / 25.4) * dpi);
    const height = Math.round((scene.heightMm / 25.4) * dpi);

    const png = await paintScene(scene, 'png', { dpi });
    // The width is exact; the height follows from the aspect ratio (within a pixel of the height in mm).
    expect(pngSize(png).width).toBe(width);
    expect(Math.abs(pngSize(png).height - height)).toBeLessThanOrEqual(1);
    const phys = pngChunks(png).find((c) => c.type === 'pHYs')!;
    expect(phys.data.readUInt32BE(0)).toBe(Math.round(dpi / 0.0254));
    expect(phys.data[8]).toBe(1);

    const tiffPath = join(dir, `${kind}.tiff`);
    writeFileSync(tiffPath, await paintScene(scene, 'tiff', { dpi }));
    const info = run('tiffinfo', [tiffPath]);
    expect(info).toMatch(/Compression Scheme: LZW/);
    expect(info).toMatch(/Samples\/Pixel: 3/);
    expect(info).not.toMatch(/Extra Samples/);
    expect(info).toMatch(new RegExp(`Resolution: ${dpi}, ${dpi} pixels/inch`));
    const tiff = decodeTiff(readFileSync(tiffPath), dpi);
    expect([tiff.width, tiff.height]).toEqual([width, pngSize(png).height]);
    expect(statSync(tiffPath).size).toBeLessThan(10 << 20);

    const svg = (await paintScene(scene, 'svg', { dpi })).toString('utf8');
    expect((svg.match(/<image /g) ?? []).length).toBeLessThanOrEqual(1);
    expect(svg).toContain('<title>');

    const pdfPath = join(dir, `${kind}.pdf`);
    writeFileSync(pdfPath, await paintScene(scene, 'pdf', { dpi }));
    const fonts = run('pdffonts', [pdfPath]).trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThan(0);
    for (const f of fonts) expect(f).toMatch(/LiberationSans.* yes +yes/);
    const images = run('pdfimages', ['-list', pdfPath]).trim().split('\n').slice(2).filter((l) => l.trim().split(/\s+/)[2] === 'image');
    expect(images.length).toBeLessThanOrEqual(1);

    const epsPath = join(dir, `${kind}.eps`);
    writeFileSync(epsPath, await paintScene(scene, 'eps', { dpi }));
    const bbox = /%%BoundingBox: 0 0 (\d+) (\d+)/.exec(readFileSync(epsPath, 'latin1'))!;
    expect([Number(bbox[1]), Number(bbox[2])]).toEqual([Math.ceil((scene.widthMm / 25.4) * 72), Math.ceil((scene.heightMm / 25.4) * 72)]);

    // Every render draws the figure: some ink, mostly paper, and the same share in each reader.
    const renders: [string, RgbImage][] = [
      ['TIFF', tiff],
      ['SVG', renderSvg(svg, scene.widthMm, 100, fontFiles())],
      ['PDF', await renderPdf(pdfPath, dir, 100)],
      ['EPS', await renderEps(epsPath, dir, 100)],
    ];
    const shares = renders.map(([label, img]) => [label, inkShare(img)] as const);
    for (const [label, s] of shares) {
      expect(s, label).toBeGreaterThan(0.005);
      expect(s, label).toBeLessThan(kind === 'kinship' ? 0.95 : 0.6);
    }
    // The same picture in each reader: mean lightness within 2% of the TIFF's.
    const tiffLight = lightness(tiff);
    for (const [label, img] of renders) expect(Math.abs(lightness(img) - tiffLight), `${label} vs TIFF`).toBeLessThan(0.02);
  }, 60_000);

  it('the Manhattan PDF keeps informative points as vector marks over one raster layer of the rest', async () => {
    const scene = scenes.get('manhattan')!;
    const pdfPath = join(dir, 'm.pdf');
    writeFileSync(pdfPath, await paintScene(scene, 'pdf', { dpi: 300 }));
    const images = run('pdfimages', ['-list', pdfPath]).trim().split('\n').slice(2).filter((l) => l.trim().split(/\s+/)[2] === 'image');
    expect(images.length).toBe(1);
    expect(scene.meta.description).toMatch(/10,768 SNPs/);
  });
});

describe('kinscan plot', () => {
  it('writes each figure kind from a project, at the asked size and resolution', () => {
    const out = join(dir, 'qq-cli.png');
    const r = kinscan('plot', 'qq', '--project', projectPath, '--run', '1', '--out', out, '--dpi', '600', '--width-mm', '120', '--palette', 'grey');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/qq plot, 120 x \d+ mm \(one-and-half column\) at 600 dpi/);
    expect(pngSize(readFileSync(out)).width).toBe(Math.round((120 / 25.4) * 600));
    const region = kinscan('plot', 'region', '--project', projectPath, '--run', '1', '--snp', 'rs13482968', '--window', '2Mb', '--out', join(dir, 'region.svg'), '--quiet');
    expect(region.code, region.stderr).toBe(0);
    expect(readFileSync(join(dir, 'region.svg'), 'utf8')).toContain('rs13482968');
    // The credible set ringed at the asked level, its size in the legend as the figure data says.
    for (const level of [0.5, 0.99]) {
      const out = join(dir, `region-${level}.svg`);
      const r = kinscan('plot', 'region', '--project', projectPath, '--run', '1', '--snp', 'rs13482968', '--window', '2Mb', '--level', String(level), '--out', out, '--quiet');
      expect(r.code, r.stderr).toBe(0);
      const scene = runFigureScene(project, 1, figureRequestSchema.parse({ kind: 'region', snp: 'rs13482968', windowBp: 2e6, level }));
      const legend = JSON.stringify(scene).match(/\d+% credible set \(\d+ SNPs?\)/)?.[0];
      expect(legend).toMatch(new RegExp(`^${Math.round(level * 100)}% credible set`));
      expect(readFileSync(out, 'utf8')).toContain(legend!);
    }
    expect(kinscan('plot', 'region', '--project', projectPath, '--run', '1', '--level', '2', '--out', join(dir, 'bad.svg')).code).toBe(2);
    const h2 = kinscan('plot', 'heritability', '--project', projectPath, '--run', '1', '--width-mm', '89', '--out', join(dir, 'h2-cli.pdf'));
    expect(h2.code, h2.stderr).toBe(0);
    expect(run('pdftotext', [join(dir, 'h2-cli.pdf'), '-'])).toContain('Parametric bootstrap');
  });

  it("draws the Manhattan and QQ plots of GEMMA's own results file", () => {
    const assoc = join(dir, 'gemma.assoc.txt');
    writeFileSync(assoc, gunzipSync(readFileSync(join(root, 'test', 'fixtures', 'mouse_lmm2.assoc.txt.gz'))));
    const r = kinscan('plot', 'manhattan', '--results', assoc, '--threshold', 'bonferroni', '--out', join(dir, 'gemma.svg'), '--quiet');
    expect(r.code, r.stderr).toBe(0);
    const svg = readFileSync(join(dir, 'gemma.svg'), 'utf8');
    expect(svg).toMatch(/Bonferroni/);
    expect(svg).toMatch(/10,768/);
    const q = kinscan('plot', 'qq', '--results', assoc, '--out', join(dir, 'gemma-qq.svg'), '--quiet');
    expect(q.code, q.stderr).toBe(0);
    expect(readFileSync(join(dir, 'gemma-qq.svg'), 'utf8')).toMatch(/1-df LRT/);
  });

  it('refuses what it cannot do, saying what to do instead', () => {
    const assoc = join(dir, 'gemma.assoc.txt');
    const pca = kinscan('plot', 'pca', '--results', assoc, '--out', join(dir, 'x.png'));
    expect(pca.code).toBe(1);
    expect(pca.stderr).toMatch(/needs the run's genotypes.*kinscan plot pca --project/);
    const kind = kinscan('plot', 'volcano', '--project', projectPath, '--run', '1', '--out', join(dir, 'x.png'));
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/figure kind first \(manhattan, qq, pca, kinship, region, genotype, heritability\)/);
    const ext = kinscan('plot', 'qq', '--project', projectPath, '--run', '1', '--out', join(dir, 'x.jpg'));
    expect(ext.code).toBe(2);
    expect(ext.stderr).toMatch(/cannot tell the figure format/);
    const dpi = kinscan('plot', 'qq', '--project', projectPath, '--run', '1', '--out', join(dir, 'x.png'), '--dpi', '5');
    expect(dpi.code).toBe(2);
    expect(dpi.stderr).toMatch(/--dpi must be a whole number from 72 to 2400/);
    const over = kinscan('plot', 'qq', '--results', assoc, '--out', assoc, '--format', 'svg');
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/is one of the inputs/);
    const snp = kinscan('plot', 'genotype', '--project', projectPath, '--run', '1', '--snp', 'rs_nope', '--out', join(dir, 'x.png'));
    expect(snp.code).toBe(1);
    expect(snp.stderr).toMatch(/has no SNP 'rs_nope'/);
    const noPos = kinscan('plot', 'region', '--project', projectPath, '--run', '1', '--snp', 'mCV22965443', '--out', join(dir, 'x.png'));
    expect(noPos.code).toBe(1);
    expect(noPos.stderr).toMatch(/no known position/);
    const hl = kinscan('plot', 'manhattan', '--project', projectPath, '--run', '1', '--highlight', 'rs13482968,rs_unknown', '--out', join(dir, 'x.png'));
    expect(hl.code).toBe(1);
    expect(hl.stderr).toMatch(/rs_unknown is not among the tested SNPs/);
  });

  it('kinscan report writes one self-contained HTML file with the seven figures inline', () => {
    const out = join(dir, 'report.html');
    const r = kinscan('report', '--project', projectPath, '--run', '1', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect((html.match(/<svg[\s>]/g) ?? []).length).toBeGreaterThanOrEqual(7);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('kinscan scan');
  });
});
