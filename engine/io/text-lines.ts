/**
 * Small helpers shared by the text readers in engine/io: opening a file with a
 * user-facing error, and walking its lines in chunks (never the whole file as
 * one string), with CRLF and a UTF-8 BOM handled.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from './errors.js';

/**
 * Open `path` for reading; turn the usual OS failures into an InputError.
 * `what` names the kind of file for the message, e.g. "PLINK .bim file".
 */
export function openInput(path: string, what: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw openError(path, what, e);
  }
  try {
    if (fstatSync(fd).isDirectory()) {
      throw new InputError(`${what} is a folder, not a file`, { file: path }, `Give the path of the ${what} itself`);
    }
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return fd;
}

export function openError(path: string, what: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new InputError(
      `${what} not found (${basename(path)} does not exist)`,
      { file: path },
      'Check the path and the file name, including its extension',
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new InputError(`${what} cannot be read: permission denied`, { file: path }, 'Check the file permissions');
  }
  if (code === 'EISDIR') {
    return new InputError(`${what} is a folder, not a file`, { file: path }, `Give the path of the ${what} itself`);
  }
  return new InputError(
    `${what} cannot be opened (${e instanceof Error ? e.message : String(e)})`,
    { file: path },
    'Check that the file exists and is readable',
  );
}

/** Read exactly `length` bytes at `position` (loops over short reads). Returns bytes read (< length only at EOF). */
export function readFully(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

const CHUNK = 1 << 20;

/**
 * Call `fn(line, lineNo)` for every line of a text file (lineNo is 1-based).
 * Lines are split on LF; a trailing CR is removed; a leading UTF-8 BOM is
 * removed. A final line without a newline is delivered too; a final empty
 * line (file ending with a newline) is not. A NUL byte in the first chunk
 * means the file is binary: that is reported as an InputError.
 */
export function forEachLine(path: string, what: string, fn: (line: string, lineNo: number) => void): void {
  const fd = openInput(path, what);
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    const dec = new StringDecoder('utf8');
    let pending: string[] = [];
    let lineNo = 0;
    let first = true;
    let position = 0;
    const emit = (s: string): void => {
      lineNo++;
      fn(s.length > 0 && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s, lineNo);
    };
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, position);
      if (n === 0) break;
      position += n;
      if (first) {
        const probe = Math.min(n, 8192);
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
      let text = dec.write(n === CHUNK ? buf : buf.subarray(0, n));
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
    closeSync(fd);
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
