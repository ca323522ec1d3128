// Recharging a card through the functions host and the platform emulator: create → pay → notification →
// applied, duplicates, a lost notification recovered by the timer, cancelled, failed and stale orders.
import type { AuditEntry } from '../../cloudfunctions/shared/services/audit';
import type { CardDoc } from '../../cloudfunctions/shared/services/cards';
import { DEV_DRIVER, DEV_MANAGER } from '../../dev/seed';
import {
  PRODUCT,
  auditCount,
  cardInState,
  createOrder,
  deliveries,
  platformCard,
  runReconcile,
  storedOrder,
  vehicleCards,
} from '../helpers/pay';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
let driverCards: string[];

beforeAll(async () => {
  stack = await startTestStack({ env: { PAY_RECONCILE_AFTER_SEC: '0.001' } });
  driverCards = await vehicleCards(stack);
});
afterAll(() => stack.stop());
// Refused duplicate deliveries are logged; the suite keeps its output for failures.
beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
afterEach(async () => {
  jest.restoreAllMocks();
  await stack.sim('POST', '/faults', {});
});

const order = (openid: string, outTradeNo: string) => stack.fn('pay', openid, { action: 'order', outTradeNo });

test('a driver recharges their own card end to end: the notification applies it once, with one audit entry', async () => {
  const iccid = driverCards[0];
  const products = await stack.fn('pay', DEV_DRIVER, { action: 'products', iccid });
  expect(products.ok).toBe(true);
  expect(products.data.card).toEqual(expect.objectContaining({ iccid, plate: '粤B12345' }));
  expect(products.data.categories).toEqual(expect.arrayContaining([{ id: 'monthly', name: '月包' }]));
  const offered = products.data.products.find((p: { id: string }) => p.id === PRODUCT.id);
  expect(offered).toEqual({
    id: PRODUCT.id,
    name: '月包 1GB',
    categoryId: 'monthly',
    dataMB: PRODUCT.dataMB,
    validDays: 30,
    priceFen: PRODUCT.priceFen,
  });

  const before = await platformCard(stack, iccid);
  const { outTradeNo, payParams } = await createOrder(stack, DEV_DRIVER, iccid);
  expect(outTradeNo).toMatch(/^[A-Za-z0-9_-]{6,32}$/);
  expect(Object.keys(payParams).sort()).toEqual(['nonceStr', 'package', 'paySign', 'signType', 'timeStamp']);
  expect(payParams.package).toMatch(/^prepay_id=/);
  expect(await storedOrder(stack, outTradeNo)).toEqual(
    expect.objectContaining({ state: 'created', amountFen: PRODUCT.priceFen, openid: DEV_DRIVER, iccid }),
  );

  await stack.sim('POST', '/pay', { orderNo: outTradeNo, result: 'success' });
  const [delivery] = await deliveries(stack, outTradeNo);
  expect(delivery).toEqual(expect.objectContaining({ status: 200, ok: true }));
  // Acknowledged only once applied: the notification did it, before anyone asked.
  expect(await storedOrder(stack, outTradeNo)).toEqual(
    expect.objectContaining({ state: 'applied', transactionId: expect.any(String), paidAt: expect.any(Number) }),
  );

  const shown = await order(DEV_DRIVER, outTradeNo);
  expect(shown.data).toEqual(
    expect.objectContaining({
      outTradeNo,
      state: 'applied',
      amountFen: PRODUCT.priceFen,
      plate: '粤B12345',
      payerName: '李师傅',
      paidAt: expect.any(String),
    }),
  );
  expect((await platformCard(stack, iccid)).totalMB).toBe(before.totalMB + PRODUCT.dataMB);
  const indexed = await stack.deps.store.get<CardDoc>('cards', iccid);
  expect(indexed?.totalMB).toBe(before.totalMB + PRODUCT.dataMB);
  expect(await auditCount(stack, 'order.paid', outTradeNo)).toBe(1);
  // The payer hears of it once (a subscribe message in the cloud, the outbox here).
  expect(await paidMessages(outTradeNo)).toEqual([
    expect.objectContaining({
      to: DEV_DRIVER,
      template: 'paid',
      page: `pages/pay-result/index?outTradeNo=${outTradeNo}`,
      data: expect.objectContaining({ amount3: { value: '¥10.00' } }),
    }),
  ]);
});

