/**
 * The engine host over a MessagePort, as the desktop app runs it, with node's worker_threads
 * standing in for Electron's utility process: the worker runs the compiled entry script
 * (dist/engine/service/hosts/utility-process.js: the real service, its dispatcher and servePort)
 * over a small simulated project, and this thread talks to it through the connection the preload
 * and the main process use (electron/shared/engine-connection.ts) over a real MessageChannel.
 *
 * Round trips (ping, errors with code and hint, a real run's events, its Manhattan series as typed
 * arrays), a call made before the port arrives, a second port (a reloaded page), a graceful
 * shutdown after which the project reads back the same series in this thread, and a dead worker:
 * its pending call fails 'unavailable' at once, later calls fail with the cause the main process
 * reports, and a restarted engine on a new port serves the same listeners.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { KinscanError, PROTOCOL_VERSION, type KinscanEvent, type ResultOf } from '../../engine/protocol/api.js';
import { ENGINE_OPTIONS_ENV, type EngineControl, type EngineHostOptions } from '../../engine/protocol/engine-host.js';
import { createDispatcher, KinscanService } from '../../engine/service/index.js';
import { VERSION } from '../../engine/version.js';
import { describeEngineExit } from '../../electron/main/engine-exit.js';
import { createEngineConnection, type ClientPort, type EngineConnection } from '../../electron/shared/engine-connection.js';
import { tempDir } from '../helpers/tmp.js';
import { ROOT, simulatedSet } from '../store/helpers.js';

const ENTRY = join(ROOT, 'dist', 'engine', 'service', 'hosts', 'utility-process.js');

interface Engine {
  worker: Worker;
  /** A new port to it, as the main process hands one to each page load. */
  connect(): ClientPort;
  exited: Promise<number>;
  stderr(): string;
}

const engines: Engine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.worker.terminate()));
});

function startEngine(root: string): Engine {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build:engine\` first`);
  const options: EngineHostOptions = {
    stateDir: join(root, 'state'),
    exampleDir: join(ROOT, 'resources', 'example'),
    filesRoot: root,
    developer: false,
  };
  const worker = new Worker(ENTRY, { env: { ...process.env, [ENGINE_OPTIONS_ENV]: JSON.stringify(options) }, stderr: true });
  let stderr = '';
  worker.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const engine: Engine = {
    worker,
    connect() {
      const { port1, port2 } = new MessageChannel();
      worker.postMessage({ type: 'connect', port: port1 }, [port1]);
      return port2 as unknown as ClientPort;
    },
    exited,
    stderr: () => stderr,
  };
  engines.push(engine);
  return engine;
}

/** The first event matching `pred` that `connection` delivers from now on. */
function nextEvent(connection: EngineConnection, pred: (e: KinscanEvent) => boolean): Promise<KinscanEvent> {
  return new Promise((resolve) => {
    const off = connection.onEvent((e) => {
      if (pred(e)) {
        off();
        resolve(e);
      }
    });
  });
}

const caught = (p: Promise<unknown>): Promise<unknown> => p.then((v) => ({ resolved: v }), (e: unknown) => e);

