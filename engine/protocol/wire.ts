/**
 * The WebSocket wire format of the protocol: a message (request, response or event) becomes one
 * frame. A message without typed arrays is a text frame of plain JSON. A message whose values hold
 * typed arrays (a Manhattan series: chromosome indices, positions, -log10 p) is one binary frame,
 * so a million SNPs travel as their bytes instead of as a JSON array of numbers:
 *
 *   bytes 0..3   magic 'KSW1'
 *   bytes 4..7   header length H in bytes (uint32, little-endian)
 *   bytes 8..    header: UTF-8 JSON { value, arrays: [{ path, type, length }] }, where `value` is
 *                the message with null in place of each typed array and `path` locates that
 *                placeholder (object keys and array indices from the root)
 *   then         each array's bytes in header order, every one starting at a multiple of 8
 *                (zero padding between), the frame ending with the last array's last byte.
 *
 * Arrays are in the platform's byte order, which must be little-endian (every platform Kinscan
 * runs on). Decoded arrays are views on the frame's buffer when it is aligned (no copy), otherwise
 * on one aligned copy of it. Pure: no Node or DOM APIs beyond TextEncoder/TextDecoder and typed
 * arrays, so the renderer, the Node test client and the server share it.
 */
import { z } from 'zod';

/** The first four bytes of a binary frame: 'KSW1'. */
export const WIRE_MAGIC = 0x3157534b;

/** Typed arrays the wire carries, by constructor name. */
const TYPED_ARRAYS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
export type TypedArrayName = keyof typeof TYPED_ARRAYS;
export type TypedArray = InstanceType<(typeof TYPED_ARRAYS)[TypedArrayName]>;
const TYPED_ARRAY_NAMES = Object.keys(TYPED_ARRAYS) as TypedArrayName[];

/** Nesting deeper than this is refused (a cycle, or nothing the protocol sends). */
const MAX_DEPTH = 200;
const HEADER_START = 8;

type PathKey = string | number;

interface ArrayEntry {
  path: PathKey[];
  type: TypedArrayName;
  length: number;
}

