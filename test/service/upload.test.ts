/**
 * files.upload through `kinscan serve` and the renderer's WebSocket client, with the real engine
 * behind it: a 20 MB file sent in 8 MiB chunks arrives byte-identical in '<root>/Kinscan uploads',
 * a second upload of the same name gets a numbered name (nothing overwritten), names with a folder
 * part are refused in words, and chunks out of order are refused.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KinscanError } from '../../engine/protocol/api.js';
import type { Dispatcher } from '../../engine/service/index.js';
import { MAX_CHUNK_BYTES, UPLOADS_FOLDER } from '../../engine/service/uploads.js';
import type { WebSocketClient } from '../../renderer/src/lib/ws-client.js';
import { startServer, type RunningServer } from '../../server/serve.js';
import { tempDir } from '../helpers/tmp.js';
import { connectClient, fakeRendererDir, realEngine, tradeTokenForCookie } from '../server/helpers.js';

let server: RunningServer;
let dispatcher: Dispatcher;
let client: WebSocketClient;
let root: string;

beforeAll(async () => {
  root = realpathSync(tempDir('kinscan-upload-'));
  dispatcher = realEngine(root).dispatcher;
  server = await startServer({ dispatcher, rendererDir: fakeRendererDir(), port: 0 });
  client = connectClient(server, { cookie: await tradeTokenForCookie(server) });
});
afterAll(async () => {
  client.close();
  await server.close();
  await dispatcher.close();
});

/** Send `data` as `name` in chunks of `chunk` bytes; the last answer. */
async function upload(name: string, data: Uint8Array, chunk = MAX_CHUNK_BYTES): Promise<{ path: string; received: number }> {
  let last = { path: '', received: 0 };
  for (let offset = 0; offset < data.length || offset === 0; offset += chunk) {
    const bytes = data.subarray(offset, Math.min(data.length, offset + chunk));
    const final = offset + chunk >= data.length;
    last = await client.call('files.upload', { name, offset, bytes, total: data.length, final });
    expect(last.received).toBe(offset + bytes.length);
    if (final) break;
  }
  return last;
}

async function refusal(p: Promise<unknown>): Promise<KinscanError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(KinscanError);
  return e as KinscanError;
}

describe('files.upload over the WebSocket server', () => {
  it('a 20 MB file sent in 8 MiB chunks arrives byte-identical; the same name again gets a numbered name', async () => {
    const data = new Uint8Array(randomBytes(20_000_000));
    const first = await upload('mice genotypes.bed', data);
    expect(first.path).toBe(join(root, UPLOADS_FOLDER, 'mice genotypes.bed'));
    expect(Buffer.compare(readFileSync(first.path), Buffer.from(data))).toBe(0);

    const other = new Uint8Array(randomBytes(1000));
    const second = await upload('mice genotypes.bed', other);
    expect(second.path).toBe(join(root, UPLOADS_FOLDER, 'mice genotypes (2).bed'));
    expect(Buffer.compare(readFileSync(first.path), Buffer.from(data))).toBe(0);
    expect(Buffer.compare(readFileSync(second.path), Buffer.from(other))).toBe(0);
    // No temporary file is left behind.
    expect(readdirSync(join(root, UPLOADS_FOLDER)).sort()).toEqual(['mice genotypes (2).bed', 'mice genotypes.bed']);
  }, 60_000);

  it('an empty file arrives too, and an existing file of the name is never overwritten', async () => {
    writeFileSync(join(root, UPLOADS_FOLDER, 'pheno.csv'), 'IID,trait\n');
    const r = await upload('pheno.csv', new Uint8Array(0));
    expect(r.path).toBe(join(root, UPLOADS_FOLDER, 'pheno (2).csv'));
    expect(readFileSync(join(root, UPLOADS_FOLDER, 'pheno.csv'), 'utf8')).toBe('IID,trait\n');
    expect(readFileSync(r.path).length).toBe(0);
  });

  it('refuses a name with a folder part, or a chunk out of order, in words', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    for (const name of ['../x', 'a/b', '..', 'a\\b']) {
      const e = await refusal(client.call('files.upload', { name, offset: 0, bytes, total: 3, final: true }));
      expect(e.code, name).toBe('input');
      expect(e.message, name).toMatch(/not a (plain )?file name/);
      expect(e.hint, name).toMatch(/its own name alone/);
    }
    expect(existsSync(join(root, 'x'))).toBe(false);
    expect(existsSync(join(root, UPLOADS_FOLDER, 'a'))).toBe(false);

    await client.call('files.upload', { name: 'half.txt', offset: 0, bytes, total: 9, final: false });
    const e = await refusal(client.call('files.upload', { name: 'half.txt', offset: 6, bytes, total: 9, final: true }));
    expect(e.code).toBe('input');
    expect(e.message).toContain("a chunk of 'half.txt' at byte 6 (of 9) came out of order: 3 of its 9 bytes have arrived");
    expect(e.hint).toBe('Upload the file again from the start');
    const tooLong = await refusal(client.call('files.upload', { name: 'half.txt', offset: 3, bytes: new Uint8Array(7), total: 9, final: true }));
    expect(tooLong.message).toContain("'half.txt' is longer than the 9 bytes announced");
    expect(existsSync(join(root, UPLOADS_FOLDER, 'half.txt'))).toBe(false);
  });
});
