// Small aids shared by the bench figures: timing, percentiles, bounded concurrency, calls to the host.
import { performance } from 'node:perf_hooks';
import { request } from '../../test/helpers/emulator';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const now = () => performance.now();

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (samples: number[]) => percentile(samples, 50);

export interface Envelope {
  ok: boolean;
  data?: unknown;
  error?: { code: string; message: string };
}

/** POST /fn/<name> as `openid`; the envelope, or an error envelope for an HTTP failure or a non-envelope. */
export async function callFn(hostUrl: string, name: string, openid: string, body: Record<string, unknown>) {
  const reply = await request<Envelope>(hostUrl, 'POST', `/fn/${name}`, { body, headers: { 'x-openid': openid } });
  if (reply.status !== 200) return { ok: false, error: { code: `HTTP_${reply.status}`, message: '' } } as Envelope;
  if (typeof reply.body?.ok !== 'boolean') return { ok: false, error: { code: 'NOT_AN_ENVELOPE', message: '' } };
  return reply.body;
}

/** The emulator's admin surface: /__sim/<path>. */
export async function sim<T = unknown>(platformUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const reply = await request<T>(platformUrl, method, `/__sim${path}`, { body });
  if (reply.status !== 200) throw new Error(`/__sim${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** Polls `probe` until truthy; throws after `timeoutMs` naming `what` (every wait of the bench is bounded). */
export async function until<T>(probe: () => Promise<T | null | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
