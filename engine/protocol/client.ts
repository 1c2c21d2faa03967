/**
 * A KinscanApi over any message channel: it numbers requests, matches responses by id, turns error
 * responses into KinscanErrors, delivers events to listeners, and fails every pending call when the
 * channel closes. The preload (MessagePort) and the WebSocket client both build on it. Pure: no
 * Node, no DOM.
 */
import {
  KinscanError,
  type EngineMessage,
  type KinscanApi,
  type KinscanEvent,
  type MethodName,
  type ParamsOf,
  type RequestEnvelope,
  type ResultOf,
  type Unsubscribe,
} from './api.js';

export interface ClientChannel {
  send(request: RequestEnvelope): void;
}

export interface ApiClient extends KinscanApi {
  /** Feed every message that arrives from the engine. */
  receive(message: EngineMessage): void;
  /** The channel is gone: reject pending calls (and later ones) with this reason. */
  close(reason: string): void;
}

export function createApiClient(channel: ClientChannel): ApiClient {
  let nextId = 1;
  let closed: string | undefined;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(event: KinscanEvent) => void>();
  return {
    call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
      if (closed !== undefined) return Promise.reject(new KinscanError({ code: 'unavailable', message: closed }));
      const id = nextId++;
      return new Promise<ResultOf<M>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        try {
          channel.send({ id, method, params });
        } catch (e) {
          pending.delete(id);
          reject(new KinscanError({ code: 'unavailable', message: e instanceof Error ? e.message : String(e) }));
        }
      });
    },
    onEvent(listener): Unsubscribe {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    receive(message) {
      if ('event' in message) {
        for (const l of listeners) l(message.event);
        return;
      }
      const p = pending.get(message.id);
      if (!p) return;
      pending.delete(message.id);
      if ('error' in message) p.reject(new KinscanError(message.error));
      else p.resolve(message.result);
    },
    close(reason) {
      closed = reason;
      for (const p of pending.values()) p.reject(new KinscanError({ code: 'unavailable', message: reason }));
      pending.clear();
    },
  };
}
