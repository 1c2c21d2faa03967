/**
 * The protocol through `kinscan serve` and the renderer's WebSocket client (over the `ws` package),
 * on 127.0.0.1, with the real engine behind it (KinscanService in a temporary folder): answers
 * equal the dispatcher's own, error envelopes arrive as KinscanErrors with code and hint, a real
 * run's Manhattan series travels as one binary frame and arrives equal, events reach every client,
 * files.list stays inside the root, and the limits (message size, requests in flight) and shutdown
 * hold. The last two use a small dispatcher whose answers wait on a gate, to hold requests in
 * flight without timing.
 */
import { realpathSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KinscanError, PROTOCOL_VERSION, type KinscanEvent, type ResponseEnvelope } from '../../engine/protocol/api.js';
import { decodeMessage } from '../../engine/protocol/wire.js';
import type { Dispatcher } from '../../engine/service/index.js';
import { VERSION } from '../../engine/version.js';
import type { WebSocketClient } from '../../renderer/src/lib/ws-client.js';
import { startServer, type RunningServer } from '../../server/serve.js';
import { tempDir } from '../helpers/tmp.js';
import { simulatedSet } from '../store/helpers.js';
import { connectClient, fakeRendererDir, openSocket, realEngine, tradeTokenForCookie } from './helpers.js';
import { createStandInDispatcher } from './stand-in-dispatcher.js';

let server: RunningServer;
let cookie: string;
let dispatcher: Dispatcher;
let root: string;

beforeAll(async () => {
  root = realpathSync(tempDir('kinscan-serve-'));
  dispatcher = realEngine(root, { developer: true }).dispatcher;
  server = await startServer({ dispatcher, rendererDir: fakeRendererDir(), port: 0, maxMessageBytes: 64 * 1024 });
  cookie = await tradeTokenForCookie(server);
});
afterAll(async () => {
  await server.close();
  await dispatcher.close();
});

/** The first event a client receives that satisfies `match`. */
function nextEvent(client: WebSocketClient, match: (e: KinscanEvent) => boolean): Promise<KinscanEvent> {
  return new Promise((resolve) => {
    const off = client.onEvent((e) => {
      if (match(e)) {
        off();
        resolve(e);
      }
    });
  });
}

const resultOf = (r: ResponseEnvelope): unknown => ('result' in r ? r.result : r.error);

