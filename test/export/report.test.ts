import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { methodsParagraph } from '../../engine/export/report/methods.js';
import { gatherReport, type ReportExtras } from '../../engine/export/report/gather.js';
import { reportHtml } from '../../engine/export/report/html.js';
import { printReportPdf } from '../../engine/export/report/pdf.js';
import type { ReportData, ReportHit } from '../../engine/export/report/types.js';
import { writeReport } from '../../engine/export/report/write.js';
import { Project } from '../../engine/store/project.js';
import { tempDir } from '../helpers/tmp.js';
import { buildReportFixture, dummySvg, ROOT, TRAIT, type ReportFixture } from './report-fixture.js';

const CLI = join(ROOT, 'bin', 'kinscan.js');
const run = promisify(execFile);

const HITS: ReportHit[] = [
  { rs: 'rs3683945', chr: '1', pos: 3197400, start: 3100000, end: 3300000, nSnps: 4, p: 2.5e-9, negLog10P: -Math.log10(2.5e-9), betaA: -0.2513, seA: 0.041, af: 0.43, allele1: 'A', allele0: 'G' },
  { rs: 'rs<odd>&"name"', chr: 'X', pos: 12000000, start: 12000000, end: 12000000, nSnps: 1, p: 3.1e-6, negLog10P: -Math.log10(3.1e-6), betaA: null, seA: null, af: null, allele1: 'C', allele0: 'T' },
];

function extras(): ReportExtras {
  return {
    figures: [
      { kind: 'manhattan', title: 'Manhattan <plot> & more', caption: `−log10 p of ${TRAIT}`, svg: dummySvg('one') },
      { kind: 'qq', title: 'QQ plot', caption: 'Observed against expected.', svg: dummySvg('two') },
    ],
    hits: HITS,
  };
}

/** The text of a key-value row of the report: <tr><th>label</th><td>value</td></tr>. */
function kvValue(html: string, label: string): string {
  const m = new RegExp(`<tr><th>${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</th><td>(.*?)</td></tr>`).exec(html);
  if (!m) throw new Error(`no row '${label}' in the report`);
  return m[1]!;
}

/** The count of a counts-table row whose label starts with `label`. */
function countValue(html: string, label: string): number {
  const m = new RegExp(`<td>${label}[^<]*</td><td class="num">([0-9,]+)</td>`).exec(html);
  if (!m) throw new Error(`no count '${label}' in the report`);
  return Number(m[1]!.replace(/,/g, ''));
}

/** Text without blanks and hyphens, to compare with what pdftotext gives. */
const flat = (s: string): string => s.replace(/[\s-]+/g, '');

