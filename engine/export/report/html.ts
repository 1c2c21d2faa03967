/**
 * The run report as ONE self-contained HTML file: inline CSS (and the bundled font, inline),
 * figures inline as SVG, no script and no external URL, readable on screen and printed on A4
 * (page margins, headings kept with what follows, table rows and figures not split, table headers
 * repeated). Every string from the data is escaped (markup.ts). Sections follow the issue's order:
 * run, inputs, samples and SNPs, kinship, model and method, null fit, lambda_GC, figures, top hits,
 * software versions, the reproduce command, the methods paragraph; the run log closes it.
 */
import { formatBytes, formatCount, formatFixed, formatPercent, formatSeconds, formatSig, formatThreshold, formatTime, sciPartsOfNegLog10 } from './format.js';
import { fontFaceCss } from './font.js';
import { h, inlineSvg, trusted, type HtmlValue, type Markup } from './markup.js';
import type { CountRow, ReportData, ReportHit } from './types.js';

export interface ReportHtmlOptions {
  /** Embed the bundled font (default true); otherwise Arial / Helvetica from the machine. */
  embedFont?: boolean;
  /** The folder of the fonts to embed (default: resources/fonts, found above this module). */
  fontDir?: string;
}

const CSS = `
@page { size: A4; margin: 15mm 14mm 17mm 14mm; }
html { font-family: 'Liberation Sans', Arial, Helvetica, sans-serif; font-size: 9.5pt; line-height: 1.38; color: #1b1b1b; background: #fff;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 182mm; }
@media screen { body { padding: 10mm 8mm 16mm; } }
h1 { font-size: 16pt; line-height: 1.2; margin: 0 0 1.5mm; }
h2 { font-size: 12.5pt; margin: 7mm 0 2mm; padding-bottom: 0.8mm; border-bottom: 0.6pt solid #8a8a8a; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 10pt; margin: 3.5mm 0 1.2mm; break-after: avoid; page-break-after: avoid; }
p { margin: 1.2mm 0 2mm; }
.sub { color: #555; margin: 0 0 3mm; }
.small { font-size: 8pt; color: #555; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 2.5mm; font-size: 8.6pt; }
th, td { text-align: left; vertical-align: top; padding: 0.9mm 1.6mm; border-bottom: 0.4pt solid #cfcfcf; overflow-wrap: anywhere; }
thead { display: table-header-group; }
thead th { border-bottom: 0.8pt solid #666; background: #f0f0f0; font-weight: bold; overflow-wrap: normal; }
tr { break-inside: avoid; page-break-inside: avoid; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.credible td:nth-child(2), table.credible td:nth-child(3) { white-space: nowrap; }
table.kv, table.counts { break-inside: avoid; page-break-inside: avoid; }
table.kv th { width: 34%; font-weight: normal; color: #404040; }
tr.total td, tr.total th { font-weight: bold; }
tr.excluded td:first-child { padding-left: 5mm; }
tr.zero td { color: #777; }
code, pre, .mono { font-family: 'Liberation Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace; }
.hash { font-size: 7.4pt; word-break: break-all; overflow-wrap: anywhere; }
.path { font-size: 7.8pt; color: #505050; }
pre.command { white-space: pre-wrap; overflow-wrap: anywhere; background: #f4f4f4; border: 0.5pt solid #c8c8c8; padding: 2.5mm 3mm; font-size: 8.2pt; line-height: 1.35; margin: 1.5mm 0 2mm; break-inside: avoid; }
figure { margin: 3mm 0 5mm; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: 8.6pt; margin-top: 1.5mm; }
.methods { border-left: 2pt solid #8a8a8a; padding: 0.5mm 0 0.5mm 4mm; margin: 2mm 0; text-align: left; break-inside: avoid; page-break-inside: avoid; }
.warning { border: 0.8pt solid #a33; background: #fbeeee; padding: 2mm 3mm; margin: 2mm 0 3mm; }
.note { color: #333; }
.log td { font-size: 7.8pt; }
sup { font-size: 70%; line-height: 0; }
`;

