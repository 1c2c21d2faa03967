/**
 * Write a run's report to a file: HTML or PDF by the file's extension, through a temporary file
 * renamed when complete, so a failed or interrupted write never leaves a half report under `out`.
 */
import { statSync } from 'node:fs';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { extname } from 'node:path';
import { InputError } from '../../io/errors.js';
import type { Project } from '../../store/project.js';
import { gatherReport, type ReportExtras } from './gather.js';
import { reportHtml, type ReportHtmlOptions } from './html.js';
import { printReportPdf, type PrintOptions } from './pdf.js';

export type ReportFormat = 'html' | 'pdf';

/** The report format for a file name: .html / .htm or .pdf. */
export function reportFormat(out: string): ReportFormat {
  const ext = extname(out).toLowerCase();
  if (ext === '.html' || ext === '.htm') return 'html';
  if (ext === '.pdf') return 'pdf';
  throw new InputError(`is not a report file name (it ends in '${ext || 'nothing'}')`, { file: out }, 'Name the report FILE.html or FILE.pdf');
}

export interface WriteReportOptions extends ReportHtmlOptions, Omit<PrintOptions, 'footer'> {}

export interface WrittenReport {
  out: string;
  format: ReportFormat;
  bytes: number;
}

/** Gather, lay out and write one run's report to `out` (.html or .pdf). */
export async function writeReport(project: Project, runId: number, out: string, extras: ReportExtras, opts: WriteReportOptions = {}): Promise<WrittenReport> {
  const format = reportFormat(out);
  const data = gatherReport(project, runId, extras);
  const html = reportHtml(data, opts);
  if (format === 'pdf') {
    await printReportPdf(html, out, { footer: `Kinscan run ${data.run.id} · ${data.run.trait}`, ...(opts.executablePath ? { executablePath: opts.executablePath } : {}) });
  } else {
    writeFileAtomic(out, html);
  }
  return { out, format, bytes: statSync(out).size };
}
