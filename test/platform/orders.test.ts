// Payment orders over HTTP: the filtered, paged list and the per-day statistics of paid orders.
import { EmulatorClient, startTestEmulator } from '../helpers/emulator';
import { createOrder, orderRequest, pickCard } from '../helpers/orders';

let c: EmulatorClient;
const made: Array<{ orderNo: string; outTradeNo: string; iccid: string; openid: string }> = [];

/** Shanghai calendar day of an instant. */
const shanghaiDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

beforeAll(async () => {
  c = await (await startTestEmulator()).authorize();
  // Six orders on two cards and two payers: paid, paid then refunded, failed, closed, and two unpaid.
  const a = pickCard(c, 'active', 'cmcc');
  const b = pickCard(c, 'active', 'ctcc');
  const plan = [
    { card: a, openid: 'o-alice', productId: 'P-M-1G' },
    { card: a, openid: 'o-alice', productId: 'P-M-3G' },
    { card: b, openid: 'o-bob', productId: 'P-Q-10G' },
    { card: b, openid: 'o-bob', productId: 'P-B-500M' },
    { card: a, openid: 'o-bob', productId: 'P-B-2G' },
    { card: b, openid: 'o-alice', productId: 'P-M-1G' },
  ];
  for (const p of plan) {
    const order = await createOrder(c, orderRequest(p.card, { openid: p.openid, productId: p.productId }));
    made.push({ ...order, iccid: p.card.iccid, openid: p.openid });
  }
  await c.sim('POST', '/faults', { dropNotifications: true }); // these orders notify nobody
  await c.sim('POST', '/pay', { orderNo: made[0].orderNo, result: 'success' });
  await c.sim('POST', '/pay', { orderNo: made[1].orderNo, result: 'success' });
  await c.api('POST', '/paymentservice/v2/wechatpay/refunds', {
    outTradeNo: made[1].outTradeNo,
    outRefundNo: 'R-orders-1',
    amountFen: 500,
  });
  await c.sim('POST', '/pay', { orderNo: made[2].orderNo, result: 'fail' });
  await c.api('POST', `/paymentservice/v2/wechatpay/orders/${made[3].outTradeNo}/close`);
});

afterAll(() => c.emulator.close());

describe('order list', () => {
  test('newest first, with total and paging', async () => {
    const all = await c.api('GET', '/paymentservice/orders');
    expect(all.status).toBe(200);
    expect(all.body.data.total).toBe(6);
    expect(all.body.data.items.map((o: { orderNo: string }) => o.orderNo)).toEqual(
      made.map((o) => o.orderNo).reverse(),
    );
    const second = await c.api('GET', '/paymentservice/orders?skip=2&take=2');
    expect(second.body.data.total).toBe(6);
    expect(second.body.data.items.map((o: { orderNo: string }) => o.orderNo)).toEqual([
      made[3].orderNo,
      made[2].orderNo,
    ]);
  });

  test.each([
    ['status=SUCCESS', [0]],
    ['status=REFUND', [1]],
    ['status=PAYERROR', [2]],
    ['status=CLOSED', [3]],
    ['status=NOTPAY', [5, 4]],
    ['openid=o-bob', [4, 3, 2]],
    ['openid=o-alice&status=NOTPAY', [5]],
  ])('filtered by %s', async (query, indexes) => {
    const res = await c.api('GET', `/paymentservice/orders?${query}`);
    expect(res.body.data.total).toBe(indexes.length);
    expect(res.body.data.items.map((o: { orderNo: string }) => o.orderNo)).toEqual(indexes.map((i) => made[i].orderNo));
  });

  test('filtered by iccid and by outTradeNo', async () => {
    const byCard = await c.api('GET', `/paymentservice/orders?iccid=${made[0].iccid}`);
    expect(byCard.body.data.total).toBe(3);
    const one = await c.api('GET', `/paymentservice/orders?outTradeNo=${made[1].outTradeNo}`);
    expect(one.body.data.items).toHaveLength(1);
    expect(one.body.data.items[0]).toMatchObject({ status: 'REFUND', refundedFen: 500, amountFen: 2500 });
  });

  test('from and to: a date as `to` covers the whole Shanghai day', async () => {
    const today = shanghaiDay(Date.now());
    const inDay = await c.api('GET', `/paymentservice/orders?from=${today}&to=${today}`);
    expect(inDay.body.data.total).toBe(6);
    const future = await c.api('GET', `/paymentservice/orders?from=${new Date(Date.now() + 3_600_000).toISOString()}`);
    expect(future.body.data.total).toBe(0);
    const past = await c.api('GET', '/paymentservice/orders?to=2020-01-01');
    expect(past.body.data.total).toBe(0);
    const first = (await c.api('GET', `/paymentservice/orders?outTradeNo=${made[0].outTradeNo}`)).body.data.items[0];
    const upToFirst = await c.api('GET', `/paymentservice/orders?to=${first.createdAt}&openid=o-alice`);
    expect(upToFirst.body.data.items.map((o: { orderNo: string }) => o.orderNo)).toContain(made[0].orderNo);
  });

  test.each([
    ['status=PAID', 'status 必须是 NOTPAY、SUCCESS、CLOSED、REFUND、PAYERROR 之一'],
    ['take=101', 'take 必须在1到100之间'],
    ['take=0', 'take 必须在1到100之间'],
    ['skip=-1', 'skip 不能小于0'],
    ['skip=x', 'skip 必须是整数'],
    ['from=yesterday', 'from 不是合法的时间'],
    ['to=2024-13-45', 'to 不是合法的时间'],
    ['from=2024-03-02&to=2024-03-01', 'from 不能晚于 to'],
  ])('%s is 422', async (query, message) => {
    const res = await c.api('GET', `/paymentservice/orders?${query}`);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 422, name: 'UnprocessableEntity', message });
  });
});

