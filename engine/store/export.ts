/**
 * A run's results as RESULTS.tsv and RESULTS.summary.json, the same bytes scanToFiles writes for the
 * same scan: the header, then `formatRow` of every stored row in file order.
 */
import { closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { formatRow, RESULT_HEADER } from '../scan/results.js';
import type { ScanSummary } from '../scan/run.js';
import { loadBim } from './datasets.js';
import { readRows } from './results.js';

/** Where scanToFiles puts the summary of OUT. */
export function summaryPath(out: string): string {
  return out.replace(/\.(tsv|txt)$/i, '') + '.summary.json';
}

/** Write the TSV of a run's stored rows to `out` (through a temporary file, renamed when complete). Returns the rows written. */
export function writeRunTsv(db: Database.Database, runId: number, datasetId: number, out: string): number {
  const bim = loadBim(db, datasetId);
  const tmp = `${out}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  let rows = 0;
  try {
    let buf = RESULT_HEADER + '\n';
    for (const r of readRows(db, runId)) {
      buf += formatRow(r, bim) + '\n';
      rows++;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    writeSync(fd, buf);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, out);
  return rows;
}

export function writeSummary(out: string, summary: ScanSummary): string {
  const p = summaryPath(out);
  writeFileSync(p, JSON.stringify(summary, null, 2) + '\n');
  return p;
}
