/**
 * A small dispatcher with the interface of engine/service's createDispatcher, for the two host
 * tests that must hold requests in flight (the per-connection limit, shutdown with calls pending)
 * without timing: its answers may wait on a promise the test controls. It validates envelopes and
 * params with the protocol's schemas, answers app.ping itself and any method given an answer.
 * Every other test of the host runs the real KinscanService.
 */
import {
  isMethodName,
  methods,
  PROTOCOL_VERSION,
  requestEnvelopeSchema,
  type KinscanEvent,
  type ResponseEnvelope,
  type Unsubscribe,
} from '../../engine/protocol/api.js';
import { VERSION } from '../../engine/version.js';
import type { EngineDispatcher } from '../../server/socket-host.js';

export type Answer = (params: unknown) => unknown;

export interface StandInDispatcher extends EngineDispatcher {
  close(): void;
}

export function createStandInDispatcher(answers: Record<string, Answer> = {}): StandInDispatcher {
  const listeners = new Set<(event: KinscanEvent) => void>();
  const table: Record<string, Answer> = { 'app.ping': () => ({ version: VERSION, protocol: PROTOCOL_VERSION }), ...answers };
  return {
    async handle(message): Promise<ResponseEnvelope> {
      const envelope = requestEnvelopeSchema.safeParse(message);
      if (!envelope.success) return { id: 0, error: { code: 'bad-envelope', message: 'not a request' } };
      const { id, method, params } = envelope.data;
      if (!isMethodName(method)) return { id, error: { code: 'unknown-method', message: `no method ${method}` } };
      const parsed = methods[method].params.safeParse(params);
      if (!parsed.success) return { id, error: { code: 'invalid-params', message: `bad params for ${method}`, hint: 'Send {}.' } };
      const answer = table[method];
      if (answer === undefined) return { id, error: { code: 'unavailable', message: `${method} is not answered here` } };
      return { id, result: await answer(parsed.data) };
    },
    onEvent(listener): Unsubscribe {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
    },
  };
}
