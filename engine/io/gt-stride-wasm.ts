/**
 * The VCF reader's fast path for GT-only records (vcf-record.ts) in WebAssembly SIMD
 * (wasm/gt-stride.c): sixteen calls per step, about four times the table look-ups of plain
 * JavaScript. One instance per parser (per thread), its memory grown for the record's length.
 * Without WebAssembly, or without the .wasm beside this module, there is no fast path: every
 * record takes the general one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

const PAGE = 65536;
const TAB = 9;
const ONE = 49;

let compiled: object | null | undefined;

function moduleOnce(): object | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    const here = dirname(fileURLToPath(import.meta.url));
    // Beside this module: engine/io/wasm, and dist/engine/io/wasm (the build copies it there).
    const file = join(here, 'wasm', 'gt-stride.wasm');
    if (!existsSync(file)) return compiled;
    if (WA) compiled = new WA.Module(readFileSync(file));
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Codes of GT-only records of n calls each. */
export class GtStride {
  private readonly run: (input: number, groups: number, output: number) => number;
  private readonly memory: Memory;
  private readonly input: number;
  private readonly output: number;
  private readonly groups: number;
  private bytes: Uint8Array;

  private constructor(
    instance: { exports: Record<string, unknown> },
    memory: Memory,
    private readonly n: number,
  ) {
    this.memory = memory;
    this.run = instance.exports.gt_stride as (input: number, groups: number, output: number) => number;
    const heapBase = (instance.exports.__heap_base as { value: number }).value;
    this.groups = Math.ceil(n / 16);
    this.input = (heapBase + 15) & ~15;
    this.output = this.input + 64 * this.groups;
    const need = this.output + 4 * this.groups;
    if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
    this.bytes = new Uint8Array(memory.buffer);
  }

  /** A fast path for records of n calls, or undefined without WebAssembly. */
  static forSamples(n: number): GtStride | undefined {
    const module = moduleOnce();
    if (!module || !WA || n < 1) return undefined;
    try {
      const memory = new WA.Memory({ initial: 1 });
      return new GtStride(new WA.Instance(module, { env: { memory } }), memory, n);
    } catch {
      return undefined;
    }
  }

  /**
   * The calls at b[p, p + 4n - 1) (each "a/c" and a tab, the last without): their codes into
   * packed[off, off + (n + 3) / 4), and the count of half-missing calls; -1 (packed untouched)
   * when a byte does not fit the fast path.
   */
  codes(b: Uint8Array, p: number, packed: Uint8Array, off: number): number {
    const { n, input } = this;
    const mem = this.bytes;
    mem.set(b.subarray(p, p + 4 * n - 1), input);
    mem[input + 4 * n - 1] = TAB;
    // Padding calls "1/1" (code 0b00, as a .bed's padding bits), with the record's separator.
    const sep = b[p + 1]!;
    for (let q = input + 4 * n; q < input + 64 * this.groups; q += 4) {
      mem[q] = ONE;
      mem[q + 1] = sep;
      mem[q + 2] = ONE;
      mem[q + 3] = TAB;
    }
    const half = this.run(input, this.groups, this.output);
    if (half >= 0) packed.set(mem.subarray(this.output, this.output + ((n + 3) >> 2)), off);
    return half;
  }
}
