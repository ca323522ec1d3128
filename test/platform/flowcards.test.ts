// Flow cards over real loopback HTTP: list, detail, update, usage, status, types/categories/tags, location.
import { CARRIER_STATUS } from '../../typings/card-status';
import { startTestEmulator, type EmulatorClient } from '../helpers/emulator';
import { BASE, CARD_FIELDS, failed, listAll, ok, type Card, type Page } from './flowcard-helpers';

let c: EmulatorClient;
let fleet: Card[];

beforeAll(async () => {
  c = await (await startTestEmulator({ settings: { rateLimitPerSec: 1_000_000 } })).authorize();
  fleet = await listAll(c, BASE);
});
afterAll(() => c.emulator.close());

const iccids = (cards: Card[]) => cards.map((card) => card.iccid).sort();
const detail = async (iccid: string) => ok<Card>(await c.api('GET', `${BASE}/${encodeURIComponent(iccid)}`));

describe('list', () => {
  test('reads the whole seeded fleet through paging, once each', () => {
    expect(fleet.length).toBe(200);
    expect(fleet.length).toBe(c.emulator.platform.cards.size);
    expect(new Set(iccids(fleet)).size).toBe(fleet.length);
    expect(new Set(iccids(fleet))).toEqual(new Set(c.emulator.platform.cards.keys()));
  });

  test('default paging is skip 0, take 20, with the total of all cards', async () => {
    const page = ok<Page<Card>>(await c.api('GET', BASE));
    expect(page.total).toBe(200);
    expect(page.items).toEqual(fleet.slice(0, 20));
  });

  test('skip and take select a window; past the end is empty, total unchanged', async () => {
    expect(ok<Page<Card>>(await c.api('GET', `${BASE}?skip=20&take=5`))).toEqual({
      total: 200,
      items: fleet.slice(20, 25),
    });
    expect(ok<Page<Card>>(await c.api('GET', `${BASE}?skip=195&take=10`))).toEqual({
      total: 200,
      items: fleet.slice(195),
    });
    expect(ok<Page<Card>>(await c.api('GET', `${BASE}?skip=200`))).toEqual({ total: 200, items: [] });
    expect(ok<Page<Card>>(await c.api('GET', `${BASE}?take=100`)).items).toHaveLength(100);
  });

  test.each(['take=101', 'take=0', 'take=-5', 'skip=-1', 'skip=abc', 'take=abc', 'take=1.5', 'skip=1e3'])(
    '%s → 422',
    async (query) => {
      failed(await c.api('GET', `${BASE}?${query}`), 422);
    },
  );

  test('items carry every field of the contract and nothing else', () => {
    for (const card of fleet) {
      expect(Object.keys(card).sort()).toEqual(CARD_FIELDS);
      expect(card.iccid).toMatch(/^89[0-9A-Za-z]{17,18}$/);
      expect(['cmcc', 'cucc', 'ctcc']).toContain(card.carrier);
      expect([0, 1]).toContain(card.realNameStatus);
      expect(Array.isArray(card.tags)).toBe(true);
      expect(card.usedMB).toBeGreaterThanOrEqual(0);
      expect(Number.isNaN(Date.parse(card.updatedAt))).toBe(false);
    }
  });

  test('statusText is the carrier’s own words for every card', () => {
    for (const card of fleet) expect(card.statusText).toBe(CARRIER_STATUS[card.carrier][card.status].text);
    const text = (carrier: string, status: number) =>
      fleet.find((card) => card.carrier === carrier && card.status === status)?.statusText;
    expect(text('cmcc', 0)).toBe('正常');
    expect(text('cmcc', 7)).toBe('待激活');
    expect(text('cucc', 1)).toBe('已激活');
    expect(text('cucc', 2)).toBe('已停用');
    expect(text('ctcc', 1)).toBe('在用');
    expect(text('ctcc', 150001)).toBe('未实名制违规停机');
    expect(text('ctcc', -1)).toBe('未知');
  });

  const filtered = (query: Record<string, string>) => listAll(c, BASE, query);

  test.each(['cmcc', 'cucc', 'ctcc'])('carrier=%s returns exactly that carrier’s cards', async (carrier) => {
    const got = await filtered({ carrier });
    const want = fleet.filter((card) => card.carrier === carrier);
    expect(want.length).toBeGreaterThan(0);
    expect(iccids(got)).toEqual(iccids(want));
  });

  test.each(['xx', 'CMCC', 'mobile'])('carrier=%s → 422', async (carrier) => {
    failed(await c.api('GET', `${BASE}?carrier=${carrier}`), 422);
  });

  test.each([0, 1, 2, 7, -1, 150001])('status=%d returns exactly the cards with that code', async (status) => {
    const got = await filtered({ status: String(status) });
    const want = fleet.filter((card) => card.status === status);
    expect(want.length).toBeGreaterThan(0);
    expect(iccids(got)).toEqual(iccids(want));
  });

  test.each(['status=abc', 'categoryId=x', 'typeId=1.5'])('%s → 422', async (query) => {
    failed(await c.api('GET', `${BASE}?${query}`), 422);
  });

  test.each(['冷链', '干线', '新能源'])('tag=%s returns exactly the cards with that tag', async (tag) => {
    const got = await filtered({ tag });
    const want = fleet.filter((card) => card.tags.includes(tag));
    expect(want.length).toBeGreaterThan(0);
    expect(iccids(got)).toEqual(iccids(want));
  });

  test('an unknown tag matches nothing', async () => {
    expect(ok<Page<Card>>(await c.api('GET', `${BASE}?tag=${encodeURIComponent('无此标签')}`))).toEqual({
      total: 0,
      items: [],
    });
  });

  test.each([1, 2, 3])('categoryId / typeId = %d each return exactly their cards', async (id) => {
    const byCategory = await filtered({ categoryId: String(id) });
    const byType = await filtered({ typeId: String(id) });
    const wantCategory = fleet.filter((card) => card.categoryId === id);
    const wantType = fleet.filter((card) => card.typeId === id);
    expect(wantCategory.length).toBeGreaterThan(0);
    expect(wantType.length).toBeGreaterThan(0);
    expect(iccids(byCategory)).toEqual(iccids(wantCategory));
    expect(iccids(byType)).toEqual(iccids(wantType));
  });

  test('filters combine', async () => {
    const got = await filtered({ carrier: 'ctcc', status: '1', tag: '冷链' });
    const want = fleet.filter((card) => card.carrier === 'ctcc' && card.status === 1 && card.tags.includes('冷链'));
    expect(want.length).toBeGreaterThan(0);
    expect(iccids(got)).toEqual(iccids(want));
  });

  describe('keyword', () => {
    const matches = (card: Card, keyword: string) =>
      [card.iccid, card.msisdn, card.remark].some((field) => field.toLowerCase().includes(keyword.toLowerCase()));

    test('matches a whole ICCID, and part of one', async () => {
      const card = fleet[17];
      expect(iccids(await filtered({ keyword: card.iccid }))).toEqual([card.iccid]);
      const part = card.iccid.slice(-7);
      const got = await filtered({ keyword: part });
      expect(iccids(got)).toEqual(iccids(fleet.filter((other) => matches(other, part))));
      expect(iccids(got)).toContain(card.iccid);
    });

    test('matches a Unicom ICCID with a letter whatever the case', async () => {
      const card = fleet.find((other) => /[A-Z]/.test(other.iccid)) as Card;
      expect(card).toBeDefined();
      expect(iccids(await filtered({ keyword: card.iccid.toLowerCase() }))).toEqual([card.iccid]);
    });

    test('matches a MSISDN', async () => {
      const card = fleet[42];
      const got = await filtered({ keyword: card.msisdn });
      expect(iccids(got)).toEqual(iccids(fleet.filter((other) => matches(other, card.msisdn))));
      expect(iccids(got)).toContain(card.iccid);
    });

    test('does not match other fields (every card’s package name says 物联网)', async () => {
      expect(fleet.every((card) => card.packageName.includes('物联网'))).toBe(true);
      expect(await filtered({ keyword: '物联网' })).toEqual([]);
    });

    test('matches a remark, and nothing else carries it', async () => {
      const [a, b] = [fleet[5], fleet[150]];
      for (const card of [a, b])
        ok(await c.api('PUT', `${BASE}/${card.iccid}`, { remark: `冷库三号车 ${card.iccid.slice(-4)}` }));
      expect(iccids(await filtered({ keyword: '冷库三号' }))).toEqual(iccids([a, b]));
      expect(iccids(await filtered({ keyword: '冷库三号', carrier: a.carrier }))).toEqual([a.iccid]);
      for (const card of [a, b]) ok(await c.api('PUT', `${BASE}/${card.iccid}`, { remark: '' }));
      expect(await filtered({ keyword: '冷库三号' })).toEqual([]);
    });
  });
});

