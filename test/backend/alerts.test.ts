// Alert rules and the low-data alert: at most one message per card, rule and period, however many ticks
// run and however many at once; a new period (after a recharge) may alert again.
import { remainingMB } from '../../cloudfunctions/shared/services/cards';
import { DEV_DRIVER, DEV_MANAGER, DEV_PLATE, DEV_STAFF, vehicleId } from '../../dev/seed';
import { docs, fails, ok, suiteStack } from '../helpers/admin';
import { outboxFor, ownIccids, tickAlerts, useUpTo } from '../helpers/alerts';

const stack = suiteStack();
let own: string[];
beforeAll(async () => {
  own = await ownIccids(stack());
});

const saveAlert = (body: Record<string, unknown>) =>
  ok(stack(), 'admin', DEV_MANAGER, { action: 'saveAlert', ...body });
const tick = () => tickAlerts(stack().deps);

describe('rules', () => {
  test('a rule per card, per vehicle or for the whole fleet; listed, updated and deleted', async () => {
    const perCard = await saveAlert({ iccid: own[0], thresholdMB: 200, notify: [DEV_MANAGER, DEV_DRIVER] });
    expect(perCard).toEqual({
      id: expect.stringMatching(/^alr-/),
      iccid: own[0],
      vehicleId: null,
      thresholdMB: 200,
      thresholdPercent: null,
      notify: [DEV_MANAGER, DEV_DRIVER],
      enabled: true,
    });
    const perVehicle = await saveAlert({ vehicleId: vehicleId(DEV_PLATE), thresholdPercent: 15, notify: [DEV_STAFF] });
    const fleet = await saveAlert({ thresholdPercent: 5, notify: [DEV_MANAGER], enabled: false });
    const listed = await ok<any[]>(stack(), 'admin', DEV_MANAGER, { action: 'alerts' });
    expect(listed.map((r) => r.id)).toEqual(expect.arrayContaining([perCard.id, perVehicle.id, fleet.id]));
    expect(listed.find((r) => r.id === fleet.id)).toEqual(
      expect.objectContaining({ iccid: null, vehicleId: null, enabled: false }),
    );

    const updated = await saveAlert({ id: perCard.id, iccid: own[0], thresholdPercent: 20, notify: [DEV_MANAGER] });
    expect(updated).toEqual(expect.objectContaining({ id: perCard.id, thresholdMB: null, thresholdPercent: 20 }));
    expect((await docs(stack(), 'alerts')).find((r) => r._id === perCard.id).enabled).toBe(true);

    for (const rule of [perCard, perVehicle, fleet]) {
      expect(await ok(stack(), 'admin', DEV_MANAGER, { action: 'deleteAlert', id: rule.id })).toEqual({
        removed: true,
      });
    }
    expect(await ok(stack(), 'admin', DEV_MANAGER, { action: 'deleteAlert', id: perCard.id })).toEqual({
      removed: false,
    });
    const gone = await fails(stack(), 'admin', DEV_MANAGER, {
      action: 'saveAlert',
      id: perCard.id,
      thresholdMB: 1,
      notify: [DEV_MANAGER],
    });
    expect(gone.code).toBe('NOT_FOUND');
  });

  test.each([
    [{ thresholdMB: 100, thresholdPercent: 10 }, '二选一'],
    [{}, '阈值'],
    [{ thresholdMB: 100, iccid: '8986000000000000009', vehicleId: 'veh-x' }, '不要同时'],
    [{ thresholdMB: 100, notify: [DEV_MANAGER, 'o-outsider'] }, '不是车队成员'],
    [{ thresholdMB: 100, vehicleId: 'veh-gone' }, '车辆不存在'],
    [{ thresholdMB: 100, iccid: '8986000000000000009' }, '8986000000000000009'],
  ])('a bad rule %j is refused with a sentence that says why', async (body, words) => {
    const error = await fails(stack(), 'admin', DEV_MANAGER, { action: 'saveAlert', notify: [DEV_MANAGER], ...body });
    expect(error).toEqual({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(words) });
  });
});

