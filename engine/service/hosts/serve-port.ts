/**
 * Serves the dispatcher over one MessagePort: every message that arrives is a request for the
 * dispatcher (which validates it and never throws a stack at the caller), its response goes back on
 * the same port, and every event of the service goes to the port too. When the other side goes
 * away, the port stops receiving events and the answers still in flight are dropped.
 *
 * Bounded: at most `maxInFlight` requests of one port are handled at once; more are answered at
 * once with 'unavailable'. A result that cannot be sent (not cloneable) is answered with 'internal'.
 */
import type { EngineMessage, ErrorInfo, ResponseEnvelope } from '../../protocol/api.js';
import type { Dispatcher } from '../dispatcher.js';
import type { HostPort } from './port.js';

/** What servePort needs of the dispatcher. */
export type PortDispatcher = Pick<Dispatcher, 'handle' | 'onEvent'>;

export interface ServePortOptions {
  /** Requests of this port handled at once, at most (default 256). */
  maxInFlight?: number;
}

export interface ServedPort {
  /** Stop serving and close the port. */
  close(): void;
  /** Resolves when the port is closed, by either side. */
  readonly closed: Promise<void>;
}

const DEFAULT_MAX_IN_FLIGHT = 256;

/** The request's id, when the message looks like a request (to answer a refusal). */
function requestId(data: unknown): number | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const id = (data as { id?: unknown }).id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function servePort(port: HostPort, dispatcher: PortDispatcher, options: ServePortOptions = {}): ServedPort {
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  let open = true;
  let inFlight = 0;
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });

  let unsubscribe: () => void = () => {};
  const shutDown = (): void => {
    if (!open) return;
    open = false;
    unsubscribe();
    markClosed();
  };

  const send = (message: EngineMessage): void => {
    if (!open) return;
    port.post(message);
  };

  /** Send a response; if its value cannot be cloned, say so instead. */
  const answer = (response: ResponseEnvelope): void => {
    try {
      send(response);
    } catch (e) {
      const error: ErrorInfo = {
        code: 'internal',
        message: `The engine could not send its answer: ${messageOf(e)}`,
        hint: 'This is a bug in Kinscan; please report it.',
      };
      try {
        send({ id: response.id, error });
      } catch {
        // The port itself is gone: nobody is waiting for the answer.
        shutDown();
      }
    }
  };

  unsubscribe = dispatcher.onEvent((event) => {
    try {
      send({ event });
    } catch {
      shutDown();
    }
  });

  port.onClose(shutDown);
  port.onMessage((data) => {
    if (!open) return;
    if (inFlight >= maxInFlight) {
      const id = requestId(data);
      if (id !== undefined) {
        answer({
          id,
          error: {
            code: 'unavailable',
            message: `The engine is busy with ${inFlight} requests from this window`,
            hint: 'Wait for them to finish, then try again.',
          },
        });
      }
      return;
    }
    inFlight++;
    dispatcher.handle(data).then(
      (response) => {
        inFlight--;
        answer(response);
      },
      (e: unknown) => {
        // The dispatcher answers every failure itself; a rejection is a bug in it.
        inFlight--;
        const id = requestId(data);
        if (id !== undefined) {
          answer({ id, error: { code: 'internal', message: `The engine failed: ${messageOf(e)}`, hint: 'This is a bug in Kinscan; please report it.' } });
        }
      },
    );
  });

  return {
    close() {
      shutDown();
      port.close();
    },
    closed,
  };
}