describe('engine host over a MessagePort (worker_threads)', () => {
  const root = realpathSync(tempDir('kinscan-port-'));
  const set = simulatedSet(root, 'sim', 120, 400);
  let engine: Engine;
  let page: EngineConnection;
  let runId = 0;
  let series: ResultOf<'results.manhattan'>;

  it('answers app.ping, and errors arrive with their code and hint', async () => {
    engine = startEngine(root);
    page = createEngineConnection({ waitMs: 10_000 });
    page.attach(engine.connect());
    expect(await page.request('app.ping', {})).toEqual({ version: VERSION, protocol: PROTOCOL_VERSION });

    const noProject = await caught(page.request('project.info', {}));
    expect(noProject).toBeInstanceOf(KinscanError);
    expect(noProject).toMatchObject({ code: 'no-project', message: 'No project is open', hint: 'Open or create a project first (or open the example project)' });
    expect(await caught(page.request('app.ping', { extra: 1 }))).toMatchObject({ code: 'invalid-params' });
    expect(await caught(page.request('nothing.here', {}))).toMatchObject({ code: 'unknown-method' });
  });

  it('waits for the port when a call comes first (a page calling before its port arrives)', async () => {
    const early = createEngineConnection({ waitMs: 10_000 });
    const ping = early.request('app.ping', {});
    early.attach(engine.connect());
    expect(await ping).toEqual({ version: VERSION, protocol: PROTOCOL_VERSION });
  });

  it("runs a scan: its events reach every port, and its Manhattan series' typed arrays arrive intact", async () => {
    const reloaded = createEngineConnection();
    reloaded.attach(engine.connect());
    const opened = nextEvent(reloaded, (e) => e.type === 'project');
    await page.request('project.create', { path: 'port-test.kinscan' });
    expect(await opened).toEqual({ type: 'project', path: join(root, 'port-test.kinscan') });

    const progress = nextEvent(reloaded, (e) => e.type === 'progress');
    const final = (e: KinscanEvent): boolean => e.type === 'runStatus' && !['queued', 'running'].includes(e.status);
    const done = nextEvent(page, final);
    const doneElsewhere = nextEvent(reloaded, final);
    ({ runId } = (await page.request('runs.start', { settings: { bfile: set.prefix, pheno: set.pheno, trait: 't1' } })) as ResultOf<'runs.start'>);
    expect(await done).toEqual({ type: 'runStatus', runId, status: 'done' });
    expect(await doneElsewhere).toEqual({ type: 'runStatus', runId, status: 'done' });
    expect(await progress).toMatchObject({ type: 'progress', runId });

    series = (await page.request('results.manhattan', { runId })) as ResultOf<'results.manhattan'>;
    expect(series.chr).toBeInstanceOf(Uint16Array);
    expect(series.pos).toBeInstanceOf(Float64Array);
    expect(series.negLog10P).toBeInstanceOf(Float32Array);
    expect(series.snp).toBeInstanceOf(Int32Array);
    expect(series.snp.length).toBeGreaterThan(300);
    // Against the .bim file itself: every SNP's chromosome and position.
    const bim = readFileSync(`${set.prefix}.bim`, 'utf8').trim().split('\n').map((l) => l.split(/\s+/));
    for (let i = 0; i < series.snp.length; i++) {
      const row = bim[series.snp[i]!]!;
      expect(series.chrNames[series.chr[i]!]).toBe(row[0]);
      expect(series.pos[i]).toBe(Number(row[3]));
    }
    expect(series.negLog10P.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
  });

  it('shuts down on request, closing the project; it then reads back the same series in this thread', async () => {
    const shutdown: EngineControl = { type: 'shutdown' };
    engine.worker.postMessage(shutdown);
    expect(await engine.exited).toBe(0);
    expect(engine.stderr()).toBe('');

    const service = new KinscanService({
      exampleDir: join(ROOT, 'resources', 'example'),
      recentFile: join(root, 'state', 'recent-here.json'),
      filesRoot: root,
      threads: 1,
    });
    const dispatcher = createDispatcher(service);
    try {
      const open = await dispatcher.handle({ id: 1, method: 'project.open', params: { path: 'port-test.kinscan', readonly: true } });
      expect(open).toMatchObject({ id: 1, result: {} });
      const here = await dispatcher.handle({ id: 2, method: 'results.manhattan', params: { runId } });
      expect(here).toStrictEqual({ id: 2, result: series });
    } finally {
      await dispatcher.close();
    }
  });

  it("a dead engine: the pending call fails 'unavailable' at once, later ones with the cause; a restarted one serves the same listeners", async () => {
    const dying = startEngine(root);
    const connection = createEngineConnection({ waitMs: 1500 });
    const events: KinscanEvent[] = [];
    connection.onEvent((e) => events.push(e));
    connection.attach(dying.connect());
    expect(await connection.request('app.ping', {})).toMatchObject({ protocol: PROTOCOL_VERSION });

    // Importing the example (1940 mice, 12k SNPs) is still under way when the worker dies.
    const pending = caught(connection.request('project.openExample', {}));
    await dying.worker.terminate();
    const failed = await pending;
    expect(failed).toBeInstanceOf(KinscanError);
    expect(failed).toMatchObject({ code: 'unavailable', message: 'The connection to the engine closed' });

    // The main process sees the exit and says why; calls then wait for a new port, boundedly.
    const code = await dying.exited;
    connection.lost(describeEngineExit({ code, stderrTail: dying.stderr().split('\n') }));
    const later = await caught(connection.request('app.ping', {}));
    expect(later).toBeInstanceOf(KinscanError);
    expect(later).toMatchObject({ code: 'unavailable', message: `The engine stopped unexpectedly (exit code ${code})` });
    expect((later as KinscanError).hint).toMatch(/Restart Kinscan/);

    // Restarted: a new port; the listener subscribed before the death still hears the engine.
    const restarted = startEngine(root);
    connection.attach(restarted.connect());
    expect(await connection.request('app.ping', {})).toMatchObject({ protocol: PROTOCOL_VERSION });
    await connection.request('project.open', { path: 'port-test.kinscan', readonly: true });
    expect(events).toContainEqual({ type: 'project', path: join(root, 'port-test.kinscan') });
    restarted.worker.postMessage({ type: 'shutdown' } satisfies EngineControl);
    expect(await restarted.exited).toBe(0);
  });
});
