// Payment notifications: signature, acknowledgement, WeChat's retry schedule, timeouts, lost and duplicate faults.
import { createHmac } from 'node:crypto';
import { RETRY_SCHEDULE_SEC, signNotification } from '../../dev/platform/notifier';
import { DEV, startTestEmulator, type EmulatorClient } from '../helpers/emulator';
import {
  ACK,
  REFUSE,
  refuseFirst,
  startReceiver,
  until,
  type Delivery,
  type Receiver,
  type Responder,
} from '../helpers/notify-receiver';
import { createOrder, orderRequest, pickCard } from '../helpers/orders';

interface Attempt {
  outTradeNo: string;
  attempt: number;
  at: string;
  status: number | null;
  ok: boolean;
}

let c: EmulatorClient;
const receivers: Receiver[] = [];

beforeAll(async () => {
  c = await startTestEmulator();
});

beforeEach(async () => {
  await c.sim('POST', '/reset', {});
  await c.sim('POST', '/config', { notifyTimeScale: 0.001, notifyTimeoutMs: 2000 });
  await c.authorize();
});

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

afterAll(() => c.emulator.close());

async function receiver(respond: Responder = () => ACK): Promise<Receiver> {
  const r = await startReceiver(respond);
  receivers.push(r);
  return r;
}

/** Creates an order notifying `url` and pays it; returns the order. */
async function paidOrder(url: string, client = c) {
  const order = await createOrder(client, orderRequest(pickCard(client, 'active', 'cmcc'), { notifyUrl: url }));
  const paid = await client.sim('POST', '/pay', { orderNo: order.orderNo, result: 'success' });
  expect(paid.status).toBe(200);
  return { ...order, paidAt: paid.body.paidAt as string, transactionId: paid.body.transactionId as string };
}

async function attempts(outTradeNo: string, client = c): Promise<Attempt[]> {
  const stats = await client.sim('GET', '/stats');
  return (stats.body.notifications as Attempt[]).filter((n) => n.outTradeNo === outTradeNo);
}

/** Waits long enough for any retry the tests' schedule would still send, then returns what arrived. */
const settle = () => new Promise((r) => setTimeout(r, 400));

function verifies(d: Delivery, secret = DEV.notifySecret): boolean {
  const ts = String(d.headers['x-notify-timestamp']);
  const nonce = String(d.headers['x-notify-nonce']);
  const expected = createHmac('sha256', secret).update(`${ts}\n${nonce}\n${d.raw}`).digest('base64');
  return d.headers['x-notify-signature'] === expected;
}

