/**
 * A run's results as a table file, in one of four formats:
 *   tsv    RESULTS.tsv exactly as Project.exportRun writes it (and its .summary.json beside it)
 *   csv    the same columns and values, comma-separated (csv.ts)
 *   gemma  GEMMA 0.98's `-lmm 2` .assoc.txt layout (gemma.ts)
 *   xlsx   an Excel workbook: results, top hits, run information (xlsx.ts)
 *   credible-sets  the 95% credible sets around the genome-wide hits (../finemap.ts), one line per SNP of a set
 * An unfinished run is refused unless `partial`; a file that is one of the run's inputs (or the
 * project) is never overwritten.
 */
import { writeTextFile } from '../../io/atomic-write.js';
import { summaryPath } from '../../store/export.js';
import { credibleSetsTsv, finemapRun } from '../finemap.js';
import type { Project } from '../../store/project.js';
import { writeRunCsv } from './csv.js';
import { writeRunGemma } from './gemma.js';
import { refuseInputOverwrite, requireComplete } from './outputs.js';
import { writeRunXlsx, type XlsxOptions } from './xlsx.js';

export const TABLE_FORMATS = ['tsv', 'csv', 'gemma', 'xlsx', 'credible-sets'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

export interface TableExportOptions extends XlsxOptions {
  /** Export a run that is not done (the rows committed so far). */
  partial?: boolean;
}

export interface TableExportResult {
  rows: number;
  path: string;
  /** The .summary.json written beside a TSV (when the run has a summary). */
  summary?: string;
}

/** The format a file name asks for: .assoc.txt -> gemma, .csv, .xlsx, .tsv/.txt and anything else -> tsv. */
export function tableFormatFor(path: string): TableFormat {
  const p = path.toLowerCase();
  if (p.endsWith('.assoc.txt')) return 'gemma';
  if (p.endsWith('.csv')) return 'csv';
  if (p.endsWith('.xlsx')) return 'xlsx';
  return 'tsv';
}

/** Write run `runId` of `project` to `out` in `format`. */
export async function exportRunTable(project: Project, runId: number, format: TableFormat, out: string, opts: TableExportOptions = {}): Promise<TableExportResult> {
  const run = project.run(runId);
  requireComplete(project, run, opts.partial);
  refuseInputOverwrite(project, runId, out);
  switch (format) {
    case 'tsv': {
      refuseInputOverwrite(project, runId, summaryPath(out));
      const e = project.exportRun(runId, out, { partial: Boolean(opts.partial) });
      return { rows: e.rows, path: e.tsv, ...(e.summary ? { summary: e.summary } : {}) };
    }
    case 'csv':
      return { rows: writeRunCsv(project, runId, out), path: out };
    case 'gemma':
      return { rows: writeRunGemma(project, runId, out), path: out };
    case 'xlsx':
      return { rows: await writeRunXlsx(project, runId, out, opts), path: out };
    case 'credible-sets': {
      const fm = finemapRun(project, runId);
      writeTextFile(out, (write) => write(credibleSetsTsv(fm)));
      return { rows: fm.regions.reduce((n, r) => n + r.members.length, 0), path: out };
    }
    default:
      throw new RangeError(`exportRunTable: unknown format '${String(format)}' (one of ${TABLE_FORMATS.join(', ')})`);
  }
}

export { csvField, writeRunCsv } from './csv.js';
export { GEMMA_HEADER, writeRunGemma } from './gemma.js';
export { refuseInputOverwrite, runInputPaths } from './outputs.js';
export { RESULT_ROWS_PER_SHEET, tableCell, writeRunXlsx } from './xlsx.js';
export { formatExpC, formatFixedC, formatLnPC } from './c-format.js';