function countRows(rows: CountRow[]): Markup {
  return h`<table class="counts"><tbody>${rows.map(
    (r) =>
      h`<tr class="${r.kind}${r.count === 0 && r.kind !== 'total' ? ' zero' : ''}"><td>${r.label}${r.note ? h` <span class="small">(${r.note})</span>` : ''}</td><td class="num">${formatCount(r.count)}</td></tr>`,
  )}</tbody></table>`;
}

function kv(rows: [string, HtmlValue][]): Markup {
  return h`<table class="kv"><tbody>${rows.map(([k, v]) => h`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>`;
}

/** A p-value as HTML: 3.2 × 10<sup>−12</sup>. */
/** The p-value 10^-negLog10P for a table cell (exact also below the double range). */
export function pHtml(negLog10P: number): Markup {
  if (!Number.isFinite(negLog10P)) return h`NA`;
  if (negLog10P <= 3) return h`${(10 ** -negLog10P).toPrecision(2)}`;
  const { mantissa, exponent } = sciPartsOfNegLog10(negLog10P, 2);
  return h`${mantissa} × 10<sup>${String(exponent).replace('-', '−')}</sup>`;
}

function thresholdHtml(p: number): Markup {
  const text = formatThreshold(p);
  const m = /^(?:(.+) × )?10\^(-?\d+)$/.exec(text);
  if (!m) return h`${text}`;
  return h`${m[1] ? `${m[1]} × ` : ''}10<sup>${m[2]!.replace('-', '−')}</sup>`;
}

function mb(bp: number): string {
  return (bp / 1e6).toFixed(3);
}

function hitRow(hit: ReportHit, i: number): Markup {
  const effect = hit.betaA === null ? 'NA' : `${formatSig(hit.betaA, 3)}${hit.seA === null ? '' : ` (${formatSig(hit.seA, 2)})`}`;
  // A position of 0 or below (-9 in many .bim files) is unknown: the SNP is a peak of its own.
  const placed = hit.pos > 0;
  return h`<tr><td class="num">${i + 1}</td><td>${hit.rs}</td><td>${hit.chr}</td><td class="num">${placed ? formatCount(hit.pos) : 'unknown'}</td>
<td class="num">${placed ? `${mb(hit.start)}–${mb(hit.end)}` : '—'}</td><td class="num">${formatCount(hit.nSnps)}</td><td class="num">${pHtml(hit.negLog10P)}</td>
<td class="num">${effect}</td><td class="num">${formatFixed(hit.af, 3)}</td><td>${hit.allele1}/${hit.allele0}</td></tr>`;
}

function runSection(d: ReportData): Markup {
  const r = d.run;
  const versions = [...new Set(r.sessions.map((s) => s.softwareVersion))];
  return h`<section id="run">
${
  r.complete
    ? ''
    : h`<p class="warning"><b>This run is ${r.status}${r.error ? h`: ${r.error}` : ''}.</b> Its results, and so this report, are incomplete (${formatCount(d.snps.tested)} of ${formatCount(d.snps.planned)} SNPs tested).</p>`
}
${kv([
  ['Run', `${r.id} in project ${d.project.name}`],
  ['Trait', r.trait],
  ['Status', r.status],
  ['Created', formatTime(r.createdAt)],
  ['Started', formatTime(r.startedAt)],
  ['Finished', formatTime(r.finishedAt)],
  ['Wall time', formatSeconds(r.wallSeconds)],
  ['Computed by', h`kinscan ${r.softwareVersion}${versions.some((v) => v !== r.softwareVersion) ? h` (sessions: ${versions.join(', ')})` : ''}`],
  ['Project file', h`<span class="path">${d.project.path}</span>`],
])}
${
  r.sessions.length > 0
    ? h`<h3>Sessions</h3><table><thead><tr><th class="num">#</th><th>Started</th><th>Ended</th><th class="num">SNP positions</th><th>Outcome</th><th>kinscan</th><th>Host (pid)</th></tr></thead><tbody>${r.sessions.map(
        (s) =>
          h`<tr><td class="num">${s.seq}</td><td>${formatTime(s.startedAt)}</td><td>${formatTime(s.endedAt)}</td><td class="num">${formatCount(s.fromPos)}–${s.toPos === null ? '?' : formatCount(s.toPos)}</td><td>${s.outcome ?? 'running'}</td><td>${s.softwareVersion}</td><td>${s.host} (${s.pid})</td></tr>`,
      )}</tbody></table>`
    : ''
}
</section>`;
}

function inputsSection(d: ReportData): Markup {
  return h`<section id="inputs"><h2>1. Inputs</h2>
<p class="note">As recorded when each file was imported into the project; the project holds its own copy, so the run does not read these files again.</p>
<table class="inputs"><thead><tr><th style="width:19%">Role</th><th>File and SHA-256</th><th class="num" style="width:19%">Size</th><th style="width:17%">Modified</th></tr></thead><tbody>${d.inputs.map(
    (f) =>
      h`<tr><td>${f.role}</td><td><b>${f.name}</b><br><span class="path">${f.path}</span><br><span class="mono hash" data-sha256="${f.sha256}">${f.sha256}</span></td><td class="num">${formatBytes(f.size).replace(' (', '\u00a0(')}</td><td>${formatTime(f.mtime)}</td></tr>`,
  )}</tbody></table>
<p class="small">Genotype set ${d.dataset.name}: ${formatCount(d.dataset.samples)} individuals, ${formatCount(d.dataset.snps)} SNPs.</p>
</section>`;
}

function qcSection(d: ReportData): Markup {
  return h`<section id="qc"><h2>2. Samples and SNPs</h2>
<h3>Individuals</h3>${countRows(d.samples.rows)}
<h3>SNPs</h3>${countRows(d.snps.rows)}
<p class="small">SNP filters are applied among the analysed individuals, in GEMMA’s order: missing rate, minor allele frequency, single genotype class. Thresholds: MAF ≥ ${d.snps.maf}, missing rate ≤ ${d.snps.maxMissing}.</p>
</section>`;
}

function kinshipSection(d: ReportData): Markup {
  const k = d.kinship;
  return h`<section id="kinship"><h2>3. Kinship</h2>
${kv([
  [
    'Source',
    k.type === 'file'
      ? h`matrix file ${k.file ?? ''}`
      : k.type === 'pedigree'
        ? h`numerator relationship matrix A of the pedigree ${k.file ?? ''}${k.pedigree ? ` (${formatCount(k.pedigree.animals)} animals)` : ''}`
        : `${k.type} genomic relationship matrix (built from the genotypes)`,
  ],
  ['SNPs used', k.type === 'file' ? 'none (read from the file)' : k.type === 'pedigree' ? 'none (from the pedigree)' : formatCount(k.snps)],
  ['Scale t = tr(K)/n', formatFixed(k.scale, 6)],
])}
<p>${k.description}</p></section>`;
}

function modelSection(d: ReportData): Markup {
  const m = d.model;
  const covariates = d.covariates.filter((c) => c !== 'intercept');
  return h`<section id="model"><h2>4. Model and method</h2>
${kv([
  ['Model', m.equation],
  ['Fixed effects X', `intercept${covariates.length > 0 ? `, ${covariates.join(', ')}` : ''}, and the SNP’s genotype codes`],
  ['Genetic model', h`${m.model}: ${m.modelText}`],
  ['Test', m.testText],
  ['Fit', h`maximum likelihood (ML), method ${m.method}: ${m.methodText}`],
])}
</section>`;
}

function nullFitSection(d: ReportData): Markup {
  const nf = d.nullFit;
  return h`<section id="null"><h2>5. Null model fit</h2>
${kv([
  ['ML log-likelihood', formatFixed(nf.logl, 4)],
  ['σₐ² (genetic variance)', formatSig(nf.sigmaA2, 6)],
  ['σₑ² (residual variance)', formatSig(nf.sigmaE2, 6)],
  ['δ = σₑ²/σₐ²', nf.delta === null ? '∞ (σₐ² = 0)' : formatSig(nf.delta, 6)],
  ['PVE', formatFixed(nf.pve, 4)],
  ['Optimum', nf.boundary === 'interior' ? 'interior' : `on the boundary (${nf.boundary})`],
])}
<p>${nf.pveMeaning}</p>
<h3>Fixed effects under the null model</h3>
<table><thead><tr><th>Term</th><th class="num">Estimate</th><th class="num">Standard error</th></tr></thead><tbody>${nf.fixed.map(
    (f) => h`<tr><td>${f.name}</td><td class="num">${formatSig(f.beta, 6)}</td><td class="num">${formatSig(f.se, 4)}</td></tr>`,
  )}</tbody></table>
${heritabilityPart(d)}
</section>`;
}

/** h2 with its three intervals, a subsection of the null fit. */
function heritabilityPart(d: ReportData): Markup {
  const hv = d.heritability;
  if (!hv) return h`<h3>Heritability with uncertainty</h3><p class="note">This run was recorded before Kinscan computed heritability intervals; run it again to see them.</p>`;
  const level = formatPercent(hv.level);
  const iv = (lo: number | null, hi: number | null): string => `${formatFixed(lo, 3)}–${formatFixed(hi, 3)}`;
  return h`<h3 id="heritability">Heritability with uncertainty</h3>
<table class="h2"><thead><tr><th>Interval (${level})</th><th class="num">Range</th><th>Estimate</th></tr></thead><tbody>
<tr><td>Profile likelihood</td><td class="num">${iv(hv.profile.lower, hv.profile.upper)}</td><td>ML ${formatFixed(hv.estimate, 3)}</td></tr>
<tr><td>Posterior, uniform prior on h²</td><td class="num">${iv(hv.posterior.lower, hv.posterior.upper)}</td><td>mean ${formatFixed(hv.posterior.mean, 3)}, mode ${formatFixed(hv.posterior.mode, 3)}</td></tr>
<tr><td>Parametric bootstrap (ALBI)</td><td class="num">${hv.bootstrap ? iv(hv.bootstrap.lower, hv.bootstrap.upper) : 'NA'}</td><td>${hv.bootstrap ? `${formatCount(hv.bootstrap.replicates)} replicates × ${formatCount(hv.bootstrap.gridPoints)} values` : ''}</td></tr>
</tbody></table>
<p id="heritability-paragraph">${hv.paragraph}</p>`;
}

function lambdaSection(d: ReportData): Markup {
  return h`<section id="lambda"><h2>6. Genomic inflation</h2>
${kv([['λGC', formatFixed(d.lambdaGc.value, 4)]])}
<p>${d.lambdaGc.reading}</p></section>`;
}

function figuresSection(d: ReportData): Markup {
  if (d.figures.length === 0) return h`<section id="figures"><h2>7. Figures</h2><p class="note">No figures were made for this report.</p></section>`;
  return h`<section id="figures"><h2>7. Figures</h2>${d.figures.map(
    (f, i) =>
      h`<figure class="figure-${f.kind}">${inlineSvg(f.svg, `fig${i + 1}-`, `figure ${i + 1} (${f.title})`)}<figcaption><b>Figure ${i + 1}. ${f.title}.</b> ${f.caption}</figcaption></figure>`,
  )}</section>`;
}

function hitsSection(d: ReportData): Markup {
  const t = d.threshold;
  const intro = h`<p class="note">Peaks of SNPs with p &lt; ${thresholdHtml(t.p)} (${t.label}): ${formatCount(t.snpsPast)} SNP${t.snpsPast === 1 ? '' : 's'} past the threshold. Each row is a peak’s lead SNP; the span is that of the peak’s SNPs past the threshold. β<sub>a</sub> is per copy of allele 1 (A1).</p>`;
  if (d.hits.length === 0) return h`<section id="hits"><h2>8. Top hits</h2>${intro}<p>No peak to list.</p></section>`;
  return h`<section id="hits"><h2>8. Top hits</h2>${intro}
<table class="hits"><thead><tr><th class="num">#</th><th>Lead SNP</th><th>Chr</th><th class="num">Position (bp)</th><th class="num">Span (Mb)</th><th class="num">SNPs</th><th class="num">p</th><th class="num">β<sub>a</sub> (se)</th><th class="num">AF (A1)</th><th>A1/A0</th></tr></thead>
<tbody>${d.hits.map(hitRow)}</tbody></table>${finemapPart(d)}</section>`;
}

/** The credible sets, as a subsection of the top hits: the plain-words paragraph, then a row per region. */
function finemapPart(d: ReportData): Markup {
  const fm = d.finemap;
  if (!fm) return h`<h3>How sure, and which SNPs</h3><p class="note">This run was recorded before Kinscan computed Bayes factors; run it again for posterior probabilities and credible sets.</p>`;
  const level = formatPercent(fm.level);
  const rows = fm.regions.map(
    (r, i) =>
      h`<tr><td class="num">${i + 1}</td><td>${r.chr}:${mb(r.start)}–${mb(r.end)}</td><td>${r.leadRs}</td><td class="num">${pHtml(r.leadNegLog10P)}</td><td class="num">${formatFixed(r.leadLog10Bf, 2)}</td><td class="num">${formatFixed(r.leadPpa, 3)}</td>
<td class="num">${formatCount(r.snps)}</td><td class="num">${formatCount(r.setSize)}</td><td>${r.members.map((m) => `${m.rs} (${formatFixed(m.pip, 2)})`).join(', ')}${r.setSize > r.members.length ? ', …' : ''}</td></tr>`,
  );
  return h`<h3 id="credible-sets">How sure, and which SNPs: Bayes factors and ${level} credible sets</h3>
<p id="finemap-paragraph">${fm.paragraph}</p>
${
  fm.regions.length === 0
    ? ''
    : h`<table class="credible"><thead><tr><th class="num">#</th><th>Region (Mb)</th><th>Lead SNP</th><th class="num">p</th><th class="num">log<sub>10</sub> BF</th><th class="num">PPA</th><th class="num">SNPs</th><th class="num">Set size</th><th>Credible set (PIP)</th></tr></thead>
<tbody>${rows}</tbody></table>`
}`;
}

function versionsSection(d: ReportData): Markup {
  return h`<section id="versions"><h2>9. Software and library versions</h2>
<table><thead><tr><th>Software</th><th>Version</th><th>Used for</th></tr></thead><tbody>${d.versions.map(
    (v) => h`<tr><td>${v.name}</td><td>${v.version}</td><td>${v.note ?? ''}</td></tr>`,
  )}</tbody></table>
<p class="small">Versions of the software writing this report (kinscan ${d.generatedBy}); the run was computed by kinscan ${d.run.softwareVersion}.</p></section>`;
}

function reproduceSection(d: ReportData): Markup {
  const r = d.reproduce;
  return h`<section id="reproduce"><h2>10. Reproduce this run</h2>
${r.display !== null ? h`<pre class="command" id="reproduce-command">${r.display}</pre>` : ''}
<p class="note">${r.note}</p></section>`;
}

function methodsSection(d: ReportData): Markup {
  return h`<section id="methods"><h2>11. Methods</h2>
<p class="methods" id="methods-paragraph">${d.methods}</p></section>`;
}

function logSection(d: ReportData): Markup {
  if (d.run.log.length === 0) return h``;
  return h`<section id="log"><h2>Run log</h2><table class="log"><tbody>${d.run.log.map(
    (l) => h`<tr><td style="width:27%">${formatTime(l.at)}</td><td style="width:8%">${l.level}</td><td>${l.message}</td></tr>`,
  )}</tbody></table></section>`;
}

/** The report as one self-contained HTML document. */
export function reportHtml(data: ReportData, opts: ReportHtmlOptions = {}): string {
  const font = opts.embedFont === false ? '' : fontFaceCss(opts.fontDir);
  const page = h`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kinscan ${data.generatedBy}">
<meta name="description" content="${`Report of run ${data.run.id} (${data.run.trait}) of ${data.project.name}`}">
<title>${data.title}</title>
<style>${trusted(font + CSS)}</style>
</head>
<body>
<header><h1>${data.title}</h1>
<p class="sub">Mixed-model association scan · project ${data.project.name} · report written ${formatTime(data.generatedAt)} by kinscan ${data.generatedBy}</p></header>
${runSection(data)}
${inputsSection(data)}
${qcSection(data)}
${kinshipSection(data)}
${modelSection(data)}
${nullFitSection(data)}
${lambdaSection(data)}
${figuresSection(data)}
${hitsSection(data)}
${versionsSection(data)}
${reproduceSection(data)}
${methodsSection(data)}
${logSection(data)}
</body>
</html>
`;
  return page.html;
}
