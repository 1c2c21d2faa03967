/**
 * servePort in this thread over a real node MessageChannel, for what the worker test cannot hold
 * still: requests past the limit in flight (a stand-in dispatcher whose answer waits on a gate the
 * test opens, no timing), a result that cannot be cloned, and a port whose other side goes away
 * (the real service: its events stop going there).
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createDispatcher, KinscanService } from '../../engine/service/index.js';
import { fromNodePort } from '../../engine/service/hosts/port.js';
import { servePort } from '../../engine/service/hosts/serve-port.js';
import { createEngineConnection, type ClientPort } from '../../electron/shared/engine-connection.js';
import { tempDir } from '../helpers/tmp.js';
import { createStandInDispatcher } from '../server/stand-in-dispatcher.js';
import { ROOT } from '../store/helpers.js';

function channel(): { engineSide: ReturnType<typeof fromNodePort>; page: ReturnType<typeof createEngineConnection>; pagePort: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  const page = createEngineConnection({ waitMs: 5000 });
  page.attach(port2 as unknown as ClientPort);
  return { engineSide: fromNodePort(port1), page, pagePort: port2 };
}

describe('servePort', () => {
  it('answers requests past the limit in flight with unavailable at once', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = createStandInDispatcher({ 'project.openExample': async () => (await gate, { path: 'p' }) });
    const { engineSide, page } = channel();
    const served = servePort(engineSide, slow, { maxInFlight: 2 });
    try {
      const calls = Array.from({ length: 4 }, () => page.request('project.openExample', {}).then((r) => r, (e: unknown) => e));
      for (const refused of await Promise.all(calls.slice(2))) {
        expect(refused).toMatchObject({ code: 'unavailable', message: 'The engine is busy with 2 requests from this window' });
      }
      release();
      expect(await Promise.all(calls.slice(0, 2))).toEqual([{ path: 'p' }, { path: 'p' }]);
    } finally {
      served.close();
    }
  });

  it("answers 'internal' when a result cannot be sent, and goes on serving", async () => {
    const broken = createStandInDispatcher({ 'project.openExample': () => ({ path: () => 'not cloneable' }) });
    const { engineSide, page } = channel();
    const served = servePort(engineSide, broken);
    try {
      await expect(page.request('project.openExample', {})).rejects.toMatchObject({
        code: 'internal',
        message: expect.stringContaining('The engine could not send its answer'),
      });
      await expect(page.request('app.ping', {})).resolves.toMatchObject({ protocol: expect.any(Number) });
    } finally {
      served.close();
    }
  });

  it('sends the service events to the port until its other side closes', async () => {
    const root = realpathSync(tempDir('kinscan-serve-port-'));
    const service = new KinscanService({
      exampleDir: join(ROOT, 'resources', 'example'),
      recentFile: join(root, 'recent.json'),
      filesRoot: root,
      threads: 1,
    });
    const dispatcher = createDispatcher(service);
    const { engineSide, page, pagePort } = channel();
    const served = servePort(engineSide, dispatcher);
    try {
      const seen: unknown[] = [];
      page.onEvent((e) => seen.push(e));
      await page.request('project.create', { path: 'a.kinscan' });
      await expect.poll(() => seen).toEqual([{ type: 'project', path: join(root, 'a.kinscan') }]);
      pagePort.close();
      await served.closed;
      // The service goes on without the port: its next event has nowhere to go, and nothing breaks.
      await expect(dispatcher.handle({ id: 7, method: 'project.close', params: {} })).resolves.toEqual({ id: 7, result: { closed: true } });
    } finally {
      served.close();
      await dispatcher.close();
    }
  });
});
