/**
 * A VCF's lines as byte ranges, pulled one at a time from a file's decompressed chunks
 * (byte-chunks.ts): no strings are made, so the record parser reads bytes. A line lies in the
 * current chunk when it can (no copy); only a line split across chunks is copied, into `carry`.
 * LF ends a line; a CR before it and a leading UTF-8 BOM are dropped, so CRLF files and BOM files
 * read the same as clean ones.
 */
import type { ByteChunks } from './byte-chunks.js';
import { InputError } from './errors.js';

const EMPTY = Buffer.alloc(0);
/** Longer lines mean a binary file or a broken one; a VCF line of 1M samples' GT is 4 MB. */
export const MAX_LINE = 1 << 28;

export function lineTooLong(path: string, line: number): InputError {
  return new InputError(
    `line ${line} is longer than ${MAX_LINE >> 20} MiB without a line break`,
    { file: path, line },
    'This is not a text VCF (or its line breaks were lost); check that you gave the right file',
  );
}

export class ByteLines {
  /** The current line is buf[start, end), valid until the next call to next() (a Buffer, for its fast toString). */
  buf: Buffer = EMPTY;
  start = 0;
  end = 0;
  /** 1-based number of the current line. */
  lineNo = 0;
  private chunk: Buffer = EMPTY;
  private at = 0;
  private carry = Buffer.allocUnsafe(1 << 16);
  private carryLen = 0;
  private done = false;

  constructor(private readonly chunks: ByteChunks) {}

  /** Move to the next line; false at the end of the file. */
  next(): boolean {
    for (;;) {
      const chunk = this.chunk;
      if (this.at < chunk.length) {
        const nl = chunk.indexOf(10, this.at);
        if (nl >= 0) {
          if (this.carryLen > 0) {
            this.append(chunk, this.at, nl);
            this.emit(this.carry, 0, this.carryLen);
            this.carryLen = 0;
          } else {
            this.emit(chunk, this.at, nl);
          }
          this.at = nl + 1;
          return true;
        }
        this.append(chunk, this.at, chunk.length);
        this.at = chunk.length;
      }
      if (this.done) {
        if (this.carryLen === 0) return false;
        // A last line without a newline.
        this.emit(this.carry, 0, this.carryLen);
        this.carryLen = 0;
        return true;
      }
      const c = this.nextChunk();
      if (c === undefined) this.done = true;
      else {
        this.chunk = Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
        this.at = 0;
      }
    }
  }

  /**
   * The bytes after the current line in the chunk at hand, for a reader that takes the chunks on
   * from here (vcf.ts's record scanner); this ByteLines is not used after.
   */
  rest(): Uint8Array {
    return this.chunk.subarray(this.at);
  }

  private nextChunk(): Uint8Array | undefined {
    return nextChunkAfter(this.chunks, this.lineNo);
  }

  private emit(buf: Buffer, start: number, end: number): void {
    this.lineNo++;
    if (end > start && buf[end - 1] === 13) end--;
    if (this.lineNo === 1 && end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    this.buf = buf;
    this.start = start;
    this.end = end;
  }

  private append(src: Uint8Array, from: number, to: number): void {
    const need = this.carryLen + (to - from);
    if (need > MAX_LINE) throw lineTooLong(this.chunks.path, this.lineNo + 1);
    if (need > this.carry.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.carry.length * 2));
      this.carry.copy(grown, 0, 0, this.carryLen);
      this.carry = grown;
    }
    this.carry.set(src.subarray(from, to), this.carryLen);
    this.carryLen = need;
  }
}

/** The next chunk after `done` complete lines; a damaged compressed file's error gets the line it stopped in. */
export function nextChunkAfter(chunks: ByteChunks, done: number): Uint8Array | undefined {
  try {
    return chunks.next();
  } catch (e) {
    if (!(e instanceof InputError) || e.line !== undefined) throw e;
    const after = done > 0 ? `, after ${done.toLocaleString('en-US')} complete line${done === 1 ? '' : 's'}` : '';
    throw new InputError(`${e.what}${after}`, { file: chunks.path, line: done + 1 }, e.hint);
  }
}
