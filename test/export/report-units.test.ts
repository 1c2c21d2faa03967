import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatCount, formatP, formatThreshold, sciPartsOfNegLog10 } from '../../engine/export/report/format.js';
import { escapeHtml, h, inlineSvg } from '../../engine/export/report/markup.js';
import { findChromium } from '../../engine/export/report/pdf.js';
import { reproduceCommand, SETTING_FLAGS } from '../../engine/export/report/reproduce.js';
import { packageVersion } from '../../engine/export/report/versions.js';
import type { ScanSettings } from '../../engine/scan/settings.js';
import { SCAN_FLAGS } from '../../cli/commands.js';
import { dummySvg, ROOT } from './report-fixture.js';

/** Every setting, optional ones included (the compiler checks that none is missing). */
const ALL: Required<ScanSettings> = {
  bfile: '/data/geno',
  anno: '/data/geno.snps.txt',
  dosage: false,
  pheno: '/data/pheno.csv',
  phenoWorksheet: 'Traits',
  covarWorksheet: 'Covariates',
  trait: 'trait1',
  covar: '/data/covar.csv',
  covarNames: ['age', 'sex'],
  kinship: 'centered',
  model: 'add-dom',
  method: 'fast',
  maf: 0.01,
  maxMissing: 0.05,
  pcs: 0,
  hwe: 0,
  minCallRate: 0,
  loco: false,
  bayes: { priorSd: [0.05, 0.1, 0.2, 0.4], dominanceRatio: 0.25, priorProbability: 1e-4 },
};

/** Another value for each setting. */
const CHANGED: Required<ScanSettings> = {
  bfile: '/data/geno2',
  anno: '/data/geno2.snps.txt',
  dosage: true,
  pheno: '/data/pheno2.csv',
  phenoWorksheet: 'Sheet2',
  covarWorksheet: 'Sheet3',
  trait: 'trait2',
  covar: '/data/covar2.csv',
  covarNames: ['age'],
  kinship: 'standardized',
  model: 'additive',
  method: 'em',
  maf: 0.05,
  maxMissing: 0.1,
  pcs: 3,
  hwe: 1e-6,
  minCallRate: 0.95,
  loco: true,
  bayes: { priorSd: [0.2], dominanceRatio: 0.5, priorProbability: 1e-3 },
};

/** The scan command's own options (cli/commands.ts). */
const SCAN_OPTIONS = SCAN_FLAGS;

/** The words bash makes of the command (run with printf in place of kinscan), parsed like the CLI parses them. */
function shellParse(settings: ScanSettings): ReturnType<typeof parseArgs<{ options: typeof SCAN_OPTIONS; strict: true }>>['values'] {
  const command = reproduceCommand(settings, { program: `printf '%s\\0'`, out: 'out dir/R.tsv' });
  const words = execFileSync('bash', ['-c', command], { encoding: 'utf8' }).split('\0').slice(0, -1);
  expect(words[0]).toBe('scan');
  return parseArgs({ args: words.slice(1), options: SCAN_OPTIONS, strict: true, allowPositionals: false }).values;
}

describe('reproduce command', () => {
  it('has a flag for every setting, and changing any setting changes the command', () => {
    expect(Object.keys(SETTING_FLAGS).sort()).toEqual(Object.keys(ALL).sort());
    const base = reproduceCommand(ALL);
    for (const key of Object.keys(ALL) as (keyof ScanSettings)[]) {
      const changed = reproduceCommand({ ...ALL, [key]: CHANGED[key] });
      expect(changed, key).not.toBe(base);
      expect(changed, key).toContain(SETTING_FLAGS[key]);
    }
  });

  it('gives the shell back every value exactly, whatever it holds', () => {
    const awkward: ScanSettings = {
      bfile: `/tmp/it's a "dir" $HOME \`id\` ; & | <x>/geno`,
      pheno: '/tmp/p h\neno*.csv',
      trait: `-height 'cm' \\ é`,
      covar: "/tmp/c'v.csv",
      covarNames: ['a b', "o'k", '-neg'],
      kinship: { file: `/tmp/K $(rm -rf x).txt` },
      model: 'additive',
      method: 'squarem',
      maf: 1e-7,
      maxMissing: 0.125,
      pcs: 20,
      hwe: 1e-7,
      minCallRate: 0.9,
      loco: true,
      bayes: { priorSd: [0.1, 0.3], dominanceRatio: 1, priorProbability: 2e-5 },
    };
    const v = shellParse(awkward);
    expect(v.bfile).toBe(awkward.bfile);
    expect(v.pheno).toBe(awkward.pheno);
    expect(v.trait).toBe(awkward.trait);
    expect(v.covar).toBe(awkward.covar);
    expect(String(v['covar-names']).split(',')).toEqual(awkward.covarNames);
    expect(v.kinship).toBe((awkward.kinship as { file: string }).file);
    expect(v.model).toBe('additive');
    expect(v.method).toBe('squarem');
    expect(Number(v.maf)).toBe(1e-7);
    expect(Number(v['max-miss'])).toBe(0.125);
    expect(Number(v.pcs)).toBe(20);
    expect(Number(v.hwe)).toBe(1e-7);
    expect(Number(v['min-call-rate'])).toBe(0.9);
    expect(v.loco).toBe(true);
    expect(v['bf-prior-sd']).toBe('0.1,0.3');
    expect(v['bf-dom-ratio']).toBe('1');
    expect(v['prior-prob']).toBe('0.00002');
    expect(v.out).toBe('out dir/R.tsv');
  });

  it('writes defaults out, leaves out a covariate sheet without names, and names a kinship file that looks like a type as a path', () => {
    const v = shellParse({ ...ALL, covarNames: [], loco: false, kinship: { file: 'centered' } });
    expect(v.covar).toBeUndefined();
    expect(v['covar-names']).toBeUndefined();
    expect(v.loco).toBeUndefined();
    expect(v.kinship).toBe('./centered');
    expect([v.model, v.method, v.maf, v['max-miss'], v.pcs, v.hwe, v['min-call-rate']]).toEqual(['add-dom', 'fast', '0.01', '0.05', '0', '0', '0']);
  });

  it('refuses a covariate name the CLI cannot take', () => {
    expect(() => reproduceCommand({ ...ALL, covarNames: ['a,b'] })).toThrow(/cannot be written in --covar-names/);
  });
});

