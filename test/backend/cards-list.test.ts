// cards.list and cards.summary through the host: the platform path (one call per page), the index path
// (normalised state, vehicle, plate, a driver's cards: no call), and the summary against the emulator.
import { isLowData } from '../../cloudfunctions/shared/services/cards';
import { DEV_PLATE, vehicleId } from '../../dev/seed';
import { DRIVER, MANAGER, STAFF, STRANGER, emulatorCards, opCount, pickCards, stateOf } from '../helpers/cards';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const list = (openid: string, body: Record<string, unknown>) => stack.fn('cards', openid, { action: 'list', ...body });

/** Every page of a list, and how many platform list calls it took. */
async function allPages(openid: string, filter: Record<string, unknown>, take: number) {
  const before = await opCount(stack, 'flowcard.list');
  const items: any[] = [];
  const sources = new Set<string>();
  let total = 0;
  for (let skip = 0, pages = 0; pages < 50; skip += take, pages++) {
    const reply = await list(openid, { ...filter, skip, take });
    expect(reply.ok).toBe(true);
    total = reply.data.total;
    sources.add(reply.data.source);
    items.push(...reply.data.items);
    if (skip + take >= total) break;
  }
  return { items, total, sources, calls: (await opCount(stack, 'flowcard.list')) - before };
}

describe('the platform path', () => {
  test('a manager pages through the whole fleet with exactly one platform call per page', async () => {
    const { items, total, sources, calls } = await allPages(MANAGER, {}, 50);
    expect(total).toBe(200);
    expect(calls).toBe(4);
    expect([...sources]).toEqual(['platform']);
    expect(new Set(items.map((c) => c.iccid))).toEqual(new Set(emulatorCards(stack).map((c) => c.iccid)));
  });

  test('rows carry plate, driver names, state, fix and pending', async () => {
    const { own } = await pickCards(stack);
    const { items } = await allPages(STAFF, {}, 100);
    const row = items.find((c) => c.iccid === own[0]);
    expect(row).toEqual(
      expect.objectContaining({
        plate: DEV_PLATE,
        vehicleId: vehicleId(DEV_PLATE),
        driverNames: ['李师傅'],
        state: 'active',
        fix: null,
        pending: null,
      }),
    );
    const arrears = items.find((c) => c.state === 'arrears');
    expect(arrears).toEqual(expect.objectContaining({ fix: 'recharge', plate: null, driverNames: [] }));
  });

  test('keyword, carrier and tag are the platform filters: one call each, the emulator agrees', async () => {
    const cards = emulatorCards(stack);
    const probe = cards[17];
    const cases: Array<[Record<string, unknown>, number]> = [
      [{ keyword: probe.msisdn }, cards.filter((c) => c.msisdn.includes(probe.msisdn)).length],
      [{ keyword: probe.iccid.toLowerCase() }, 1],
      [{ carrier: 'cucc' }, cards.filter((c) => c.carrier === 'cucc').length],
      [{ tag: '冷链' }, cards.filter((c) => c.tags.includes('冷链')).length],
      [{ carrier: 'ctcc', tag: '干线' }, cards.filter((c) => c.carrier === 'ctcc' && c.tags.includes('干线')).length],
    ];
    for (const [filter, expected] of cases) {
      const before = await opCount(stack, 'flowcard.list');
      const reply = await list(MANAGER, { ...filter, skip: 0, take: 100 });
      expect(reply.data).toEqual(expect.objectContaining({ source: 'platform', total: expected }));
      expect((await opCount(stack, 'flowcard.list')) - before).toBe(1);
    }
  });
});