const headerSchema = z
  .object({
    value: z.unknown(),
    arrays: z
      .array(
        z
          .object({
            path: z.array(z.union([z.string(), z.number().int().nonnegative()])).max(MAX_DEPTH),
            type: z.enum(TYPED_ARRAY_NAMES as [TypedArrayName, ...TypedArrayName[]]),
            length: z.number().int().nonnegative(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** A malformed frame, or a value the wire cannot carry. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The kind of a typed array (from any realm; a Node Buffer is a Uint8Array), else undefined. */
function typedArrayName(value: unknown): TypedArrayName | undefined {
  if (!ArrayBuffer.isView(value)) return undefined;
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  return Object.prototype.hasOwnProperty.call(TYPED_ARRAYS, tag) ? (tag as TypedArrayName) : undefined;
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/**
 * The message with null in place of every typed array, and those arrays with their paths.
 * Follows JSON.stringify: toJSON is honoured, own enumerable keys are walked.
 */
function extractArrays(message: unknown): { value: unknown; arrays: ArrayEntry[]; views: TypedArray[] } {
  const arrays: ArrayEntry[] = [];
  const views: TypedArray[] = [];
  const path: PathKey[] = [];
  const walk = (value: unknown, key: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const type = typedArrayName(value);
    if (type !== undefined) {
      const view = value as TypedArray;
      arrays.push({ path: [...path], type, length: view.length });
      views.push(view);
      return null;
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      const kind = Object.prototype.toString.call(value).slice(8, -1);
      throw new WireError(`the wire carries typed arrays, not a ${kind} (at ${describePath(path)})`);
    }
    const withToJson = value as { toJSON?: (key: string) => unknown };
    if (typeof withToJson.toJSON === 'function') return walk(withToJson.toJSON(key), key);
    if (path.length >= MAX_DEPTH) throw new WireError(`the message nests deeper than ${MAX_DEPTH} levels (a cycle?)`);
    if (Array.isArray(value)) {
      return value.map((item: unknown, i) => {
        path.push(i);
        const out = walk(item, String(i));
        path.pop();
        return out;
      });
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      path.push(k);
      const v = walk((value as Record<string, unknown>)[k], k);
      path.pop();
      // A defined own property, so that JSON keeps the key (undefined and functions drop, as in JSON).
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  const value = walk(message, '');
  return { value, arrays, views };
}

function describePath(path: readonly PathKey[]): string {
  return path.length === 0 ? 'the root' : path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
}

/**
 * One frame for a message: a JSON string when it holds no typed arrays, else a binary frame.
 * Throws a WireError for what the wire cannot carry (ArrayBuffer, DataView, nesting past 200).
 */
export function encodeMessage(message: unknown): string | Uint8Array<ArrayBuffer> {
  const { value, arrays, views } = extractArrays(message);
  if (arrays.length === 0) {
    const text = JSON.stringify(value);
    if (text === undefined) throw new WireError('the message is not a JSON value');
    return text;
  }
  if (!littleEndian) throw new WireError('binary frames need a little-endian platform');
  const header = new TextEncoder().encode(JSON.stringify({ value: value ?? null, arrays }));
  const offsets: number[] = [];
  let end = align8(HEADER_START + header.length);
  for (const view of views) {
    const start = align8(end);
    offsets.push(start);
    end = start + view.byteLength;
  }
  const frame = new Uint8Array(end);
  const dv = new DataView(frame.buffer);
  dv.setUint32(0, WIRE_MAGIC, true);
  dv.setUint32(4, header.length, true);
  frame.set(header, HEADER_START);
  views.forEach((view, i) => frame.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), offsets[i]));
  return frame;
}

/** The bytes of a binary frame, whatever view or buffer holds them. */
function bytesOf(frame: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (frame instanceof ArrayBuffer) return new Uint8Array(frame);
  if (ArrayBuffer.isView(frame)) return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  throw new WireError('a frame is a string, an ArrayBuffer or a byte view');
}

/**
 * The message a frame carries: JSON text parsed; a binary frame with its typed arrays put back
 * in place. Throws a WireError when the frame is malformed (never trusts the header's numbers).
 */
export function decodeMessage(frame: string | ArrayBuffer | ArrayBufferView): unknown {
  if (typeof frame === 'string') {
    try {
      return JSON.parse(frame) as unknown;
    } catch (e) {
      throw new WireError(`a text frame is not JSON: ${(e as Error).message}`);
    }
  }
  let bytes = bytesOf(frame);
  if (bytes.length < HEADER_START) throw new WireError(`a binary frame of ${bytes.length} bytes is too short`);
  // Views need their element alignment; copy once if the frame does not start on 8 bytes.
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== WIRE_MAGIC) throw new WireError('a binary frame does not start with KSW1');
  if (!littleEndian) throw new WireError('binary frames need a little-endian platform');
  const headerLength = dv.getUint32(4, true);
  if (HEADER_START + headerLength > bytes.length) throw new WireError(`the header (${headerLength} bytes) runs past the frame (${bytes.length} bytes)`);
  let parsedHeader: unknown;
  try {
    parsedHeader = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEADER_START, HEADER_START + headerLength)));
  } catch (e) {
    throw new WireError(`the header of a binary frame is not JSON: ${(e as Error).message}`);
  }
  const header = headerSchema.safeParse(parsedHeader);
  if (!header.success) throw new WireError(`the header of a binary frame is malformed: ${header.error.issues[0]?.message ?? 'invalid'}`);
  let root: unknown = header.data.value;
  let offset = align8(HEADER_START + headerLength);
  for (const entry of header.data.arrays) {
    const Ctor = TYPED_ARRAYS[entry.type];
    const start = align8(offset);
    const byteLength = entry.length * Ctor.BYTES_PER_ELEMENT;
    if (start + byteLength > bytes.length) throw new WireError(`the array at ${describePath(entry.path)} runs past the frame`);
    // A SharedArrayBuffer works the same; the constructors' union type wants an ArrayBuffer.
    const view = new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset + start, entry.length);
    offset = start + byteLength;
    root = placeArray(root, entry.path, view);
  }
  if (offset !== bytes.length) throw new WireError(`a binary frame has ${bytes.length - offset} bytes after its last array`);
  return root;
}

/** Put `view` where the header's path says; that place must hold the null placeholder. */
function placeArray(root: unknown, path: readonly PathKey[], view: TypedArray): unknown {
  if (path.length === 0) {
    if (root !== null) throw new WireError('a placeholder at the root must be null');
    return view;
  }
  let parent: unknown = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as PathKey;
    const isArrayStep = typeof key === 'number';
    if (isArrayStep ? !Array.isArray(parent) : parent === null || typeof parent !== 'object' || Array.isArray(parent)) {
      throw new WireError(`no placeholder at ${describePath(path)}`);
    }
    const holder = parent as Record<PathKey, unknown>;
    if (!Object.prototype.hasOwnProperty.call(holder, key)) throw new WireError(`no placeholder at ${describePath(path)}`);
    if (i === path.length - 1) {
      if (holder[key] !== null) throw new WireError(`the placeholder at ${describePath(path)} is not null`);
      holder[key] = view;
    } else {
      parent = holder[key];
    }
  }
  return root;
}
