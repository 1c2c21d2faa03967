/**
 * The engine process: forked with utilityProcess.fork from the compiled engine
 * (engine/service/hosts/utility-process.ts), handed a MessagePort for every client that connects
 * (each page load of a window, and the main process's own client), and restarted when it dies.
 *
 * A death is reported at once (`onDown`) with its cause (exit code, fatal error, the last lines of
 * its stderr), so every call waiting on it fails within moments instead of hanging; the restart
 * follows after RestartPolicy's delay (`onUp` then, so clients get new ports), unless it keeps dying,
 * when it stays down and `onDown` says so. `stop` asks it to close its project and exit, and kills
 * it if it has not within the timeout.
 */
import { MessageChannelMain, utilityProcess, type MessagePortMain, type UtilityProcess } from 'electron';
import { ENGINE_OPTIONS_ENV, type EngineControl, type EngineHostOptions } from '../../engine/protocol/engine-host.js';
import { describeEngineExit, LineTail } from './engine-exit.js';
import { RestartPolicy } from './restart-policy.js';

export interface EngineProcessOptions {
  entry: string;
  options: EngineHostOptions;
  /** The engine is running (again): connect the clients. */
  onUp(): void;
  /** The engine died: why, in words, and whether it is being restarted. */
  onDown(reason: string, restarting: boolean): void;
}

export class EngineProcess {
  private child: UtilityProcess | undefined;
  private readonly stderr = new LineTail(20);
  private fatal: string | undefined;
  private readonly policy = new RestartPolicy();
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private stopping = false;

  constructor(private readonly options: EngineProcessOptions) {}

  start(): void {
    if (this.child || this.stopping) return;
    this.stderr.clear();
    this.fatal = undefined;
    const child = utilityProcess.fork(this.options.entry, [], {
      serviceName: 'Kinscan engine',
      stdio: 'pipe',
      env: { ...process.env, [ENGINE_OPTIONS_ENV]: JSON.stringify(this.options.options) },
    });
    child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.stderr.push(chunk.toString('utf8'));
    });
    child.on('error', (type, location) => {
      this.fatal = `${type} at ${location}`;
    });
    child.on('exit', (code) => this.onExit(child, code));
    this.child = child;
    this.options.onUp();
  }

  /** A new port to the engine for one client, or undefined while it is down. */
  connect(): MessagePortMain | undefined {
    const child = this.child;
    if (!child) return undefined;
    const { port1, port2 } = new MessageChannelMain();
    const control: EngineControl = { type: 'connect' };
    child.postMessage(control, [port1]);
    return port2;
  }

  /** Ask the engine to close and exit; kill it after `timeoutMs`. Resolves when it is gone. */
  stop(timeoutMs = 5000): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill(), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      const control: EngineControl = { type: 'shutdown' };
      child.postMessage(control);
    });
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  private onExit(child: UtilityProcess, code: number): void {
    if (this.child !== child) return;
    this.child = undefined;
    if (this.stopping) return;
    const cause = describeEngineExit({ code, fatal: this.fatal, stderrTail: this.stderr.tail });
    const delay = this.policy.onDeath(Date.now());
    if (delay === undefined) {
      this.options.onDown(`${cause}. It keeps stopping, so Kinscan no longer restarts it: quit Kinscan and start it again.`, false);
      return;
    }
    this.options.onDown(`${cause}. Kinscan is restarting it; work in progress is lost, runs can be resumed.`, true);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.start();
    }, delay);
  }
}
