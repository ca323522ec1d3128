// Flow-card operations on many cards at once, over real loopback HTTP: batch update, transfers (划卡), imports (导卡).
import { startTestEmulator, type EmulatorClient } from '../helpers/emulator';
import { BASE, failed, listAll, newIccid, ok, type Card, type Page } from './flowcard-helpers';

const start = async (cards?: number) =>
  (await startTestEmulator({ cards, settings: { rateLimitPerSec: 1_000_000 } })).authorize();
const iccids = (cards: Card[]) => cards.map((card) => card.iccid).sort();

describe('batch update', () => {
  let c: EmulatorClient;
  let fleet: Card[];
  beforeAll(async () => {
    c = await start(1100);
    fleet = await listAll(c, BASE);
  });
  afterAll(() => c.emulator.close());

  const patch = (body: unknown) => c.api('PATCH', BASE, body);
  /** The whole fleet must read as it did when the suite began. */
  const unchanged = async () => expect(await listAll(c, BASE)).toEqual(fleet);

  test('sets the fields on up to 1000 cards, and on nothing else', async () => {
    expect(fleet).toHaveLength(1100);
    const chosen = fleet.slice(50, 1050);
    const set = { remark: 'batch-1000', tags: ['干线', '夜班'], categoryId: 2, typeId: 3 };
    expect(ok(await patch({ iccids: chosen.map((card) => card.iccid), set }))).toMatchObject({ updated: 1000 });
    const after = await listAll(c, BASE);
    expect(after).toEqual(fleet.map((card, i) => (i >= 50 && i < 1050 ? { ...card, ...set } : card)));
    expect(ok<Page<Card>>(await c.api('GET', `${BASE}?keyword=batch-1000&take=1`)).total).toBe(1000);
    fleet = after;
  });

  test('a set of one field leaves the others alone', async () => {
    const chosen = [fleet[0], fleet[1099]];
    ok(await patch({ iccids: iccids(chosen), set: { remark: '两张' } }));
    const after = await listAll(c, BASE);
    expect(after).toEqual(fleet.map((card, i) => (i === 0 || i === 1099 ? { ...card, remark: '两张' } : card)));
    fleet = after;
  });

  test('1001 ICCIDs (all real) → 422, nothing changed', async () => {
    const body = failed(
      await patch({ iccids: fleet.slice(0, 1001).map((card) => card.iccid), set: { remark: 'x' } }),
      422,
    );
    expect(body.code).toBe(422);
    await unchanged();
  });

  test('no ICCIDs → 422 with business code 10001', async () => {
    failed(await patch({ iccids: [], set: { remark: 'x' } }), 422, 10001);
    await unchanged();
  });

  test('an unknown ICCID among them → 422 and NOTHING changed', async () => {
    const list = [...fleet.slice(0, 500).map((card) => card.iccid), '89860000000000000000', fleet[600].iccid];
    failed(await patch({ iccids: list, set: { remark: '不该写入', tags: ['冷链'] } }), 422);
    await unchanged();
  });

  test.each<[string, unknown]>([
    ['an unknown categoryId', { categoryId: 42 }],
    ['a wrong type', { remark: ['x'] }],
    ['an unknown field in set', { remark: 'x', vehicle: '粤B1' }],
    ['an empty set', {}],
    ['no set at all', undefined],
  ])('%s → 422 and nothing changed', async (_why, set) => {
    failed(await patch({ iccids: iccids(fleet.slice(0, 10)), set }), 422);
    await unchanged();
  });

  test.each<[string, unknown]>([
    ['iccids not an array', { iccids: '89860000000000000000', set: { remark: 'x' } }],
    ['iccids with a number', { iccids: [1], set: { remark: 'x' } }],
    ['an unknown top-level field', { iccids: [], set: { remark: 'x' }, all: true }],
    ['no body fields', {}],
  ])('%s → 422', async (_why, body) => {
    failed(await patch(body), 422);
    await unchanged();
  });
});

