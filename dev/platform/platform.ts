// The emulated platform's state and settings: one instance per running emulator.
import { KNOWN_SCOPES } from '../../cloudfunctions/shared/platform/routes';
import type { ClientConfig, DataCard, FlowCard, HistoryRecord, Order, Refund, TokenRecord } from './model';
import { PRODUCTS, seedDataCards, seedFleet, seedRechargeHistory } from './seed';

export interface Settings {
  /** `expires_in` of new tokens, seconds. */
  tokenTtlSec: number;
  /** How long a client's previous token keeps working after a new one is issued, seconds. */
  tokenGraceSec: number;
  /** How long a stop/resume takes before the card shows its new status, ms. */
  networkDelayMs: number;
  /** Multiplies WeChat's notification retry schedule (1 = real time; tests use e.g. 0.001). */
  notifyTimeScale: number;
  /** How long the notifier waits for an answer, ms. */
  notifyTimeoutMs: number;
  /** Requests per second per client before 429, unless a fault overrides it. */
  rateLimitPerSec: number;
  /** Lifetime of a `wx.login` code, seconds. */
  loginCodeTtlSec: number;
  /** code2Session calls per openid per minute before errcode 45011. */
  loginRateLimitPerMin: number;
  /** Recharge cards that may be generated per day (10003 beyond). */
  dailyGenerateLimit: number;
}

export const DEFAULT_SETTINGS: Settings = {
  tokenTtlSec: 3600,
  tokenGraceSec: 300,
  networkDelayMs: 2000,
  notifyTimeScale: 1,
  notifyTimeoutMs: 5000,
  rateLimitPerSec: 100,
  loginCodeTtlSec: 300,
  loginRateLimitPerMin: 100,
  dailyGenerateLimit: 99_999_999,
};

export interface Faults {
  latencyMs?: number;
  errorRate?: number;
  /** The next this many matching requests fail with errorStatus (counted down; then errorRate applies). */
  errorBurst?: number;
  errorStatus?: number;
  pathPattern?: string;
  rateLimitPerSec?: number;
  dropNotifications?: boolean;
  /** How many times each notification is delivered (true = twice). */
  duplicateNotifications?: number | boolean;
}

export const DEV_CLIENT: ClientConfig = {
  clientId: 'dev-client',
  clientSecret: 'dev-secret',
  allowedScopes: [...KNOWN_SCOPES],
  redirectUriPrefixes: ['http://127.0.0.1', 'http://localhost'],
};

export class Platform {
  settings: Settings;
  faults: Faults = {};
  clients: ClientConfig[];
  subscriptionKeys: string[];
  notifySecret: string;

  cards = new Map<string, FlowCard>();
  dataCards: DataCard[] = [];
  dataCardHistory: HistoryRecord[] = [];
  dataCardTransfers: HistoryRecord[] = [];
  transfers: HistoryRecord[] = [];
  imports: HistoryRecord[] = [];
  generatedToday = { day: '', count: 0 };
  orders = new Map<string, Order>(); // by outTradeNo
  refunds = new Map<string, Refund>();
  products = PRODUCTS.map((p) => ({ ...p }));
  tokens = new Map<string, TokenRecord>();
  /** Pending stop/resume per ICCID. */
  pendingNetwork = new Map<string, { requestId: string; action: 'stop' | 'resume'; timer: NodeJS.Timeout }>();
  loginCodes = new Map<string, { openid: string; expiresAt: number; used: boolean }>();
  /** Times (ms) of recent successful code2Session calls per openid, for the per-minute quota. */
  logins = new Map<string, number[]>();
  /** Outgoing requests in flight (payment notifications): reset() and close() abort them. */
  outgoing = new Set<AbortController>();
  authCodes = new Map<string, { clientId: string; redirectUri: string; scopes: string[]; expiresAt: number }>();
  stats = newStats();
  private sequence = 0;
  private timers = new Set<NodeJS.Timeout>();

  constructor(opts: {
    settings?: Partial<Settings>;
    clients?: ClientConfig[];
    subscriptionKeys?: string[];
    notifySecret?: string;
    cards?: number;
    seed?: number;
  }) {
    this.settings = { ...DEFAULT_SETTINGS, ...opts.settings };
    this.clients = opts.clients ?? [DEV_CLIENT];
    this.subscriptionKeys = opts.subscriptionKeys ?? ['dev-subscription-key'];
    this.notifySecret = opts.notifySecret ?? 'dev-notify-secret';
    this.reset(opts.cards ?? 200, opts.seed ?? 1);
  }

  /** A fresh deterministic fleet; tokens, orders, faults and counters start over. */
  reset(cards: number, seed: number): void {
    this.close();
    const now = Date.now();
    this.cards = new Map(seedFleet(cards, seed, now).map((c) => [c.iccid, c]));
    this.dataCards = seedDataCards(60, seed, now);
    this.dataCardHistory = seedRechargeHistory(this.dataCards, [...this.cards.values()]);
    this.dataCardTransfers = [];
    this.transfers = [];
    this.imports = [];
    this.generatedToday = { day: '', count: 0 };
    this.orders.clear();
    this.refunds.clear();
    this.products = PRODUCTS.map((p) => ({ ...p }));
    this.tokens.clear();
    this.loginCodes.clear();
    this.logins.clear();
    this.authCodes.clear();
    this.faults = {};
    this.stats = newStats();
  }

  /** A unique id with a readable prefix. */
  nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}${Date.now().toString(36).toUpperCase()}${String(this.sequence).padStart(6, '0')}`;
  }

  count(key: string, by = 1): void {
    this.stats.operations[key] = (this.stats.operations[key] ?? 0) + by;
  }

  /** Runs `fn` after `ms`; every timer still waiting is cancelled by reset() and close(). */
  later(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pendingNetwork.clear();
    for (const controller of this.outgoing) controller.abort();
    this.outgoing.clear();
  }
}

function newStats() {
  return {
    tokenIssued: 0,
    operations: {} as Record<string, number>,
    rejected: { unauthorized: 0, forbidden: 0, rateLimited: 0, injected: 0 },
    /** Accepted stop/resume requests per ICCID: what "acted on exactly once" is counted against. */
    network: {} as Record<string, { stop: number; resume: number }>,
    notifications: [] as Array<{ outTradeNo: string; attempt: number; at: string; status: number | null; ok: boolean }>,
    /** Requests to the platform's API and token server being answered now, and the most at once. */
    inFlight: 0,
    peakInFlight: 0,
  };
}