describe('detail', () => {
  test('is the card as the list shows it', async () => {
    for (const card of [fleet[0], fleet[99], fleet[199]]) expect(await detail(card.iccid)).toEqual(card);
  });

  test.each(['89860000000000000000', 'nope', '8986%2F..%2F'])('unknown ICCID %s → 404', async (iccid) => {
    failed(await c.api('GET', `${BASE}/${iccid}`), 404);
  });
});

describe('update', () => {
  test('remark, tags, categoryId and typeId persist; nothing else changes', async () => {
    const before = fleet[30];
    const set = { remark: '粤B12345 冷链车', tags: ['冷链', '备用'], categoryId: 3, typeId: 2 };
    const answered = ok<Card>(await c.api('PUT', `${BASE}/${before.iccid}`, set));
    expect(answered).toEqual({ ...before, ...set });
    expect(await detail(before.iccid)).toEqual({ ...before, ...set });
  });

  test('one field at a time leaves the others alone', async () => {
    const before = await detail(fleet[31].iccid);
    ok(await c.api('PUT', `${BASE}/${before.iccid}`, { remark: '只改备注' }));
    expect(await detail(before.iccid)).toEqual({ ...before, remark: '只改备注' });
    ok(await c.api('PUT', `${BASE}/${before.iccid}`, { typeId: 3 }));
    expect(await detail(before.iccid)).toEqual({ ...before, remark: '只改备注', typeId: 3 });
  });

  test.each<[string, unknown]>([
    ['remark not a string', { remark: 5 }],
    ['tags not an array', { tags: '冷链' }],
    ['tags with a number', { tags: ['冷链', 1] }],
    ['categoryId a string', { categoryId: '2' }],
    ['categoryId fractional', { categoryId: 1.5 }],
    ['typeId a boolean', { typeId: true }],
    ['an unknown field', { remark: 'x', color: 'red' }],
    ['an unknown categoryId', { categoryId: 99 }],
    ['an unknown typeId', { typeId: 0 }],
    ['an empty object', {}],
    ['an array', [{ remark: 'x' }]],
    ['a string', 'remark'],
  ])('%s → 422, card unchanged', async (_why, body) => {
    const before = await detail(fleet[32].iccid);
    failed(await c.api('PUT', `${BASE}/${before.iccid}`, body), 422);
    expect(await detail(before.iccid)).toEqual(before);
  });

  test('no body, or a body that is not JSON → 422', async () => {
    const iccid = fleet[32].iccid;
    failed(await c.api('PUT', `${BASE}/${iccid}`), 422);
    failed(await c.api('PUT', `${BASE}/${iccid}`, undefined, { 'content-type': 'application/json' }), 422);
  });

  test('of an unknown ICCID → 404', async () => {
    failed(await c.api('PUT', `${BASE}/89860000000000000000`, { remark: 'x' }), 404);
  });
});

