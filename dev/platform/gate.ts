// Gatekeeping in front of every API call: subscription key, bearer token, scope, per-client rate limit.
import type { IncomingMessage } from 'node:http';
import { scopeCovers, type Route } from '../../cloudfunctions/shared/platform/routes';
import { fail } from './http';
import type { Platform } from './platform';

type Windows = Map<string, { second: number; count: number }>;
// Counting starts over when /__sim/faults or reset replaces the faults: a new limit counts only calls made under it.
const windows = new WeakMap<Platform, { faults: Platform['faults']; perClient: Windows }>();

export function subscriptionKeyOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['ocp-apim-subscription-key'];
  return (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('subscription-key') ?? undefined;
}

/** Returns the client id of the caller, or throws 401 / 403 / 429 as the platform does. */
export function admit(platform: Platform, req: IncomingMessage, url: URL, route: Route, now: number): string {
  const key = subscriptionKeyOf(req, url);
  if (!key || !platform.subscriptionKeys.includes(key)) {
    platform.stats.rejected.unauthorized += 1;
    throw fail(401, key ? '订阅密钥无效' : '缺少订阅密钥 (Ocp-Apim-Subscription-Key)');
  }
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  const record = match ? platform.tokens.get(match[1]) : undefined;
  if (!record || record.expiresAt <= now) {
    platform.stats.rejected.unauthorized += 1;
    const why = !match ? '缺少 access_token' : record ? 'access_token 已过期' : 'access_token 无效';
    throw fail(401, why, { 'www-authenticate': 'Bearer error="invalid_token"' });
  }
  if (route.scope && !record.scopes.some((s) => scopeCovers(s, route.scope as string))) {
    platform.stats.rejected.forbidden += 1;
    throw fail(403, `access_token 缺少权限 ${route.scope}`);
  }
  const limit = platform.faults.rateLimitPerSec ?? platform.settings.rateLimitPerSec;
  let counted = windows.get(platform);
  if (counted?.faults !== platform.faults) {
    counted = { faults: platform.faults, perClient: new Map() };
    windows.set(platform, counted);
  }
  const perClient = counted.perClient;
  const second = Math.floor(now / 1000);
  const window = perClient.get(record.clientId);
  if (!window || window.second !== second) {
    perClient.set(record.clientId, { second, count: 1 });
  } else if (++window.count > limit) {
    platform.stats.rejected.rateLimited += 1;
    throw fail(429, '请求过于频繁，请稍后再试', { 'retry-after': '1' });
  }
  return record.clientId;
}
