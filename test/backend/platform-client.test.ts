// The platform client against the real emulator under faults: timeouts, 5xx, 429 storms, error mapping.
// Outcomes and counts are asserted (attempts read from the emulator's stats), never durations.
import { PlatformClient } from '../../cloudfunctions/shared/platform/client';
import { AppError } from '../../cloudfunctions/shared/runtime/errors';
import { SqliteStore } from '../../cloudfunctions/shared/store/sqlite';
import { devConfig } from '../../dev/stack';
import { startTestEmulator, type EmulatorClient } from '../helpers/emulator';
import { tempDir } from '../helpers/tmp';

let sim: EmulatorClient;
const tmp = tempDir();
const stores: SqliteStore[] = [];

function client(env: NodeJS.ProcessEnv = {}): PlatformClient {
  const store = new SqliteStore(tmp.file(`client-${stores.length}.db`));
  stores.push(store);
  return new PlatformClient(
    devConfig(sim.url, {
      PLATFORM_TIMEOUT_MS: '300',
      PLATFORM_DEADLINE_MS: '2500',
      PLATFORM_RATE_LIMIT_PER_SEC: '1000',
      ...env,
    }).platform,
    store,
  );
}

async function attempts(operation: string): Promise<number> {
  return (await sim.sim('GET', '/stats')).body.operations[operation] ?? 0;
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

let someIccid: string;

beforeAll(async () => {
  sim = await startTestEmulator({ cards: 60, settings: { networkDelayMs: 10 } });
  someIccid = [...sim.emulator.platform.cards.values()].find((c) => c.carrier === 'cmcc' && c.status === 0)!.iccid;
});

afterAll(async () => {
  await sim.emulator.close();
  for (const store of stores) await store.close();
  tmp.remove();
});

beforeEach(() => sim.sim('POST', '/faults', {}));

test('a read answers the platform data', async () => {
  const page = await client().call<{ total: number; items: unknown[] }>('flowcard.list', { query: { take: 5 } });
  expect(page.total).toBe(60);
  expect(page.items).toHaveLength(5);
});

test('latency beyond the timeout ends in PLATFORM_UNAVAILABLE after a bounded number of attempts', async () => {
  const c = client();
  await c.tokens.get();
  await sim.sim('POST', '/faults', { latencyMs: 1500, pathPattern: '^/cardservice' });
  const before = await attempts('flowcard.list');
  const error = await failure(c.call('flowcard.list'));
  expect(error.code).toBe('PLATFORM_UNAVAILABLE');
  expect(error.message).toMatch(/超时/);
  const made = (await attempts('flowcard.list')) - before;
  expect(made).toBeGreaterThanOrEqual(1);
  expect(made).toBeLessThanOrEqual(3);
});

test('a read that meets 500s is retried, then reported', async () => {
  const c = client();
  await c.tokens.get();
  await sim.sim('POST', '/faults', { errorRate: 1, errorStatus: 500, pathPattern: '^/cardservice' });
  const before = await attempts('flowcard.detail');
  const error = await failure(c.call('flowcard.detail', { params: { iccid: someIccid } }));
  expect(error.code).toBe('PLATFORM_UNAVAILABLE');
  expect((await attempts('flowcard.detail')) - before).toBe(3);
});

test('a stop that meets a 500 is not repeated (its outcome is unknown)', async () => {
  const c = client();
  await c.tokens.get();
  await sim.sim('POST', '/faults', { errorRate: 1, errorStatus: 500, pathPattern: '/network$' });
  const before = await attempts('flowcard.network');
  const error = await failure(c.call('flowcard.network', { params: { iccid: someIccid }, body: { action: 'stop' } }));
  expect(error.code).toBe('PLATFORM_UNAVAILABLE');
  expect((await attempts('flowcard.network')) - before).toBe(1);
});

test('a 429 storm ends in PLATFORM_BUSY after a bounded number of attempts', async () => {
  const c = client({ PLATFORM_DEADLINE_MS: '10000' });
  await c.tokens.get();
  await sim.sim('POST', '/faults', { errorRate: 1, errorStatus: 429, pathPattern: '^/cardservice' });
  const before = await attempts('flowcard.list');
  const error = await failure(c.call('flowcard.list'));
  expect(error.code).toBe('PLATFORM_BUSY');
  const made = (await attempts('flowcard.list')) - before;
  expect(made).toBeGreaterThanOrEqual(2);
  expect(made).toBeLessThanOrEqual(5);
});

test('under the platform rate limit, calls wait for Retry-After and all get through', async () => {
  const c = client({ PLATFORM_DEADLINE_MS: '10000' });
  await c.tokens.get();
  await sim.sim('POST', '/faults', { rateLimitPerSec: 5 });
  const results = await Promise.allSettled(
    Array.from({ length: 12 }, () => c.call('flowcard.list', { query: { take: 1 } })),
  );
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  expect((await sim.sim('GET', '/stats')).body.rejected.rateLimited).toBeGreaterThan(0);
});

test('the client-side limiter keeps a burst under the platform limit', async () => {
  const c = client({ PLATFORM_RATE_LIMIT_PER_SEC: '10' });
  await c.tokens.get();
  await sim.sim('POST', '/faults', { rateLimitPerSec: 25 });
  const before = (await sim.sim('GET', '/stats')).body.rejected.rateLimited;
  const results = await Promise.allSettled(
    Array.from({ length: 30 }, () => c.call('flowcard.list', { query: { take: 1 } })),
  );
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  expect((await sim.sim('GET', '/stats')).body.rejected.rateLimited - before).toBe(0);
});

test('platform errors become sentences a fleet manager understands', async () => {
  const c = client();
  const missing = await failure(c.call('flowcard.detail', { params: { iccid: '89860000000000000000' } }));
  expect(missing.code).toBe('NOT_FOUND');
  const consignee = await failure(
    c.call('flowcard.transfer', { body: { consignee: 'nobody-here', iccids: [someIccid] } }),
  );
  expect(consignee.code).toBe('NOT_FOUND');
  expect(consignee.message).toMatch(/接收人账户不存在/);
  const none = await failure(c.call('flowcard.transfer', { body: { consignee: 'partner-001', iccids: [] } }));
  expect(none.code).toBe('INVALID_ARGUMENT');
  expect(none.message).toMatch(/至少选择一张卡/);
  const rejected = await failure(c.call('flowcard.list', { query: { take: 500 } }));
  expect(rejected.code).toBe('PLATFORM_REJECTED');
  expect(rejected.message).toMatch(/take/);
});

test('a token without the scope gives PLATFORM_FORBIDDEN; wrong credentials PLATFORM_AUTH', async () => {
  const narrow = client({ PLATFORM_SCOPES: 'iot.cardservice.flowcard.get' });
  await expect(narrow.call('flowcard.list', { query: { take: 1 } })).resolves.toBeTruthy();
  expect((await failure(narrow.call('flowcard.location', { params: { iccid: someIccid } }))).code).toBe(
    'PLATFORM_FORBIDDEN',
  );
  const wrong = client({ PLATFORM_CLIENT_SECRET: 'not-the-secret' });
  expect((await failure(wrong.call('flowcard.list'))).code).toBe('PLATFORM_AUTH');
});

test('at most PLATFORM_MAX_IN_FLIGHT requests reach the platform at once; the rest wait their turn and all succeed', async () => {
  // Its own emulator, so the peak the platform counts is this test's alone.
  const own = await startTestEmulator({ cards: 20, settings: { networkDelayMs: 10 } });
  const store = new SqliteStore(tmp.file('in-flight.db'));
  stores.push(store);
  const clientWith = (maxInFlight: string) =>
    new PlatformClient(
      devConfig(own.url, {
        PLATFORM_TIMEOUT_MS: '3000',
        PLATFORM_DEADLINE_MS: '20000',
        PLATFORM_RATE_LIMIT_PER_SEC: '1000',
        PLATFORM_MAX_IN_FLIGHT: maxInFlight,
      }).platform,
      store,
    );
  const burst = (c: PlatformClient) =>
    Promise.all(Array.from({ length: 40 }, () => c.call<{ total: number }>('flowcard.list', { query: { take: 1 } })));
  const peak = async () => (await own.sim('GET', '/stats')).body.peakInFlight as number;
  try {
    const capped = clientWith('4');
    await capped.tokens.get(); // the token first, so the peak counts API calls only
    await own.sim('POST', '/faults', { latencyMs: 100 });
    expect((await burst(capped)).every((page) => page.total === 20)).toBe(true);
    expect(await peak()).toBe(4);

    // The same burst without the cap reaches the platform all at once: the count above can fail.
    await own.sim('POST', '/reset', { cards: 20 });
    await own.sim('POST', '/faults', { latencyMs: 100 });
    const uncapped = clientWith('100');
    await uncapped.tokens.forceRefresh();
    expect((await burst(uncapped)).every((page) => page.total === 20)).toBe(true);
    expect(await peak()).toBeGreaterThan(4);
  } finally {
    await own.emulator.close();
  }
});
