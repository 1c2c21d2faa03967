/**
 * The renderer's entry. In Electron the preload has defined `window.kinscan` already; in a browser
 * (the page served by `kinscan serve`) it is defined here, as the WebSocket client of the page's
 * own server, before the app mounts. Either way the app sees the same KinscanApi.
 */
import './lib/zod-jitless';
import { mount } from 'svelte';
import App from './App.svelte';
import { setHostKind } from './lib/api';
import { createWebSocketClient, engineSocketUrl } from './lib/ws-client';
import './app.css';

if (Reflect.has(window, 'kinscan')) setHostKind('desktop');
else {
  const client = createWebSocketClient(new WebSocket(engineSocketUrl(window.location)));
  Object.defineProperty(window, 'kinscan', { value: client, enumerable: true });
}

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target });
