// The payment service over HTTP: products, creating a payment, the payer's sheet, the package on the card.
import { PRODUCTS, PRODUCT_CATEGORIES } from '../../dev/platform/seed';
import { NETWORK_TARGET } from '../../typings/card-status';
import { startTestEmulator, type EmulatorClient } from '../helpers/emulator';
import { startReceiver, type Receiver } from '../helpers/notify-receiver';
import { createOrder, orderRequest, pickCard, tradeNo } from '../helpers/orders';

const DAY = 86_400_000;
let c: EmulatorClient;
let receiver: Receiver;

beforeAll(async () => {
  c = await (await startTestEmulator()).authorize();
  receiver = await startReceiver();
});

afterAll(async () => {
  await c.emulator.close();
  await receiver.close();
});

describe('products', () => {
  test('categories are the platform list', async () => {
    const res = await c.api('GET', '/paymentservice/products/categories');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 200, message: 'ok', data: PRODUCT_CATEGORIES });
  });

  test('every product, with its price in fen', async () => {
    const res = await c.api('GET', '/paymentservice/products');
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(PRODUCTS.length);
    expect(res.body.data[0]).toEqual({
      id: 'P-M-1G',
      name: '月包 1GB',
      categoryId: 'monthly',
      dataMB: 1024,
      validDays: 30,
      priceFen: 1000,
      carriers: ['cmcc', 'cucc', 'ctcc'],
    });
  });

  test('by category; an unknown category is an empty list', async () => {
    const yearly = await c.api('GET', '/paymentservice/products?categoryId=yearly');
    expect(yearly.body.data.map((p: { id: string }) => p.id)).toEqual(['P-Y-30G', 'P-Y-100G']);
    const none = await c.api('GET', '/paymentservice/products?categoryId=nope');
    expect(none.status).toBe(200);
    expect(none.body.data).toEqual([]);
  });

  test("by iccid: only what the card's carrier sells", async () => {
    const unicom = pickCard(c, 'active', 'cucc');
    const res = await c.api('GET', `/paymentservice/products?iccid=${unicom.iccid}`);
    const ids = res.body.data.map((p: { id: string }) => p.id);
    expect(ids).toHaveLength(PRODUCTS.filter((p) => p.carriers.includes('cucc')).length);
    expect(ids).not.toContain('P-M-10G');
    expect(ids).not.toContain('P-Y-100G');
    const both = await c.api('GET', `/paymentservice/products?iccid=${unicom.iccid}&categoryId=monthly`);
    expect(both.body.data.map((p: { id: string }) => p.id)).toEqual(['P-M-1G', 'P-M-3G']);
  });

  test('an unknown iccid is 404', async () => {
    const res = await c.api('GET', '/paymentservice/products?iccid=89860000000000000000');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 404, name: 'NotFound', message: '卡号不存在' });
  });
});

