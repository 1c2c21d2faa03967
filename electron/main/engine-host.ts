/**
 * Owns the engine host utility process: forks it on first use, correlates
 * requests with responses by id, relays its events, and fails pending requests
 * if it dies (the next request forks a fresh one).
 */
import { utilityProcess, type UtilityProcess } from 'electron';
import {
  kinscanEventSchema,
  responseEnvelopeSchema,
  type KinscanEvent,
  type MethodName,
  type RequestEnvelope,
} from '../../engine/protocol/api.js';
import type { Outcome } from './router.js';

export interface EngineHostOptions {
  /** Built engine host script (out/main/engine-host.js). */
  scriptPath: string;
  /** Application version, answered by `ping`. */
  version: string;
  onEvent: (event: KinscanEvent) => void;
}

export class EngineHost {
  private child: UtilityProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (outcome: Outcome) => void>();

  constructor(private readonly options: EngineHostOptions) {}

  request(method: MethodName, params: unknown): Promise<Outcome> {
    const child = this.ensureStarted();
    const envelope: RequestEnvelope = { id: this.nextId++, method, params };
    return new Promise((resolve) => {
      this.pending.set(envelope.id, resolve);
      child.postMessage(envelope);
    });
  }

  stop(): void {
    this.child?.kill();
    this.child = null;
  }

  private ensureStarted(): UtilityProcess {
    if (this.child) return this.child;
    const child = utilityProcess.fork(this.options.scriptPath, [], {
      serviceName: 'Kinscan engine',
      env: { ...process.env, KINSCAN_VERSION: this.options.version },
    });
    child.on('message', (message: unknown) => this.onMessage(message));
    child.on('exit', (code) => this.onExit(child, code));
    this.child = child;
    return child;
  }

  private onMessage(message: unknown): void {
    const event = kinscanEventSchema.safeParse(message);
    if (event.success) {
      this.options.onEvent(event.data);
      return;
    }
    const response = responseEnvelopeSchema.safeParse(message);
    if (!response.success) return;
    const reply = response.data;
    const resolve = this.pending.get(reply.id);
    if (!resolve) return;
    this.pending.delete(reply.id);
    resolve('error' in reply ? { error: reply.error } : { result: reply.result });
  }

  private onExit(child: UtilityProcess, code: number): void {
    if (this.child === child) this.child = null;
    const message = `The engine stopped unexpectedly (exit code ${code}). Try again.`;
    for (const resolve of this.pending.values()) resolve({ error: { message } });
    this.pending.clear();
  }
}