describe('transfers (划卡)', () => {
  let c: EmulatorClient;
  beforeAll(async () => {
    c = await start();
  });
  afterAll(() => c.emulator.close());

  const transfer = (body: unknown) => c.api('POST', `${BASE}/transfers`, body);
  const history = (query = '') => c.api('GET', `${BASE}/transfers${query}`);
  const total = async () => ok<Page<Card>>(await c.api('GET', `${BASE}?take=1`)).total;

  test('an unknown consignee → 422 with 10000 Transfer_ConsigneeIsNotExists; nothing moves', async () => {
    const fleet = await listAll(c, BASE);
    const body = failed(await transfer({ consignee: 'nobody-here', iccids: [fleet[0].iccid] }), 422, 10000);
    expect(body.message).toBe('接收人账户不存在');
    expect(await listAll(c, BASE)).toEqual(fleet);
    expect(ok<Page<unknown>>(await history()).total).toBe(0);
  });

  test('no ICCIDs → 422 with 10001 Transfer_CardIDCanNotBeLessThanOne', async () => {
    const body = failed(await transfer({ consignee: 'partner-001', iccids: [] }), 422, 10001);
    expect(body.message).toBe('卡号不能少于1个');
  });

  test('an unknown ICCID among them → 422 and no card moves', async () => {
    const fleet = await listAll(c, BASE);
    failed(await transfer({ consignee: 'partner-001', iccids: [fleet[1].iccid, '89860000000000000000'] }), 422);
    expect(await listAll(c, BASE)).toEqual(fleet);
    expect(ok<Page<unknown>>(await history()).total).toBe(0);
  });

  test.each<[string, unknown]>([
    ['no consignee', { iccids: ['89860000000000000000'] }],
    ['iccids not an array', { consignee: 'partner-001', iccids: 'x' }],
    ['an unknown field', { consignee: 'partner-001', iccids: [], note: 'x' }],
  ])('%s → 422', async (_why, body) => {
    failed(await transfer(body), 422);
  });

  test('success removes the cards (then 404) and records the transfer, newest first and paged', async () => {
    const fleet = await listAll(c, BASE);
    const before = await total();
    const batches: Array<{ consignee: string; cards: string[] }> = [
      { consignee: 'partner-001', cards: [fleet[2].iccid, fleet[3].iccid] },
      { consignee: 'partner-002', cards: [fleet[4].iccid] },
      { consignee: '13800138000', cards: [fleet[5].iccid, fleet[6].iccid, fleet[7].iccid] },
    ];
    for (const batch of batches) {
      const data = ok<{ count: number }>(await transfer({ consignee: batch.consignee, iccids: batch.cards }));
      expect(data.count).toBe(batch.cards.length);
    }
    const moved = batches.flatMap((batch) => batch.cards);
    for (const iccid of moved) {
      failed(await c.api('GET', `${BASE}/${iccid}`), 404);
      failed(await c.api('GET', `${BASE}/${iccid}/status`), 404);
    }
    expect(await total()).toBe(before - moved.length);
    const remaining = iccids(await listAll(c, BASE));
    for (const iccid of moved) expect(remaining).not.toContain(iccid);

    const records = await listAll<{ id: string; consignee: string; iccids: string[]; createdAt: string }>(
      c,
      `${BASE}/transfers`,
    );
    expect(records.map((r) => ({ consignee: r.consignee, iccids: [...r.iccids].sort() }))).toEqual(
      [...batches].reverse().map((b) => ({ consignee: b.consignee, iccids: [...b.cards].sort() })),
    );
    for (const record of records) expect(Number.isNaN(Date.parse(record.createdAt))).toBe(false);
    expect(new Set(records.map((r) => r.id)).size).toBe(3);
    const second = ok<Page<{ consignee: string }>>(await history('?skip=1&take=1'));
    expect(second.total).toBe(3);
    expect(second.items.map((r) => r.consignee)).toEqual(['partner-002']);
    failed(await history('?take=101'), 422);

    // A card already transferred away cannot be transferred again.
    failed(await transfer({ consignee: 'partner-001', iccids: [fleet[2].iccid] }), 422);
    expect(ok<Page<unknown>>(await history()).total).toBe(3);
  });
});

