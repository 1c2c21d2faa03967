/**
 * A run as an Excel workbook, written with write-excel-file (not SheetJS: its npm release has known
 * CVEs). Sheets:
 *   Results, Results 2, ...  every result row: the columns and values of RESULTS.tsv, numbers as
 *                            numbers, NA as an empty cell, p_lrt as a number when Excel can hold it
 *                            (p >= 2.2e-308) and as its text otherwise; header row frozen.
 *   Top hits                 the run's peaks (engine/export/hits.ts clumpHits).
 *   Credible sets            the credible sets of `kinscan finemap` (engine/export/finemap.ts), one
 *                            row per set member, the columns of its TSV.
 *   Run                      what the run was: trait, model, method, settings, null fit, heritability
 *                            with its three intervals, lambda_GC, software version, dates.
 *
 * write-excel-file builds each sheet's XML as one JavaScript string, whose length V8 caps at
 * 2^29 - 24 characters: about 880,000 rows of a 2-df run (610 characters a row), below Excel's
 * 1,048,576-row sheet limit. So a Results sheet holds at most RESULT_ROWS_PER_SHEET (500,000) rows.
 * The library holds the whole workbook in memory and does not stream: measured here, a
 * 1,000,000-row run takes 80-90 s and 3.3 GB of memory at peak (a 128 MB file); mouse (10,768 rows)
 * takes 0.6 s.
 */
import writeExcelFile, { type Cell, type Row, type Sheet, type SheetData } from 'write-excel-file/node';
import { kinshipLabel } from '../../protocol/settings.js';
import { formatRow, RESULT_COLUMNS } from '../../scan/results.js';
import { loadBim } from '../../store/datasets.js';
import type { Project } from '../../store/project.js';
import { readRows } from '../../store/results.js';
import { VERSION } from '../../version.js';
import { credibleSetsTsv, finemapRun } from '../finemap.js';
import { clumpHits, DEFAULT_CLUMP, formatPeak, PEAK_COLUMNS, type ClumpOptions } from '../hits.js';
import { writeThroughTemporary } from '../../io/atomic-write.js';

/** Result rows per Results sheet (see above). */
export const RESULT_ROWS_PER_SHEET = 500_000;

/** Excel's smallest positive number (the smallest normal double); smaller ones become 0 there. */
const EXCEL_MIN_POSITIVE = 2.2250738585072014e-308;
/** Excel's longest cell text. */
const EXCEL_MAX_TEXT = 32_767;

const TEXT_COLUMNS = new Set<string>(['chr', 'rs', 'allele1', 'allele0', 'lead_rs', 'members', 'flag']);

/** An interval as text, e.g. '0.543-0.673'. */
const interval = (lo: number, hi: number): string => `${lo.toFixed(3)}-${hi.toFixed(3)}`;

/** A TSV value as a cell: text columns as text; numbers as numbers when Excel can hold them, else as their text; NA and '' empty. */
export function tableCell(column: string, text: string): Cell {
  if (text === 'NA' || text === '') return null;
  if (TEXT_COLUMNS.has(column)) return text;
  const v = Number(text);
  if (!Number.isFinite(v) || text.trim() === '') return text;
  if (v === 0 && !/^[-+]?0*\.?0*(e[-+]?\d+)?$/i.test(text)) return text;
  if (v !== 0 && Math.abs(v) < EXCEL_MIN_POSITIVE) return text;
  return v;
}

function header(columns: readonly string[]): Row {
  return columns.map((c) => ({ value: c, fontWeight: 'bold' as const }));
}

function resultColumns(): { width: number }[] {
  return RESULT_COLUMNS.map((c) => ({ width: c === 'rs' ? 16 : c === 'chr' || c === 'df' ? 6 : 13 }));
}

export interface XlsxOptions {
  /** Peaks of the 'Top hits' sheet (defaults: p 5e-8, window 500 kb, r^2 0.1). */
  hits?: ClumpOptions;
  /** Result rows per Results sheet (default RESULT_ROWS_PER_SHEET). */
  rowsPerSheet?: number;
}

