/** The run report: gather it from a project, lay it out as HTML, print it to PDF, write it. */
export { gatherReport, GENOME_WIDE, lambdaReading, pveMeaning, type ReportExtras } from './gather.js';
export { reportHtml, type ReportHtmlOptions } from './html.js';
export { methodsParagraph } from './methods.js';
export { findChromium, printReportPdf, type PrintOptions } from './pdf.js';
export { reproduceCommand, reproduceCommandLines, SETTING_FLAGS, shellQuote } from './reproduce.js';
export type { ReportData, ReportFigure, ReportHit, ReportThreshold } from './types.js';
export { softwareVersions } from './versions.js';
export { reportFormat, writeReport, type WriteReportOptions, type WrittenReport } from './write.js';
