// The card platform client: every call goes through the route table, the rate limiter and the token
// holder; reads are retried with backoff, writes only when the platform says it did not take them.
import { ROUTES, routePath, type Operation, type Route } from './routes';
import { DEFAULT_MAX_IN_FLIGHT, type PlatformConfig } from '../config';
import { AppError } from '../runtime/errors';
import { platformError, timeoutError, unreachableError, type PlatformErrorBody } from './errors';
import { InFlightLimit } from './in-flight';
import { RateLimiter } from './rate-limiter';
import { TokenHolder, type TokenHolderOptions, type TokenReply } from './token-holder';
import type { Store } from '../store/store';

export type ApiOperation = Exclude<Operation, 'token' | 'authorize'>;

export interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter. */
export function backoffMs(attempt: number, baseMs = 100, capMs = 1000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

function retryAfterMs(headers: Headers): number | undefined {
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export class PlatformClient {
  readonly tokens: TokenHolder;
  private readonly limiter: RateLimiter;
  private readonly inFlight: InFlightLimit;

  constructor(
    private readonly config: PlatformConfig,
    store: Store,
    holderOptions: TokenHolderOptions = {},
  ) {
    this.limiter = new RateLimiter(config.rateLimitPerSec);
    this.inFlight = new InFlightLimit(config.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    this.tokens = new TokenHolder(store, () => this.fetchToken(), {
      leaseMs: config.attemptTimeoutMs + 2000,
      ...holderOptions,
    });
  }

  /** One request to the identity server; the token holder decides when. */
  async fetchToken(): Promise<TokenReply> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.config.clientId,
      client_secret: this.config.clientSecret,
      scope: this.config.scopes,
    });
    const sent = await this.send(this.config.idsUrl + ROUTES.token.path, Date.now() + this.config.attemptTimeoutMs, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    if ('failure' in sent) throw sent.failure;
    const { res } = sent;
    const body = sent.body as (Partial<TokenReply> & { error?: string }) | undefined;
    if (res.status === 200 && typeof body?.access_token === 'string') {
      return { access_token: body.access_token, expires_in: Number(body.expires_in) || 3600 };
    }
    if (res.status === 400 && (body?.error === 'invalid_client' || body?.error === 'invalid_scope')) {
      throw new AppError('PLATFORM_AUTH', '卡平台拒绝了本应用的凭证或权限范围，请联系管理员检查配置。');
    }
    throw res.status === 429 ? new AppError('PLATFORM_BUSY') : new AppError('PLATFORM_UNAVAILABLE');
  }

  /** Calls one platform operation and returns its `data`. */
  async call<T>(operation: ApiOperation, options: CallOptions = {}): Promise<T> {
    const route: Route = ROUTES[operation];
    const url = new URL(this.config.apiUrl + routePath(route, options.params));
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    const deadline = Date.now() + this.config.callDeadlineMs;
    let authRetried = false;
    for (let attempt = 0; ; attempt++) {
      await this.limiter.acquire();
      const token = await this.tokens.get();
      const sent = await this.send(url, deadline, {
        method: route.method,
        headers: {
          authorization: `Bearer ${token}`,
          'ocp-apim-subscription-key': this.config.subscriptionKey,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      if ('failure' in sent) {
        // The request may have reached the platform: only a call that is safe to repeat goes again.
        if (!sent.sent || !route.idempotent || !(await this.waitToRetry(attempt, deadline))) throw sent.failure;
        continue;
      }
      const { res, body } = sent;
      if (res.ok) return (body as { data: T } | undefined)?.data as T;
      if (res.status === 401 && !authRetried) {
        authRetried = true;
        await this.tokens.invalidate(token);
        continue;
      }
      const retryAfter = retryAfterMs(res.headers);
      if (res.status === 429 || (res.status === 503 && retryAfter !== undefined)) {
        // The platform says it did not take the call: repeating is safe for every operation.
        const wait = retryAfter ?? backoffMs(attempt, 500);
        if (res.status === 429) this.limiter.pause(wait);
        if (attempt < 4 && Date.now() + wait < deadline) {
          await sleep(wait + Math.random() * 100);
          continue;
        }
      } else if (res.status >= 500 || res.status === 417) {
        if (route.idempotent && (await this.waitToRetry(attempt, deadline))) continue;
      }
      throw platformError(res.status, body as PlatformErrorBody | undefined);
    }
  }

  /**
   * One HTTP request in a slot of the in-flight limit, with the attempt's timeout starting once it has a
   * slot; `sent: false` when the deadline passed before it could go.
   */
  private send(
    url: string | URL,
    deadline: number,
    init: RequestInit,
  ): Promise<{ res: Response; body: unknown } | { failure: AppError; sent: boolean }> {
    return this.inFlight.run(async () => {
      const left = deadline - Date.now();
      if (left <= 0) return { failure: timeoutError(), sent: false };
      try {
        const res = await fetch(url, {
          ...init,
          signal: AbortSignal.timeout(Math.min(this.config.attemptTimeoutMs, left)),
        });
        return { res, body: await readJson(res) };
      } catch (error) {
        return { failure: isTimeout(error) ? timeoutError() : unreachableError(), sent: true };
      }
    });
  }

  private async waitToRetry(attempt: number, deadline: number): Promise<boolean> {
    if (attempt >= 2) return false;
    const wait = backoffMs(attempt);
    if (Date.now() + wait >= deadline) return false;
    await sleep(wait);
    return true;
  }
}

// By name, not instanceof: fetch's DOMException may come from another realm (e.g. a test sandbox).
function isTimeout(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}
