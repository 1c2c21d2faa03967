/**
 * A run's results as RESULTS.tsv and RESULTS.summary.json, the same bytes scanToFiles writes for the
 * same scan: the header, then `formatRow` of every stored row in file order.
 */
import { writeFileSync } from 'node:fs';
import { writeTextFile } from '../io/atomic-write.js';
import type Database from 'better-sqlite3';
import { formatRow, RESULT_HEADER } from '../scan/results.js';
import { summaryPath, type ScanSummary } from '../scan/run.js';
import { loadBim } from './datasets.js';
import { readRows } from './results.js';
import { getRun } from './runs.js';

export { summaryPath };

/** Write the TSV of a run's stored rows to `out` (through a temporary file, renamed when complete). Returns the rows written. */
export function writeRunTsv(db: Database.Database, runId: number, datasetId: number, out: string): number {
  const bim = loadBim(db, datasetId);
  const prior = getRun(db, runId).settings.bayes.priorProbability;
  let rows = 0;
  writeTextFile(out, (write) => {
    write(RESULT_HEADER + '\n');
    for (const r of readRows(db, runId)) {
      write(formatRow(r, bim, prior) + '\n');
      rows++;
    }
  });
  return rows;
}

export function writeSummary(out: string, summary: ScanSummary): string {
  const p = summaryPath(out);
  writeFileSync(p, JSON.stringify(summary, null, 2) + '\n');
  return p;
}