const paidMessages = (outTradeNo: string) =>
  stack.deps.store.find('outbox', { key: `paid:${outTradeNo}` }, { take: 10 });

test('the same notification delivered five times changes nothing more', async () => {
  const iccid = driverCards[1];
  const before = await platformCard(stack, iccid);
  await stack.sim('POST', '/faults', { duplicateNotifications: 5 });
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, iccid);
  await stack.sim('POST', '/pay', { orderNo: outTradeNo, result: 'success' });

  const copies = await deliveries(stack, outTradeNo, 5);
  expect(copies).toHaveLength(5);
  // Every copy is acknowledged (the receiver is idempotent); only one of them moved the order.
  expect(copies.filter((d) => d.ok)).toHaveLength(5);
  expect(await auditCount(stack, 'order.notifyRejected', outTradeNo)).toBe(0);
  expect((await storedOrder(stack, outTradeNo))?.state).toBe('applied');
  expect(await auditCount(stack, 'order.paid', outTradeNo)).toBe(1);
  expect((await platformCard(stack, iccid)).totalMB).toBe(before.totalMB + PRODUCT.dataMB);
  // Asking again, and the timer passing by, add nothing either.
  expect((await order(DEV_DRIVER, outTradeNo)).data.state).toBe('applied');
  await runReconcile(stack);
  expect(await auditCount(stack, 'order.paid', outTradeNo)).toBe(1);
  expect(await paidMessages(outTradeNo)).toHaveLength(1);
});

test('a dropped notification is recovered by reconcileOrders', async () => {
  const iccid = driverCards[2];
  const before = await platformCard(stack, iccid);
  await stack.sim('POST', '/faults', { dropNotifications: true });
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, iccid);
  await stack.sim('POST', '/pay', { orderNo: outTradeNo, result: 'success' });
  const stats = await stack.sim('GET', '/stats');
  expect(stats.notifications.filter((d: { outTradeNo: string }) => d.outTradeNo === outTradeNo)).toEqual([]);
  expect((await storedOrder(stack, outTradeNo))?.state).toBe('created');

  const report = await runReconcile(stack);
  expect(report.moved).toBeGreaterThanOrEqual(1);
  expect(report.errors).toBe(0);
  expect((await storedOrder(stack, outTradeNo))?.state).toBe('applied');
  expect((await platformCard(stack, iccid)).totalMB).toBe(before.totalMB + PRODUCT.dataMB);
  const [entry] = await stack.deps.store.find<AuditEntry>('audit', {
    action: 'order.paid',
    target: outTradeNo,
  });
  expect(entry.detail.via).toBe('query');

  await runReconcile(stack);
  expect(await auditCount(stack, 'order.paid', outTradeNo)).toBe(1);
  expect((await platformCard(stack, iccid)).totalMB).toBe(before.totalMB + PRODUCT.dataMB);
});

test('a cancelled payment leaves the order created, and says so; a failed one ends failed', async () => {
  const cancelled = await createOrder(stack, DEV_DRIVER, driverCards[0]);
  await stack.sim('POST', '/pay', { orderNo: cancelled.outTradeNo, result: 'cancel' });
  expect((await order(DEV_DRIVER, cancelled.outTradeNo)).data.state).toBe('created');

  const failed = await createOrder(stack, DEV_DRIVER, driverCards[0]);
  await stack.sim('POST', '/pay', { orderNo: failed.outTradeNo, result: 'fail' });
  expect((await order(DEV_DRIVER, failed.outTradeNo)).data.state).toBe('failed');
  expect(await storedOrder(stack, failed.outTradeNo)).toEqual(expect.objectContaining({ note: expect.any(String) }));
  expect(await auditCount(stack, 'order.paid', failed.outTradeNo)).toBe(0);
});

