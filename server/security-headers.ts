/**
 * The headers every response of `kinscan serve` carries: a strict Content-Security-Policy (only
 * this server's own scripts, styles and WebSocket; no plugins, no framing, no base or form
 * targets), no MIME sniffing, no referrer, and isolation from other origins.
 */

/**
 * The CSP for a server on `port`. Styles need no 'unsafe-inline': the Svelte build emits its
 * component styles as a CSS file and sets no style attributes.
 */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