describe('order statistics', () => {
  test('paid orders (SUCCESS and REFUND) per Shanghai day, every day of the range listed', async () => {
    const today = shanghaiDay(Date.now());
    const yesterday = shanghaiDay(Date.now() - 86_400_000);
    const res = await c.api('GET', `/paymentservice/orders/statistic?from=${yesterday}&to=${today}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      { date: yesterday, count: 0, amountFen: 0 },
      { date: today, count: 2, amountFen: 1000 + 2500 },
    ]);
  });

  test('a payment counts on the Shanghai day it was paid, not the UTC one', async () => {
    const paid = c.emulator.platform.orders.get(made[0].outTradeNo);
    const savedPaidAt = paid?.paidAt ?? null;
    if (!paid) throw new Error('order missing');
    paid.paidAt = '2024-03-01T16:30:00.000Z'; // time travel: 2024-03-02 00:30 in Shanghai
    try {
      const res = await c.api('GET', '/paymentservice/orders/statistic?from=2024-03-01&to=2024-03-03');
      expect(res.body.data).toEqual([
        { date: '2024-03-01', count: 0, amountFen: 0 },
        { date: '2024-03-02', count: 1, amountFen: 1000 },
        { date: '2024-03-03', count: 0, amountFen: 0 },
      ]);
    } finally {
      paid.paidAt = savedPaidAt;
    }
  });

  test('a range of 366 days is the longest', async () => {
    const year = await c.api('GET', '/paymentservice/orders/statistic?from=2024-01-01&to=2024-12-31');
    expect(year.status).toBe(200);
    expect(year.body.data).toHaveLength(366);
    expect(year.body.data[59]).toEqual({ date: '2024-02-29', count: 0, amountFen: 0 });
    const longer = await c.api('GET', '/paymentservice/orders/statistic?from=2024-01-01&to=2025-01-01');
    expect(longer.status).toBe(422);
    expect(longer.body.message).toBe('统计区间最长366天');
  });

  test.each([
    ['to=2024-03-01', '缺少参数 from'],
    ['from=2024-03-01', '缺少参数 to'],
    ['from=2024-3-1&to=2024-03-02', 'from 必须是 YYYY-MM-DD 格式的日期'],
    ['from=2024-02-30&to=2024-03-02', 'from 必须是 YYYY-MM-DD 格式的日期'],
    ['from=2024-03-01&to=2024-03-01T00:00:00Z', 'to 必须是 YYYY-MM-DD 格式的日期'],
    ['from=2024-03-02&to=2024-03-01', 'from 不能晚于 to'],
  ])('%s is 422', async (query, message) => {
    const res = await c.api('GET', `/paymentservice/orders/statistic?${query}`);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 422, name: 'UnprocessableEntity', message });
  });

  test('needs the statistic scope', async () => {
    const reader = await new EmulatorClient(c.emulator).authorize('iot.paymentservice.order.get');
    const listOk = await reader.api('GET', '/paymentservice/orders?take=1');
    expect(listOk.status).toBe(200);
    const denied = await reader.api('GET', '/paymentservice/orders/statistic?from=2024-03-01&to=2024-03-01');
    expect(denied.status).toBe(403);
  });
});
