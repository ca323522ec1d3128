// The pay function's rules through the host: who may do what, whose orders each sees, totals per day and
// month, 200 orders at once, and bad input answered as INVALID_ARGUMENT, never INTERNAL.
import { pay } from '../../cloudfunctions/shared/functions/pay';
import type { OrderDoc } from '../../cloudfunctions/shared/services/orders';
import { DEV_DRIVER, DEV_MANAGER, DEV_STAFF } from '../../dev/seed';
import { PRODUCT, createOrder, deliveries, vehicleCards } from '../helpers/pay';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
let driverCard: string;
let otherCard: string;

beforeAll(async () => {
  stack = await startTestStack({ env: { PLATFORM_RATE_LIMIT_PER_SEC: '100000' } });
  await stack.sim('POST', '/config', { rateLimitPerSec: 100_000 });
  driverCard = (await vehicleCards(stack))[0];
  otherCard = (await vehicleCards(stack, '粤B67890'))[0];
});
afterAll(() => stack.stop());

const call = (openid: string | undefined, body: Record<string, unknown>) => stack.fn('pay', openid, body);
const errorCode = async (openid: string | undefined, body: Record<string, unknown>) =>
  (await call(openid, body)).error?.code;

describe('who may do what', () => {
  test('field staff and strangers get FORBIDDEN for every action: no orders, no payments', async () => {
    const { outTradeNo } = await createOrder(stack, DEV_DRIVER, driverCard);
    const actions = [
      { action: 'categories' },
      { action: 'products', iccid: driverCard },
      { action: 'create', iccid: driverCard, productId: PRODUCT.id },
      { action: 'order', outTradeNo },
      { action: 'orders', skip: 0, take: 10 },
      { action: 'stats', from: '2024-01-01', to: '2024-01-31' },
      { action: 'devPay', outTradeNo, result: 'success' },
    ];
    for (const openid of [DEV_STAFF, 'a-stranger']) {
      for (const body of actions)
        expect([body.action, await errorCode(openid, body)]).toEqual([body.action, 'FORBIDDEN']);
    }
  });

  test("a driver may not see products for, or recharge, another vehicle's card, nor read totals", async () => {
    expect(await errorCode(DEV_DRIVER, { action: 'products', iccid: otherCard })).toBe('FORBIDDEN');
    const ordersBefore = await stack.deps.store.count('orders');
    const refused = await call(DEV_DRIVER, { action: 'create', iccid: otherCard, productId: PRODUCT.id });
    expect(refused.error).toEqual({ code: 'FORBIDDEN', message: expect.stringMatching(/不属于你驾驶的车辆/) });
    expect(await stack.deps.store.count('orders')).toBe(ordersBefore);
    expect(await errorCode(DEV_DRIVER, { action: 'stats', from: '2024-01-01', to: '2024-01-31' })).toBe('FORBIDDEN');
    expect((await call(DEV_DRIVER, { action: 'categories' })).data).toEqual(
      expect.arrayContaining([{ id: 'booster', name: '加油包' }]),
    );
  });

  test('a manager recharges any card and reads any order; a driver only their own', async () => {
    const managers = await createOrder(stack, DEV_MANAGER, otherCard);
    const drivers = await createOrder(stack, DEV_DRIVER, driverCard);
    expect((await call(DEV_MANAGER, { action: 'order', outTradeNo: drivers.outTradeNo })).data.openid).toBe(DEV_DRIVER);
    const notTheirs = await call(DEV_DRIVER, { action: 'order', outTradeNo: managers.outTradeNo });
    expect(notTheirs.error.code).toBe('FORBIDDEN');
    expect(await errorCode(DEV_DRIVER, { action: 'order', outTradeNo: 'FCNOSUCHORDER1' })).toBe('NOT_FOUND');
    // devPay is the payer's own act, even for a manager.
    const devPay = { action: 'devPay', outTradeNo: drivers.outTradeNo, result: 'cancel' };
    expect(await errorCode(DEV_MANAGER, devPay)).toBe('FORBIDDEN');
    expect((await call(DEV_DRIVER, devPay)).data.state).toBe('created');
  });

  test('devPay is refused outside dev mode', async () => {
    const { outTradeNo } = await createOrder(stack, DEV_DRIVER, driverCard);
    const deps = { ...stack.deps, config: { ...stack.deps.config, devMode: false } };
    const reply = await pay({ action: 'devPay', outTradeNo, result: 'success' }, { openid: DEV_DRIVER }, deps);
    expect(reply).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/开发环境/) } });
    expect((await stack.deps.store.get<OrderDoc>('orders', outTradeNo))?.state).toBe('created');
  });
});

