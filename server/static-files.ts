/**
 * The built renderer (out/renderer of `npm run build:app`) as static files. A URL path maps to a
 * file inside the folder or to a refusal: any `.` or `..` segment, raw or percent-encoded, an
 * encoded slash or backslash, a NUL, or malformed percent-encoding is refused (400), and the real
 * path (symlinks resolved) must stay inside the folder (404 otherwise).
 */
import { realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

export type StaticLookup = { ok: true; file: string } | { ok: false; status: 400 | 404 };

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The decoded segments of a URL path, or undefined when any is refused. */
function safeSegments(rawPath: string): string[] | undefined {
  if (!rawPath.startsWith('/')) return undefined;
  const segments: string[] = [];
  for (const raw of rawPath.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return undefined;
    if (segment !== '') segments.push(segment);
  }
  return segments;
}

/** The file a URL path (before any `?`) names inside `root` (a real path), or why not. */
export async function lookupStatic(root: string, rawPath: string): Promise<StaticLookup> {
  const segments = safeSegments(rawPath);
  if (segments === undefined) return { ok: false, status: 400 };
  const candidate = join(root, ...(segments.length === 0 ? ['index.html'] : segments));
  let real: string;
  try {
    real = await realpath(candidate);
    if (!(await stat(real)).isFile()) return { ok: false, status: 404 };
  } catch {
    return { ok: false, status: 404 };
  }
  if (!real.startsWith(root + sep)) return { ok: false, status: 404 };
  return { ok: true, file: real };
}

/** How long a browser may keep a file: hashed build assets for long, the page never. */
export function cacheControlOf(root: string, file: string): string {
  if (file.startsWith(join(root, 'assets') + sep)) return 'private, max-age=31536000, immutable';
  return file.endsWith('.html') ? 'no-store' : 'no-cache';
}
