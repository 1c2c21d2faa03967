/**
 * Routes one request envelope from the renderer: validates it (the renderer is
 * untrusted), then answers it in the main process (methods that need Electron,
 * e.g. app paths) or forwards it to the engine host. Pure: no Electron imports.
 */
import {
  isMethodName,
  paramsSchemas,
  requestEnvelopeSchema,
  type ErrorInfo,
  type MethodName,
  type ParamsOf,
  type ResponseEnvelope,
  type ResultOf,
} from '../../engine/protocol/api.js';

export type Outcome = { result: unknown } | { error: ErrorInfo };

export type LocalHandlers = { [M in MethodName]?: (params: ParamsOf<M>) => Promise<ResultOf<M>> };

export interface RouterDeps {
  /** Methods the main process answers itself. */
  local: LocalHandlers;
  /** Everything else goes to the engine host. */
  forward: (method: MethodName, params: unknown) => Promise<Outcome>;
}

export type Route = (raw: unknown) => Promise<ResponseEnvelope>;

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function createRouter(deps: RouterDeps): Route {
  return async (raw) => {
    const envelope = requestEnvelopeSchema.safeParse(raw);
    if (!envelope.success) return { id: -1, error: { message: 'Malformed request envelope' } };
    const { id, method, params } = envelope.data;
    if (!isMethodName(method)) return { id, error: { message: `Unknown method: ${method}` } };
    const parsed = paramsSchemas[method].safeParse(params);
    if (!parsed.success) return { id, error: { message: `Invalid params for ${method}: ${parsed.error.message}` } };
    try {
      const local = deps.local[method] as ((p: ParamsOf<MethodName>) => Promise<unknown>) | undefined;
      const outcome: Outcome = local ? { result: await local(parsed.data) } : await deps.forward(method, parsed.data);
      return { id, ...outcome };
    } catch (e) {
      return { id, error: { message: messageOf(e) } };
    }
  };
}