describe('data', () => {
  test('remainingMB is total − used, with the usage timestamps', async () => {
    const card = fleet.find((other, i) => i >= 50 && other.carrier === 'cmcc' && other.status === 0) as Card;
    expect((await c.sim('POST', '/cards', { iccid: card.iccid, totalMB: 1024, usedMB: 300.25 })).status).toBe(200);
    const data = ok<Record<string, unknown>>(await c.api('GET', `${BASE}/${card.iccid}/data`));
    expect(data).toEqual({
      usedMB: 300.25,
      totalMB: 1024,
      remainingMB: 723.75,
      periodStart: card.periodStart,
      periodEnd: card.periodEnd,
      updatedAt: card.updatedAt,
    });
  });

  test('agrees with every seeded card', async () => {
    for (const card of fleet.slice(100, 140)) {
      const data = ok<{ usedMB: number; totalMB: number; remainingMB: number }>(
        await c.api('GET', `${BASE}/${encodeURIComponent(card.iccid)}/data`),
      );
      expect(data.usedMB).toBe(card.usedMB);
      expect(data.totalMB).toBe(card.totalMB);
      expect(data.remainingMB).toBeCloseTo(card.totalMB - card.usedMB, 2);
    }
  });

  test('of an unknown ICCID → 404', async () => {
    failed(await c.api('GET', `${BASE}/89860000000000000000/data`), 404);
  });
});