describe('creating a payment', () => {
  test('answers what wx.requestPayment takes, at the platform price, and stores a NOTPAY order', async () => {
    const card = pickCard(c, 'active', 'cmcc');
    const request = orderRequest(card, { productId: 'P-Y-100G' });
    const res = await c.api('POST', '/paymentservice/payments', request);
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(Object.keys(data).sort()).toEqual(['amountFen', 'orderNo', 'outTradeNo', 'payParams']);
    expect(data.amountFen).toBe(49900);
    expect(data.outTradeNo).toBe(request.outTradeNo);
    expect(Object.keys(data.payParams).sort()).toEqual(['nonceStr', 'package', 'paySign', 'signType', 'timeStamp']);
    expect(data.payParams.timeStamp).toMatch(/^\d{10}$/);
    expect(data.payParams.package).toMatch(/^prepay_id=wx\w+$/);
    expect(data.payParams.nonceStr).toMatch(/^\w{1,32}$/);
    expect(data.payParams.signType).toBe('HMAC-SHA256');
    expect(data.payParams.paySign).toMatch(/^[0-9A-F]{64}$/);

    const listed = await c.api('GET', `/paymentservice/orders?outTradeNo=${request.outTradeNo}`);
    expect(listed.body.data.total).toBe(1);
    expect(listed.body.data.items[0]).toMatchObject({
      orderNo: data.orderNo,
      outTradeNo: request.outTradeNo,
      iccid: card.iccid,
      productId: 'P-Y-100G',
      amountFen: 49900,
      openid: request.openid,
      status: 'NOTPAY',
      paidAt: null,
      transactionId: null,
      refundedFen: 0,
    });
    expect(listed.body.data.items[0]).not.toHaveProperty('prepayId');
  });

  test('the same request again is the same order and pay sheet; a different one with that outTradeNo is refused', async () => {
    const card = pickCard(c, 'active', 'ctcc');
    const request = orderRequest(card);
    const first = await c.api('POST', '/paymentservice/payments', request);
    const again = await c.api('POST', '/paymentservice/payments', request);
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual(first.body.data);
    const other = await c.api('POST', '/paymentservice/payments', { ...request, productId: 'P-M-3G' });
    expect(other.status).toBe(422);
    expect(other.body).toEqual({ code: 422, name: 'UnprocessableEntity', message: '商户订单号重复' });
    const otherPayer = await c.api('POST', '/paymentservice/payments', { ...request, openid: 'o-someone-else' });
    expect(otherPayer.body.message).toBe('商户订单号重复');
    const orders = await c.api('GET', `/paymentservice/orders?outTradeNo=${request.outTradeNo}`);
    expect(orders.body.data.total).toBe(1);
  });

  test('once paid, the same outTradeNo is a duplicate even with identical fields', async () => {
    const request = orderRequest(pickCard(c, 'active', 'cmcc'), { notifyUrl: receiver.url });
    const order = await createOrder(c, request);
    expect((await c.sim('POST', '/pay', { orderNo: order.orderNo, result: 'success' })).status).toBe(200);
    const again = await c.api('POST', '/paymentservice/payments', request);
    expect(again.status).toBe(422);
    expect(again.body.message).toBe('商户订单号重复');
  });

  test.each([
    ['an unsupported channel', { channel: 'alipay.app' }, '不支持的支付渠道'],
    ['an outTradeNo too short', { outTradeNo: 'ab12' }, 'outTradeNo 格式不正确'],
    ['an outTradeNo too long', { outTradeNo: 'a'.repeat(33) }, 'outTradeNo 格式不正确'],
    ['an outTradeNo with other characters', { outTradeNo: '订单0000001' }, 'outTradeNo 格式不正确'],
    [
      'a notifyUrl that is not http(s)',
      { notifyUrl: 'ftp://example.com/notify' },
      'notifyUrl 必须是 http 或 https 地址',
    ],
    ['a notifyUrl that is no URL', { notifyUrl: '/notify/pay' }, 'notifyUrl 必须是 http 或 https 地址'],
    ['an unknown product', { productId: 'P-NOPE' }, '充值套餐不存在'],
    ['a product the carrier does not sell', { productId: 'P-Y-100G' }, '该套餐不适用于中国联通的卡'],
    ['an amount sent by the caller', { amountFen: 1 }, '不支持的字段: amountFen'],
    ['an openid that is a number', { openid: 12345 }, 'openid 必须是字符串'],
  ])('%s is 422', async (_what, change, message) => {
    const request = { ...orderRequest(pickCard(c, 'active', 'cucc')), ...change };
    const res = await c.api('POST', '/paymentservice/payments', request);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 422, name: 'UnprocessableEntity', message });
  });

  test.each(['productId', 'iccid', 'channel', 'openid', 'outTradeNo', 'notifyUrl'])(
    'a missing %s is 422',
    async (field) => {
      const request: Record<string, unknown> = { ...orderRequest(pickCard(c, 'active', 'cmcc')) };
      delete request[field];
      const res = await c.api('POST', '/paymentservice/payments', request);
      expect(res.status).toBe(422);
      expect(res.body.message).toBe(`缺少字段 ${field}`);
    },
  );

  test('a body that is not a JSON object is 422', async () => {
    const array = await c.api('POST', '/paymentservice/payments', [orderRequest(pickCard(c, 'active'))]);
    expect(array.status).toBe(422);
    const raw = await c.api('POST', '/paymentservice/payments', undefined, { 'content-type': 'application/json' });
    expect(raw.status).toBe(422);
  });

  test('an unknown card is 404; a cancelled card cannot be recharged', async () => {
    const unknown = await c.api('POST', '/paymentservice/payments', orderRequest({ iccid: '89860000000000000000' }));
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe(404);
    const closed = pickCard(c, 'closed');
    const res = await c.api('POST', '/paymentservice/payments', orderRequest(closed));
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 422, name: 'UnprocessableEntity', message: '该卡已销号，不能充值' });
    const orders = await c.api('GET', `/paymentservice/orders?iccid=${closed.iccid}`);
    expect(orders.body.data.total).toBe(0);
  });
});