describe('kinscan serve: the protocol through the WebSocket client', () => {
  it('answers app.ping as the dispatcher does', async () => {
    const client = connectClient(server, { cookie });
    try {
      const viaSocket = await client.call('app.ping', {});
      expect(viaSocket).toEqual({ version: VERSION, protocol: PROTOCOL_VERSION });
      expect(resultOf(await dispatcher.handle({ id: 1, method: 'app.ping', params: {} }))).toEqual(viaSocket);
    } finally {
      client.close();
    }
  });

  it('turns error envelopes into KinscanErrors with their code and hint', async () => {
    const client = connectClient(server);
    try {
      const noProject = await client.call('results.manhattan', { runId: 1 }).catch((e: unknown) => e);
      expect(noProject).toBeInstanceOf(KinscanError);
      expect(noProject).toMatchObject({ code: 'no-project', message: 'No project is open', hint: 'Open or create a project first (or open the example project)' });
      const invalid = await client.call('app.ping', { extra: 1 } as never).catch((e: unknown) => e);
      expect(invalid).toMatchObject({ code: 'invalid-params' });
      expect((invalid as KinscanError).hint).toBeTypeOf('string');
      const unknown = await client.call('nothing.here' as 'app.ping', {}).catch((e: unknown) => e);
      expect(unknown).toMatchObject({ code: 'unknown-method' });
    } finally {
      client.close();
    }
  });

  it("carries a real run's Manhattan series as one binary frame, equal to the dispatcher's", async () => {
    const set = simulatedSet(root, 'sim', 120, 400);
    const a = connectClient(server, { cookie });
    const b = connectClient(server);
    try {
      // Both clients see the project open (events go to every client).
      const opened = Promise.all([a, b].map((c) => nextEvent(c, (e) => e.type === 'project')));
      await a.call('project.create', { path: 'serve-test.kinscan' });
      expect(await opened).toEqual([
        { type: 'project', path: `${root}/serve-test.kinscan` },
        { type: 'project', path: `${root}/serve-test.kinscan` },
      ]);
      const progressSeenByB = nextEvent(b, (e) => e.type === 'progress');
      const doneForA = nextEvent(a, (e) => e.type === 'runStatus' && e.status !== 'queued' && e.status !== 'running');
      const doneForB = nextEvent(b, (e) => e.type === 'runStatus' && e.status !== 'queued' && e.status !== 'running');
      const { runId } = await a.call('runs.start', { settings: { bfile: set.prefix, pheno: set.pheno, trait: 't1' } });
      expect(await doneForA).toEqual({ type: 'runStatus', runId, status: 'done' });
      expect(await doneForB).toEqual({ type: 'runStatus', runId, status: 'done' });
      expect(await progressSeenByB).toMatchObject({ type: 'progress', runId });

      const viaSocket = await b.call('results.manhattan', { runId });
      const direct = resultOf(await dispatcher.handle({ id: 2, method: 'results.manhattan', params: { runId } }));
      expect(viaSocket.chr).toBeInstanceOf(Uint16Array);
      expect(viaSocket.pos).toBeInstanceOf(Float64Array);
      expect(viaSocket.negLog10P).toBeInstanceOf(Float32Array);
      expect(viaSocket.snp).toBeInstanceOf(Int32Array);
      expect(viaSocket.snp.length).toBeGreaterThan(300);
      expect(viaSocket).toStrictEqual(direct);
    } finally {
      a.close();
      b.close();
    }
    // The frame itself is binary, and decodes to the same.
    const raw = openSocket(server, { cookie });
    const frame = await new Promise<{ binary: boolean; data: Buffer }>((resolve, reject) => {
      raw.once('open', () => raw.send(JSON.stringify({ id: 5, method: 'results.manhattan', params: { runId: 1 } })));
      raw.once('message', (data: Buffer, binary: boolean) => resolve({ binary, data }));
      raw.once('error', reject);
    });
    raw.close();
    expect(frame.binary).toBe(true);
    expect(decodeMessage(frame.data)).toStrictEqual({ id: 5, result: resultOf(await dispatcher.handle({ id: 5, method: 'results.manhattan', params: { runId: 1 } })) });
  });

  it('lists files inside --root only', async () => {
    const client = connectClient(server, { cookie });
    try {
      const listing = await client.call('files.list', {});
      expect(listing.root).toBe(root);
      expect(listing.entries.map((e) => e.name)).toContain('sim.bed');
      await expect(client.call('files.list', { dir: '..' })).rejects.toBeInstanceOf(KinscanError);
      await expect(client.call('files.list', { dir: '/etc' })).rejects.toBeInstanceOf(KinscanError);
    } finally {
      client.close();
    }
  });

  it('answers an unreadable frame with bad-envelope and keeps the connection', async () => {
    const raw = openSocket(server, { cookie });
    const replies: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      raw.once('open', () => {
        raw.send('{"id": 1, "method": ');
        raw.send(Buffer.from('not a frame'), { binary: true });
        raw.send(JSON.stringify({ id: 9, method: 'app.ping', params: {} }));
      });
      raw.on('message', (data: Buffer) => {
        replies.push(JSON.parse(data.toString()));
        if (replies.length === 3) resolve();
      });
      raw.once('error', reject);
    });
    raw.close();
    expect(replies[0]).toMatchObject({ id: 0, error: { code: 'bad-envelope' } });
    expect(replies[1]).toMatchObject({ id: 0, error: { code: 'bad-envelope' } });
    expect(replies[2]).toEqual({ id: 9, result: { version: VERSION, protocol: PROTOCOL_VERSION } });
  });

  it('closes a connection whose message is over the size limit, and its pending calls fail as unavailable', async () => {
    const client = connectClient(server, { cookie });
    await client.call('app.ping', {});
    const error = await client.call('app.ping', { padding: 'x'.repeat(100 * 1024) } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KinscanError);
    expect((error as KinscanError).code).toBe('unavailable');
    await expect(client.call('app.ping', {})).rejects.toMatchObject({ code: 'unavailable' });
  });
});

describe('kinscan serve: requests in flight and shutdown', () => {
  it('answers requests past the limit in flight with unavailable at once', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = createStandInDispatcher({ 'project.openExample': async () => (await gate, { path: 'p' }) });
    const limited = await startServer({ dispatcher: slow, rendererDir: fakeRendererDir(), port: 0, maxPendingPerConnection: 3 });
    const client = connectClient(limited);
    try {
      const calls = Array.from({ length: 5 }, () => client.call('project.openExample', {}).then((r) => r, (e: unknown) => e));
      // The two past the limit are refused before the gate opens.
      const refused = await Promise.all(calls.slice(3));
      for (const e of refused) expect(e).toMatchObject({ code: 'unavailable', message: 'More than 3 requests at once on one connection' });
      release();
      expect(await Promise.all(calls.slice(0, 3))).toEqual([{ path: 'p' }, { path: 'p' }, { path: 'p' }]);
    } finally {
      client.close();
      await limited.close();
    }
  });

  it('close() ends every connection, fails their pending calls, and frees the port', async () => {
    const hanging = createStandInDispatcher({ 'project.openExample': () => new Promise(() => undefined) });
    const doomed = await startServer({ dispatcher: hanging, rendererDir: fakeRendererDir(), port: 0 });
    const clients = [connectClient(doomed), connectClient(doomed)];
    await Promise.all(clients.map((c) => c.call('app.ping', {})));
    const pending = clients.map((c) => c.call('project.openExample', {}).catch((e: unknown) => e));
    await doomed.close();
    for (const e of await Promise.all(pending)) expect(e).toMatchObject({ code: 'unavailable' });
    await expect(clients[0]!.call('app.ping', {})).rejects.toMatchObject({ code: 'unavailable' });
    // The port is free: a new server can take it.
    const again = await startServer({ dispatcher: hanging, rendererDir: fakeRendererDir(), port: doomed.port });
    await again.close();
    await doomed.close();
  });
});
