/**
 * A run's results as CSV: the columns and values of RESULTS.tsv (engine/scan/results.ts), separated
 * by commas, a field quoted (RFC 4180, quotes doubled) only when it holds a comma, a quote or a line
 * break. Lines end in LF, as the TSV's do.
 */
import { formatRow, RESULT_COLUMNS } from '../../scan/results.js';
import { loadBim } from '../../store/datasets.js';
import type { Project } from '../../store/project.js';
import { readRows } from '../../store/results.js';
import { writeTextFile } from '../../io/atomic-write.js';

/** One CSV field, quoted when needed. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Write the run's stored rows to `out` as CSV. Returns the rows written. */
export function writeRunCsv(project: Project, runId: number, out: string): number {
  const run = project.run(runId);
  const bim = loadBim(project.db, run.datasetId);
  let rows = 0;
  writeTextFile(out, (write) => {
    write(RESULT_COLUMNS.map(csvField).join(',') + '\n');
    for (const r of readRows(project.db, runId)) {
      write(formatRow(r, bim, run.settings.bayes.priorProbability).split('\t').map(csvField).join(',') + '\n');
      rows++;
    }
  });
  return rows;
}
