/**
 * `kinscan serve`: the engine service behind the browser app, on 127.0.0.1 only (usage in
 * commands.ts). It prints the URL with its token (as Jupyter does) on stdout, optionally opens it in
 * the default browser, and runs until Ctrl-C or SIGTERM, when it closes the server, every connection
 * and the service (the open project closed, the running scan stopped) within a few seconds.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDispatcher, KinscanService } from '../engine/service/index.js';
import { exampleDir, rendererDir } from '../server/package-root.js';
import { startServer, type RunningServer } from '../server/serve.js';
import { EXIT } from './commands.js';
import { parseFlags, UsageError } from './report.js';

/** How long shutdown may take before the command gives up waiting. */
const SHUTDOWN_LIMIT_MS = 3000;

function portOf(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be a whole number from 1 to 65535, got '${value}'`);
  return port;
}

function rootOf(value: string | undefined): string {
  const root = resolve(value ?? homedir());
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new UsageError(`--root must be an existing folder, got '${value ?? root}'`);
  return root;
}

/** Where the recent-projects list and the example project live. */
function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['KINSCAN_STATE_DIR'];
  if (fromEnv) return resolve(fromEnv);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Kinscan');
  if (process.platform === 'win32') return join(env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'), 'Kinscan');
  return join(env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state'), 'kinscan');
}

/** Open `url` in the system's browser; a failure is only reported (the URL is printed anyway). */
function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.once('error', (e) => process.stderr.write(`kinscan: could not open a browser (${e.message}); open the URL yourself\n`));
  child.unref();
}

/** Resolves at the first SIGINT or SIGTERM. */
function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveSignal(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function serveCommand(args: string[]): Promise<number> {
  const v = parseFlags(args, {
    port: { type: 'string' },
    open: { type: 'boolean' },
    root: { type: 'string' },
    developer: { type: 'boolean' },
  });
  const port = portOf(v.port as string | undefined);
  const root = rootOf(v.root as string | undefined);
  const developer = Boolean(v.developer);
  const service = new KinscanService({
    exampleDir: exampleDir(),
    recentFile: join(stateDir(), 'recent-projects.json'),
    filesRoot: root,
    command: 'kinscan serve',
    developer,
  });
  // Closing the dispatcher closes the service: runs cancelled, the project closed.
  const dispatcher = createDispatcher(service, { developer });
  let server: RunningServer;
  try {
    server = await startServer({ dispatcher, rendererDir: rendererDir(), port });
  } catch (e) {
    await dispatcher.close();
    throw e;
  }
  const stopped = untilStopped();
  process.stderr.write(`kinscan: serving the files under ${root} on this computer only. Open this URL in a browser (Ctrl-C stops):\n`);
  process.stdout.write(`${server.url}\n`);
  if (v.open) openInBrowser(server.url);
  const signal = await stopped;
  process.stderr.write(`kinscan: ${signal}: closing\n`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), SHUTDOWN_LIMIT_MS)));
  const closing = (async (): Promise<'closed'> => {
    await server.close();
    await dispatcher.close();
    return 'closed';
  })();
  const outcome = await Promise.race([closing, limit]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    process.stderr.write(`kinscan: the engine did not close within ${SHUTDOWN_LIMIT_MS / 1000} s; exiting anyway\n`);
    // Whatever still holds the event loop must not keep the process alive.
    setTimeout(() => process.exit(EXIT.internal), 200).unref();
    return EXIT.internal;
  }
  return EXIT.ok;
}
