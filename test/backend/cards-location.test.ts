// cards.location and cards.locations through the host: GCJ-02 for a WeChat map, with radius and time;
// the whole fleet for managers and staff within a bounded number of platform calls; a driver's own cards.
import { wgs84ToGcj02 } from '../../cloudfunctions/shared/services/geo';
import { syncCards } from '../../cloudfunctions/shared/services/card-sync';
import { DEV_PLATE, vehicleId } from '../../dev/seed';
import { DRIVER, MANAGER, STAFF, STRANGER, emulatorCards, opCount, pickCards, stateOf } from '../helpers/cards';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const call = (openid: string, action: string, body: Record<string, unknown> = {}) =>
  stack.fn('cards', openid, { action, ...body });
const LOCATED = ['active', 'suspended', 'arrears'];

/** Great-circle distance in metres. */
function metres(a: { lng: number; lat: number }, b: { lng: number; lat: number }): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const h =
    Math.sin(rad(b.lat - a.lat) / 2) ** 2 +
    Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lng - a.lng) / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

describe('location', () => {
  test('a driver’s card is placed in GCJ-02, a few hundred metres from the carrier’s WGS-84 fix', async () => {
    const { own } = await pickCards(stack);
    const wgs = stack.emulator.platform.cards.get(own[0])!.location!;
    const reply = await call(DRIVER, 'location', { iccid: own[0] });
    expect(reply.data).toEqual({
      iccid: own[0],
      ...wgs84ToGcj02(wgs.lng, wgs.lat),
      radius: wgs.radius,
      locatedAt: wgs.locatedAt,
      coordType: 'gcj02',
      plate: DEV_PLATE,
      state: 'active',
    });
    const offset = metres(wgs, reply.data);
    expect(offset).toBeGreaterThan(100);
    expect(offset).toBeLessThan(1000);
  });

  test('staff and managers locate any card; a driver not another vehicle’s; a stranger nothing', async () => {
    const { others } = await pickCards(stack);
    for (const who of [STAFF, MANAGER]) {
      expect((await call(who, 'location', { iccid: others[0].iccid })).data.coordType).toBe('gcj02');
    }
    expect((await call(DRIVER, 'location', { iccid: others[0].iccid })).error.code).toBe('FORBIDDEN');
    expect((await call(STRANGER, 'location', { iccid: others[0].iccid })).error.code).toBe('FORBIDDEN');
  });

  test('a card that never went online has no location: NOT_FOUND with a sentence', async () => {
    const card = emulatorCards(stack).find((c) => c.location === null)!;
    const reply = await call(STAFF, 'location', { iccid: card.iccid });
    expect(reply.error).toEqual({ code: 'NOT_FOUND', message: expect.stringMatching(/没有定位信息/) });
  });
});

describe('locations', () => {
  test('staff get every card in service that has a location, one platform call per card', async () => {
    const candidates = emulatorCards(stack).filter((c) => LOCATED.includes(stateOf(c)));
    const located = candidates.filter((c) => c.location);
    const before = await opCount(stack, 'flowcard.location');
    const reply = await call(STAFF, 'locations');
    expect(await opCount(stack, 'flowcard.location')).toBe(before + candidates.length);
    expect(reply.data.items.map((l: any) => l.iccid).sort()).toEqual(located.map((c) => c.iccid).sort());
    expect(reply.data.missing).toBe(candidates.length - located.length);
    for (const item of reply.data.items) {
      const wgs = stack.emulator.platform.cards.get(item.iccid)!.location!;
      expect(item).toEqual(expect.objectContaining({ coordType: 'gcj02', radius: wgs.radius }));
      expect(item.lng).not.toBe(wgs.lng);
    }
  });

  test('a driver gets their own cards; one without a location counts as missing', async () => {
    const { own } = await pickCards(stack);
    expect((await call(DRIVER, 'locations')).data).toEqual({
      items: [...own].sort().map((iccid) => expect.objectContaining({ iccid, plate: DEV_PLATE })),
      missing: 0,
    });
    const dark = emulatorCards(stack).find((c) => c.location === null)!;
    expect((await call(MANAGER, 'update', { iccid: dark.iccid, vehicleId: vehicleId(DEV_PLATE) })).ok).toBe(true);
    const reply = await call(DRIVER, 'locations');
    expect(reply.data.items).toHaveLength(own.length);
    expect(reply.data.missing).toBe(1);
    expect((await call(STRANGER, 'locations')).error.code).toBe('FORBIDDEN');
    expect((await call(DRIVER, 'locations', { all: true })).error.code).toBe('INVALID_ARGUMENT');
  });

  test('when the platform cannot be reached the answer says so, not an empty map', async () => {
    await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 500, pathPattern: '/location$' });
    try {
      expect((await call(DRIVER, 'locations')).error.code).toBe('PLATFORM_UNAVAILABLE');
    } finally {
      await stack.sim('POST', '/faults', {});
    }
  });

  test('a large fleet is bounded to 200 platform calls per request; the rest count as missing', async () => {
    await stack.sim('POST', '/reset', { cards: 320 });
    await syncCards(stack.deps, { left: () => Number.POSITIVE_INFINITY });
    const candidates = emulatorCards(stack).filter((c) => LOCATED.includes(stateOf(c)));
    expect(candidates.length).toBeGreaterThan(200);
    const before = await opCount(stack, 'flowcard.location');
    const reply = await call(MANAGER, 'locations');
    expect(await opCount(stack, 'flowcard.location')).toBe(before + 200);
    expect(reply.data.items).toHaveLength(200);
    expect(reply.data.items.every((l: any) => l.state === 'active')).toBe(true);
    expect(reply.data.missing).toBe(candidates.length - 200);
  });
});
