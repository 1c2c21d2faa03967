/**
 * Software and library versions for the report, read at run time: each package's own package.json,
 * found the way Node resolves packages (node_modules folders from this module up to the root), so
 * a package's `exports` map cannot hide it; SQLite's version from the project's connection; Node,
 * and Electron and Chromium when running inside the app. A package that cannot be found is listed
 * as 'not found' rather than failing the report.
 */
import { existsSync, readFileSync } from 'node:fs';
import { arch, platform, release } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { VERSION } from '../../version.js';
import type { ReportVersion } from './types.js';

/** The packages whose versions a report lists, with what each does for Kinscan. */
export const REPORTED_PACKAGES: { name: string; note: string }[] = [
  { name: 'better-sqlite3', note: 'project files' },
  { name: 'zod', note: 'protocol schemas' },
  { name: 'csv-parse', note: 'sheets' },
  { name: 'pdfkit', note: 'PDF figures' },
  { name: '@resvg/resvg-js', note: 'raster figures' },
  { name: 'sharp', note: 'PNG and TIFF' },
  { name: 'opentype.js', note: 'font outlines' },
  { name: 'write-excel-file', note: 'XLSX tables' },
  { name: 'playwright-core', note: 'PDF report (CLI)' },
];

/** The version in `name`'s package.json, looked up from `fromDir` upwards; undefined when not installed. */
export function packageVersion(name: string, fromDir: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = fromDir;
  const root = parse(dir).root;
  for (;;) {
    const file = join(dir, 'node_modules', ...name.split('/'), 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === name && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // An unreadable package.json: keep looking further up.
      }
    }
    if (dir === root) return undefined;
    dir = dirname(dir);
  }
}

/** SQLite's own version, as the connection reports it. */
export function sqliteVersion(db: Database.Database): string {
  return String(db.prepare('SELECT sqlite_version()').pluck().get());
}

/** Every version the report lists, in a fixed order. */
export function softwareVersions(db: Database.Database): ReportVersion[] {
  const out: ReportVersion[] = [
    { name: 'kinscan', version: VERSION, note: 'this report' },
    { name: 'Node.js', version: process.versions.node, note: `V8 ${process.versions.v8}` },
  ];
  const electron = process.versions['electron'];
  if (electron) out.push({ name: 'Electron', version: electron, note: `Chromium ${process.versions['chrome'] ?? '?'}` });
  for (const p of REPORTED_PACKAGES) {
    const v = packageVersion(p.name);
    if (p.name === 'better-sqlite3') {
      out.push({ name: p.name, version: v ?? 'not found', note: p.note });
      out.push({ name: 'SQLite', version: sqliteVersion(db), note: 'bundled with better-sqlite3' });
    } else if (p.name === 'sharp') {
      const vips = packageVersion(`@img/sharp-libvips-${platform()}-${arch()}`);
      out.push({ name: p.name, version: v ?? 'not found', note: vips ? `${p.note}; libvips package ${vips}` : p.note });
    } else if (v !== undefined || p.name !== 'playwright-core') {
      out.push({ name: p.name, version: v ?? 'not found', note: p.note });
    }
  }
  out.push({ name: 'Operating system', version: `${platform()} ${release()}`, note: arch() });
  return out;
}
