/**
 * The protocol over WebSocket connections: each frame (text JSON or binary, see
 * engine/protocol/wire.ts) is a request handed to the one dispatcher; its response goes back on the
 * same connection, and the dispatcher's events go to every open connection. Bounded: at most
 * `maxPending` requests in flight per connection (more are answered 'unavailable' at once), and a
 * connection that stops reading (more than `maxBufferedBytes` waiting to be sent) is dropped.
 */
import { WebSocket, type RawData } from 'ws';
import type { ErrorInfo } from '../engine/protocol/api.js';
import { decodeMessage, encodeMessage } from '../engine/protocol/wire.js';
import type { Dispatcher } from '../engine/service/index.js';

/** What the host needs of the engine's dispatcher: requests in, events out (closing is the caller's). */
export type EngineDispatcher = Pick<Dispatcher, 'handle' | 'onEvent'>;

export interface SocketHostLimits {
  /** Requests in flight per connection. */
  maxPending: number;
  /** Bytes queued for sending to one connection before it is dropped. */
  maxBufferedBytes: number;
}

export interface SocketHost {
  /** Serve the protocol on an accepted connection. */
  accept(socket: WebSocket): void;
  /** Connections currently open. */
  readonly size: number;
  /** Close every connection (1001, then terminated if it has not closed within `graceMs`). */
  close(graceMs: number): Promise<void>;
}

/** The id to answer a frame with: its own when it has a usable one, else 0 (never a client's). */
function idOf(message: unknown): number {
  const id = message !== null && typeof message === 'object' ? (message as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : 0;
}

/** One frame's bytes, however `ws` delivered them. */
function bufferOf(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? Buffer.from(data) : data;
}

export function createSocketHost(dispatcher: EngineDispatcher, limits: SocketHostLimits): SocketHost {
  const sockets = new Set<WebSocket>();

  const send = (socket: WebSocket, message: unknown): void => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > limits.maxBufferedBytes) {
      socket.terminate();
      return;
    }
    let frame: string | Uint8Array<ArrayBuffer>;
    try {
      frame = encodeMessage(message);
    } catch (e) {
      const error: ErrorInfo = { code: 'internal', message: `The engine's answer could not be sent: ${(e as Error).message}`, hint: 'Please report this.' };
      frame = encodeMessage({ id: idOf(message), error });
    }
    socket.send(frame, { binary: typeof frame !== 'string' });
  };

  const unsubscribe = dispatcher.onEvent((event) => {
    for (const socket of sockets) send(socket, { event });
  });

  return {
    get size() {
      return sockets.size;
    },
    accept(socket) {
      sockets.add(socket);
      let pending = 0;
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.terminate());
      socket.on('message', (data, isBinary) => {
        let message: unknown;
        try {
          const bytes = bufferOf(data);
          message = decodeMessage(isBinary ? bytes : bytes.toString('utf8'));
        } catch (e) {
          send(socket, { id: 0, error: { code: 'bad-envelope', message: `A message could not be read: ${(e as Error).message}` } });
          return;
        }
        if (pending >= limits.maxPending) {
          send(socket, {
            id: idOf(message),
            error: { code: 'unavailable', message: `More than ${limits.maxPending} requests at once on one connection`, hint: 'Wait for earlier answers before sending more.' },
          });
          return;
        }
        pending++;
        dispatcher
          .handle(message)
          .then(
            (response) => send(socket, response),
            (e: unknown) => send(socket, { id: idOf(message), error: { code: 'internal', message: `The engine failed: ${e instanceof Error ? e.message : String(e)}` } }),
          )
          .finally(() => {
            pending--;
          });
      });
    },
    async close(graceMs) {
      unsubscribe();
      const closing = [...sockets].map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.readyState === WebSocket.CLOSED) return resolve();
            const timer = setTimeout(() => {
              socket.terminate();
              resolve();
            }, graceMs);
            socket.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            socket.close(1001, 'kinscan serve is shutting down');
          }),
      );
      await Promise.all(closing);
    },
  };
}
