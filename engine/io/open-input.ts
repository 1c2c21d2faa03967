/**
 * Opening an input file with a user-facing error, and reading exactly the bytes asked for.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
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
