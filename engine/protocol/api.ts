/**
 * The typed API surface shared by every transport that talks to the engine:
 * Electron IPC (renderer -> preload -> main -> engine host) today, a WebSocket
 * server later. Types plus zod schemas only: nothing from the engine's internals
 * is imported here, so the renderer can import these types freely.
 *
 * Wire format:
 *   request   { id, method, params }
 *   response  { id, result } | { id, error: { message } }
 *   event     { type: 'progress', ... } | { type: 'projectOpened', ... }
 * Every request's params are validated with `paramsSchemas[method]` at the
 * boundary where untrusted data enters (main process, server).
 */
import { z } from 'zod';

/** Bumped when a message shape changes incompatibly. */
export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------- envelopes

export const requestEnvelopeSchema = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().min(1),
  params: z.unknown(),
});
export interface RequestEnvelope {
  id: number;
  method: string;
  params: unknown;
}

export const errorInfoSchema = z.object({ message: z.string() });
export interface ErrorInfo {
  message: string;
}

export interface SuccessEnvelope<R = unknown> {
  id: number;
  result: R;
}
export interface ErrorEnvelope {
  id: number;
  error: ErrorInfo;
}
export type ResponseEnvelope<R = unknown> = SuccessEnvelope<R> | ErrorEnvelope;

export const responseEnvelopeSchema = z.union([
  z.object({ id: z.number().int(), error: errorInfoSchema }),
  z.object({ id: z.number().int(), result: z.unknown() }),
]);

export function isErrorEnvelope(r: ResponseEnvelope): r is ErrorEnvelope {
  return 'error' in r;
}

// ---------------------------------------------------------------- events

export const progressEventSchema = z.object({
  type: z.literal('progress'),
  /** Which run (scan) this progress belongs to. */
  runId: z.string(),
  /** Units done so far (e.g. SNPs tested). */
  done: z.number().nonnegative(),
  /** Units in the whole run. */
  total: z.number().nonnegative(),
  /** Units per second, recent average. */
  rate: z.number().nonnegative(),
  /** Estimated seconds left; null while unknown. */
  etaSeconds: z.number().nonnegative().nullable(),
});
export type ProgressEvent = z.infer<typeof progressEventSchema>;

export const projectOpenedEventSchema = z.object({
  type: z.literal('projectOpened'),
  /** Absolute path of the project folder. */
  path: z.string(),
});
/** Sent when a project was opened by something other than the listener's own call (e.g. a menu). */
export type ProjectOpenedEvent = z.infer<typeof projectOpenedEventSchema>;

export const kinscanEventSchema = z.discriminatedUnion('type', [progressEventSchema, projectOpenedEventSchema]);
export type KinscanEvent = z.infer<typeof kinscanEventSchema>;

/** Anything the engine side sends back: a response or an unsolicited event. */
export type EngineMessage = ResponseEnvelope | KinscanEvent;

// ---------------------------------------------------------------- methods

// ping: liveness check of the engine; answers with the application version.
export const pingParamsSchema = z.object({}).strict();
export type PingParams = z.infer<typeof pingParamsSchema>;
export const pingResultSchema = z.object({ version: z.string() });
export type PingResult = z.infer<typeof pingResultSchema>;

// openExample: opens the bundled example project (mouse HS1940 data).
export const openExampleParamsSchema = z.object({}).strict();
export type OpenExampleParams = z.infer<typeof openExampleParamsSchema>;
export const openExampleResultSchema = z.object({ path: z.string() });
export type OpenExampleResult = z.infer<typeof openExampleResultSchema>;

/** Every method: its params and result types. Add a method here, in both schema maps and in KinscanApi. */
export interface Methods {
  ping: { params: PingParams; result: PingResult };
  openExample: { params: OpenExampleParams; result: OpenExampleResult };
}
export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = Methods[M]['params'];
export type ResultOf<M extends MethodName> = Methods[M]['result'];

export const paramsSchemas = {
  ping: pingParamsSchema,
  openExample: openExampleParamsSchema,
} as const satisfies { [M in MethodName]: z.ZodType<ParamsOf<M>> };

export const resultSchemas = {
  ping: pingResultSchema,
  openExample: openExampleResultSchema,
} as const satisfies { [M in MethodName]: z.ZodType<ResultOf<M>> };

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(paramsSchemas, name);
}

// ---------------------------------------------------------------- client API

/** Unsubscribes a listener. */
export type Unsubscribe = () => void;

/**
 * The shape of `window.kinscan` in the renderer (and of a future WebSocket client).
 * Calls reject with an Error whose message is the engine's error message.
 */
export interface KinscanApi {
  ping(): Promise<PingResult>;
  openExample(): Promise<OpenExampleResult>;
  onEvent(listener: (event: KinscanEvent) => void): Unsubscribe;
}