describe('orders', () => {
  test('a manager sees every order, a driver only their own, newest first, with plate and payer', async () => {
    await createOrder(stack, DEV_MANAGER, otherCard);
    await createOrder(stack, DEV_DRIVER, driverCard);
    const all = await call(DEV_MANAGER, { action: 'orders', skip: 0, take: 100 });
    const own = await call(DEV_DRIVER, { action: 'orders', skip: 0, take: 100 });
    expect(all.data.total).toBe(await stack.deps.store.count('orders'));
    expect(own.data.total).toBe(await stack.deps.store.count('orders', { openid: DEV_DRIVER }));
    expect(own.data.total).toBeLessThan(all.data.total);
    expect(own.data.items.every((o: { openid: string }) => o.openid === DEV_DRIVER)).toBe(true);
    expect(all.data.items.some((o: { openid: string }) => o.openid === DEV_MANAGER)).toBe(true);
    const times = all.data.items.map((o: { createdAt: string }) => o.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(own.data.items[0]).toEqual(
      expect.objectContaining({ plate: '粤B12345', payerName: '李师傅', productName: '月包 1GB', amountFen: 1000 }),
    );
    const page = await call(DEV_MANAGER, { action: 'orders', skip: 1, take: 1 });
    expect(page.data.items).toEqual([all.data.items[1]]);
  });
});

describe('stats', () => {
  const doc = (id: string, state: OrderDoc['state'], paidAt: string | null, amountFen: number): OrderDoc => ({
    _id: id,
    outTradeNo: id,
    iccid: driverCard,
    productId: PRODUCT.id,
    productName: '月包 1GB',
    amountFen,
    openid: DEV_DRIVER,
    platformOrderNo: null,
    state,
    createdAt: Date.parse('2024-01-01T00:00:00Z'),
    paidAt: paidAt === null ? null : Date.parse(paidAt),
    appliedAt: null,
    endedAt: null,
    transactionId: null,
    note: null,
    checkedAt: 0,
  });

  test('totals per Shanghai day and month count paid and applied orders only', async () => {
    for (const order of [
      doc('FCSTAT01', 'applied', '2024-01-31T15:59:00Z', 1000), // 2024-01-31 23:59 in Shanghai
      doc('FCSTAT02', 'paid', '2024-01-31T16:30:00Z', 2500), // 2024-02-01 00:30 in Shanghai
      doc('FCSTAT03', 'applied', '2024-02-02T03:00:00Z', 500),
      doc('FCSTAT04', 'closed', '2024-02-01T03:00:00Z', 9900),
      doc('FCSTAT05', 'applied', '2024-02-03T00:00:00Z', 7700), // after the range
    ]) {
      await stack.deps.store.insert('orders', order);
    }
    const stats = await call(DEV_MANAGER, { action: 'stats', from: '2024-01-30', to: '2024-02-02' });
    expect(stats.data).toEqual({
      from: '2024-01-30',
      to: '2024-02-02',
      count: 3,
      totalFen: 4000,
      days: [
        { date: '2024-01-30', count: 0, amountFen: 0 },
        { date: '2024-01-31', count: 1, amountFen: 1000 },
        { date: '2024-02-01', count: 1, amountFen: 2500 },
        { date: '2024-02-02', count: 1, amountFen: 500 },
      ],
      months: [
        { month: '2024-01', count: 1, amountFen: 1000 },
        { month: '2024-02', count: 2, amountFen: 3000 },
      ],
    });
    const leapYear = await call(DEV_MANAGER, { action: 'stats', from: '2024-01-01', to: '2024-12-31' });
    expect(leapYear.data.days).toHaveLength(366);
    expect(leapYear.data.months).toHaveLength(12);
    expect(leapYear.data.count).toBe(4);
  });

  test("today's paid orders are counted once paid", async () => {
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const before = (await call(DEV_MANAGER, { action: 'stats', from: today, to: today })).data;
    const { outTradeNo } = await createOrder(stack, DEV_DRIVER, driverCard);
    await createOrder(stack, DEV_DRIVER, driverCard); // never paid
    await stack.sim('POST', '/pay', { orderNo: outTradeNo, result: 'success' });
    await deliveries(stack, outTradeNo);
    const after = (await call(DEV_MANAGER, { action: 'stats', from: today, to: today })).data;
    expect(after.count).toBe(before.count + 1);
    expect(after.totalFen).toBe(before.totalFen + PRODUCT.priceFen);
    expect(after.days).toEqual([{ date: today, count: after.count, amountFen: after.totalFen }]);
    expect(after.months).toEqual([{ month: today.slice(0, 7), count: after.count, amountFen: after.totalFen }]);
  });
});

test('200 concurrent creates give 200 distinct outTradeNos, each stored and known to the platform', async () => {
  const cards = await vehicleCards(stack);
  const replies = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      call(DEV_DRIVER, { action: 'create', iccid: cards[i % cards.length], productId: PRODUCT.id }),
    ),
  );
  expect(replies.filter((r) => !r.ok)).toEqual([]);
  const numbers = new Set(replies.map((r) => r.data.outTradeNo as string));
  expect(numbers.size).toBe(200);
  for (const no of numbers) {
    expect(no).toMatch(/^[A-Za-z0-9_-]{6,32}$/);
    expect(stack.emulator.platform.orders.has(no)).toBe(true);
  }
  const stored = await stack.deps.store.find<OrderDoc>('orders', { outTradeNo: { in: [...numbers] } }, { take: 1000 });
  expect(stored).toHaveLength(200);
  expect(stored.every((o) => o.state === 'created' && o.platformOrderNo !== null)).toBe(true);
});

