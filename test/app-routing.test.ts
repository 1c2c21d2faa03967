/** The Electron-free parts of the app's routing: main-process router and engine host handler. */
import { describe, expect, it } from 'vitest';
import { handleRequest } from '../electron/engine-host/handle.js';
import { createRouter, type Outcome } from '../electron/main/router.js';
import { paramsSchemas, resultSchemas } from '../engine/protocol/api.js';

describe('main-process router', () => {
  const forwarded: string[] = [];
  const route = createRouter({
    local: { openExample: async () => ({ path: '/example' }) },
    forward: async (method): Promise<Outcome> => {
      forwarded.push(method);
      return { result: { version: '9.9.9' } };
    },
  });

  it('answers local methods itself', async () => {
    expect(await route({ id: 1, method: 'openExample', params: {} })).toEqual({ id: 1, result: { path: '/example' } });
  });

  it('forwards the rest to the engine host', async () => {
    expect(await route({ id: 2, method: 'ping', params: {} })).toEqual({ id: 2, result: { version: '9.9.9' } });
    expect(forwarded).toEqual(['ping']);
  });

  it('rejects malformed envelopes, unknown methods and bad params', async () => {
    expect(await route('ping')).toMatchObject({ id: -1, error: { message: 'Malformed request envelope' } });
    expect(await route({ id: 3, method: 'rm -rf', params: {} })).toMatchObject({ id: 3, error: { message: 'Unknown method: rm -rf' } });
    expect(await route({ id: 4, method: 'ping', params: { extra: 1 } })).toMatchObject({ id: 4, error: {} });
  });

  it('turns a thrown error into an error response', async () => {
    const failing = createRouter({
      local: { openExample: async () => Promise.reject(new Error('The example project is missing')) },
      forward: async () => ({ result: null }),
    });
    expect(await failing({ id: 5, method: 'openExample', params: {} })).toEqual({
      id: 5,
      error: { message: 'The example project is missing' },
    });
  });
});

describe('engine host', () => {
  it('answers ping with the version it was given', async () => {
    const response = await handleRequest({ id: 7, method: 'ping', params: {} }, { version: '1.2.3' });
    expect(response).toEqual({ id: 7, result: { version: '1.2.3' } });
    expect(resultSchemas.ping.parse('result' in response ? response.result : null)).toEqual({ version: '1.2.3' });
  });

  it('refuses methods the main process owns', async () => {
    expect(await handleRequest({ id: 8, method: 'openExample', params: {} }, { version: '1' })).toMatchObject({
      id: 8,
      error: { message: 'The engine host does not handle openExample' },
    });
  });
});

describe('protocol', () => {
  it('has a params schema and a result schema for every method', () => {
    expect(Object.keys(resultSchemas).sort()).toEqual(Object.keys(paramsSchemas).sort());
  });
});
