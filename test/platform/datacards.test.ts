// Recharge cards (充值卡) over HTTP: list, recharge history, transfers, generation.
import { BUSINESS_ERRORS } from '../../dev/platform/http';
import type { DataCard } from '../../dev/platform/model';
import { startTestEmulator, type EmulatorClient } from '../helpers/emulator';

const DATA = '/cardservice/datacards';
let c: EmulatorClient;

beforeAll(async () => {
  c = await (await startTestEmulator()).authorize();
});

afterAll(() => c.emulator.close());

const business = (code: keyof typeof BUSINESS_ERRORS) => ({ code, ...BUSINESS_ERRORS[code] });
const listAll = async (query = ''): Promise<{ total: number; items: DataCard[] }> => {
  const first = await c.api('GET', `${DATA}?take=100${query}`);
  const items: DataCard[] = [...first.body.data.items];
  for (let skip = 100; skip < first.body.data.total; skip += 100) {
    items.push(...(await c.api('GET', `${DATA}?take=100&skip=${skip}${query}`)).body.data.items);
  }
  return { total: first.body.data.total, items };
};
const unused = async (n: number) => (await listAll('&status=0')).items.slice(0, n).map((d) => d.id);
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString();

describe('list', () => {
  test('the seeded 60, paged by 20', async () => {
    const res = await c.api('GET', DATA);
    expect(res.status).toBe(200);
    expect(res.body.data.total).toBe(60);
    expect(res.body.data.items).toHaveLength(20);
    expect(Object.keys(res.body.data.items[0]).sort()).toEqual(
      ['cardNo', 'consignee', 'createdAt', 'dataMB', 'expireAt', 'id', 'productId', 'status'].sort(),
    );
    const last = await c.api('GET', `${DATA}?skip=50&take=20`);
    expect(last.body.data.items).toHaveLength(10);
  });

  test('by status; the counts add up', async () => {
    let sum = 0;
    for (const status of [0, 1, 2, 3]) {
      const { total, items } = await listAll(`&status=${status}`);
      expect(items.every((d) => d.status === status)).toBe(true);
      sum += total;
    }
    expect(sum).toBe((await c.api('GET', DATA)).body.data.total);
  });

  test.each([
    ['status=4', 'status 必须是 0、1、2 或 3'],
    ['status=-1', 'status 必须是 0、1、2 或 3'],
    ['status=used', 'status 必须是整数'],
    ['take=101', 'take 必须在1到100之间'],
    ['skip=-5', 'skip 不能小于0'],
  ])('%s is 422', async (query, message) => {
    const res = await c.api('GET', `${DATA}?${query}`);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 422, name: 'UnprocessableEntity', message });
  });
});

describe('recharge history', () => {
  test('one seeded record per used recharge card, newest first, paged', async () => {
    const used = (await listAll('&status=1')).items;
    const res = await c.api('GET', `${DATA}/history?take=100`);
    expect(res.status).toBe(200);
    expect(res.body.data.total).toBe(used.length);
    expect(used.length).toBeGreaterThan(0);
    const items = res.body.data.items as Array<Record<string, string>>;
    expect(items.map((h) => h.dataCardId).sort()).toEqual(used.map((d) => d.id).sort());
    const times = items.map((h) => h.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(c.emulator.platform.cards.has(items[0].iccid)).toBe(true);
    const paged = await c.api('GET', `${DATA}/history?skip=1&take=2`);
    expect(paged.body.data.items).toEqual(items.slice(1, 3));
    expect((await c.api('GET', `${DATA}/history?take=500`)).status).toBe(422);
  });
});

describe('transfers', () => {
  const transfer = (body: unknown) => c.api('POST', `${DATA}/transfers`, body);

  test('unused cards move to the consignee, once', async () => {
    const ids = await unused(3);
    const before = (await listAll('&status=3')).total;
    const res = await transfer({ consignee: 'partner-001', ids });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ transferId: expect.any(String), count: 3 });
    const moved = (await listAll('&status=3')).items.filter((d) => ids.includes(d.id));
    expect(moved).toHaveLength(3);
    expect(moved.every((d) => d.consignee === 'partner-001')).toBe(true);
    expect((await listAll('&status=3')).total).toBe(before + 3);
    expect(c.emulator.platform.dataCardTransfers[0]).toMatchObject({ consignee: 'partner-001', ids, count: 3 });

    const again = await transfer({ consignee: 'partner-002', ids: [ids[0]] });
    expect(again.status).toBe(422);
    expect(again.body.message).toBe(`以下充值卡已使用、已过期或已划拨，不能划卡: ${ids[0]}`);
  });

  test('the same id twice counts once', async () => {
    const [id] = await unused(1);
    const res = await transfer({ consignee: '13800138000', ids: [id, id] });
    expect(res.body.data.count).toBe(1);
  });

  test('an unknown consignee is 10000', async () => {
    const res = await transfer({ consignee: 'nobody', ids: await unused(1) });
    expect(res.status).toBe(422);
    expect(res.body).toEqual(business(10000));
  });

  test('no ids is 10001', async () => {
    const res = await transfer({ consignee: 'partner-001', ids: [] });
    expect(res.status).toBe(422);
    expect(res.body).toEqual(business(10001));
  });

  test('unknown or unavailable ids are named, and nothing moves', async () => {
    const [good] = await unused(1);
    const missing = await transfer({ consignee: 'partner-001', ids: [good, 'DC99999999'] });
    expect(missing.status).toBe(422);
    expect(missing.body.message).toBe('以下充值卡不存在: DC99999999');
    const usedId = (await listAll('&status=1')).items[0].id;
    const expiredId = (await listAll('&status=2')).items[0].id;
    const unavailable = await transfer({ consignee: 'partner-001', ids: [good, usedId, expiredId] });
    expect(unavailable.status).toBe(422);
    expect(unavailable.body.message).toBe(`以下充值卡已使用、已过期或已划拨，不能划卡: ${usedId}, ${expiredId}`);
    expect((await listAll('&status=0')).items.map((d) => d.id)).toContain(good);
  });

  test.each([
    ['an unknown field', { consignee: 'partner-001', ids: ['DC00000002'], note: 'x' }, '不支持的字段: note'],
    ['ids as text', { consignee: 'partner-001', ids: 'DC00000002' }, 'ids 必须是字符串数组'],
    ['no consignee', { ids: ['DC00000002'] }, '缺少字段 consignee'],
  ])('%s is 422', async (_what, body, message) => {
    const res = await transfer(body);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 422, name: 'UnprocessableEntity', message });
  });
});

