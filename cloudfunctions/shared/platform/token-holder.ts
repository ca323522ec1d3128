// The one holder of the platform token (the docs' 中控服务器). The token lives in the store; a lease lets
// exactly one caller, across every instance sharing the store, fetch a new one — ahead of expiry, or at
// once when the platform rejects the current one. Everyone else keeps using the valid token or waits.
import { randomBytes } from 'node:crypto';
import { AppError } from '../runtime/errors';
import { DuplicateKeyError, type Doc, type Store } from '../store/store';

export interface TokenReply {
  access_token: string;
  expires_in: number;
}

export interface TokenDoc extends Doc {
  _id: 'platform';
  accessToken: string | null;
  /** The platform stops accepting it here (ms). */
  expiresAt: number;
  /** We fetch a new one from here on (ms). */
  refreshAt: number;
  version: number;
  leaseOwner: string | null;
  leaseUntil: number;
  /** After a failed fetch, nobody tries again before this (ms): no retry storm against a down server. */
  backoffUntil: number;
}

export interface TokenHolderOptions {
  /** How long a refresher may hold the lease (ms); longer than a token fetch's timeout. */
  leaseMs?: number;
  /** How often a waiter looks at the store (ms). */
  pollMs?: number;
  /** How long to leave the token server alone after a failed fetch (ms). */
  failureBackoffMs?: number;
  now?: () => number;
}

const ID = 'platform';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Refresh this long before expiry: a fifth of the lifetime, at most ten minutes. */
export function refreshMarginMs(expiresInSec: number): number {
  return Math.min(expiresInSec * 0.2, 600) * 1000;
}

export class TokenHolder {
  private readonly me = randomBytes(8).toString('hex');
  private cached: { token: string; refreshAt: number; expiresAt: number } | null = null;
  private inflight: Promise<string> | null = null;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly failureBackoffMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly fetchToken: () => Promise<TokenReply>,
    options: TokenHolderOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 10_000;
    this.pollMs = options.pollMs ?? 50;
    this.failureBackoffMs = options.failureBackoffMs ?? 2_000;
    this.now = options.now ?? Date.now;
  }

  /** A token that is valid now, fetched only if the stored one is due for refresh. */
  async get(): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() < cached.refreshAt) return cached.token;
    // One look at the store per instance at a time, however many calls are waiting.
    this.inflight ??= this.obtain().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /**
   * The platform rejected `token`: mark exactly that token as stale (compare-and-set), so one caller
   * fetches a new one; a token someone already replaced is left alone.
   */
  async invalidate(token: string): Promise<void> {
    if (this.cached?.token === token) this.cached = null;
    await this.store.update('tokens', ID, { refreshAt: 0, expiresAt: 0 }, { accessToken: token });
  }

  /** The passive refresh: whoever saw the current token rejected asks for a new one. */
  async forceRefresh(): Promise<string> {
    const doc = await this.read();
    if (doc?.accessToken) await this.invalidate(doc.accessToken);
    this.cached = null;
    return this.get();
  }

  private async read(): Promise<TokenDoc | null> {
    return this.store.get<TokenDoc>('tokens', ID);
  }

  private remember(doc: TokenDoc): string {
    this.cached = { token: doc.accessToken as string, refreshAt: doc.refreshAt, expiresAt: doc.expiresAt };
    return doc.accessToken as string;
  }

  private async obtain(): Promise<string> {
    const deadline = this.now() + this.leaseMs + 2 * this.pollMs;
    for (;;) {
      const now = this.now();
      let doc = await this.read();
      if (!doc) {
        doc = await this.create();
      }
      if (doc.accessToken && now < doc.refreshAt) return this.remember(doc);
      const usable = doc.accessToken && now < doc.expiresAt;
      if (doc.backoffUntil > now) {
        if (usable) return this.remember(doc);
        throw new AppError('PLATFORM_UNAVAILABLE', '暂时无法从卡平台获取访问令牌，请稍后重试。');
      }
      if (doc.leaseUntil <= now && (await this.takeLease(doc, now))) return this.refresh(doc);
      // Someone else is refreshing: the old token still works until it expires.
      if (usable) return this.remember(doc);
      if (now > deadline) throw new AppError('PLATFORM_UNAVAILABLE', '获取卡平台访问令牌超时，请稍后重试。');
      await sleep(this.pollMs);
    }
  }

  private async create(): Promise<TokenDoc> {
    const blank: TokenDoc = {
      _id: ID,
      accessToken: null,
      expiresAt: 0,
      refreshAt: 0,
      version: 0,
      leaseOwner: null,
      leaseUntil: 0,
      backoffUntil: 0,
    };
    try {
      await this.store.insert('tokens', blank);
      return blank;
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      return (await this.read()) as TokenDoc;
    }
  }

  private takeLease(doc: TokenDoc, now: number): Promise<boolean> {
    return this.store.update(
      'tokens',
      ID,
      { leaseOwner: this.me, leaseUntil: now + this.leaseMs },
      { version: doc.version, leaseUntil: { lte: now } },
    );
  }

  private async refresh(doc: TokenDoc): Promise<string> {
    let reply: TokenReply;
    try {
      reply = await this.fetchToken();
    } catch (error) {
      await this.store.update(
        'tokens',
        ID,
        { leaseOwner: null, leaseUntil: 0, backoffUntil: this.now() + this.failureBackoffMs },
        { leaseOwner: this.me },
      );
      throw error;
    }
    const now = this.now();
    const expiresIn = Math.max(1, Number(reply.expires_in) || 0);
    const next: TokenDoc = {
      ...doc,
      accessToken: reply.access_token,
      expiresAt: now + expiresIn * 1000,
      refreshAt: now + expiresIn * 1000 - refreshMarginMs(expiresIn),
      version: doc.version + 1,
      leaseOwner: null,
      leaseUntil: 0,
      backoffUntil: 0,
    };
    const { _id: _ignored, ...fields } = next;
    await this.store.update('tokens', ID, fields, { leaseOwner: this.me });
    return this.remember(next);
  }
}
