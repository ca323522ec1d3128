// The one token holder, against the real emulator and a real SQLite file shared by several holder
// instances (as several function instances share the CloudBase database). Token counts come from the
// emulator's /__sim/stats, never from the client's own counters.
import { runCron } from '../../cloudfunctions/shared/functions/cron';
import { PlatformClient } from '../../cloudfunctions/shared/platform/client';
import { refreshMarginMs, type TokenDoc } from '../../cloudfunctions/shared/platform/token-holder';
import { AppError } from '../../cloudfunctions/shared/runtime/errors';
import { SqliteStore } from '../../cloudfunctions/shared/store/sqlite';
import { devConfig } from '../../dev/stack';
import { startTestEmulator, type EmulatorClient } from '../helpers/emulator';
import { tempDir } from '../helpers/tmp';

const INSTANCES = 4;
let sim: EmulatorClient;
const tmp = tempDir();
const stores: SqliteStore[] = [];
let clock = Date.now();
let clients: PlatformClient[];

async function tokensIssued(): Promise<number> {
  return (await sim.sim('GET', '/stats')).body.tokenIssued;
}

async function tokenRequests(): Promise<number> {
  return (await sim.sim('GET', '/stats')).body.operations.token ?? 0;
}

/** `count` concurrent list calls spread over every instance; resolves to each call's outcome. */
function burst(count: number) {
  return Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      clients[i % clients.length].call<{ total: number }>('flowcard.list', { query: { take: 1 } }),
    ),
  );
}

beforeAll(async () => {
  sim = await startTestEmulator({ cards: 50, settings: { rateLimitPerSec: 1_000_000, tokenGraceSec: 300 } });
  const config = devConfig(sim.url, { PLATFORM_RATE_LIMIT_PER_SEC: '100000', PLATFORM_TIMEOUT_MS: '3000' });
  clients = Array.from({ length: INSTANCES }, () => {
    const store = new SqliteStore(tmp.file('tokens.db'));
    stores.push(store);
    return new PlatformClient(config.platform, store, { now: () => clock });
  });
});

afterAll(async () => {
  await sim.emulator.close();
  for (const store of stores) await store.close();
  tmp.remove();
});

beforeEach(async () => {
  clock = Date.now();
  await sim.sim('POST', '/faults', {});
});

test('the first calls of every instance share one token', async () => {
  const before = await tokensIssued();
  const results = await burst(100);
  expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
  expect((await tokensIssued()) - before).toBe(1);
});

test('500 concurrent calls with a valid token fetch no token', async () => {
  await burst(4);
  const before = await tokensIssued();
  const results = await burst(500);
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  expect((await tokensIssued()) - before).toBe(0);
});

test('right after every token is revoked, 500 concurrent calls over 4 instances fetch exactly one', async () => {
  await burst(4);
  await sim.sim('POST', '/tokens/expire');
  const before = await tokensIssued();
  const rejectedBefore = (await sim.sim('GET', '/stats')).body.rejected.unauthorized;
  const results = await burst(500);
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  expect((await tokensIssued()) - before).toBe(1);
  // Each call saw at most one rejection of the old token before retrying with the new one.
  const rejected = (await sim.sim('GET', '/stats')).body.rejected.unauthorized - rejectedBefore;
  expect(rejected).toBeGreaterThan(0);
  expect(rejected).toBeLessThanOrEqual(500);
});

test('the token is refreshed ahead of expiry, once, while the old one keeps working', async () => {
  await burst(4);
  const before = await tokensIssued();
  // Move every instance's clock into the refresh margin (but not past expiry).
  clock = Date.now() + 3600 * 1000 - refreshMarginMs(3600) + 1000;
  const results = await burst(200);
  expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
  expect((await tokensIssued()) - before).toBe(1);
  // And the next calls use the new one without fetching again.
  await burst(100);
  expect((await tokensIssued()) - before).toBe(1);
});

test('the cron timer refreshes the token ahead of expiry, once', async () => {
  await burst(4);
  const before = await tokensIssued();
  const deps = { platform: clients[1], store: stores[1], config: devConfig(sim.url), now: () => clock };
  expect((await runCron(deps, { only: ['refreshToken'] })).refreshToken.ok).toBe(true);
  expect((await tokensIssued()) - before).toBe(0); // not due yet
  const stored = await stores[0].get<TokenDoc>('tokens', 'platform');
  expect(stored!.refreshAt).toBeLessThan(stored!.expiresAt);
  clock = stored!.refreshAt + 1000; // inside the margin, before expiry
  await runCron(deps, { only: ['refreshToken'] });
  await runCron({ ...deps, platform: clients[2], store: stores[2] }, { only: ['refreshToken'] });
  expect((await tokensIssued()) - before).toBe(1);
});

test('a forced (passive) refresh replaces the token once, and the other instances follow', async () => {
  await sim.sim('POST', '/config', { tokenGraceSec: 0 });
  try {
    await burst(8);
    const before = await tokensIssued();
    await clients[0].tokens.forceRefresh();
    // With no grace period the old token is dead now: the other instances see 401 and pick up the new one.
    const results = await burst(200);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect((await tokensIssued()) - before).toBe(1);
  } finally {
    await sim.sim('POST', '/config', { tokenGraceSec: 300 });
  }
});

test('token server down: calls fail with PLATFORM_UNAVAILABLE, without a storm of token requests', async () => {
  await burst(4);
  await sim.sim('POST', '/tokens/expire');
  await sim.sim('POST', '/faults', { errorRate: 1, errorStatus: 500, pathPattern: '^/connect/token' });
  const before = await tokenRequests();
  const results = await burst(200);
  const codes = results.map((r) => (r.status === 'rejected' && r.reason instanceof AppError ? r.reason.code : 'ok'));
  expect(new Set(codes)).toEqual(new Set(['PLATFORM_UNAVAILABLE']));
  // One failed fetch puts every instance into backoff: at most one attempt per instance.
  expect((await tokenRequests()) - before).toBeLessThanOrEqual(INSTANCES);
  expect((await tokenRequests()) - before).toBeGreaterThanOrEqual(1);
});

test('after the token server recovers and the backoff passes, one token is fetched', async () => {
  await sim.sim('POST', '/faults', {});
  clock = Date.now() + 5_000; // past the failure backoff
  const before = await tokensIssued();
  const results = await burst(100);
  expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
  expect((await tokensIssued()) - before).toBe(1);
});
