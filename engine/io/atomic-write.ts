/**
 * Writing an output file so that it is either complete or absent: the bytes go to a temporary file
 * beside it, renamed over `out` once complete; on any failure the temporary file is removed and
 * `out` is left as it was. Every writer of results, tables, figures and reports goes through here.
 */
import { closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';

/** The temporary name `out` is written under before it is renamed into place. */
export function temporaryPath(out: string): string {
  return `${out}.tmp-${process.pid}`;
}

/** Write `data` to `out` through a temporary file. */
export function writeFileAtomic(out: string, data: string | Uint8Array): void {
  const tmp = temporaryPath(out);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Let `write(tmp)` produce the file at a temporary path, then rename it to `out`. */
export async function writeThroughTemporary(out: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = temporaryPath(out);
  try {
    await write(tmp);
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Write text produced piece by piece to `out` (buffered in pieces of about 1 MiB, through a
 * temporary file). `produce` calls `write` for each piece.
 */
export function writeTextFile(out: string, produce: (write: (text: string) => void) => void): void {
  const tmp = temporaryPath(out);
  const fd = openSync(tmp, 'w');
  let buffer = '';
  try {
    produce((text) => {
      buffer += text;
      if (buffer.length > 1 << 20) {
        writeSync(fd, buffer);
        buffer = '';
      }
    });
    writeSync(fd, buffer);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, out);
}
