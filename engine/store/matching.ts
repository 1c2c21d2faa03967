/**
 * The ID-matching report of a sheet against a dataset's genotyped individuals: how many match, which
 * are only in the genotypes and which only in the sheet (with a few examples and where they are),
 * and whether IDs were matched by IID or by FID and IID. The rules are the scan's own (matchSheet in
 * engine/qc/samples.ts), so the report says what a scan will do.
 */
import type Database from 'better-sqlite3';
import { matchSheet } from '../qc/samples.js';
import { loadFam } from './datasets.js';
import { loadSheet } from './sheets.js';

/** Examples given per side. */
export const MATCH_EXAMPLES = 5;

/** One individual, as its file writes it, and its 1-based line there. */
export interface IdExample {
  /** The family ID ('' for a sheet without an FID column). */
  fid: string;
  iid: string;
  line: number;
}

export interface MatchingReport {
  genotyped: number;
  sheetRows: number;
  matched: number;
  matchedBy: 'IID' | 'FID+IID' | 'row order';
  /** The sheet's ID column (and FID column, when it has one). */
  idColumn: string;
  fidColumn?: string;
  onlyInGenotypes: { count: number; examples: IdExample[] };
  onlyInSheet: { count: number; examples: IdExample[] };
}

/** Match a project's sheet to a project's dataset (the InputError of a scan when IIDs repeat across families and the sheet has no FID column). */
export function matchingReport(db: Database.Database, datasetId: number, sheetId: number): MatchingReport {
  const fam = loadFam(db, datasetId);
  const sheet = loadSheet(db, sheetId);
  const m = matchSheet(fam, sheet);
  const report: MatchingReport = {
    genotyped: fam.iid.length,
    sheetRows: sheet.ids.length,
    matched: m.matched,
    matchedBy: m.matchedBy,
    idColumn: sheet.idColumn,
    onlyInGenotypes: {
      count: m.genotypedOnly.length,
      examples: Array.from(m.genotypedOnly.subarray(0, MATCH_EXAMPLES), (i) => ({ fid: fam.fid[i]!, iid: fam.iid[i]!, line: fam.line[i]! })),
    },
    onlyInSheet: {
      count: m.sheetOnly.length,
      examples: Array.from(m.sheetOnly.subarray(0, MATCH_EXAMPLES), (r) => ({ fid: sheet.fids?.[r] ?? '', iid: sheet.ids[r]!, line: sheet.line[r]! })),
    },
  };
  if (sheet.fidColumn !== undefined) report.fidColumn = sheet.fidColumn;
  return report;
}