describe('the index path', () => {
  test('each normalised state is served from the index without a platform call, paged, equal to the emulator', async () => {
    for (const state of ['active', 'suspended', 'arrears', 'inactive', 'closed', 'unknown']) {
      const { items, total, sources, calls } = await allPages(MANAGER, { state }, 40);
      const expected = emulatorCards(stack).filter((c) => stateOf(c) === state);
      expect(calls).toBe(0);
      expect([...sources]).toEqual(['index']);
      expect(total).toBe(expected.length);
      expect(items.map((c) => c.iccid).sort()).toEqual(expected.map((c) => c.iccid).sort());
      expect(items.every((c) => c.state === state)).toBe(true);
    }
  });

  test('the index answer says when the fleet was last synced', async () => {
    const reply = await list(STAFF, { state: 'active', skip: 0, take: 1 });
    expect(Date.parse(reply.data.syncedAt)).toBeGreaterThan(0);
  });

  test('state with carrier, tag and keyword narrows the indexed cards in memory', async () => {
    const cards = emulatorCards(stack).filter((c) => stateOf(c) === 'active');
    const { total, calls } = await allPages(MANAGER, { state: 'active', carrier: 'cmcc', tag: '干线' }, 100);
    expect(total).toBe(cards.filter((c) => c.carrier === 'cmcc' && c.tags.includes('干线')).length);
    expect(calls).toBe(0);
    const probe = cards[5];
    const byKeyword = await list(MANAGER, { state: 'active', keyword: probe.msisdn, skip: 0, take: 10 });
    expect(byKeyword.data.items.map((c: any) => c.iccid)).toContain(probe.iccid);
  });

  test('a vehicle filter gives that vehicle’s cards; an unknown vehicle none', async () => {
    const { own } = await pickCards(stack);
    const reply = await list(MANAGER, { vehicleId: vehicleId(DEV_PLATE), skip: 0, take: 20 });
    expect(reply.data.source).toBe('index');
    expect(reply.data.items.map((c: any) => c.iccid).sort()).toEqual([...own].sort());
    const none = await list(MANAGER, { vehicleId: 'veh-nope', skip: 0, take: 20 });
    expect(none.data).toEqual(expect.objectContaining({ total: 0, items: [] }));
  });

  test('a plate typed as keyword finds that vehicle’s cards, however it is spelled', async () => {
    const { own } = await pickCards(stack);
    for (const keyword of [DEV_PLATE, '粤b·12345', 'B12345']) {
      const before = await opCount(stack, 'flowcard.list');
      const reply = await list(MANAGER, { keyword, skip: 0, take: 20 });
      expect(reply.data.source).toBe('index');
      expect(reply.data.items.map((c: any) => c.iccid)).toEqual(expect.arrayContaining(own));
      expect(reply.data.items.every((c: any) => c.plate === DEV_PLATE || c.iccid.includes(keyword))).toBe(true);
      expect(await opCount(stack, 'flowcard.list')).toBe(before);
    }
  });

  test('a driver sees only the cards of their own vehicle, from the index', async () => {
    const { own } = await pickCards(stack);
    const { items, total, sources, calls } = await allPages(DRIVER, {}, 2);
    expect(total).toBe(own.length);
    expect(calls).toBe(0);
    expect([...sources]).toEqual(['index']);
    expect(items.map((c) => c.iccid).sort()).toEqual([...own].sort());
    const otherVehicle = await list(DRIVER, { vehicleId: vehicleId('粤B67890'), skip: 0, take: 20 });
    expect(otherVehicle.data.total).toBe(0);
    const otherKeyword = await list(DRIVER, { keyword: emulatorCards(stack)[150].iccid, skip: 0, take: 20 });
    expect(otherKeyword.data.total).toBe(0);
  });

  test('a stranger may not list', async () => {
    expect((await list(STRANGER, { skip: 0, take: 10 })).error.code).toBe('FORBIDDEN');
  });
});

