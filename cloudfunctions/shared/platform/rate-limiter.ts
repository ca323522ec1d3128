// A client-side limit on calls per second (GCRA): a burst of up to one second's worth passes at once,
// after that callers wait their turn instead of meeting the platform's 429s.

export class RateLimiter {
  /** Theoretical arrival time of the next call. */
  private tat = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst = Math.max(1, Math.floor(perSecond)),
    private readonly now: () => number = Date.now,
  ) {}

  async acquire(): Promise<void> {
    const now = this.now();
    const interval = 1000 / this.perSecond;
    const tat = Math.max(this.tat, now);
    const sendAt = Math.max(now, tat - (this.burst - 1) * interval);
    this.tat = tat + interval;
    if (sendAt > now) await new Promise((resolve) => setTimeout(resolve, sendAt - now));
  }

  /** After a 429: nobody sends before `ms` from now. */
  pause(ms: number): void {
    const interval = 1000 / this.perSecond;
    this.tat = Math.max(this.tat, this.now() + ms + (this.burst - 1) * interval);
  }
}
