/**
 * The WebSocket wire codec (engine/protocol/wire.ts): text frames for plain JSON, one binary frame
 * when typed arrays travel; every kind of typed array, views at odd offsets and of odd lengths,
 * arrays nested anywhere; malformed frames refused with a WireError, never a crash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, WIRE_MAGIC, WireError } from '../../engine/protocol/wire.js';

/** A view of `length` elements at element offset `at` in a larger buffer, filled with a pattern. */
function viewAt<T extends ArrayBufferView>(Ctor: new (b: ArrayBuffer, o: number, l: number) => T, bytesPerElement: number, at: number, length: number, fill: (i: number) => number | bigint): T {
  const buffer = new ArrayBuffer((at + length + 3) * bytesPerElement);
  const view = new Ctor(buffer, at * bytesPerElement, length);
  const target = view as unknown as { [i: number]: number | bigint };
  for (let i = 0; i < length; i++) target[i] = fill(i);
  return view;
}

const allKinds = () => ({
  i8: viewAt(Int8Array, 1, 3, 5, (i) => i - 3),
  u8: viewAt(Uint8Array, 1, 1, 7, (i) => 250 + i - 3),
  u8c: viewAt(Uint8ClampedArray, 1, 5, 3, (i) => i * 100),
  i16: viewAt(Int16Array, 2, 1, 3, (i) => -30000 + i),
  u16: viewAt(Uint16Array, 2, 3, 1, () => 65535),
  i32: viewAt(Int32Array, 4, 1, 9, (i) => (i % 2 ? -1 : 1) * 2 ** 30 + i),
  u32: viewAt(Uint32Array, 4, 3, 2, (i) => 4294967295 - i),
  f32: viewAt(Float32Array, 4, 1, 5, (i) => [0.1, -0, Infinity, NaN, 3.5][i] as number),
  f64: viewAt(Float64Array, 8, 1, 7, (i) => [Math.PI, -0, -Infinity, NaN, 1e-300, 5e-324, 2 ** 53][i] as number),
  i64: viewAt(BigInt64Array, 8, 2, 3, (i) => [-(2n ** 63n), 0n, 2n ** 63n - 1n][i] as bigint),
  u64: viewAt(BigUint64Array, 8, 0, 1, () => 2n ** 64n - 1n),
  empty: new Float64Array(0),
});