describe('generate', () => {
  const generate = (body: unknown) => c.api('POST', `${DATA}/generate`, body);

  test('makes unused cards of the product, shows the first 100', async () => {
    const before = (await c.api('GET', DATA)).body.data.total;
    const expireAt = tomorrow();
    const res = await generate({ productId: 'P-M-3G', count: 150, expireAt });
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data.batchId).toEqual(expect.any(String));
    expect(data.count).toBe(150);
    expect(data.items).toHaveLength(100);
    expect(data.items[0]).toMatchObject({ productId: 'P-M-3G', dataMB: 3072, status: 0, expireAt, consignee: null });
    expect(new Set(data.items.map((d: DataCard) => d.cardNo)).size).toBe(100);
    expect(data.items.every((d: DataCard) => /^\d{16}$/.test(d.cardNo))).toBe(true);
    const after = await listAll();
    expect(after.total).toBe(before + 150);
    expect(after.items.filter((d) => d.expireAt === expireAt && d.productId === 'P-M-3G')).toHaveLength(150);
  });

  test('at most 100,000 per request; exactly that many works', async () => {
    const over = await generate({ productId: 'P-B-500M', count: 100_001, expireAt: tomorrow() });
    expect(over.status).toBe(422);
    expect(over.body.message).toBe('单次最多生成100000张');
    const before = (await c.api('GET', DATA)).body.data.total;
    const max = await generate({ productId: 'P-B-500M', count: 100_000, expireAt: tomorrow() });
    expect(max.status).toBe(200);
    expect(max.body.data.count).toBe(100_000);
    expect((await c.api('GET', DATA)).body.data.total).toBe(before + 100_000);
  });

  test('an expiry not in the future is 10002', async () => {
    for (const expireAt of [new Date(Date.now() - 1000).toISOString(), '2020-01-01']) {
      const res = await generate({ productId: 'P-M-1G', count: 1, expireAt });
      expect(res.status).toBe(422);
      expect(res.body).toEqual(business(10002));
    }
  });

  test("past the day's limit is 10003, and nothing is made", async () => {
    const madeToday = c.emulator.platform.generatedToday.count; // by the tests above
    expect(madeToday).toBeGreaterThan(0);
    await c.sim('POST', '/config', { dailyGenerateLimit: madeToday + 10 });
    try {
      const before = (await c.api('GET', DATA)).body.data.total;
      const over = await generate({ productId: 'P-M-1G', count: 11, expireAt: tomorrow() });
      expect(over.status).toBe(422);
      expect(over.body).toEqual(business(10003));
      expect((await c.api('GET', DATA)).body.data.total).toBe(before);
      const fits = await generate({ productId: 'P-M-1G', count: 10, expireAt: tomorrow() });
      expect(fits.status).toBe(200);
      const full = await generate({ productId: 'P-M-1G', count: 1, expireAt: tomorrow() });
      expect(full.body).toEqual(business(10003));
    } finally {
      await c.sim('POST', '/config', { dailyGenerateLimit: 99_999_999 });
    }
  });

  test.each([
    ['an unknown product', { productId: 'P-NOPE' }, '充值套餐不存在'],
    ['a zero count', { count: 0 }, 'count 不能小于1'],
    ['a fractional count', { count: 2.5 }, 'count 必须是整数'],
    ['an expiry that is no time', { expireAt: 'next week' }, 'expireAt 不是合法的时间'],
    ['no expiry', { expireAt: undefined }, '缺少字段 expireAt'],
    ['an unknown field', { batch: 'B1' }, '不支持的字段: batch'],
  ])('%s is 422', async (_what, change, message) => {
    const res = await generate({ productId: 'P-M-1G', count: 1, expireAt: tomorrow(), ...change });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 422, name: 'UnprocessableEntity', message });
  });
});