describe('one notification', () => {
  test('is signed over timestamp, nonce and the raw body, and carries the paid order', async () => {
    const r = await receiver();
    const order = await paidOrder(r.url);
    const [d] = await r.waitFor(1);
    expect(d.headers['content-type']).toMatch(/^application\/json/);
    expect(d.headers['x-notify-timestamp']).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(d.headers['x-notify-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(d.headers['x-notify-nonce']).toMatch(/^\w{16,}$/);
    expect(verifies(d)).toBe(true);
    expect(verifies(d, 'another-secret')).toBe(false);
    expect(verifies({ ...d, raw: d.raw.replace('"amountFen":1000', '"amountFen":1') })).toBe(false);
    const ts = String(d.headers['x-notify-timestamp']);
    const nonce = String(d.headers['x-notify-nonce']);
    expect(signNotification(DEV.notifySecret, ts, nonce, d.raw)).toBe(d.headers['x-notify-signature']);
    expect(d.body).toEqual({
      orderNo: order.orderNo,
      outTradeNo: order.outTradeNo,
      iccid: expect.any(String),
      productId: 'P-M-1G',
      amountFen: 1000,
      status: 'SUCCESS',
      paidAt: order.paidAt,
      transactionId: order.transactionId,
    });
    await settle();
    expect(r.deliveries).toHaveLength(1);
    expect(await attempts(order.outTradeNo)).toEqual([
      { outTradeNo: order.outTradeNo, attempt: 1, at: expect.any(String), status: 200, ok: true },
    ]);
  });

  test('an unpaid, cancelled or failed order notifies nobody', async () => {
    const r = await receiver();
    const cancelled = await createOrder(c, orderRequest(pickCard(c, 'active'), { notifyUrl: r.url }));
    await c.sim('POST', '/pay', { orderNo: cancelled.orderNo, result: 'cancel' });
    const failed = await createOrder(c, orderRequest(pickCard(c, 'active'), { notifyUrl: r.url }));
    await c.sim('POST', '/pay', { orderNo: failed.orderNo, result: 'fail' });
    const fence = await paidOrder(r.url);
    await r.waitFor(1);
    await settle();
    expect(r.deliveries.map((d) => d.body.outTradeNo)).toEqual([fence.outTradeNo]);
  });
});

describe('retries', () => {
  test("follow WeChat's schedule", () => {
    expect(RETRY_SCHEDULE_SEC).toEqual([
      15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
    ]);
  });

  test('a refused notification is sent again until acknowledged, then no more', async () => {
    const r = await receiver(refuseFirst(3));
    const order = await paidOrder(r.url);
    const deliveries = await r.waitFor(4);
    await settle();
    expect(r.deliveries).toHaveLength(4);
    const log = await attempts(order.outTradeNo);
    expect(log.map((a) => [a.attempt, a.status, a.ok])).toEqual([
      [1, 500, false],
      [2, 500, false],
      [3, 500, false],
      [4, 200, true],
    ]);
    const times = log.map((a) => Date.parse(a.at));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    expect(new Set(deliveries.map((d) => d.raw)).size).toBe(1); // the same notification every time
    expect(new Set(deliveries.map((d) => d.headers['x-notify-nonce'])).size).toBe(4); // signed afresh
    expect(deliveries.every((d) => verifies(d))).toBe(true);
  });

  test.each([
    ['200 with code FAIL', { status: 200, body: JSON.stringify({ code: 'FAIL' }) }, 200],
    ['200 with plain text SUCCESS', { status: 200, body: 'SUCCESS' }, 200],
    ['200 with an empty body', { status: 200, body: '' }, 200],
    ['201 with code SUCCESS', { status: 201, body: JSON.stringify({ code: 'SUCCESS' }) }, 201],
    ['500', REFUSE, 500],
  ])('%s is no acknowledgement', async (_what, answer, status) => {
    const r = await receiver((n) => (n === 1 ? answer : ACK));
    const order = await paidOrder(r.url);
    await r.waitFor(2);
    await settle();
    expect(r.deliveries).toHaveLength(2);
    expect((await attempts(order.outTradeNo)).map((a) => [a.status, a.ok])).toEqual([
      [status, false],
      [200, true],
    ]);
  });

  test('no answer within notifyTimeoutMs is a failed attempt', async () => {
    await c.sim('POST', '/config', { notifyTimeoutMs: 100 });
    const r = await receiver((n) => (n <= 2 ? 'hang' : ACK));
    const order = await paidOrder(r.url);
    await r.waitFor(3);
    const log = await until(async () => {
      const a = await attempts(order.outTradeNo);
      return a.length >= 3 && a;
    });
    expect(log.map((a) => [a.attempt, a.status, a.ok])).toEqual([
      [1, null, false],
      [2, null, false],
      [3, 200, true],
    ]);
  });

  test('a receiver that is down is retried, and the platform keeps serving', async () => {
    const down = await startReceiver();
    await down.close(); // its port now refuses connections
    const order = await paidOrder(down.url);
    const log = await until(async () => {
      const a = await attempts(order.outTradeNo);
      return a.length >= 3 && a;
    });
    expect(log.slice(0, 3).map((a) => [a.attempt, a.status, a.ok])).toEqual([
      [1, null, false],
      [2, null, false],
      [3, null, false],
    ]);
    expect((await c.api('GET', `/paymentservice/v2/wechatpay/orders/${order.outTradeNo}`)).status).toBe(200);
  });

  test('after the last retry of the schedule the platform gives up: 16 attempts in all', async () => {
    await c.sim('POST', '/config', { notifyTimeScale: 0.00001 }); // the whole schedule in under a second
    const r = await receiver(() => REFUSE);
    const order = await paidOrder(r.url);
    await r.waitFor(16);
    await settle();
    expect(r.deliveries).toHaveLength(16);
    const log = await attempts(order.outTradeNo);
    expect(log.map((a) => a.attempt)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(log.every((a) => a.status === 500 && !a.ok)).toBe(true);
  });
});

describe('faults', () => {
  test('dropNotifications: the order is paid and the package applied, but nothing is ever sent', async () => {
    const r = await receiver();
    await c.sim('POST', '/faults', { dropNotifications: true });
    const card = pickCard(c, 'active', 'cucc');
    const totalBefore = card.totalMB;
    const lost = await createOrder(c, orderRequest(card, { notifyUrl: r.url }));
    await c.sim('POST', '/pay', { orderNo: lost.orderNo, result: 'success' });
    const query = await c.api('GET', `/paymentservice/v2/wechatpay/orders/${lost.outTradeNo}`);
    expect(query.body.data.tradeState).toBe('SUCCESS');
    const data = await c.api('GET', `/cardservice/flowcards/${card.iccid}/data`);
    expect(data.body.data.totalMB).toBe(totalBefore + 1024);

    await c.sim('POST', '/faults', {});
    const fence = await paidOrder(r.url);
    await r.waitFor(1);
    await settle();
    expect(r.deliveries.map((d) => d.body.outTradeNo)).toEqual([fence.outTradeNo]);
    expect(await attempts(lost.outTradeNo)).toEqual([]);
  });

  test('duplicateNotifications: N: each attempt arrives N times, identical', async () => {
    const r = await receiver();
    await c.sim('POST', '/faults', { duplicateNotifications: 3 });
    const order = await paidOrder(r.url);
    const deliveries = await r.waitFor(3);
    await settle();
    expect(r.deliveries).toHaveLength(3);
    expect(new Set(deliveries.map((d) => d.raw + d.headers['x-notify-signature'])).size).toBe(1);
    expect((await attempts(order.outTradeNo)).map((a) => [a.attempt, a.ok])).toEqual([
      [1, true],
      [1, true],
      [1, true],
    ]);
  });

  test('duplicateNotifications: true: twice per attempt, retries included', async () => {
    const r = await receiver(refuseFirst(2));
    await c.sim('POST', '/faults', { duplicateNotifications: true });
    const order = await paidOrder(r.url);
    await r.waitFor(4);
    await settle();
    expect(r.deliveries).toHaveLength(4);
    expect((await attempts(order.outTradeNo)).map((a) => [a.attempt, a.status, a.ok])).toEqual([
      [1, 500, false],
      [1, 500, false],
      [2, 200, true],
      [2, 200, true],
    ]);
  });
});

describe('stopping', () => {
  test('reset cuts a delivery in flight and cancels its retries', async () => {
    await c.sim('POST', '/config', { notifyTimeoutMs: 10_000 });
    const r = await receiver(() => 'hang');
    await paidOrder(r.url);
    await r.waitFor(1);
    expect(c.emulator.platform.outgoing.size).toBe(1);
    await c.sim('POST', '/reset', {});
    expect(c.emulator.platform.outgoing.size).toBe(0);
    await settle();
    expect(r.deliveries).toHaveLength(1);
    expect((await c.sim('GET', '/stats')).body.notifications).toEqual([]);
  });

  test('close stops pending retries: nothing is sent after the emulator is gone', async () => {
    const other = await (await startTestEmulator({ settings: { notifyTimeScale: 0.01 } })).authorize();
    const r = await receiver(() => REFUSE);
    try {
      await paidOrder(r.url, other);
      await r.waitFor(1); // the first retry is due 150 ms later
    } finally {
      await other.emulator.close();
    }
    await settle();
    expect(r.deliveries).toHaveLength(1);
    expect(other.emulator.platform.outgoing.size).toBe(0);
  });
});