describe('wire codec', () => {
  it('sends a message without typed arrays as the text of its JSON', () => {
    const message = { id: 3, result: { version: '1.0', list: [1, 'a', null, { deep: true }] } };
    const frame = encodeMessage(message);
    expect(frame).toBe(JSON.stringify(message));
    expect(decodeMessage(frame as string)).toEqual(message);
  });

  it('round-trips every kind of typed array, at odd offsets and lengths, as one binary frame', () => {
    const message = { id: 7, result: { ...allKinds(), label: 'run 1', nested: [{ series: [allKinds()] }] } };
    const frame = encodeMessage(message);
    expect(frame).toBeInstanceOf(Uint8Array);
    const bytes = frame as Uint8Array;
    expect(new DataView(bytes.buffer).getUint32(0, true)).toBe(WIRE_MAGIC);
    const decoded = decodeMessage(bytes) as typeof message;
    // Element by element, with the exact type, including NaN and -0 (Object.is).
    const check = (got: Record<string, unknown>, want: Record<string, unknown>): void => {
      for (const [key, w] of Object.entries(want)) {
        const g = got[key];
        if (ArrayBuffer.isView(w)) {
          expect(Object.prototype.toString.call(g), key).toBe(Object.prototype.toString.call(w));
          const ga = g as unknown as ArrayLike<unknown>;
          const wa = w as unknown as ArrayLike<unknown>;
          expect(ga.length, key).toBe(wa.length);
          for (let i = 0; i < wa.length; i++) expect(Object.is(ga[i], wa[i]), `${key}[${i}]`).toBe(true);
          expect((g as ArrayBufferView).byteOffset % 8, key).toBe(0);
        }
      }
    };
    check(decoded.result as unknown as Record<string, unknown>, message.result as unknown as Record<string, unknown>);
    check(decoded.result.nested[0]!.series[0]! as unknown as Record<string, unknown>, message.result.nested[0]!.series[0]! as unknown as Record<string, unknown>);
    expect(decoded.id).toBe(7);
    expect(decoded.result.label).toBe('run 1');
  });

  it('carries a typed array at the root and inside arrays', () => {
    const root = new Float64Array([1, 2, 3]);
    expect(decodeMessage(encodeMessage(root) as Uint8Array)).toStrictEqual(root);
    const list = [new Uint8Array([1]), 'x', [new Int32Array([-5, 6])]];
    expect(decodeMessage(encodeMessage(list) as Uint8Array)).toStrictEqual(list);
  });

  it('reads a frame that starts at an odd offset of a larger buffer (copying once)', () => {
    const frame = encodeMessage({ a: new Float64Array([0.5, 1.5]), b: new Uint16Array([9]) }) as Uint8Array;
    const big = new Uint8Array(frame.length + 3);
    big.set(frame, 3);
    expect(decodeMessage(big.subarray(3))).toStrictEqual({ a: new Float64Array([0.5, 1.5]), b: new Uint16Array([9]) });
    expect(decodeMessage(Buffer.from(frame))).toStrictEqual({ a: new Float64Array([0.5, 1.5]), b: new Uint16Array([9]) });
  });

  it('keeps object keys that look like its own header fields, and drops undefined as JSON does', () => {
    const message = { value: null, arrays: [null], path: ['x'], __proto__x: 1, typed: new Int8Array([1]), gone: undefined };
    const decoded = decodeMessage(encodeMessage(message) as Uint8Array);
    expect(decoded).toStrictEqual({ value: null, arrays: [null], path: ['x'], __proto__x: 1, typed: new Int8Array([1]) });
  });

  it('round-trips random JSON with typed arrays spliced in anywhere', () => {
    const typed = fc.oneof(
      fc.float64Array({ maxLength: 9 }),
      fc.int32Array({ maxLength: 9 }),
      fc.uint8Array({ maxLength: 9 }),
      fc.int16Array({ maxLength: 9 }),
      fc.float32Array({ maxLength: 9 }),
      fc.bigInt64Array({ maxLength: 4 }),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.jsonValue({ maxDepth: 1 }), typed, fc.array(tie('tree'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('tree'), { maxKeys: 4 })),
    }));
    fc.assert(
      fc.property(tree, (value) => {
        const decoded = decodeMessage(encodeMessage(value));
        // The reference: the same structure compared with Object.is on every number.
        expect(sameValue(decoded, value)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what it cannot carry', () => {
    expect(() => encodeMessage({ raw: new ArrayBuffer(8) })).toThrow(WireError);
    expect(() => encodeMessage({ view: new DataView(new ArrayBuffer(8)) })).toThrow(/DataView/);
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(() => encodeMessage(cycle)).toThrow(WireError);
  });

  it('refuses malformed frames with a WireError', () => {
    const good = encodeMessage({ a: new Float64Array([1, 2]) }) as Uint8Array;
    const header = (json: string, extra = 0): Uint8Array => {
      const h = new TextEncoder().encode(json);
      const out = new Uint8Array(Math.ceil((8 + h.length) / 8) * 8 + extra);
      new DataView(out.buffer).setUint32(0, WIRE_MAGIC, true);
      new DataView(out.buffer).setUint32(4, h.length, true);
      out.set(h, 8);
      return out;
    };
    const bad: Array<[string, string | Uint8Array]> = [
      ['text that is not JSON', '{"id":'],
      ['too short', new Uint8Array(4)],
      ['wrong magic', (() => { const b = good.slice(); b[0] = 0; return b; })()],
      ['header past the end', (() => { const b = good.slice(); new DataView(b.buffer).setUint32(4, 1e6, true); return b; })()],
      ['truncated array', good.slice(0, good.length - 1)],
      ['trailing bytes', (() => { const b = new Uint8Array(good.length + 8); b.set(good); return b; })()],
      ['header not JSON', header('{nope')],
      ['unknown array type', header('{"value":null,"arrays":[{"path":[],"type":"Float16Array","length":0}]}')],
      ['negative length', header('{"value":null,"arrays":[{"path":[],"type":"Uint8Array","length":-1}]}')],
      ['no placeholder there', header('{"value":{"a":1},"arrays":[{"path":["a"],"type":"Uint8Array","length":0}]}')],
      ['missing key', header('{"value":{},"arrays":[{"path":["b"],"type":"Uint8Array","length":0}]}')],
      ['index step into an object', header('{"value":{"0":null},"arrays":[{"path":[0],"type":"Uint8Array","length":0}]}')],
      ['inherited key', header('{"value":{},"arrays":[{"path":["__proto__"],"type":"Uint8Array","length":0}]}')],
      ['path through a string', header('{"value":{"a":"s"},"arrays":[{"path":["a","length"],"type":"Uint8Array","length":0}]}')],
    ];
    for (const [what, frame] of bad) expect(() => decodeMessage(frame), what).toThrow(WireError);
    expect(({} as Record<string, unknown>)['a']).toBeUndefined();
  });

  it('puts an array under an own "__proto__" key without touching any prototype', () => {
    const h = new TextEncoder().encode('{"value":{"__proto__":null},"arrays":[{"path":["__proto__"],"type":"Uint8Array","length":1}]}');
    const frame = new Uint8Array(Math.ceil((8 + h.length) / 8) * 8 + 1);
    new DataView(frame.buffer).setUint32(0, WIRE_MAGIC, true);
    new DataView(frame.buffer).setUint32(4, h.length, true);
    frame.set(h, 8);
    frame[frame.length - 1] = 42;
    const decoded = decodeMessage(frame) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toStrictEqual(new Uint8Array([42]));
    expect(({} as Record<string, unknown>)['0']).toBeUndefined();
  });
});

/** Structural equality with Object.is on numbers; typed arrays by kind and elements. */
function sameValue(a: unknown, b: unknown): boolean {
  if (ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || Object.prototype.toString.call(a) !== Object.prototype.toString.call(b)) return false;
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < y.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (typeof b === 'number') return Object.is(a, b) || (Object.is(b, -0) && a === 0);
  if (b === null || typeof b !== 'object') return a === b;
  if (Array.isArray(b)) return Array.isArray(a) && a.length === b.length && b.every((v, i) => sameValue(a[i], v));
  if (a === null || typeof a !== 'object' || Array.isArray(a)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && kb.every((k) => Object.prototype.hasOwnProperty.call(a, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
