/**
 * When to restart an engine that died: at once the first time, then after a delay that doubles
 * (up to `maxDelayMs`), and never again once it has died `maxRestarts` times within `windowMs` (a
 * crash loop: the cause will not go away by itself). Pure, so the tests check it under Node.
 */
export interface RestartPolicyOptions {
  maxRestarts?: number;
  windowMs?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

export class RestartPolicy {
  private readonly deaths: number[] = [];
  private readonly maxRestarts: number;
  private readonly windowMs: number;
  private readonly firstDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(options: RestartPolicyOptions = {}) {
    this.maxRestarts = options.maxRestarts ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.firstDelayMs = options.firstDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 8_000;
  }

  /** The engine died at `now` (ms): the delay before restarting it, or undefined to give up. */
  onDeath(now: number): number | undefined {
    this.deaths.push(now);
    while (this.deaths.length > 0 && this.deaths[0]! < now - this.windowMs) this.deaths.shift();
    const recent = this.deaths.length;
    if (recent > this.maxRestarts) return undefined;
    return Math.min(this.maxDelayMs, this.firstDelayMs * 2 ** (recent - 1));
  }
}