describe('imports (导卡)', () => {
  let c: EmulatorClient;
  beforeAll(async () => {
    c = await start();
  });
  afterAll(() => c.emulator.close());

  const importCards = (cards: unknown) => c.api('POST', `${BASE}/imports`, { cards });
  const total = async () => ok<Page<Card>>(await c.api('GET', `${BASE}?take=1`)).total;
  const detail = async (iccid: string) => ok<Card>(await c.api('GET', `${BASE}/${iccid}`));

  test('new cards appear waiting for activation, carrier inferred from the ICCID prefix', async () => {
    const before = await total();
    const cmcc = newIccid('898600', 1);
    const cucc = newIccid('898606', 2);
    const ctcc = newIccid('898611', 3);
    const unicomWithLetter = '8986011234B56789012';
    const data = ok<{ imported: number; skipped: unknown[] }>(
      await importCards([
        { iccid: cmcc, msisdn: '14400000001' },
        { iccid: cucc },
        { iccid: ctcc },
        { iccid: unicomWithLetter },
      ]),
    );
    expect(data).toMatchObject({ imported: 4, skipped: [] });
    expect(await total()).toBe(before + 4);
    expect(await detail(cmcc)).toMatchObject({
      carrier: 'cmcc',
      status: 7,
      statusText: '待激活',
      msisdn: '14400000001',
    });
    expect(await detail(cucc)).toMatchObject({ carrier: 'cucc', status: 6, statusText: '可激活' });
    expect(await detail(ctcc)).toMatchObject({ carrier: 'ctcc', status: 19, statusText: '活卡待激活' });
    expect(await detail(unicomWithLetter)).toMatchObject({ carrier: 'cucc', status: 6 });
    for (const iccid of [cmcc, cucc, ctcc]) {
      const card = await detail(iccid);
      expect(card).toMatchObject({ realNameStatus: 0, activatedAt: null, usedMB: 0 });
      failed(await c.api('GET', `${BASE}/${iccid}/location`), 404);
      failed(await c.api('POST', `${BASE}/${iccid}/network`, { action: 'stop' }), 422);
    }
    expect(iccids(await listAll(c, BASE, { keyword: cmcc }))).toEqual([cmcc]);
  });

  test('a given carrier is kept', async () => {
    const iccid = newIccid('898699', 4);
    ok(await importCards([{ iccid, carrier: 'ctcc' }]));
    expect(await detail(iccid)).toMatchObject({ carrier: 'ctcc', status: 19 });
  });

  test('duplicates (already on the platform, or twice in one import) are reported as skipped', async () => {
    const existing = (await listAll(c, BASE))[10].iccid;
    const fresh = newIccid('898602', 5);
    const before = await total();
    const data = ok<{ total: number; imported: number; skipped: Array<{ iccid: string }> }>(
      await importCards([{ iccid: existing }, { iccid: fresh }, { iccid: fresh }]),
    );
    expect(data).toMatchObject({ total: 3, imported: 1 });
    expect(data.skipped.map((s) => s.iccid).sort()).toEqual([existing, fresh].sort());
    expect(await total()).toBe(before + 1);
  });

  test.each<[string, unknown[]]>([
    ['an ICCID too short', [{ iccid: '898600123456789012' }]],
    ['an ICCID too long', [{ iccid: '898600123456789012345' }]],
    ['an ICCID not starting 89', [{ iccid: '8886001234567890123' }]],
    ['an ICCID with a dash', [{ iccid: '89860012345678-0123' }]],
    ['an unknown prefix and no carrier', [{ iccid: newIccid('898698', 6) }]],
    ['an unknown carrier', [{ iccid: newIccid('898600', 7), carrier: 'cmcx' }]],
    ['a bad msisdn', [{ iccid: newIccid('898600', 8), msisdn: '1440abc' }]],
    ['an unknown field', [{ iccid: newIccid('898600', 9), imei: '1' }]],
    ['a card that is not an object', [newIccid('898600', 10)]],
  ])('%s → 422, the good cards beside it are not imported either', async (_why, bad) => {
    const good = newIccid('898604', 100);
    const before = await total();
    failed(await importCards([{ iccid: good }, ...bad]), 422);
    failed(await importCards(bad), 422);
    expect(await total()).toBe(before);
    failed(await c.api('GET', `${BASE}/${good}`), 404);
  });

  test.each<[string, unknown]>([
    ['an empty list', []],
    ['cards not a list', { iccid: newIccid('898600', 11) }],
    ['no cards field', undefined],
  ])('%s → 422', async (_why, cards) => {
    const before = await total();
    failed(await importCards(cards), 422);
    expect(await total()).toBe(before);
  });

  test('more than 1000 cards → 422; exactly 1000 are taken', async () => {
    const cards = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => ({ iccid: newIccid('898607', from + i) }));
    const before = await total();
    failed(await importCards(cards(1001, 10_000)), 422);
    expect(await total()).toBe(before);
    expect(ok(await importCards(cards(1000, 20_000)))).toMatchObject({ imported: 1000, skipped: [] });
    expect(await total()).toBe(before + 1000);
  });

  test('import history lists every import, newest first, paged', async () => {
    const records = await listAll<{ id: string; total: number; imported: number; createdAt: string }>(
      c,
      `${BASE}/imports`,
    );
    // The successful imports of this suite, newest first.
    expect(records.map((r) => [r.total, r.imported])).toEqual([
      [1000, 1000],
      [3, 1],
      [1, 1],
      [4, 4],
    ]);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    const page = ok<Page<{ total: number }>>(await c.api('GET', `${BASE}/imports?skip=1&take=2`));
    expect(page).toMatchObject({ total: 4 });
    expect(page.items.map((r) => r.total)).toEqual([3, 1]);
    failed(await c.api('GET', `${BASE}/imports?skip=-1`), 422);
  });
});
