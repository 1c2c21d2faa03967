/**
 * A connection to the engine, the page's (in the preload) or the main process's own: an API client
 * (engine/protocol/client.ts) over the MessagePort the main process hands it, replaced by a fresh
 * client whenever a new port comes (the engine restarted). No Electron here: it runs over any
 * MessagePort with addEventListener (the DOM's in the preload, an adapted MessagePortMain in the
 * main process, node's worker_threads in the tests).
 *
 * - Calls made before the first port arrives, or while the engine restarts, wait for the next port
 *   for at most `waitMs`, then fail with 'unavailable' and why the engine is away.
 * - When the engine dies, every pending call fails at once with 'unavailable' and the cause: the
 *   main process tells it (`lost`); a port's 'close' event, where the runtime has one, does too.
 * - Event listeners stay subscribed across restarts.
 * Messages from the engine are checked for their shape before the client sees them.
 */
import {
  KinscanError,
  type EngineMessage,
  type KinscanEvent,
  type MethodName,
  type RequestEnvelope,
  type Unsubscribe,
} from '../../engine/protocol/api.js';
import { createApiClient, type ApiClient } from '../../engine/protocol/client.js';

/** What the connection needs of a MessagePort. */
export interface ClientPort {
  postMessage(message: RequestEnvelope): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: () => void): void;
  start(): void;
  close(): void;
}

export interface EngineConnectionOptions {
  /** How long a call waits for a port (default 15 s: the engine's start, or its restart). */
  waitMs?: number;
  /** Calls waiting for a port, at most (default 256); more fail at once. */
  maxWaiting?: number;
}

export interface EngineConnection {
  /** Use this port from now on (the one before it, if any, is closed). */
  attach(port: ClientPort): void;
  /** The engine went away: fail pending calls with this reason; later calls wait for a new port. */
  lost(reason: string): void;
  /** Resolves with the result; rejects with a KinscanError. */
  request(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (event: KinscanEvent) => void): Unsubscribe;
}

interface Waiting {
  method: string;
  params: unknown;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** A response or an event, by shape (the client matches ids and types). */
export function isEngineMessage(data: unknown): data is EngineMessage {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as Record<string, unknown>;
  if ('event' in m) {
    const e = m['event'];
    return typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string';
  }
  if (typeof m['id'] !== 'number') return false;
  if ('result' in m) return true;
  const error = m['error'];
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

const NOT_STARTED = 'The engine has not started yet';

export function createEngineConnection(options: EngineConnectionOptions = {}): EngineConnection {
  const waitMs = options.waitMs ?? 15_000;
  const maxWaiting = options.maxWaiting ?? 256;
  const listeners = new Set<(event: KinscanEvent) => void>();
  const waiting = new Set<Waiting>();
  let client: ApiClient | undefined;
  let port: ClientPort | undefined;
  let away = NOT_STARTED;

  const relay = (event: KinscanEvent): void => {
    for (const l of [...listeners]) {
      try {
        l(event);
      } catch {
        // One listener's failure must not keep the event from the others.
      }
    }
  };

  const forward = (w: Waiting, to: ApiClient): void => {
    clearTimeout(w.timer);
    waiting.delete(w);
    to.call(w.method as MethodName, w.params as never).then(w.resolve, w.reject);
  };

  const drop = (reason: string): void => {
    client?.close(reason);
    client = undefined;
    port = undefined;
    away = reason;
  };

  return {
    attach(next) {
      const previous = port;
      if (previous) {
        drop('The engine connection was replaced');
        previous.close();
      }
      const current = createApiClient({ send: (request) => next.postMessage(request) });
      current.onEvent(relay);
      next.addEventListener('message', (event) => {
        if (isEngineMessage(event.data)) current.receive(event.data);
      });
      next.addEventListener('close', () => {
        if (client === current) drop('The connection to the engine closed');
      });
      next.start();
      client = current;
      port = next;
      for (const w of [...waiting]) forward(w, current);
    },

    lost(reason) {
      drop(reason);
    },

    request(method, params) {
      if (client) return client.call(method as MethodName, params as never);
      if (waiting.size >= maxWaiting) {
        return Promise.reject(new KinscanError({ code: 'unavailable', message: `${away}; too many calls are waiting for it` }));
      }
      return new Promise((resolve, reject) => {
        const w: Waiting = {
          method,
          params,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiting.delete(w);
            reject(
              new KinscanError({
                code: 'unavailable',
                message: away,
                hint: 'The engine did not come back. Restart Kinscan; if it happens again, report it.',
              }),
            );
          }, waitMs),
        };
        waiting.add(w);
      });
    },

    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