describe('low data', () => {
  test('a card at 90% used: one message, whatever the ticks, concurrent or not', async () => {
    const iccid = own[1];
    const rule = await saveAlert({ iccid, thresholdPercent: 10, notify: [DEV_MANAGER] });
    await useUpTo(stack(), iccid, 0.5);
    await tick();
    expect(await outboxFor(stack(), rule.id)).toHaveLength(0);

    const card = await useUpTo(stack(), iccid, 0.9);
    const report = await tick();
    expect(report.sendAlerts).toEqual({ ok: true, result: expect.objectContaining({ lowData: 1 }) });
    const [message] = await outboxFor(stack(), rule.id);
    expect(await outboxFor(stack(), rule.id)).toHaveLength(1);
    expect(message).toEqual(
      expect.objectContaining({
        to: DEV_MANAGER,
        template: 'lowData',
        key: `${rule.id}:${iccid}:${card.periodEnd}`,
        page: `pages/card-detail/index?iccid=${iccid}`,
      }),
    );
    expect(message.data.character_string1.value).toBe(iccid);
    expect(message.data.thing2.value).toBe(DEV_PLATE);
    expect(message.data.thing3.value).toContain(`${remainingMB(card)}MB`);

    await tick();
    await Promise.all([tick(), tick()]);
    expect(await outboxFor(stack(), rule.id)).toHaveLength(1);
  });

  test('a new period after a recharge alerts again, once', async () => {
    const iccid = own[2];
    const rule = await saveAlert({ iccid, thresholdMB: 50, notify: [DEV_MANAGER, DEV_DRIVER] });
    const before = await useUpTo(stack(), iccid, 1);
    await tick();
    expect((await outboxFor(stack(), rule.id)).map((m) => m.to).sort()).toEqual([DEV_DRIVER, DEV_MANAGER].sort());

    // The driver recharges the card, as in the app.
    const offer = await ok(stack(), 'pay', DEV_DRIVER, { action: 'products', iccid });
    const { outTradeNo } = await ok(stack(), 'pay', DEV_DRIVER, {
      action: 'create',
      iccid,
      productId: offer.products[0].id,
    });
    await ok(stack(), 'pay', DEV_DRIVER, { action: 'devPay', outTradeNo, result: 'success' });
    const after = await useUpTo(stack(), iccid, 1);
    expect(after.periodEnd).not.toBe(before.periodEnd);

    await Promise.all([tick(), tick()]);
    const messages = await outboxFor(stack(), rule.id);
    expect(messages).toHaveLength(4);
    expect(messages.filter((m) => m.key === `${rule.id}:${iccid}:${after.periodEnd}`)).toHaveLength(2);
  });

  test('a vehicle rule covers its cards and a fleet rule every indexed card; a disabled rule sends nothing', async () => {
    await useUpTo(stack(), own[0], 0.3);
    const perVehicle = await saveAlert({ vehicleId: vehicleId(DEV_PLATE), thresholdPercent: 10, notify: [DEV_DRIVER] });
    const fleet = await saveAlert({ thresholdPercent: 10, notify: [DEV_STAFF] });
    const off = await saveAlert({ thresholdPercent: 99, notify: [DEV_MANAGER], enabled: false });
    await tick();

    const low = (await docs(stack(), 'cards')).filter(
      (c) => c.state === 'active' && c.totalMB > 0 && ((c.totalMB - c.usedMB) / c.totalMB) * 100 <= 10,
    );
    const ownLow = low.filter((c) => own.includes(c.iccid)).map((c) => c.iccid);
    expect(ownLow).toEqual(expect.arrayContaining([own[1], own[2]]));
    expect((await outboxFor(stack(), perVehicle.id)).map((m) => m.data.character_string1.value).sort()).toEqual(
      ownLow.sort(),
    );
    expect((await outboxFor(stack(), fleet.id)).map((m) => m.data.character_string1.value).sort()).toEqual(
      low.map((c) => c.iccid).sort(),
    );
    expect(await outboxFor(stack(), off.id)).toHaveLength(0);
  });
});