describe('summary', () => {
  test('manager and staff counts equal what the emulator holds, every state present', async () => {
    const cards = emulatorCards(stack);
    const byState: Record<string, number> = {
      active: 0,
      suspended: 0,
      arrears: 0,
      inactive: 0,
      closed: 0,
      unknown: 0,
    };
    const tagCounts = new Map<string, number>();
    for (const c of cards) byState[stateOf(c)] += 1;
    for (const c of cards) for (const tag of c.tags) tagCounts.set(tag, (tagCounts.get(tag) ?? 0) + 1);
    const expected = {
      total: cards.length,
      byState,
      stopped: byState.suspended + byState.arrears,
      lowData: cards.filter((c) => isLowData(c, stateOf(c))).length,
      arrears: byState.arrears,
      tags: expect.any(Array),
      syncedAt: expect.any(String),
    };
    expect(expected.lowData).toBeGreaterThan(0);
    expect(tagCounts.size).toBeGreaterThan(1);
    const before = await opCount(stack, 'flowcard.list');
    for (const who of [MANAGER, STAFF]) {
      const summary = (await stack.fn('cards', who, { action: 'summary' })).data;
      expect(summary).toEqual(expected);
      // Every tag of the fleet with its count, most used first.
      expect(new Map(summary.tags.map((t: { name: string; count: number }) => [t.name, t.count]))).toEqual(tagCounts);
      const counts = summary.tags.map((t: { count: number }) => t.count);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
    }
    expect(await opCount(stack, 'flowcard.list')).toBe(before);
  });

  test('a driver’s summary counts only their cards; a stranger gets FORBIDDEN', async () => {
    const { own } = await pickCards(stack);
    const reply = await stack.fn('cards', DRIVER, { action: 'summary' });
    expect(reply.data).toEqual(
      expect.objectContaining({
        total: own.length,
        byState: { active: own.length, suspended: 0, arrears: 0, inactive: 0, closed: 0, unknown: 0 },
        stopped: 0,
      }),
    );
    // Only the tags on their own cards.
    const ownCards = emulatorCards(stack).filter((c) => own.includes(c.iccid));
    const ownTags = new Set(ownCards.flatMap((c) => c.tags));
    expect(new Set(reply.data.tags.map((t: { name: string }) => t.name))).toEqual(ownTags);
    expect((await stack.fn('cards', STRANGER, { action: 'summary' })).error.code).toBe('FORBIDDEN');
    expect((await stack.fn('cards', MANAGER, { action: 'summary', extra: 1 })).error.code).toBe('INVALID_ARGUMENT');
  });
});

describe('bad input', () => {
  test.each([
    ['missing take', { skip: 0 }],
    ['take above 100', { skip: 0, take: 101 }],
    ['take zero', { skip: 0, take: 0 }],
    ['negative skip', { skip: -1, take: 10 }],
    ['skip as text', { skip: '0', take: 10 }],
    ['fractional take', { skip: 0, take: 1.5 }],
    ['unknown field', { skip: 0, take: 10, sort: 'iccid' }],
    ['unknown state', { skip: 0, take: 10, state: 'broken' }],
    ['unknown carrier', { skip: 0, take: 10, carrier: 'att' }],
    ['keyword as object', { skip: 0, take: 10, keyword: { $gt: '' } }],
    ['keyword too long', { skip: 0, take: 10, keyword: 'x'.repeat(65) }],
    ['vehicleId as array', { skip: 0, take: 10, vehicleId: ['a'] }],
    ['a 10 MB keyword', { skip: 0, take: 10, keyword: 'x'.repeat(10 * 1024 * 1024) }],
  ])('%s → INVALID_ARGUMENT with a Chinese sentence', async (_name, body) => {
    const reply = await list(MANAGER, body);
    expect(reply.ok).toBe(false);
    expect(reply.error.code).toBe('INVALID_ARGUMENT');
    expect(reply.error.message).toMatch(/[\u4e00-\u9fff]/);
  });

  test.each(["'; DROP TABLE docs;--", '.*', '(a+)+$', '%', '_', '\\'])(
    'keyword %p is plain text: an empty answer on both paths, and the store is intact',
    async (keyword) => {
      const platform = await list(MANAGER, { keyword, skip: 0, take: 10 });
      expect(platform.data).toEqual(expect.objectContaining({ total: 0, items: [], source: 'platform' }));
      const index = await list(MANAGER, { keyword, state: 'active', skip: 0, take: 10 });
      expect(index.data).toEqual(expect.objectContaining({ total: 0, items: [], source: 'index' }));
      expect((await stack.fn('cards', MANAGER, { action: 'summary' })).data.total).toBe(200);
    },
  );
});
