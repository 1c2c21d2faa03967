/**
 * What the engine host does with one request from the main process.
 * Pure: no Electron, no I/O, so it is unit-tested under Node.
 */
import {
  isMethodName,
  paramsSchemas,
  requestEnvelopeSchema,
  type MethodName,
  type ParamsOf,
  type ResponseEnvelope,
  type ResultOf,
} from '../../engine/protocol/api.js';

export interface HostContext {
  /** Application version, handed over by the main process. */
  version: string;
}

type Handler<M extends MethodName> = (params: ParamsOf<M>, ctx: HostContext) => Promise<ResultOf<M>>;

/**
 * Methods the engine host answers itself. Methods the main process owns (openExample
 * needs Electron's paths) never reach the host.
 * TODO(scan): scans are routed here. Add `scan.start` / `scan.cancel` to engine/protocol,
 * handle them by calling the engine through engine/protocol, and post ProgressEvents
 * back to the main process (index.ts owns the parent port; pass it a `post` callback).
 */
const handlers: { [M in MethodName]?: Handler<M> } = {
  ping: async (_params, ctx) => ({ version: ctx.version }),
};

export async function handleRequest(raw: unknown, ctx: HostContext): Promise<ResponseEnvelope> {
  const envelope = requestEnvelopeSchema.safeParse(raw);
  if (!envelope.success) return { id: -1, error: { message: 'Malformed request envelope' } };
  const { id, method, params } = envelope.data;
  if (!isMethodName(method)) return { id, error: { message: `Unknown method: ${method}` } };
  const handler = handlers[method] as Handler<typeof method> | undefined;
  if (!handler) return { id, error: { message: `The engine host does not handle ${method}` } };
  const parsed = paramsSchemas[method].safeParse(params);
  if (!parsed.success) return { id, error: { message: `Invalid params for ${method}: ${parsed.error.message}` } };
  try {
    return { id, result: await handler(parsed.data, ctx) };
  } catch (e) {
    return { id, error: { message: e instanceof Error ? e.message : String(e) } };
  }
}
