/**
 * The one dispatcher every host calls: a message in, a response envelope out. It validates the
 * envelope (requestEnvelopeSchema) and the params (methods[method].params), calls the service
 * through its routes, and turns every failure into `{ code, message, hint }` (errors.ts). It never
 * throws and never answers with a stack trace unless the host runs with the developer flag; with
 * it, results are also checked against their schemas, so a drift between the service and the
 * protocol shows up as an error in development rather than in the UI.
 */
import {
  isMethodName,
  methods,
  requestEnvelopeSchema,
  type ErrorInfo,
  type KinscanEvent,
  type MethodName,
  type ResponseEnvelope,
  type Unsubscribe,
} from '../protocol/api.js';
import { describeZodError, toErrorInfo } from './errors.js';
import { serviceRoutes } from './routes.js';
import type { KinscanService } from './service.js';

export interface DispatcherOptions {
  /** Stack traces in `detail`, and results checked against their schemas. */
  developer?: boolean;
}

export interface Dispatcher {
  /** Answer one request (anything a client sent). Never rejects. */
  handle(message: unknown): Promise<ResponseEnvelope>;
  onEvent(listener: (event: KinscanEvent) => void): Unsubscribe;
  /** Stop the service (cancel runs, close the project); later requests answer 'unavailable'. */
  close(): Promise<void>;
}

/** The id of a message whose envelope is malformed, when it has a usable one (else 0, which no client uses). */
function idOf(message: unknown): number {
  if (typeof message === 'object' && message !== null && 'id' in message) {
    const id = (message as { id: unknown }).id;
    if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  }
  return 0;
}

/** Messages and hints on one line, bounded: they may quote what a client sent. */
function tidy(info: ErrorInfo): ErrorInfo {
  const line = (s: string): string => {
    const t = s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
    return t.length > 2000 ? `${t.slice(0, 1997)}...` : t;
  };
  return { ...info, message: line(info.message), ...(info.hint !== undefined ? { hint: line(info.hint) } : {}) };
}

const FALLBACK: ErrorInfo = { code: 'internal', message: 'Something went wrong inside Kinscan. Please report it' };

export function createDispatcher(service: KinscanService, opts: DispatcherOptions = {}): Dispatcher {
  const developer = opts.developer ?? false;
  const routes = serviceRoutes(service);
  let closed = false;

  const fail = (id: number, info: ErrorInfo): ResponseEnvelope => ({ id, error: tidy(info) });

  async function call(method: MethodName, params: unknown): Promise<unknown> {
    const schema = methods[method].params;
    const parsed = schema.safeParse(params);
    if (!parsed.success) throw parsed.error;
    const route = routes[method] as (p: unknown) => unknown;
    const result = await route(parsed.data);
    if (developer) {
      const checked = methods[method].result.safeParse(result);
      if (!checked.success) throw new Error(describeZodError(checked.error, `result of ${method} (the service does not match engine/protocol/methods.ts)`));
    }
    return result;
  }

  async function handle(message: unknown): Promise<ResponseEnvelope> {
    let id = 0;
    try {
      id = idOf(message);
      const env = requestEnvelopeSchema.safeParse(message);
      if (!env.success) {
        return fail(id, { code: 'bad-envelope', message: describeZodError(env.error, 'request'), hint: 'A request is { id, method, params }' });
      }
      const { method, params } = env.data;
      if (closed) return fail(id, { code: 'unavailable', message: 'Kinscan is shutting down', hint: 'Start it again' });
      if (!isMethodName(method)) {
        return fail(id, { code: 'unknown-method', message: `Kinscan has no method ${JSON.stringify(method)}`, hint: 'Check the method name against engine/protocol/methods.ts' });
      }
      try {
        return { id, result: await call(method, params) };
      } catch (e) {
        return fail(id, toErrorInfo(e, { developer, what: method }));
      }
    } catch {
      return fail(id, FALLBACK);
    }
  }

  return {
    handle,
    onEvent: (listener) => service.onEvent(listener),
    async close() {
      closed = true;
      await service.close();
    },
  };
}
