import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../engine/io/errors.js';
import { FileHasher, hashFile } from '../../engine/store/files.js';
import { tempDir } from '../helpers/tmp.js';

describe('source file hashes', () => {
  const dir = tempDir('kinscan-store-files-');
  // 9.5 MiB of seeded bytes: more than two of the hasher's 4 MiB reads.
  const path = join(dir, 'data.bin');
  let x = 12345;
  writeFileSync(
    path,
    Uint8Array.from({ length: 9.5 * 2 ** 20 }, () => {
      x = (x * 1103515245 + 12345) >>> 0;
      return x >>> 24;
    }),
  );
  const sha256sum = execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(/\s/)[0];

  it('a file hashed at once, or a slice at a time in uneven (and fractional) steps as an import does, has sha256sum\'s hash', () => {
    expect(hashFile(path, 'genotypes')).toMatchObject({ sha256: sha256sum, size: 9.5 * 2 ** 20, name: 'data.bin' });
    const h = new FileHasher(path, 'genotypes');
    expect(h.size).toBe(9.5 * 2 ** 20);
    for (const step of [0.5, 1, 1000.7, -5, 3 * 2 ** 20 + 0.25, 5 * 2 ** 20]) h.step(step);
    expect(h.hashed).toBe(1 + 1000 + 3 * 2 ** 20 + 5 * 2 ** 20);
    const done = h.done();
    expect(done.sha256).toBe(sha256sum);
    expect(done.size).toBe(9.5 * 2 ** 20);
    // Done twice, closed after: the same answer, nothing thrown.
    expect(h.done()).toBe(done);
    h.close();
  });

  it('a missing file or a folder is named with what to do', () => {
    expect(() => new FileHasher(join(dir, 'nope.vcf'), 'genotypes')).toThrow(InputError);
    expect(() => new FileHasher(join(dir, 'nope.vcf'), 'genotypes')).toThrow(/nope\.vcf: cannot be read .*Check the path and the permissions/);
    expect(() => hashFile(dir, 'genotypes')).toThrow(/is a folder, not a file\. Choose a file/);
  });
});
