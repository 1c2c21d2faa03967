/**
 * The engine process of the desktop app: the entry script the main process forks with
 * `utilityProcess.fork` (electron/main/engine-process.ts). It builds one KinscanService and its
 * dispatcher from the options in KINSCAN_ENGINE_OPTIONS (engine/protocol/engine-host.ts), then
 * serves every MessagePort the parent hands it with a 'connect' message: one per page load of a
 * window, and one for the main process itself. A 'shutdown' closes the ports and the service (the
 * open project, the run queue, the workers) and exits.
 *
 * The same script runs as a node:worker_threads Worker, the stand-in for the utility process in the
 * tests: the parent is then worker_threads' parentPort, and a 'connect' message carries its port as
 * `port`. Long work (scans, kinship) runs in this process and its workers, never in the main
 * process or a renderer.
 */
import { join } from 'node:path';
import { isMainThread, MessagePort as NodeMessagePort, parentPort as workerParent } from 'node:worker_threads';
import {
  ENGINE_EXIT_START_FAILED,
  ENGINE_OPTIONS_ENV,
  engineControlSchema,
  engineHostOptionsSchema,
  type EngineControl,
  type EngineHostOptions,
} from '../../protocol/engine-host.js';
import { createDispatcher, KinscanService } from '../index.js';
import { fromElectronPort, fromNodePort, type ElectronMessagePort, type HostPort } from './port.js';
import { servePort, type ServedPort } from './serve-port.js';

/** Electron's process.parentPort in a utility process (structurally). */
interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: unknown; ports: ElectronMessagePort[] }) => void): unknown;
}

/** A control message from the parent, with the port it brought (if any). */
type ControlListener = (control: unknown, port: HostPort | undefined) => void;

/** Listen to the parent: Electron's parentPort, else worker_threads'. Undefined when there is none. */
function listenToParent(listener: ControlListener): boolean {
  const electronParent = (process as NodeJS.Process & { parentPort?: ElectronParentPort }).parentPort;
  if (electronParent) {
    electronParent.on('message', (event) => {
      const port = event.ports[0];
      listener(event.data, port ? fromElectronPort(port) : undefined);
    });
    return true;
  }
  if (!isMainThread && workerParent) {
    workerParent.on('message', (value: unknown) => {
      const port = typeof value === 'object' && value !== null ? (value as { port?: unknown }).port : undefined;
      listener(value, port instanceof NodeMessagePort ? fromNodePort(port) : undefined);
    });
    return true;
  }
  return false;
}

function readOptions(): EngineHostOptions {
  const raw = process.env[ENGINE_OPTIONS_ENV];
  if (raw === undefined) throw new Error(`${ENGINE_OPTIONS_ENV} is not set`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`${ENGINE_OPTIONS_ENV} is not JSON`);
  }
  const parsed = engineHostOptionsSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${ENGINE_OPTIONS_ENV} is invalid: ${parsed.error.message}`);
  return parsed.data;
}

function fail(message: string): never {
  process.stderr.write(`kinscan engine: ${message}\n`);
  process.exit(ENGINE_EXIT_START_FAILED);
}

function main(): void {
  let options: EngineHostOptions;
  let service: KinscanService;
  try {
    options = readOptions();
    service = new KinscanService({
      exampleDir: options.exampleDir,
      recentFile: join(options.stateDir, 'recent-projects.json'),
      filesRoot: options.filesRoot,
      command: 'kinscan app',
      developer: options.developer,
      // A file dropped on the desktop window arrives as in a browser (the preload exposes no paths).
      uploadsDir: join(options.stateDir, 'uploads'),
    });
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  const dispatcher = createDispatcher(service, { developer: options.developer });
  const served = new Set<ServedPort>();
  let stopping = false;

  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const s of served) s.close();
    served.clear();
    try {
      await dispatcher.close();
      process.exit(0);
    } catch (e) {
      process.stderr.write(`kinscan engine: closing failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    }
  };

  const onControl = (raw: unknown, port: HostPort | undefined): void => {
    const parsed = engineControlSchema.safeParse(raw);
    if (!parsed.success) {
      port?.close();
      process.stderr.write('kinscan engine: ignored a malformed control message\n');
      return;
    }
    const control: EngineControl = parsed.data;
    if (control.type === 'shutdown') {
      port?.close();
      void shutdown();
      return;
    }
    if (!port) {
      process.stderr.write("kinscan engine: a 'connect' message came without a port\n");
      return;
    }
    if (stopping) {
      port.close();
      return;
    }
    const s = servePort(port, dispatcher);
    served.add(s);
    void s.closed.then(() => served.delete(s));
  };

  if (!listenToParent(onControl)) {
    fail('this is the engine process of the Kinscan desktop app; Kinscan starts it, not a shell');
  }
}

main();