/** The 'Run' sheet: one item per row. */
function runSheet(project: Project, runId: number, hits: Required<ClumpOptions>, rows: number): SheetData {
  const r = project.run(runId);
  const s = r.settings;
  const summary = project.summary(runId);
  const nf = r.nullFit;
  const h2 = r.heritability;
  const level = h2 ? `${Math.round(h2.level * 100)}%` : '95%';
  const items: [string, string | number | null][] = [
    ['run', r.id],
    ['project', project.path],
    ['status', r.status],
    ['trait', r.trait],
    ['model', r.model === 'add-dom' ? 'add-dom (additive + dominance, 2-df likelihood-ratio test)' : 'additive (1-df likelihood-ratio test)'],
    ['method', r.method],
    ['genotypes', s.bfile],
    ['phenotypes', s.pheno],
    ['covariates', s.covarNames.length > 0 ? s.covarNames.join(', ') : 'none (intercept only)'],
    ['covariate sheet', s.covar ?? null],
    ['kinship', kinshipLabel(s.kinship)],
    ['maf filter', s.maf],
    ['max missing filter', s.maxMissing],
    ['individuals analysed', r.analysed],
    ['SNPs in file', summary?.snps.total ?? null],
    ['SNPs tested', summary?.snps.tested ?? r.rows],
    ['result rows exported', rows],
    ['null logl_h0 (ML)', nf?.logl_h0 ?? null],
    ['null sigma_a2', nf?.sigma_a2 ?? null],
    ['null sigma_e2', nf?.sigma_e2 ?? null],
    ['null delta = sigma_e2 / sigma_a2', nf?.delta ?? null],
    ['null PVE', nf?.pve ?? null],
    ['heritability h2 (ML)', h2?.estimate ?? null],
    [`h2 ${level} profile-likelihood interval`, h2 ? interval(h2.profile.lower, h2.profile.upper) : null],
    [`h2 posterior mean, ${level} credible interval (uniform prior)`, h2 ? `${h2.posterior.mean.toFixed(3)}, ${interval(h2.posterior.lower, h2.posterior.upper)}` : null],
    [`h2 ${level} parametric-bootstrap interval (ALBI)`, h2 ? interval(h2.bootstrap.lower, h2.bootstrap.upper) : null],
    ['lambda_GC', r.lambdaGc],
    ['top hits', `p <= ${hits.p}, window ${hits.windowBp} bp, ${hits.r2 === null ? 'distance only' : `r2 >= ${hits.r2} with the lead`}`],
    ['software (run)', `kinscan ${r.softwareVersion}`],
    ['software (export)', `kinscan ${VERSION}`],
    ['created', r.createdAt],
    ['started', r.startedAt],
    ['finished', r.finishedAt],
    ['exported', new Date().toISOString()],
  ];
  return [header(['item', 'value']), ...items.map(([k, v]): Row => [k, v])];
}

/** Write the run as an .xlsx workbook. Returns the result rows written. */
export async function writeRunXlsx(project: Project, runId: number, out: string, opts: XlsxOptions = {}): Promise<number> {
  const run = project.run(runId);
  const bim = loadBim(project.db, run.datasetId);
  const perSheet = Math.max(1, Math.floor(opts.rowsPerSheet ?? RESULT_ROWS_PER_SHEET));
  const hitOptions: Required<ClumpOptions> = { ...DEFAULT_CLUMP, ...opts.hits };

  const sheets: Sheet<never>[] = [];
  let current: SheetData | undefined;
  let rows = 0;
  const newResultsSheet = (): SheetData => {
    const data: SheetData = [header(RESULT_COLUMNS)];
    sheets.push({ data, sheet: sheets.length === 0 ? 'Results' : `Results ${sheets.length + 1}`, stickyRowsCount: 1, columns: resultColumns() });
    return data;
  };
  for (const r of readRows(project.db, runId)) {
    if (!current || current.length > perSheet) current = newResultsSheet();
    const text = formatRow(r, bim, run.settings.bayes.priorProbability).split('\t');
    current.push(text.map((t, c) => tableCell(RESULT_COLUMNS[c]!, t)));
    rows++;
  }
  if (!current) newResultsSheet();

  const peaks = clumpHits(project, runId, hitOptions);
  const hitRows: SheetData = [header(PEAK_COLUMNS)];
  for (const p of peaks) {
    const text = formatPeak(p);
    const members = text[text.length - 1]!;
    if (members.length > EXCEL_MAX_TEXT) {
      const cut = members.lastIndexOf(',', EXCEL_MAX_TEXT - 40);
      text[text.length - 1] = `${members.slice(0, cut)} ... (${p.nSnps} SNPs in all)`;
    }
    hitRows.push(text.map((t, c) => tableCell(PEAK_COLUMNS[c]!, t)));
  }
  sheets.push({ data: hitRows, sheet: 'Top hits', stickyRowsCount: 1, columns: PEAK_COLUMNS.map((c) => ({ width: c === 'members' ? 40 : c === 'lead_rs' ? 16 : 12 })) });
  const sets = credibleSetsTsv(finemapRun(project, runId)).trimEnd().split('\n').map((l) => l.split('\t'));
  const setColumns = sets[0]!;
  const setRows: SheetData = [header(setColumns), ...sets.slice(1).map((t): Row => t.map((v, c) => tableCell(setColumns[c]!, v)))];
  sheets.push({ data: setRows, sheet: 'Credible sets', stickyRowsCount: 1, columns: setColumns.map((c) => ({ width: c === 'rs' || c === 'lead_rs' ? 16 : 11 })) });
  sheets.push({ data: runSheet(project, runId, hitOptions, rows), sheet: 'Run', columns: [{ width: 44 }, { width: 60 }] });

  await writeThroughTemporary(out, async (tmp) => {
    await writeExcelFile(sheets).toFile(tmp);
  });
  return rows;
}