describe('report markup', () => {
  it('escapes interpolated text and keeps markup', () => {
    expect(escapeHtml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
    const name = '<script>alert(1)</script>';
    expect(h`<td title="${name}">${name}${h`<b>${'&'}</b>`}${[1, '<', h`<i>i</i>`]}</td>`.html).toBe(
      '<td title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;<b>&amp;</b>1&lt;<i>i</i></td>',
    );
  });

  it('inlines an SVG without its prolog, with its ids prefixed, and refuses scripts and outside references', () => {
    const svg = inlineSvg(dummySvg('x'), 'f1-', 'figure 1').html;
    expect(svg.startsWith('<svg ')).toBe(true);
    expect(svg).toContain('<clipPath id="f1-plot">');
    expect(svg).toContain('clip-path="url(#f1-plot)"');
    const bad = [
      '<svg><script>alert(1)</script></svg>',
      '<svg><rect onclick="x()"/></svg>',
      '<svg><image href="https://example.org/a.png"/></svg>',
      '<svg><rect style="fill: url(file:///etc/passwd)"/></svg>',
      '<svg><foreignObject><div/></foreignObject></svg>',
      '<div>no svg</div>',
    ];
    for (const b of bad) expect(() => inlineSvg(b, 'p-', 'figure')).toThrow();
    expect(inlineSvg('<svg><image href="data:image/png;base64,AAAA"/></svg>', 'p-', 'figure').html).toContain('data:image/png');
  });
});

describe('report helpers', () => {
  it('formats counts, p-values and thresholds', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatP(0.0123)).toBe('0.012');
    expect(formatP(3.456e-12)).toBe('3.5 × 10^-12');
    // p-values below the double range keep their size through -log10 p.
    expect(sciPartsOfNegLog10(-Math.log10(3.456e-12))).toEqual({ mantissa: '3.5', exponent: -12 });
    expect(sciPartsOfNegLog10(400 - Math.log10(2.5))).toEqual({ mantissa: '2.5', exponent: -400 });
    expect(sciPartsOfNegLog10(350.0001)).toEqual({ mantissa: '1.0', exponent: -350 });
    expect(formatThreshold(5e-8)).toBe('5 × 10^-8');
    expect(formatThreshold(1e-5)).toBe('10^-5');
    expect(formatThreshold(0.05 / 10768)).toBe('4.64 × 10^-6');
  });

  it('reads package versions from the packages themselves, exports maps or not', () => {
    for (const name of ['better-sqlite3', 'zod', 'pdfkit', '@resvg/resvg-js', 'sharp', 'playwright-core']) {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      expect(packageVersion(name), name).toBe(pkg.version);
    }
    expect(packageVersion('no-such-package-kinscan')).toBeUndefined();
  });

  it('says what to install when no Chromium is found', () => {
    expect(() => findChromium({ KINSCAN_CHROMIUM: '/nowhere/chromium' })).toThrow(/KINSCAN_CHROMIUM/);
    expect(findChromium({ KINSCAN_CHROMIUM: process.execPath })).toBe(process.execPath);
    expect(() => findChromium({}, ['/nowhere/chromium'])).toThrow(/none was found \(looked in \/nowhere\/chromium\).*apt-get install chromium/);
  });
});
