// Twenty payments at once with every notification fault at the same time: half of them notified five times
// over, half never notified (recovered by the reconciliation timer, which also runs while the notifications
// arrive), and for each order a forged notification and one with the wrong amount posted amid the genuine ones.
// In the end every order is applied exactly once and each card's data grew by exactly one package per order.
// Each fault on its own, one order at a time: pay.test.ts (dropped, duplicated) and pay-notify.test.ts (forged,
// wrong amount, replayed).
import type { OrderDoc } from '../../cloudfunctions/shared/services/orders';
import { DEV_DRIVER, DEV_MANAGER } from '../../dev/seed';
import { pickCards } from '../helpers/cards';
import { sleep } from '../helpers/jobs';
import { until } from '../helpers/notify-receiver';
import {
  PRODUCT,
  auditCount,
  platformCard,
  postNotification,
  runReconcile,
  signed,
  storedOrder,
  vehicleCards,
} from '../helpers/pay';
import { startTestStack, type TestStack } from '../helpers/stack';

jest.setTimeout(120_000);

const ORDERS = 20;
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ env: { PAY_RECONCILE_AFTER_SEC: '0.001' } });
});
afterAll(() => stack.stop());
beforeEach(() => {
  // Refused notifications are logged as warnings, duplicates as info: the suite keeps its output for failures.
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

interface Placed {
  outTradeNo: string;
  iccid: string;
  payer: string;
  notified: boolean;
}

test('20 concurrent payments through dropped, quintupled, forged and wrong-amount notifications: each applied once', async () => {
  // Five cards, four orders each: the driver pays for the three cards of their vehicle, the manager for two more.
  const own = await vehicleCards(stack);
  const others = (await pickCards(stack)).others.slice(0, 2).map((c) => c.iccid);
  const targets = [
    ...own.map((iccid) => ({ iccid, payer: DEV_DRIVER })),
    ...others.map((iccid) => ({ iccid, payer: DEV_MANAGER })),
  ];
  expect(targets).toHaveLength(5);
  const before = new Map(
    await Promise.all(targets.map(async ({ iccid }) => [iccid, (await platformCard(stack, iccid)).totalMB] as const)),
  );

  const created = await Promise.all(
    Array.from({ length: ORDERS }, async (_, i): Promise<Placed> => {
      const { iccid, payer } = targets[i % targets.length];
      const reply = await stack.fn('pay', payer, { action: 'create', iccid, productId: PRODUCT.id });
      if (!reply.ok) throw new Error(`create ${i}: ${JSON.stringify(reply.error)}`);
      return { outTradeNo: reply.data.outTradeNo, iccid, payer, notified: i % 2 === 0 };
    }),
  );
  expect(new Set(created.map((o) => o.outTradeNo)).size).toBe(ORDERS);
  const notified = created.filter((o) => o.notified);
  const dropped = created.filter((o) => !o.notified);

  // The payers pay: the first half's notifications go out five times each, the second half's are lost.
  await stack.sim('POST', '/faults', { duplicateNotifications: 5 });
  const paid = new Map<string, any>();
  await Promise.all(
    notified.map(async (o) =>
      paid.set(o.outTradeNo, await stack.sim('POST', '/pay', { orderNo: o.outTradeNo, result: 'success' })),
    ),
  );
  await stack.sim('POST', '/faults', { dropNotifications: true });

  // Meanwhile: the second half paid, forgeries and wrong amounts for every order, the timer reconciling.
  const forgeries: Array<Promise<number>> = [];
  const forge = (o: Placed) => {
    const p = paid.get(o.outTradeNo);
    const body = {
      orderNo: p.orderNo,
      outTradeNo: o.outTradeNo,
      iccid: o.iccid,
      productId: PRODUCT.id,
      amountFen: PRODUCT.priceFen,
      status: 'SUCCESS',
      paidAt: p.paidAt,
      transactionId: p.transactionId,
    };
    forgeries.push(
      postNotification(stack, signed(body, { secret: 'a-guessed-secret' })).then((r) => r.status),
      postNotification(stack, signed({ ...body, amountFen: 1 })).then((r) => r.status),
    );
  };
  const reconciling = (async () => {
    const reports = [];
    for (let i = 0; i < 3; i++) {
      reports.push(await runReconcile(stack));
      await sleep(20);
    }
    return reports;
  })();
  notified.forEach(forge);
  await Promise.all(
    dropped.map(async (o) => {
      paid.set(o.outTradeNo, await stack.sim('POST', '/pay', { orderNo: o.outTradeNo, result: 'success' }));
      forge(o);
    }),
  );
  const forgedStatuses = await Promise.all(forgeries);
  const reports = await reconciling;

  // Every copy of every notification that was sent has been answered; then the timer picks up the rest.
  const deliveries = await until(
    async () => {
      const sent = (await stack.sim('GET', '/stats')).notifications as Array<{ outTradeNo: string; ok: boolean }>;
      return sent.length >= notified.length * 5 ? sent : null;
    },
    20_000,
    'five deliveries of every notified order',
  );
  for (let round = 0; round < 10 && (await stack.deps.store.count('orders', { state: 'applied' })) < ORDERS; round++) {
    await runReconcile(stack);
  }

  expect(forgedStatuses.filter((s) => s === 401)).toHaveLength(ORDERS);
  expect(forgedStatuses.filter((s) => s === 422)).toHaveLength(ORDERS);
  expect(reports.every((r) => r.errors === 0)).toBe(true);
  for (const o of notified) {
    const mine = deliveries.filter((d) => d.outTradeNo === o.outTradeNo);
    expect([o.outTradeNo, mine.length, mine.every((d) => d.ok)]).toEqual([o.outTradeNo, 5, true]);
  }
  for (const o of dropped) expect(deliveries.filter((d) => d.outTradeNo === o.outTradeNo)).toEqual([]);

  for (const o of created) {
    const order = (await storedOrder(stack, o.outTradeNo)) as OrderDoc;
    const p = paid.get(o.outTradeNo);
    expect(order).toEqual(
      expect.objectContaining({
        state: 'applied',
        amountFen: PRODUCT.priceFen,
        openid: o.payer,
        transactionId: p.transactionId,
        platformOrderNo: p.orderNo,
      }),
    );
    expect([o.outTradeNo, await auditCount(stack, 'order.paid', o.outTradeNo)]).toEqual([o.outTradeNo, 1]);
    expect([o.outTradeNo, await auditCount(stack, 'order.notifyRejected', o.outTradeNo)]).toEqual([o.outTradeNo, 2]);
  }
  // The lost notifications were recovered by asking the gateway, and only so.
  const via = await stack.deps.store.find<any>('audit', { action: 'order.paid' }, { take: 100 });
  for (const o of dropped) expect(via.find((e) => e.target === o.outTradeNo)?.detail.via).toBe('query');
  expect(await stack.deps.store.count('orders')).toBe(ORDERS);

  for (const { iccid } of targets) {
    const ordersOnCard = created.filter((o) => o.iccid === iccid).length;
    expect([iccid, (await platformCard(stack, iccid)).totalMB]).toEqual([
      iccid,
      (before.get(iccid) as number) + ordersOnCard * PRODUCT.dataMB,
    ]);
  }
  // What the payers see agrees.
  const shown = await stack.fn('pay', DEV_DRIVER, { action: 'orders', skip: 0, take: 100 });
  expect(shown.data.items.map((o: { state: string }) => o.state)).toEqual(Array(12).fill('applied'));
});
