import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openByteChunks } from '../../engine/io/byte-chunks.js';
import { InputError } from '../../engine/io/errors.js';
import { tempDir } from '../helpers/tmp.js';

const example = join(import.meta.dirname, '..', '..', 'resources', 'example', 'mouse_hs1940');

function readAll(path: string): { bytes: Buffer; compression: string } {
  const c = openByteChunks(path, 'test file');
  try {
    const parts: Buffer[] = [];
    for (let x = c.next(); x; x = c.next()) parts.push(Buffer.from(x));
    return { bytes: Buffer.concat(parts), compression: c.compression };
  } finally {
    c.close();
  }
}

describe('openByteChunks: plain, gzip and BGZF files, decompressed as they are read', () => {
  const dir = tempDir('kinscan-chunks-');
  const text = Buffer.from(Array.from({ length: 200_000 }, (_, i) => `line ${i}\t${(i * 7919) % 1000}`).join('\n') + '\n');

  it('gives back the same bytes from a plain file, a gzip file and a two-member gzip file', () => {
    writeFileSync(join(dir, 'a.txt'), text);
    writeFileSync(join(dir, 'a.txt.gz'), gzipSync(text));
    const half = text.length >> 1;
    writeFileSync(join(dir, 'two.gz'), Buffer.concat([gzipSync(text.subarray(0, half)), gzipSync(text.subarray(half))]));
    for (const [file, compression] of [
      ['a.txt', 'none'],
      ['a.txt.gz', 'gzip'],
      ['two.gz', 'gzip'],
    ] as const) {
      const r = readAll(join(dir, file));
      expect(r.compression, file).toBe(compression);
      expect(r.bytes.equals(text), file).toBe(true);
    }
  });

  it('reads a BGZF file (written by plink2) block by block, equal to gunzip', () => {
    execFileSync('plink2', ['--silent', '--bfile', example, '--chr', '1', '--export', 'vcf', 'bgz', '--out', join(dir, 'm')], { stdio: 'pipe' });
    const file = join(dir, 'm.vcf.gz');
    const r = readAll(file);
    expect(r.compression).toBe('bgzf');
    expect(r.bytes.equals(gunzipSync(readFileSync(file)))).toBe(true);
  });

  it('says a gzip or BGZF file is cut short, wherever it is cut', () => {
    const gz = gzipSync(text);
    const bgz = readFileSync(join(dir, 'm.vcf.gz'));
    for (const [name, whole] of [
      ['cut.gz', gz],
      ['cut.vcf.gz', bgz],
    ] as const) {
      // In the deflate data, inside the trailer, and just before it (where fflate alone ends cleanly).
      for (const keep of [whole.length >> 1, whole.length - 3, whole.length - 8, whole.length - 30, 40]) {
        writeFileSync(join(dir, name), whole.subarray(0, keep));
        expect(() => readAll(join(dir, name)), `${name} cut at ${keep}`).toThrow(/damaged or cut short/);
        try {
          readAll(join(dir, name));
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          expect((e as InputError).file).toBe(join(dir, name));
        }
      }
    }
  });

  it('never throws anything but an InputError on random bytes after a gzip header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (body, bgzfLike) => {
        const head = bgzfLike ? [0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 66, 67, 2, 0, body.length & 0xff, 0] : [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        writeFileSync(join(dir, 'fuzz.gz'), Buffer.concat([Buffer.from(head), Buffer.from(body)]));
        try {
          readAll(join(dir, 'fuzz.gz'));
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
        }
      }),
      { numRuns: 300 },
    );
  });
});
