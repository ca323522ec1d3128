// The emulator's admin surface under /__sim/ (docs/architecture.md, "The dev stack").
import { unprocessable } from './http';
import { DEFAULT_SETTINGS, type Faults, type Platform, type Settings } from './platform';
import { completeAllNetwork } from './flowcards';
import { simulatePayment } from './payments';
import { objectBody, int, str } from './validate';
import { issueLoginCode } from './wxpay';

type AdminHandler = (platform: Platform, body: unknown, now: number) => unknown;

const FAULT_KEYS = [
  'latencyMs',
  'errorRate',
  'errorBurst',
  'errorStatus',
  'pathPattern',
  'rateLimitPerSec',
  'dropNotifications',
  'duplicateNotifications',
] as const;

function parseFaults(body: unknown): Faults {
  const b = objectBody(body, FAULT_KEYS);
  const faults: Faults = {};
  const latencyMs = int(b, 'latencyMs', { optional: true, min: 0, max: 120_000 });
  if (latencyMs !== undefined) faults.latencyMs = latencyMs;
  if (b.errorRate !== undefined) {
    if (typeof b.errorRate !== 'number' || b.errorRate < 0 || b.errorRate > 1)
      throw unprocessable('errorRate 必须在0到1之间');
    faults.errorRate = b.errorRate;
  }
  const errorBurst = int(b, 'errorBurst', { optional: true, min: 0, max: 1_000_000 });
  if (errorBurst !== undefined) faults.errorBurst = errorBurst;
  const errorStatus = int(b, 'errorStatus', { optional: true, min: 400, max: 599 });
  if (errorStatus !== undefined) faults.errorStatus = errorStatus;
  const pathPattern = str(b, 'pathPattern', { optional: true });
  if (pathPattern !== undefined) {
    try {
      new RegExp(pathPattern);
    } catch {
      throw unprocessable('pathPattern 不是合法的正则表达式');
    }
    faults.pathPattern = pathPattern;
  }
  const rate = int(b, 'rateLimitPerSec', { optional: true, min: 1, max: 1_000_000 });
  if (rate !== undefined) faults.rateLimitPerSec = rate;
  if (b.dropNotifications !== undefined) {
    if (typeof b.dropNotifications !== 'boolean') throw unprocessable('dropNotifications 必须是布尔值');
    faults.dropNotifications = b.dropNotifications;
  }
  if (b.duplicateNotifications !== undefined) {
    const d = b.duplicateNotifications;
    if (typeof d !== 'boolean' && !(typeof d === 'number' && Number.isInteger(d) && d >= 1 && d <= 20)) {
      throw unprocessable('duplicateNotifications 必须是布尔值或1到20的整数');
    }
    faults.duplicateNotifications = d;
  }
  return faults;
}

function parseSettings(body: unknown): Partial<Settings> {
  const keys = Object.keys(DEFAULT_SETTINGS) as Array<keyof Settings>;
  const b = objectBody(body, keys);
  const out: Partial<Settings> = {};
  for (const key of keys) {
    if (b[key] === undefined) continue;
    const v = b[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw unprocessable(`${key} 必须是非负数`);
    out[key] = v;
  }
  return out;
}

const CARD_PATCH_KEYS = ['iccid', 'status', 'usedMB', 'totalMB', 'realNameStatus'] as const;

export const adminRoutes: Record<string, AdminHandler> = {
  'POST /__sim/reset': (platform, body) => {
    const b = objectBody(body, ['cards', 'seed']);
    const cards = int(b, 'cards', { optional: true, min: 0, max: 200_000 }) ?? 200;
    const seed = int(b, 'seed', { optional: true }) ?? 1;
    platform.reset(cards, seed);
    return { cards: platform.cards.size, seed };
  },
  'POST /__sim/faults': (platform, body) => {
    platform.faults = parseFaults(body);
    return { faults: platform.faults };
  },
  'POST /__sim/config': (platform, body) => {
    Object.assign(platform.settings, parseSettings(body));
    return { settings: platform.settings };
  },
  'POST /__sim/tokens/expire': (platform, _body, now) => {
    let expired = 0;
    for (const record of platform.tokens.values()) {
      if (record.expiresAt > now) expired += 1;
      record.expiresAt = now;
    }
    return { expired };
  },
  'GET /__sim/stats': (platform) => platform.stats,
  // Test aid: the carriers confirm every pending stop/resume now, whatever networkDelayMs says.
  'POST /__sim/network/complete': (platform) => ({ completed: completeAllNetwork(platform) }),
  'POST /__sim/wx/login': (platform, body, now) => {
    const b = objectBody(body, ['openid']);
    return issueLoginCode(platform, str(b, 'openid', { max: 64, pattern: /^[\w-]+$/ }), now);
  },
  'POST /__sim/pay': (platform, body, now) => {
    const b = objectBody(body, ['orderNo', 'result']);
    const result = str(b, 'result');
    if (result !== 'success' && result !== 'cancel' && result !== 'fail') {
      throw unprocessable('result 必须是 success、cancel 或 fail');
    }
    return simulatePayment(platform, str(b, 'orderNo', { max: 64 }), result, now);
  },
  // Test aid: put a card into a given state (e.g. stopped for arrears) without waiting for it to happen.
  'POST /__sim/cards': (platform, body) => {
    const b = objectBody(body, CARD_PATCH_KEYS);
    const card = platform.cards.get(str(b, 'iccid'));
    if (!card) throw unprocessable('未知的 iccid');
    const status = int(b, 'status', { optional: true });
    if (status !== undefined) card.status = status;
    const realName = int(b, 'realNameStatus', { optional: true, min: 0, max: 1 });
    if (realName !== undefined) card.realNameStatus = realName as 0 | 1;
    for (const key of ['usedMB', 'totalMB'] as const) {
      const v = b[key];
      if (v === undefined) continue;
      if (typeof v !== 'number' || v < 0) throw unprocessable(`${key} 必须是非负数`);
      card[key] = v;
    }
    return card;
  },
};