describe('the payer (/__sim/pay)', () => {
  test('success: the package goes onto the card, the order is paid, the notification is sent', async () => {
    const card = pickCard(c, 'active', 'cmcc');
    const before = (await c.api('GET', `/cardservice/flowcards/${card.iccid}/data`)).body.data;
    const request = orderRequest(card, { productId: 'P-M-3G', notifyUrl: receiver.url });
    const order = await createOrder(c, request);
    const seen = receiver.deliveries.length;

    const paid = await c.sim('POST', '/pay', { orderNo: order.orderNo, result: 'success' });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ orderNo: order.orderNo, status: 'SUCCESS', amountFen: 2500 });
    expect(paid.body.transactionId).toEqual(expect.any(String));
    expect(Date.parse(paid.body.paidAt)).not.toBeNaN();

    const after = (await c.api('GET', `/cardservice/flowcards/${card.iccid}/data`)).body.data;
    expect(after.totalMB).toBe(before.totalMB + 3072);
    expect(after.usedMB).toBe(before.usedMB);
    const base = Math.max(Date.parse(before.periodEnd), Date.parse(paid.body.paidAt));
    expect(after.periodEnd).toBe(new Date(base + 30 * DAY).toISOString());

    const [delivery] = (await receiver.waitFor(seen + 1)).slice(seen);
    expect(delivery.body).toEqual({
      orderNo: order.orderNo,
      outTradeNo: request.outTradeNo,
      iccid: card.iccid,
      productId: 'P-M-3G',
      amountFen: 2500,
      status: 'SUCCESS',
      paidAt: paid.body.paidAt,
      transactionId: paid.body.transactionId,
    });
    const query = await c.api('GET', `/paymentservice/v2/wechatpay/orders/${request.outTradeNo}`);
    expect(query.body.data).toMatchObject({ tradeState: 'SUCCESS', transactionId: paid.body.transactionId });
  });

  test('a period already over starts again from the payment', async () => {
    const card = pickCard(c, 'active', 'ctcc');
    card.periodEnd = new Date(Date.now() - 3 * DAY).toISOString(); // time travel: the period ran out
    const order = await createOrder(c, orderRequest(card, { productId: 'P-B-500M', notifyUrl: receiver.url }));
    const paid = await c.sim('POST', '/pay', { orderNo: order.outTradeNo, result: 'success' });
    const after = (await c.api('GET', `/cardservice/flowcards/${card.iccid}/data`)).body.data;
    expect(after.periodEnd).toBe(new Date(Date.parse(paid.body.paidAt) + 7 * DAY).toISOString());
  });

  test('a Telecom card stopped for arrears (5) runs again at once', async () => {
    const card = [...c.emulator.platform.cards.values()].find((x) => x.carrier === 'ctcc' && x.status === 5);
    expect(card).toBeDefined();
    const iccid = card?.iccid as string;
    const order = await createOrder(c, orderRequest({ iccid }, { notifyUrl: receiver.url }));
    await c.sim('POST', '/pay', { orderNo: order.orderNo, result: 'success' });
    const status = await c.api('GET', `/cardservice/flowcards/${iccid}/status`);
    expect(status.body.data).toMatchObject({ status: NETWORK_TARGET.ctcc.resume, statusText: '在用' });
  });

  test('a card stopped after its package ran out runs again; one stopped by hand stays stopped', async () => {
    const outOfData = pickCard(c, 'active', 'cmcc');
    await c.sim('POST', '/cards', { iccid: outOfData.iccid, status: 2, usedMB: 1024, totalMB: 1024 });
    const byHand = pickCard(c, 'active', 'cucc');
    await c.sim('POST', '/cards', { iccid: byHand.iccid, status: 2, usedMB: 10, totalMB: 1024 });
    for (const iccid of [outOfData.iccid, byHand.iccid]) {
      const order = await createOrder(c, orderRequest({ iccid }, { notifyUrl: receiver.url }));
      expect((await c.sim('POST', '/pay', { orderNo: order.orderNo, result: 'success' })).status).toBe(200);
    }
    const resumed = await c.api('GET', `/cardservice/flowcards/${outOfData.iccid}/status`);
    expect(resumed.body.data.status).toBe(NETWORK_TARGET.cmcc.resume);
    const data = await c.api('GET', `/cardservice/flowcards/${outOfData.iccid}/data`);
    expect(data.body.data).toMatchObject({ totalMB: 2048, usedMB: 1024, remainingMB: 1024 });
    const stillStopped = await c.api('GET', `/cardservice/flowcards/${byHand.iccid}/status`);
    expect(stillStopped.body.data.status).toBe(2);
  });

  test('cancel leaves the order unpaid and payable; fail makes it PAYERROR for good', async () => {
    const card = pickCard(c, 'active', 'cucc');
    const totalBefore = card.totalMB;
    const order = await createOrder(c, orderRequest(card, { notifyUrl: receiver.url }));
    const cancelled = await c.sim('POST', '/pay', { orderNo: order.orderNo, result: 'cancel' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('NOTPAY');

    const failed = await c.sim('POST', '/pay', { orderNo: order.orderNo, result: 'fail' });
    expect(failed.body).toMatchObject({ status: 'PAYERROR', paidAt: null, transactionId: null });
    const retry = await c.sim('POST', '/pay', { orderNo: order.orderNo, result: 'success' });
    expect(retry.status).toBe(422);
    expect(retry.body.message).toBe('订单支付失败，请重新下单');
    const data = await c.api('GET', `/cardservice/flowcards/${card.iccid}/data`);
    expect(data.body.data.totalMB).toBe(totalBefore);
  });

  test('an order is paid once; an unknown order is 404; an unknown result is 422', async () => {
    const order = await createOrder(c, orderRequest(pickCard(c, 'active', 'cmcc'), { notifyUrl: receiver.url }));
    expect((await c.sim('POST', '/pay', { orderNo: order.orderNo, result: 'success' })).status).toBe(200);
    const twice = await c.sim('POST', '/pay', { orderNo: order.orderNo, result: 'success' });
    expect(twice.status).toBe(422);
    expect(twice.body.message).toBe('订单已支付，不能重复支付');
    const unknown = await c.sim('POST', '/pay', { orderNo: tradeNo('NOPE'), result: 'success' });
    expect(unknown.status).toBe(404);
    const bad = await c.sim('POST', '/pay', { orderNo: order.orderNo, result: 'maybe' });
    expect(bad.status).toBe(422);
  });
});
