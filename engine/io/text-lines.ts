/**
 * Small helpers shared by the text readers in engine/io: walking a file's lines in chunks (never
 * the whole file as one string; gzip and BGZF files decompressed on the way, byte-chunks.ts), with
 * CRLF and a UTF-8 BOM handled.
 */
import { StringDecoder } from 'node:string_decoder';
import { openByteChunks } from './byte-chunks.js';
import { InputError } from './errors.js';

/**
 * Call `fn(line, lineNo)` for every line of a text file (lineNo is 1-based).
 * Lines are split on LF; a trailing CR is removed; a leading UTF-8 BOM is
 * removed. A final line without a newline is delivered too; a final empty
 * line (file ending with a newline) is not. A NUL byte in the first chunk
 * means the file is binary: that is reported as an InputError. A gzip or
 * BGZF file is read decompressed.
 */
export function forEachLine(path: string, what: string, fn: (line: string, lineNo: number) => void): void {
  const chunks = openByteChunks(path, what);
  try {
    const dec = new StringDecoder('utf8');
    let pending: string[] = [];
    let lineNo = 0;
    let first = true;
    const emit = (s: string): void => {
      lineNo++;
      fn(s.length > 0 && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s, lineNo);
    };
    for (;;) {
      const buf = chunks.next();
      if (!buf) break;
      if (first) {
        const probe = Math.min(buf.length, 8192);
        for (let i = 0; i < probe; i++) {
          if (buf[i] === 0) {
            throw new InputError(
              `${what} is a binary file, not text`,
              { file: path },
              `Check that you gave the right file; a ${what} must be plain text`,
            );
          }
        }
      }
      let text = dec.write(buf);
      if (first) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        let line = text.slice(start, nl);
        if (pending.length > 0) {
          pending.push(line);
          line = pending.join('');
          pending = [];
        }
        emit(line);
        start = nl + 1;
      }
      if (start < text.length) pending.push(text.slice(start));
    }
    const tail = dec.end();
    if (tail) pending.push(tail);
    if (pending.length > 0) {
      const last = pending.join('');
      if (last.length > 0) emit(last);
    }
  } finally {
    chunks.close();
  }
}

/** Split a line on runs of tabs/spaces, ignoring leading/trailing blanks. */
export function splitWhitespace(line: string): string[] {
  const t = line.trim();
  return t.length === 0 ? [] : t.split(/[ \t]+/);
}

/** True for a line that is empty or only blanks. */
export function isBlank(line: string): boolean {
  return line.trim().length === 0;
}

/**
 * Strict decimal number parser: accepts what a user would call a number
 * (`12`, `-3.5`, `.5`, `1e-5`, `+2`, `inf`/`nan` are NOT accepted).
 * Returns NaN for anything else (hex, `1,5`, text, empty).
 */
const NUM_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
export function parseStrictNumber(s: string): number {
  return NUM_RE.test(s) ? Number(s) : NaN;
}

/** Quote a value for a message, shortening very long ones. */
export function quote(s: string, max = 40): string {
  const v = s.length > max ? s.slice(0, max) + '…' : s;
  return `'${v}'`;
}
