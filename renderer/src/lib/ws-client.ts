/**
 * The KinscanApi over the WebSocket of `kinscan serve`, so the renderer in a browser cannot tell
 * it from the Electron preload. Built on engine/protocol/client.ts; frames are encoded and decoded
 * by engine/protocol/wire.ts (text JSON, or one binary frame when typed arrays travel).
 *
 * Written against a minimal WebSocket interface that both the browser's WebSocket and the `ws`
 * package's satisfy, so the same module is the Node client of the tests.
 *
 * No reconnection: calls made while the socket is still connecting wait for it (up to
 * `connectTimeoutMs`); once it closes, every pending and later call rejects with a KinscanError of
 * code 'unavailable' saying the connection to the engine was lost. Reloading the page reconnects.
 */
import type { EngineMessage, KinscanApi, RequestEnvelope } from '../../../engine/protocol/api.js';
import { createApiClient } from '../../../engine/protocol/client.js';
import { decodeMessage, encodeMessage } from '../../../engine/protocol/wire.js';

/**
 * An event handler property that accepts the browser's and `ws`'s handler types (method-style
 * bivariance: their events carry at least the fields named here).
 */
type Handler<E> = { bivariant(event: E): void }['bivariant'];

/** What this client needs of a WebSocket (browser or `ws`): readyState 0 connecting, 1 open. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string | Uint8Array<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

export interface WebSocketClient extends KinscanApi {
  /** Close the socket; pending calls reject with 'unavailable'. */
  close(): void;
}

export interface WebSocketClientOptions {
  /** How long calls wait for the socket to open before failing (default 10 s). */
  connectTimeoutMs?: number;
  /** Requests queued while connecting, at most (default 256); more are refused. */
  maxQueued?: number;
}

const OPEN = 1;

/** The engine's WebSocket for a page served by `kinscan serve` (same host and port, path /ws). */
export function engineSocketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/** A KinscanApi over `socket`, which may still be connecting. */
export function createWebSocketClient(socket: WebSocketLike, options: WebSocketClientOptions = {}): WebSocketClient {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const maxQueued = options.maxQueued ?? 256;
  const queued: RequestEnvelope[] = [];
  let lost: string | undefined;

  const sendNow = (request: RequestEnvelope): void => {
    socket.send(encodeMessage(request));
  };
  const api = createApiClient({
    send(request) {
      if (lost !== undefined) throw new Error(lost);
      if (socket.readyState === OPEN) return sendNow(request);
      if (queued.length >= maxQueued) throw new Error('Too many requests while connecting to the Kinscan engine');
      queued.push(request);
    },
  });
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  const fail = (reason: string): void => {
    if (lost !== undefined) return;
    lost = reason;
    clearTimeout(connectTimer);
    queued.length = 0;
    api.close(reason);
  };
  if (socket.readyState !== OPEN) {
    connectTimer = setTimeout(() => {
      fail(`The Kinscan engine did not answer within ${Math.round(connectTimeoutMs / 1000)} s; check that kinscan serve is running, then reload the page`);
      socket.close();
    }, connectTimeoutMs);
  }

  socket.binaryType = 'arraybuffer';
  socket.onopen = () => {
    clearTimeout(connectTimer);
    try {
      for (const request of queued.splice(0)) sendNow(request);
    } catch (e) {
      fail(`Could not send to the Kinscan engine: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  socket.onmessage = (event) => {
    const message = toEngineMessage(event.data);
    if (message === undefined) {
      fail('The Kinscan engine sent a message this page cannot read; reload the page');
      socket.close(1003, 'unreadable message');
      return;
    }
    api.receive(message);
  };
  socket.onclose = (event) => {
    fail(
      event.code === 1009
        ? 'A message was too large for the connection to the Kinscan engine; reload the page'
        : 'The connection to the Kinscan engine was lost; restart kinscan serve if it stopped, then reload the page',
    );
  };
  socket.onerror = () => {
    // A close event follows every error; it says what happened.
  };

  return {
    call: (method, params) => api.call(method, params),
    onEvent: (listener) => api.onEvent(listener),
    close() {
      fail('The connection to the Kinscan engine was closed');
      socket.close(1000, 'client closed');
    },
  };
}

/** A decoded frame if it has the shape of a response or an event, else undefined. */
function toEngineMessage(data: unknown): EngineMessage | undefined {
  let message: unknown;
  try {
    if (typeof data === 'string' || data instanceof ArrayBuffer || ArrayBuffer.isView(data)) message = decodeMessage(data);
    else return undefined;
  } catch {
    return undefined;
  }
  if (message === null || typeof message !== 'object') return undefined;
  const m = message as Record<string, unknown>;
  if ('event' in m) return typeof m['event'] === 'object' && m['event'] !== null ? (message as EngineMessage) : undefined;
  if (typeof m['id'] !== 'number') return undefined;
  if ('result' in m) return message as EngineMessage;
  const error = m['error'];
  if (error === null || typeof error !== 'object') return undefined;
  const { code, message: text } = error as Record<string, unknown>;
  return typeof code === 'string' && typeof text === 'string' ? (message as EngineMessage) : undefined;
}