test('devPay runs the payer side in dev mode: cancel keeps it created, success ends applied once', async () => {
  const iccid = driverCards[1];
  const before = await platformCard(stack, iccid);
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, iccid);
  const cancel = await stack.fn('pay', DEV_DRIVER, { action: 'devPay', outTradeNo, result: 'cancel' });
  expect(cancel.data).toEqual(expect.objectContaining({ outTradeNo, state: 'created' }));

  const paid = await stack.fn('pay', DEV_DRIVER, { action: 'devPay', outTradeNo, result: 'success' });
  expect(paid.ok).toBe(true);
  expect(['paid', 'applied']).toContain(paid.data.state);
  await deliveries(stack, outTradeNo);
  expect((await order(DEV_DRIVER, outTradeNo)).data.state).toBe('applied');
  expect(await auditCount(stack, 'order.paid', outTradeNo)).toBe(1);
  expect((await platformCard(stack, iccid)).totalMB).toBe(before.totalMB + PRODUCT.dataMB);

  const again = await stack.fn('pay', DEV_DRIVER, { action: 'devPay', outTradeNo, result: 'success' });
  expect(again.ok).toBe(false);
  expect(again.error.message).toMatch(/已支付/);
});

test('an order unpaid for more than two hours is closed at the gateway, then here', async () => {
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, driverCards[2]);
  await runReconcile(stack);
  expect((await storedOrder(stack, outTradeNo))?.state).toBe('created');
  const realNow = stack.deps.now;
  stack.deps.now = () => realNow() + 3 * 3_600_000;
  try {
    await runReconcile(stack);
  } finally {
    stack.deps.now = realNow;
  }
  expect((await storedOrder(stack, outTradeNo))?.state).toBe('closed');
  const trade = await stack.deps.platform.call<{ tradeState: string }>('wxpay.queryOrder', {
    params: { outTradeNo },
  });
  expect(trade.tradeState).toBe('CLOSED');
  const late = await stack.sim('POST', '/pay', { orderNo: outTradeNo, result: 'success' });
  expect(late.message).toMatch(/已关闭/);
});

test('a refusal from the gateway fails the order; no answer at all leaves it for the timer', async () => {
  const iccid = driverCards[0];
  const latest = async () => (await stack.fn('pay', DEV_DRIVER, { action: 'orders', skip: 0, take: 1 })).data.items[0];

  await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 422, pathPattern: '^/paymentservice/payments$' });
  const refused = await stack.fn('pay', DEV_DRIVER, { action: 'create', iccid, productId: PRODUCT.id });
  expect(refused.ok).toBe(false);
  expect(refused.error.message).toMatch(/下单失败/);
  expect((await latest()).state).toBe('failed');

  await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 500, pathPattern: '^/paymentservice/payments$' });
  const unanswered = await stack.fn('pay', DEV_DRIVER, { action: 'create', iccid, productId: PRODUCT.id });
  expect(unanswered.error).toEqual({ code: 'PLATFORM_UNAVAILABLE', message: expect.stringMatching(/没有扣款/) });
  const pending = await latest();
  expect(pending.state).toBe('created');
  expect(await storedOrder(stack, pending.outTradeNo)).toEqual(expect.objectContaining({ platformOrderNo: null }));
});

test('a closed (销号) card cannot be recharged, and no order is stored', async () => {
  const iccid = cardInState(stack, 'closed');
  const ordersBefore = await stack.deps.store.count('orders');
  const reply = await stack.fn('pay', DEV_MANAGER, { action: 'create', iccid, productId: PRODUCT.id });
  expect(reply.ok).toBe(false);
  expect(reply.error.message).toMatch(/销号/);
  expect(await stack.deps.store.count('orders')).toBe(ordersBefore);
});