describe('bad input is INVALID_ARGUMENT, never INTERNAL', () => {
  const iccid = '89860000000000000001';
  const huge = 'x'.repeat(100_000);
  const BAD: Record<string, Array<Record<string, unknown>>> = {
    categories: [{ extra: 1 }],
    products: [{}, { iccid: 123 }, { iccid: null }, { iccid: huge }, { iccid: 'not-an-iccid' }, { iccid, extra: true }],
    create: [
      {},
      { iccid },
      { productId: PRODUCT.id },
      { iccid, productId: 5 },
      { iccid: [iccid], productId: PRODUCT.id },
      { iccid, productId: huge },
      { iccid, productId: '' },
      { iccid, productId: PRODUCT.id, amountFen: 1 },
      { iccid, productId: PRODUCT.id, openid: DEV_MANAGER },
    ],
    order: [{}, { outTradeNo: 1 }, { outTradeNo: 'abc' }, { outTradeNo: huge }, { outTradeNo: 'has space 12' }],
    orders: [
      {},
      { skip: 0 },
      { skip: -1, take: 10 },
      { skip: 0, take: 0 },
      { skip: 0, take: 101 },
      { skip: 0.5, take: 10 },
      { skip: '0', take: 10 },
      { skip: 0, take: 10, openid: DEV_DRIVER },
    ],
    stats: [
      {},
      { from: '2024-01-01' },
      { from: 20240101, to: '2024-01-02' },
      { from: huge, to: '2024-01-01' },
      { from: '2024-1-1', to: '2024-01-02' },
      { from: '2024-02-30', to: '2024-03-01' },
      { from: '2024-03-01', to: '2024-02-01' },
      { from: '2023-01-01', to: '2024-01-03' },
    ],
    devPay: [
      {},
      { outTradeNo: 'FC12345678' },
      { outTradeNo: 'FC12345678', result: 'steal' },
      { outTradeNo: 'FC12345678', result: 'success', amountFen: 1 },
    ],
  };

  test.each(Object.keys(BAD))('%s', async (action) => {
    for (const body of BAD[action]) {
      const reply = await call(DEV_MANAGER, { action, ...body });
      expect([body, reply.ok, reply.error?.code]).toEqual([body, false, 'INVALID_ARGUMENT']);
      expect(reply.error.message).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  test('a 2 MB request', async () => {
    const reply = await call(DEV_MANAGER, { action: 'create', iccid, productId: 'x'.repeat(2 * 1024 * 1024) });
    expect(reply.error.code).toBe('INVALID_ARGUMENT');
  });
});
