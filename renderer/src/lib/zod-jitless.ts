/**
 * Zod without its eval-compiled parsers. Zod 4 probes `new Function` when an object schema is
 * built; under the renderer's CSP (script-src 'self', no 'unsafe-eval') the probe is blocked and
 * reported as a CSP violation even though zod catches it. Imported first by main.ts, before any
 * module of engine/protocol builds a schema.
 */
import { z } from 'zod';

z.config({ jitless: true });
