/**
 * A file's bytes in chunks, read synchronously and decompressed on the fly: plain files, gzip
 * (one or several members, as GEMMA's .gz inputs) and BGZF (bgzip's blocked gzip, as .vcf.gz).
 * Never the whole file in memory. Detected by content (the gzip magic bytes and BGZF's "BC" extra
 * field), not by the file name.
 *
 * BGZF blocks are independent raw-deflate streams of at most 64 KiB, so each is inflated with
 * node:zlib's native inflateRawSync; other gzip files go through fflate's streaming Gunzip (node:zlib
 * has no synchronous streaming API).
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { Gunzip } from 'fflate';
import { InputError } from './errors.js';
import { openInput, readFully } from './open-input.js';

export type Compression = 'none' | 'gzip' | 'bgzf';

export interface ByteChunks {
  readonly path: string;
  readonly compression: Compression;
  /** Size of the file on disk (compressed bytes). */
  readonly fileBytes: number;
  /** Compressed bytes consumed so far (for progress against fileBytes). */
  consumed(): number;
  /** The next decompressed chunk (a view valid until the next call), or undefined at the end. */
  next(): Uint8Array | undefined;
  close(): void;
}

const READ_BYTES = 1 << 20;
/** A BGZF block inflates to at most 64 KiB: inflated into one buffer of that size (no joining of
 * zlib's default 16 KiB pieces; about a quarter faster), a buffer of its own that a thread may transfer. */
const INFLATE_ONE_PIECE = { chunkSize: 1 << 16 };

/** Is this the start of a gzip member? */
function isGzip(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 8;
}

/** BGZF: gzip with FEXTRA holding subfield 'BC' (the block size). */
function isBgzf(b: Uint8Array): boolean {
  return isGzip(b) && b.length >= 18 && (b[3]! & 4) !== 0 && b[12] === 66 && b[13] === 67;
}

function damaged(path: string, what: string, detail: string): InputError {
  return new InputError(
    `${what} is damaged or cut short (${detail})`,
    { file: path },
    'Copy or download the file again; if you compressed it yourself, compress it again with gzip or bgzip',
  );
}

/** Open `path` (what: the kind of file, for messages) as decompressed chunks. */
export function openByteChunks(path: string, what: string): ByteChunks {
  const fd = openInput(path, what);
  const fileBytes = fstatSync(fd).size;
  const head = new Uint8Array(18);
  const got = readFully(fd, head, 0, 18, 0);
  const start = head.subarray(0, got);
  const compression: Compression = isBgzf(start) ? 'bgzf' : isGzip(start) ? 'gzip' : 'none';
  const read = new Uint8Array(READ_BYTES);
  let position = 0;
  let closed = false;
  const close = (): void => {
    if (!closed) closeSync(fd);
    closed = true;
  };

  if (compression === 'none') {
    return {
      path,
      compression,
      fileBytes,
      consumed: () => position,
      next() {
        const n = readSync(fd, read, 0, READ_BYTES, position);
        if (n === 0) return undefined;
        position += n;
        return read.subarray(0, n);
      },
      close,
    };
  }

  if (compression === 'bgzf') {
    // Whole blocks are read into `read` (refilled as needed) and inflated one by one.
    let have = 0;
    let at = 0;
    const fill = (): void => {
      if (at > 0) {
        read.copyWithin(0, at, have);
        have -= at;
        at = 0;
      }
      const n = readSync(fd, read, have, READ_BYTES - have, position);
      position += n;
      have += n;
    };
    return {
      path,
      compression,
      fileBytes,
      consumed: () => position - (have - at),
      next() {
        for (;;) {
          if (have - at < 18) fill();
          if (have - at === 0) return undefined;
          if (have - at < 18 || !isBgzf(read.subarray(at, at + 18))) throw damaged(path, what, `no BGZF block at byte ${position - (have - at)}`);
          const xlen = read[at + 10]! | (read[at + 11]! << 8);
          const blockSize = (read[at + 16]! | (read[at + 17]! << 8)) + 1;
          if (have - at < blockSize) fill();
          if (have - at < blockSize) throw damaged(path, what, `its last block stops ${blockSize - (have - at)} bytes short`);
          const dataStart = at + 12 + xlen;
          const dataEnd = at + blockSize - 8;
          const expected = read[at + blockSize - 4]! | (read[at + blockSize - 3]! << 8) | (read[at + blockSize - 2]! << 16) | (read[at + blockSize - 1]! * 2 ** 24);
          let out: Uint8Array;
          try {
            out = inflateRawSync(read.subarray(dataStart, dataEnd), INFLATE_ONE_PIECE);
          } catch (e) {
            throw damaged(path, what, `block at byte ${position - (have - at)}: ${(e as Error).message}`);
          }
          if (out.length !== expected) throw damaged(path, what, `block at byte ${position - (have - at)} gives ${out.length} bytes, its header says ${expected}`);
          at += blockSize;
          // The empty end-of-file block (and any empty block) gives nothing: go on to the next one.
          if (out.length > 0) return out;
        }
      },
      close,
    };
  }

  // Plain gzip, possibly several members: fflate's streaming Gunzip, fed READ_BYTES at a time.
  const pending: Uint8Array[] = [];
  let finished = false;
  // fflate throws "unexpected EOF" at the final push of input that stops inside a member, but not
  // for every cut: a file cut near the end of its deflate data can end cleanly. So the last
  // member's size is checked against its gzip trailer (ISIZE, the file's last 4 bytes).
  let total = 0;
  let lastMemberStart = 0;
  const gunzip = new Gunzip((chunk) => {
    total += chunk.length;
    if (chunk.length > 0) pending.push(chunk);
  });
  gunzip.onmember = () => {
    lastMemberStart = total;
  };
  const checkTrailer = (): void => {
    const tail = new Uint8Array(4);
    if (fileBytes < 18 || readFully(fd, tail, 0, 4, fileBytes - 4) !== 4) throw damaged(path, what, 'it is too short to be gzip data');
    const isize = (tail[0]! | (tail[1]! << 8) | (tail[2]! << 16)) + tail[3]! * 2 ** 24;
    const got = (total - lastMemberStart) % 2 ** 32;
    if (got !== isize) throw damaged(path, what, `its last part gives ${got} bytes, but its gzip trailer says ${isize}: the file is cut short`);
  };
  return {
    path,
    compression,
    fileBytes,
    consumed: () => position,
    next() {
      while (pending.length === 0 && !finished) {
        const n = readSync(fd, read, 0, READ_BYTES, position);
        position += n;
        try {
          if (n === 0) {
            gunzip.push(new Uint8Array(0), true);
            finished = true;
          } else {
            gunzip.push(read.slice(0, n), false);
          }
        } catch (e) {
          throw damaged(path, what, (e as Error).message);
        }
        if (finished) checkTrailer();
      }
      return pending.shift();
    },
    close,
  };
}

/** How a file is compressed (none, gzip, BGZF), from its first bytes. */
export function compressionOf(path: string, what: string): Compression {
  const chunks = openByteChunks(path, what);
  try {
    return chunks.compression;
  } finally {
    chunks.close();
  }
}
