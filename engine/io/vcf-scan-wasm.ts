/**
 * The VCF reader's record scanner in WebAssembly SIMD (wasm/vcf-scan.c): a window of the file's
 * decompressed text in the module's memory, split into lines there, and the common record (FORMAT
 * exactly GT, every call "a/c" or "a|c" of 0, 1 and '.') read whole there: the tabs of its fixed
 * columns and its 2-bit codes, sixteen calls per step, in place. Every other line is only
 * delimited, for the general path of vcf-record.ts. One scanner per read (per thread).
 *
 * Memory: [stack][meta: META_WORDS per line of a batch][codes: a batch's SNPs][scratch group]
 * [window: the unread text, grown for the longest line]. Views are remade after the memory grows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lineTooLong, MAX_LINE } from './vcf-lines.js';

interface Memory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => Memory;
}
const WA = (globalThis as unknown as { WebAssembly?: Wasm }).WebAssembly;

type ScanLines = (win: number, start: number, len: number, n: number, fast: number, codes: number, bytesPerSnp: number, cap: number, meta: number, scratch: number) => number;

const PAGE = 65536;
/** Words per line in the meta area (wasm/vcf-scan.c's M_*). */
export const META_WORDS = 9;
export const M_START = 0;
export const M_CHROM_END = 1;
export const M_POS_END = 2;
export const M_ID_END = 3;
export const M_REF_END = 4;
export const M_ALT_END = 5;
export const M_END = 6;
export const M_HALF = 7;
const M_NEXT = 8;
/** Bytes the kernel may read past the window's text (one vector), and write past a line's codes. */
const SLACK = 16;
/** Window bytes at first; it grows for a longer line. */
const WINDOW_BYTES = 1 << 18;

let compiled: object | undefined;

function moduleOnce(): object {
  if (compiled !== undefined) return compiled;
  // Beside this module: engine/io/wasm, and dist/engine/io/wasm (the build copies it there).
  const file = join(dirname(fileURLToPath(import.meta.url)), 'wasm', 'vcf-scan.wasm');
  if (!WA || !existsSync(file)) {
    throw new Error(`Kinscan's VCF scanner (${file}) is missing or WebAssembly is off: this installation is incomplete; reinstall Kinscan`);
  }
  compiled = new WA.Module(readFileSync(file));
  return compiled;
}

export class VcfScanner {
  private readonly scanLines: ScanLines;
  private readonly memory: Memory;
  private readonly metaAt: number;
  private readonly codesAt: number;
  private readonly scratchAt: number;
  private readonly windowAt: number;
  private readonly bps: number;
  /** Window text: [consumed, filled) not yet scanned. */
  private filled = 0;
  private consumed = 0;
  /** The window as a Buffer (for the parser's strings); meta and codes: a batch's lines. */
  window!: Buffer;
  meta!: Int32Array;
  codes!: Uint8Array;

  /**
   * A scanner for records of n samples, batches of `batch` lines; `fast` false (dosages): lines
   * only delimited.
   */
  constructor(
    private readonly path: string,
    private readonly n: number,
    private readonly batch: number,
    private readonly fast: boolean,
  ) {
    this.memory = new WA!.Memory({ initial: 1 });
    const instance = new WA!.Instance(moduleOnce(), { env: { memory: this.memory } });
    this.scanLines = instance.exports.scan_lines as ScanLines;
    this.bps = (n + 3) >> 2;
    const heapBase = (instance.exports.__heap_base as { value: number }).value;
    const align = (x: number): number => (x + 15) & ~15;
    this.metaAt = align(heapBase);
    this.codesAt = align(this.metaAt + 4 * META_WORDS * batch);
    this.scratchAt = align(this.codesAt + this.bps * batch + SLACK);
    this.windowAt = this.scratchAt + 64;
    this.reserve(WINDOW_BYTES);
  }

  /** Memory for `bytes` of window text (and its slack); views remade. */
  private reserve(bytes: number): void {
    const need = this.windowAt + bytes + SLACK;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE));
    const buf = this.memory.buffer;
    this.window = Buffer.from(buf, this.windowAt, buf.byteLength - this.windowAt - SLACK);
    this.meta = new Int32Array(buf, this.metaAt, META_WORDS * this.batch);
    this.codes = new Uint8Array(buf, this.codesAt, this.bps * this.batch);
  }

  /** Text after what is scanned (`lines` lines so far): the unscanned rest moved to the window's start first. */
  append(text: Uint8Array, lines: number): void {
    const rest = this.filled - this.consumed;
    if (rest + text.length > MAX_LINE) throw lineTooLong(this.path, lines + 1);
    if (this.consumed > 0) {
      this.window.copyWithin(0, this.consumed, this.filled);
      this.filled = rest;
      this.consumed = 0;
    }
    if (rest + text.length > this.window.length) this.reserve(Math.max(2 * this.window.length, rest + text.length));
    this.window.set(text, this.filled);
    this.filled += text.length;
  }

  /** Text not yet scanned (a line without its line break, at the end of the file). */
  get pending(): number {
    return this.filled - this.consumed;
  }

  /**
   * Scan the complete lines of the window, at most `cap`, their codes from batch slot `slot` on:
   * line i's words at meta[META_WORDS * i], offsets into `window`; a fast line's codes at
   * codes[(slot + i) * bytesPerSnp]. Returns the lines scanned (fewer than cap: the window holds
   * no further complete line).
   */
  scan(slot: number, cap: number): number {
    const lines = this.scanLines(this.windowAt, this.consumed, this.filled, this.n, this.fast && this.n > 0 ? 1 : 0, this.codesAt + slot * this.bps, this.bps, cap, this.metaAt, this.scratchAt);
    if (lines > 0) this.consumed = this.meta[META_WORDS * (lines - 1) + M_NEXT]!;
    return lines;
  }
}