describe('status', () => {
  test.each<[string, number, string]>([
    ['cmcc', 0, '正常'],
    ['cucc', 2, '已停用'],
    ['ctcc', 150001, '未实名制违规停机'],
  ])('a %s card with %d reads 「%s」', async (carrier, code, text) => {
    const card = fleet.find((other) => other.carrier === carrier && other.status === code) as Card;
    const status = ok<Record<string, unknown>>(await c.api('GET', `${BASE}/${card.iccid}/status`));
    expect(status).toMatchObject({ carrier, status: code, statusText: text });
    expect(Number.isNaN(Date.parse(status.updatedAt as string))).toBe(false);
  });

  test('of an unknown ICCID → 404', async () => {
    failed(await c.api('GET', `${BASE}/89860000000000000000/status`), 404);
  });
});

describe('types, categories, tags', () => {
  test.each([
    ['types', 'typeId'],
    ['categories', 'categoryId'],
  ] as const)('%s name every %s the cards use', async (path, field) => {
    const list = ok<Array<{ id: number; name: string }>>(await c.api('GET', `${BASE}/${path}`));
    expect(list.length).toBeGreaterThan(0);
    for (const entry of list) expect(entry).toEqual({ id: expect.any(Number), name: expect.any(String) });
    const ids = new Set(list.map((entry) => entry.id));
    for (const card of fleet) expect(ids).toContain(card[field]);
  });

  test('tag counts match the cards, and follow an update', async () => {
    const current = await listAll(c, BASE);
    const counted = ok<Array<{ name: string; count: number }>>(await c.api('GET', `${BASE}/tags`));
    const want = new Map<string, number>();
    for (const card of current) for (const tag of card.tags) want.set(tag, (want.get(tag) ?? 0) + 1);
    for (const [tag, count] of want) expect(counted).toContainEqual({ name: tag, count });
    for (const entry of counted) expect(entry.count).toBe(want.get(entry.name) ?? 0);

    const card = current[60];
    ok(await c.api('PUT', `${BASE}/${card.iccid}`, { tags: ['夜班'] }));
    const after = ok<Array<{ name: string; count: number }>>(await c.api('GET', `${BASE}/tags`));
    expect(after).toContainEqual({ name: '夜班', count: 1 });
    for (const tag of card.tags) expect(after).toContainEqual({ name: tag, count: (want.get(tag) ?? 0) - 1 });
  });
});

describe('location', () => {
  test('every activated card has a WGS-84 fix inside China; a never-activated one → 404', async () => {
    let located = 0;
    for (const card of fleet) {
      const reply = await c.api('GET', `${BASE}/${encodeURIComponent(card.iccid)}/location`);
      if (card.activatedAt === null) {
        failed(reply, 404);
        continue;
      }
      const fix = ok<{ lng: number; lat: number; radius: number; coordType: string; locatedAt: string }>(reply);
      expect(Object.keys(fix).sort()).toEqual(['coordType', 'lat', 'lng', 'locatedAt', 'radius']);
      expect(fix.coordType).toBe('wgs84');
      expect(fix.lng).toBeGreaterThanOrEqual(73.5);
      expect(fix.lng).toBeLessThanOrEqual(135.1);
      expect(fix.lat).toBeGreaterThanOrEqual(3.8);
      expect(fix.lat).toBeLessThanOrEqual(53.6);
      expect(fix.radius).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(fix.locatedAt))).toBe(false);
      located += 1;
    }
    expect(located).toBeGreaterThan(100);
  });

  test('a cmcc card waiting for activation (7 待激活) → 404', async () => {
    const card = fleet.find((other) => other.carrier === 'cmcc' && other.status === 7) as Card;
    expect(card.activatedAt).toBeNull();
    failed(await c.api('GET', `${BASE}/${card.iccid}/location`), 404);
  });

  test('of an unknown ICCID → 404', async () => {
    failed(await c.api('GET', `${BASE}/89860000000000000000/location`), 404);
  });
});
