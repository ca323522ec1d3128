// cards.update (remark, tags, the card's vehicle) and cards.lookup (scanned text → a card of this fleet)
// through the host.
import { DEV_PLATE, vehicleId } from '../../dev/seed';
import {
  DRIVER,
  MANAGER,
  STAFF,
  STRANGER,
  emulatorCards,
  indexDoc,
  pickCards,
  takeCard,
  vehicle,
} from '../helpers/cards';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
const taken = new Set<string>();

beforeAll(async () => {
  stack = await startTestStack();
  const vehicles = await stack.deps.store.find<any>('vehicles', {}, { take: 100 });
  for (const iccid of vehicles.flatMap((v) => v.iccids)) taken.add(iccid);
});
afterAll(() => stack.stop());

const call = (openid: string, action: string, body: Record<string, unknown> = {}) =>
  stack.fn('cards', openid, { action, ...body });
const lookup = (openid: string, code: unknown) => call(openid, 'lookup', { code });

describe('update', () => {
  test('a manager sets remark and tags: on the platform, in the index, in the audit trail', async () => {
    const card = takeCard(stack, taken, (c) => c.status === 0);
    const reply = await call(MANAGER, 'update', { iccid: card.iccid, remark: '冷藏车备用卡', tags: ['冷链', '备用'] });
    expect(reply.data).toEqual(
      expect.objectContaining({ iccid: card.iccid, remark: '冷藏车备用卡', tags: ['冷链', '备用'], stopReason: null }),
    );
    expect(stack.emulator.platform.cards.get(card.iccid)).toEqual(
      expect.objectContaining({ remark: '冷藏车备用卡', tags: ['冷链', '备用'] }),
    );
    expect(await indexDoc(stack, card.iccid)).toEqual(expect.objectContaining({ remark: '冷藏车备用卡' }));
    const audit = await stack.deps.store.find<any>('audit', { action: 'card.update', target: card.iccid });
    expect(audit).toEqual([
      expect.objectContaining({
        actor: MANAGER,
        outcome: 'ok',
        detail: { remark: '冷藏车备用卡', tags: ['冷链', '备用'] },
      }),
    ]);
  });

  test('vehicleId moves a card from one vehicle to another, and null takes it off every vehicle', async () => {
    const from = await vehicle(stack, '粤B67890');
    const iccid = from.iccids[0];
    const moved = await call(MANAGER, 'update', { iccid, vehicleId: vehicleId(DEV_PLATE) });
    expect(moved.data).toEqual(expect.objectContaining({ plate: DEV_PLATE, driverNames: ['李师傅'] }));
    expect((await vehicle(stack, '粤B67890')).iccids).not.toContain(iccid);
    expect((await vehicle(stack, DEV_PLATE)).iccids).toContain(iccid);
    // The driver of the vehicle now sees the card.
    expect((await call(DRIVER, 'detail', { iccid })).data.iccid).toBe(iccid);
    const audit = await stack.deps.store.find<any>('audit', { action: 'card.update', target: iccid });
    expect(audit.map((e) => e.detail.vehicle)).toEqual([{ from: from._id, to: vehicleId(DEV_PLATE) }]);

    const off = await call(MANAGER, 'update', { iccid, vehicleId: null });
    expect(off.data).toEqual(expect.objectContaining({ plate: null, vehicleId: null }));
    expect((await vehicle(stack, DEV_PLATE)).iccids).not.toContain(iccid);
    expect((await call(DRIVER, 'detail', { iccid })).error.code).toBe('FORBIDDEN');
    const both = await stack.deps.store.find<any>('audit', { action: 'card.update', target: iccid });
    expect(both.map((e) => e.detail.vehicle.to)).toEqual(expect.arrayContaining([null, vehicleId(DEV_PLATE)]));
  });

  test('an unknown vehicle or card is NOT_FOUND and changes nothing', async () => {
    const { own } = await pickCards(stack);
    const noVehicle = await call(MANAGER, 'update', { iccid: own[0], vehicleId: 'veh-none' });
    expect(noVehicle.error).toEqual({ code: 'NOT_FOUND', message: expect.stringMatching(/车辆不存在/) });
    expect((await vehicle(stack)).iccids).toEqual(own);
    const noCard = await call(MANAGER, 'update', { iccid: '89860000000000000000', remark: '不存在的卡' });
    expect(noCard.error.code).toBe('NOT_FOUND');
  });

  test('only a manager may update; an update must change something and stay within limits', async () => {
    const { own } = await pickCards(stack);
    for (const who of [DRIVER, STAFF, STRANGER]) {
      expect((await call(who, 'update', { iccid: own[0], remark: '改一下' })).error.code).toBe('FORBIDDEN');
    }
    const bad: Array<Record<string, unknown>> = [
      {},
      { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) },
      { tags: ['x'.repeat(21)] },
      { tags: [''] },
      { tags: 'a,b' },
      { remark: 'x'.repeat(201) },
      { vehicleId: 123 },
      { vehicleId: '' },
      { plate: DEV_PLATE },
    ];
    for (const body of bad) {
      const reply = await call(MANAGER, 'update', { iccid: own[0], ...body });
      expect(reply.error.code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('lookup', () => {
  test('a raw ICCID, with the spaces a label prints, finds the card', async () => {
    const card = takeCard(stack, taken, (c) => /^\d+$/.test(c.iccid));
    for (const code of [card.iccid, ` ${card.iccid.replace(/(\d{4})/g, '$1 ')} `]) {
      const reply = await lookup(STAFF, code);
      expect(reply.data).toEqual({ iccid: card.iccid, card: expect.objectContaining({ iccid: card.iccid }) });
    }
  });

  test('an ICCID with a letter, scanned in lower case, finds the card', async () => {
    const card = takeCard(stack, taken, (c) => /[A-Z]/.test(c.iccid));
    expect((await lookup(MANAGER, card.iccid.toLowerCase())).data.iccid).toBe(card.iccid);
  });

  test('a QR payload as a URL or as JSON carries the ICCID', async () => {
    const card = takeCard(stack, taken, () => true);
    const url = `https://fleet.example.com/card?iccid=${card.iccid}&t=1700000000000`;
    const json = JSON.stringify({ type: 'simcard', iccid: card.iccid, batch: 12 });
    const encoded = `https://fleet.example.com/scan?d=${encodeURIComponent(json)}`;
    for (const code of [url, json, encoded]) expect((await lookup(STAFF, code)).data.iccid).toBe(card.iccid);
  });

  test('an MSISDN finds its card', async () => {
    const card = takeCard(stack, taken, (c) => c.msisdn.length >= 11);
    const reply = await lookup(MANAGER, card.msisdn);
    expect(reply.data).toEqual({ iccid: card.iccid, card: expect.objectContaining({ msisdn: card.msisdn }) });
  });

  test('garbage, an unknown card and a truncated ICCID are NOT_FOUND with a sentence', async () => {
    const digits = emulatorCards(stack).find((c) => /^\d{20}$/.test(c.iccid))!;
    const cases = ['hello world', '89860000000000000000', digits.iccid.slice(0, 19), '{"a":1}', 'https://example.com/'];
    for (const code of cases) {
      const reply = await lookup(MANAGER, code);
      expect(reply.error.code).toBe('NOT_FOUND');
      expect(reply.error.message).toMatch(/[\u4e00-\u9fff]/);
    }
    expect((await lookup(MANAGER, '89860000000000000000')).error.message).toMatch(/不在本车队/);
    const wrongCheck = digits.iccid.slice(0, 19) + String((Number(digits.iccid[19]) + 1) % 10);
    expect((await lookup(MANAGER, wrongCheck)).error.message).toMatch(/校验位/);
  });

  test('a driver finds their own card; another vehicle’s card is not theirs; a stranger is FORBIDDEN', async () => {
    const { own, others } = await pickCards(stack);
    expect((await lookup(DRIVER, own[1])).data.iccid).toBe(own[1]);
    const other = await lookup(DRIVER, others[0].iccid);
    expect(other.error).toEqual({ code: 'NOT_FOUND', message: expect.stringMatching(/不在你驾驶的车辆/) });
    expect((await lookup(STRANGER, own[1])).error.code).toBe('FORBIDDEN');
  });

  test.each([
    ['empty', ''],
    ['spaces', '   '],
    ['a number', 89860000000000000000],
    ['too long', 'x'.repeat(2049)],
    ['an object', { iccid: '8986' }],
  ])('a code that is %s → INVALID_ARGUMENT', async (_name, code) => {
    expect((await lookup(MANAGER, code)).error.code).toBe('INVALID_ARGUMENT');
  });
});
