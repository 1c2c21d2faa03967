/**
 * files.upload: a file dropped on the browser's window arrives in chunks (at most MAX_CHUNK_BYTES,
 * in order) and is written into '<files root>/Kinscan uploads/'. Chunks go into a hidden temporary
 * file beside the target; the last one (`final`) moves it to the file's own name, or to a numbered
 * name ('mice (2).bed') when that name is taken, so an upload never overwrites a file (the name is
 * claimed by a hard link, which fails rather than replace). A chunk at offset 0 starts the upload
 * of that name afresh (a retry after a broken connection); a chunk out of order is refused. The
 * desktop app uploads into its own state folder instead (its preload exposes no file paths, so a
 * dropped file reaches the engine the same way as in a browser).
 */
import { closeSync, copyFileSync, constants, linkSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { extname, join } from 'node:path';
import { InputError } from '../io/errors.js';
import type { FileRoot } from './file-root.js';

/** The folder under the files root that uploads go into. */
export const UPLOADS_FOLDER = 'Kinscan uploads';
/** The largest chunk accepted (the WebSocket host takes messages of up to 16 MiB). */
export const MAX_CHUNK_BYTES = 8 * 1024 * 1024;

export interface UploadChunk {
  name: string;
  offset: number;
  bytes: Uint8Array;
  total: number;
  final: boolean;
}

interface Pending {
  temp: string;
  fd: number;
  received: number;
  total: number;
}

/** Refuse anything but a plain file name: no folder part, no '..', nothing invisible. */
export function plainFileName(name: string): string {
  const hint = 'Upload a file under its own name alone, e.g. mouse_hs1940.bed';
  if (/[\\/]/.test(name)) throw new InputError(`'${name}' is not a plain file name: it names a folder too`, {}, hint);
  if (name === '.' || name === '..' || name.trim() === '') throw new InputError(`'${name}' is not a file name`, {}, hint);
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new InputError(`the file name '${name}' contains control characters`, {}, hint);
  if (Buffer.byteLength(name) > 255) throw new InputError(`the file name '${name.slice(0, 40)}...' is longer than 255 bytes`, {}, 'Rename the file to a shorter name, then upload it');
  return name;
}

/** 'mice.bed', 'mice (2).bed', 'mice (3).bed', ... */
function numberedName(name: string, k: number): string {
  if (k === 1) return name;
  const ext = extname(name);
  const stem = ext && ext !== name ? name.slice(0, -ext.length) : name;
  return `${stem} (${k})${ext && ext !== name ? ext : ''}`;
}

export class Uploads {
  private readonly pending = new Map<string, Pending>();

  /** `dir`: where uploads go (default '<files root>/Kinscan uploads'); it must lie inside the files root. */
  constructor(
    private readonly files: FileRoot,
    private readonly dir: string = UPLOADS_FOLDER,
  ) {}

  /** The uploads folder (created when missing), checked to lie inside the files root. */
  private folder(): string {
    const dir = this.files.path(this.dir);
    mkdirSync(dir, { recursive: true });
    return this.files.path(dir);
  }

  chunk(c: UploadChunk): { path: string; received: number } {
    const name = plainFileName(c.name);
    if (c.bytes.length > MAX_CHUNK_BYTES) {
      throw new InputError(`a chunk of ${c.bytes.length} bytes of '${name}' is larger than ${MAX_CHUNK_BYTES} bytes`, {}, 'Send the file in smaller chunks');
    }
    const dir = this.folder();
    let p = this.pending.get(name);
    if (c.offset === 0) {
      if (p) this.drop(name, p);
      const temp = join(dir, `.${randomUUID()}.upload`);
      p = { temp, fd: openSync(temp, 'wx'), received: 0, total: c.total };
      this.pending.set(name, p);
    } else if (!p || p.received !== c.offset || p.total !== c.total) {
      const had = p ? `${p.received} of its ${p.total} bytes have arrived` : 'its upload has not started';
      throw new InputError(`a chunk of '${name}' at byte ${c.offset} (of ${c.total}) came out of order: ${had}`, {}, 'Upload the file again from the start');
    }
    const pending = p;
    if (c.offset + c.bytes.length > pending.total) {
      this.drop(name, pending);
      throw new InputError(`'${name}' is longer than the ${pending.total} bytes announced`, {}, 'Upload the file again from the start');
    }
    try {
      for (let at = 0; at < c.bytes.length; ) at += writeSync(pending.fd, c.bytes, at, c.bytes.length - at, c.offset + at);
    } catch (e) {
      this.drop(name, pending);
      throw new InputError(`'${name}' could not be written into ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {}, 'Free some disk space or check the folder, then upload it again');
    }
    pending.received += c.bytes.length;
    if (!c.final) return { path: join(dir, name), received: pending.received };
    if (pending.received !== pending.total) {
      this.drop(name, pending);
      throw new InputError(`'${name}' ended after ${pending.received} of its ${pending.total} bytes`, {}, 'Upload the file again');
    }
    closeSync(pending.fd);
    this.pending.delete(name);
    try {
      return { path: this.claim(dir, name, pending.temp), received: pending.received };
    } finally {
      rmSync(pending.temp, { force: true });
    }
  }

  /** Give the finished temporary file the first free name of `name`'s numbered series; never replaces a file. */
  private claim(dir: string, name: string, temp: string): string {
    for (let k = 1; ; k++) {
      const target = join(dir, numberedName(name, k));
      try {
        linkSync(temp, target);
        return target;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
        // A file system without hard links (FAT, some network shares): an exclusive copy instead.
        try {
          copyFileSync(temp, target, constants.COPYFILE_EXCL);
          return target;
        } catch (e2) {
          if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw e2;
        }
      }
    }
  }

  private drop(name: string, p: Pending): void {
    this.pending.delete(name);
    try {
      closeSync(p.fd);
    } catch {
      // Already closed.
    }
    rmSync(p.temp, { force: true });
  }

  /** Remove unfinished uploads (the host is closing). */
  close(): void {
    for (const [name, p] of [...this.pending]) this.drop(name, p);
  }
}