describe('run report', () => {
  const dir = tempDir('kinscan-report-');
  let fx: ReportFixture;
  let project: Project;
  let data: ReportData;
  let html: string;

  beforeAll(async () => {
    fx = await buildReportFixture(dir);
    project = Project.open(fx.projectPath, { readonly: true });
    data = gatherReport(project, fx.runs.covar, extras());
    html = reportHtml(data);
    return () => project.close();
  }, 120_000);

  it('is self-contained: no URL but the SVG namespaces, no script, no external src or href', () => {
    const withoutNamespaces = html.replace(/\sxmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, '');
    expect(withoutNamespaces).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\ssrc\s*=/i);
    for (const m of html.matchAll(/\shref\s*=\s*"([^"]*)"/gi)) expect(m[1]).toMatch(/^#/);
    for (const m of html.matchAll(/url\(([^)]*)\)/g)) expect(m[1]).toMatch(/^(data:|#)/);
    // The bundled font is inline; the two figures are inline SVG with their ids kept apart.
    expect(html).toMatch(/@font-face \{ font-family: 'Liberation Sans'.*src: url\(data:font\/ttf;base64,/);
    expect(html.match(/<svg[\s>]/g)).toHaveLength(2);
    expect(html).not.toMatch(/<\?xml/);
    expect(html).toContain('id="fig1-plot"');
    expect(html).toContain('clip-path="url(#fig2-plot)"');
    expect(html).not.toContain('id="plot"');
  });

  it('lists every input with the SHA-256 of the file itself', () => {
    expect(data.inputs.map((f) => f.role)).toEqual(['genotypes (.bed)', 'SNP map (.bim)', 'individuals (.fam)', 'phenotype and covariate sheet']);
    for (const f of data.inputs) {
      const bytes = readFileSync(f.path);
      expect(f.size).toBe(bytes.length);
      const sha = createHash('sha256').update(bytes).digest('hex');
      expect(f.sha256).toBe(sha);
      expect(html).toContain(`data-sha256="${sha}">${sha}</span>`);
    }
    const withFile = gatherReport(project, fx.runs.file, extras());
    const matrix = withFile.inputs.find((f) => f.role === 'kinship matrix')!;
    expect(matrix.sha256).toBe(createHash('sha256').update(readFileSync(fx.kinshipFile)).digest('hex'));
  });

  it('shows the numbers of the run summary', () => {
    const s = project.summary(fx.runs.covar)!;
    expect(countValue(html, 'Analysed individuals')).toBe(s.samples.analysed);
    expect(countValue(html, 'SNPs tested')).toBe(s.snps.tested);
    expect(countValue(html, 'Genotyped individuals \\(.fam\\)')).toBe(s.samples.genotyped);
    expect(countValue(html, 'Excluded: a covariate missing')).toBe(s.samples.missingCovariate);
    expect(countValue(html, 'Excluded: minor allele frequency')).toBe(s.snps.failedMaf);
    expect(s.samples.missingCovariate).toBeGreaterThan(0);
    expect(s.snps.total - s.snps.failedMissing - s.snps.failedMaf - s.snps.singleClass).toBe(s.snps.planned);
    expect(Math.abs(Number(kvValue(html, 'ML log-likelihood')) - s.null.logl_h0)).toBeLessThanOrEqual(0.5e-4 + 1e-12);
    expect(Math.abs(Number(kvValue(html, 'λGC')) - s.lambda_gc)).toBeLessThanOrEqual(0.5e-4 + 1e-12);
    expect(Math.abs(Number(kvValue(html, 'PVE')) - s.null.pve)).toBeLessThanOrEqual(0.5e-4 + 1e-12);
    expect(Number(kvValue(html, 'σₐ² (genetic variance)'))).toBeCloseTo(s.null.sigma_a2, 5);
    // PVE from its definition, t sigma_a2 / (t sigma_a2 + sigma_e2).
    const t = s.kinship.scale;
    expect(data.nullFit.pve).toBeCloseTo((t * s.null.sigma_a2) / (t * s.null.sigma_a2 + s.null.sigma_e2), 12);
    expect(data.nullFit.fixed.map((f) => f.name)).toEqual(['intercept', 'cov4']);
  });

  it('escapes every string from the data', () => {
    expect(html).not.toContain('<&>');
    expect(html).not.toContain('<plot>');
    expect(html).not.toContain('<odd>');
    expect(html).toContain('weight &lt;&amp;&gt; &#39;g&#39;');
    expect(html).toContain('Manhattan &lt;plot&gt; &amp; more');
    expect(html).toContain('rs&lt;odd&gt;&amp;&quot;name&quot;');
    expect(html).toContain('it&#39;s &lt;&amp;&gt; $HOME &quot;dir&quot;');
    // The page's own markup is intact: one body, sections in the order.
    const order = ['inputs', 'qc', 'kinship', 'model', 'null', 'lambda', 'figures', 'hits', 'versions', 'reproduce', 'methods'].map((id) => html.indexOf(`<section id="${id}">`));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
  });

  it('writes a methods paragraph with the QC counts, model, test, version and threshold', () => {
    const m = data.methods;
    const s = project.summary(fx.runs.covar)!;
    expect(m).toContain(`Kinscan ${data.run.softwareVersion}`);
    expect(m).toContain(`${s.samples.analysed.toLocaleString('en-US')} individuals with the trait and every covariate were analysed`);
    expect(m).toContain(`${s.snps.failedMaf.toLocaleString('en-US')} with a minor allele frequency below 0.05`);
    expect(m).toContain('missing rate above 10%');
    expect(m).toContain('standardized genomic relationship matrix');
    expect(m).toContain('likelihood-ratio test of its additive effect');
    expect(m).toContain('1 degree of freedom');
    expect(m).toContain('SQUAREM');
    expect(m).toContain('5 × 10^-8');
    expect(m).not.toMatch(/powerful|robust|state-of-the-art|cutting-edge|novel/i);
    const plain = gatherReport(project, fx.runs.plain, extras()).methods;
    expect(plain).toContain('additive and dominance effects together');
    expect(plain).toContain('2 degrees of freedom');
    expect(plain).toContain('centered genomic relationship matrix');
    expect(plain).toContain('Newton');
    // PCs added as covariates (setting pcs) are named as what they are, not as sheet columns.
    const withPcs = methodsParagraph({ ...data, covariates: [...data.covariates, 'PC1', 'PC2'], pcCovariates: 2 });
    expect(withPcs).toContain('the top 2 principal components of the kinship (as covariates for population structure)');
    expect(withPcs).not.toContain('‘PC1’');
    expect(withPcs).toContain(`${s.samples.analysed.toLocaleString('en-US')} individuals with the trait and every covariate were analysed`);
  });

  it('reproduces each run from a shell: byte-identical RESULTS.tsv', async () => {
    expect(existsSync(join(ROOT, 'dist', 'cli', 'kinscan.js')), 'the CLI is not built: run npm run build:engine').toBe(true);
    // `kinscan` on the PATH is the built CLI.
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'kinscan'), `#!/bin/sh\nexec node '${CLI}' "$@"\n`);
    chmodSync(join(bin, 'kinscan'), 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env['PATH']}` };
    await Promise.all(
      Object.entries(fx.runs).map(async ([name, id]) => {
        const command = gatherReport(project, id, extras()).reproduce.command!;
        expect(command).toMatch(/^kinscan scan --bfile '/);
        const cwd = join(dir, `reproduce-${name}`);
        mkdirSync(cwd);
        const r = await run('bash', ['-c', `${command} --quiet`], { cwd, env, encoding: 'utf8' });
        expect(r.stderr).toBe('');
        const exported = join(dir, `export-${name}.tsv`);
        project.exportRun(id, exported);
        expect(readFileSync(join(cwd, 'RESULTS.tsv')).equals(readFileSync(exported)), `run ${name}`).toBe(true);
      }),
    );
  });

  it('prints to PDF: pages render, fonts embedded, the methods paragraph and the command in its text', async () => {
    const pdf = join(dir, 'report.pdf');
    await printReportPdf(html, pdf, { footer: 'Kinscan run 2' });
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    expect(pages).toBeGreaterThanOrEqual(3);
    // ISO A4 is 595.28 x 841.89 pt.
    const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info)!;
    expect(Math.abs(Number(size[1]) - 595.28)).toBeLessThan(1);
    expect(Math.abs(Number(size[2]) - 841.89)).toBeLessThan(1);
    expect(info).toMatch(new RegExp(`Title:\\s+Kinscan run ${fx.runs.covar}: ${TRAIT}\n`));
    execFileSync('pdftoppm', ['-r', '20', '-png', pdf, join(dir, 'page')]);
    expect(existsSync(join(dir, 'page-1.png'))).toBe(true);
    const fonts = execFileSync('pdffonts', [pdf], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThan(0);
    for (const line of fonts) expect(line.split(/\s+/).slice(-5, -4)[0], line).toBe('yes');
    expect(fonts.some((l) => /LiberationSans/.test(l))).toBe(true);
    // pdftotext drops a hyphen that ends a line; the page footers are text too.
    const text = flat(execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).replace(/Kinscan run 2 · page \d+ of \d+/g, ''));
    expect(text).toContain(flat(data.methods));
    expect(text).toContain(flat(data.reproduce.display!));
  });

  it('reports a stopped run as incomplete, and refuses a run that never started', async () => {
    const writer = Project.open(fx.projectPath);
    try {
      const stopped = writer.createRun(fx.settings.plain);
      await writer.runScan(stopped, { stopAt: 256, threads: 1 });
      const queued = writer.createRun(fx.settings.plain);
      const d = gatherReport(writer, stopped, extras());
      expect(d.run.status).toBe('cancelled');
      expect(d.run.complete).toBe(false);
      expect(d.snps.tested).toBe(256);
      expect(d.snps.rows.find((r) => r.label === 'Not tested: the scan was stopped')!.count).toBe(d.snps.planned - 256);
      expect(d.methods).toMatch(/The scan is incomplete: it was stopped after 256 of [0-9,]+ SNPs\.$/);
      expect(reportHtml(d)).toMatch(/<p class="warning"><b>This run is cancelled\.<\/b>/);
      expect(() => gatherReport(writer, queued, extras())).toThrow(/run \d+ is queued and has no results summary yet/);
    } finally {
      writer.close();
    }
  });

  it('writes .html and .pdf through writeReport, and refuses other names', async () => {
    const out = join(dir, 'written.html');
    const w = await writeReport(project, fx.runs.plain, out, extras());
    expect(w.format).toBe('html');
    expect(readFileSync(out, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    await expect(writeReport(project, fx.runs.plain, join(dir, 'x.docx'), extras())).rejects.toThrow(/FILE\.html or FILE\.pdf/);
  });
});
