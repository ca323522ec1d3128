// The WeChat pay gateway v2 over HTTP: code2Session, order query and close, refunds.
import { EmulatorClient, startTestEmulator } from '../helpers/emulator';
import { createOrder, orderRequest, pickCard, tradeNo } from '../helpers/orders';

const V2 = '/paymentservice/v2/wechatpay';
let c: EmulatorClient;

beforeAll(async () => {
  c = await (await startTestEmulator()).authorize();
  await c.sim('POST', '/faults', { dropNotifications: true }); // payments here notify nobody
});

afterAll(() => c.emulator.close());

const login = async (openid: string): Promise<string> => {
  const res = await c.sim('POST', '/wx/login', { openid });
  expect(res.status).toBe(200);
  return res.body.code;
};
const session = (code: unknown) => c.api('POST', `${V2}/code2session`, { code });
const config = (settings: Record<string, number>) => c.sim('POST', '/config', settings);

describe('code2Session', () => {
  test('a fresh code gives the openid and a session key', async () => {
    const code = await login('o-driver-wx-1');
    expect(code).toMatch(/^[\w-]{16,}$/);
    const res = await session(code);
    expect(res.status).toBe(200);
    expect(res.body.data.openid).toBe('o-driver-wx-1');
    expect(Buffer.from(res.body.data.sessionKey, 'base64')).toHaveLength(16);
  });

  test('each code is new', async () => {
    const codes = new Set([await login('o-a'), await login('o-a'), await login('o-a')]);
    expect(codes.size).toBe(3);
  });

  test('a code works once: 40163 the second time', async () => {
    const code = await login('o-driver-wx-2');
    expect((await session(code)).status).toBe(200);
    const again = await session(code);
    expect(again.status).toBe(422);
    expect(again.body).toEqual({
      code: 40163,
      name: 'CodeBeenUsed',
      message: '登录凭证 code 已被使用',
      errcode: 40163,
      errmsg: 'code been used',
    });
  });

  test('an unknown code is 40029', async () => {
    const res = await session('not-a-code-from-wx-login');
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      code: 40029,
      name: 'InvalidCode',
      message: '登录凭证 code 无效',
      errcode: 40029,
      errmsg: 'invalid code',
    });
  });

  test('an expired code is 40029', async () => {
    await config({ loginCodeTtlSec: 0 });
    try {
      const code = await login('o-driver-wx-3');
      const res = await session(code);
      expect(res.status).toBe(422);
      expect(res.body.errcode).toBe(40029);
    } finally {
      await config({ loginCodeTtlSec: 300 });
    }
  });

  test('past the per-openid minute quota: 45011, the code is not spent, other openids are unaffected', async () => {
    await config({ loginRateLimitPerMin: 2 });
    try {
      expect((await session(await login('o-busy'))).status).toBe(200);
      expect((await session(await login('o-busy'))).status).toBe(200);
      const third = await login('o-busy');
      const limited = await session(third);
      expect(limited.status).toBe(422);
      expect(limited.body).toEqual({
        code: 45011,
        name: 'MinuteQuotaReached',
        message: '登录过于频繁，请一分钟后再试',
        errcode: 45011,
        errmsg: 'api minute-quota reach limit',
      });
      expect((await session(await login('o-calm'))).status).toBe(200);
      await config({ loginRateLimitPerMin: 3 });
      const later = await session(third);
      expect(later.status).toBe(200);
      expect(later.body.data.openid).toBe('o-busy');
    } finally {
      await config({ loginRateLimitPerMin: 100 });
    }
  });

  test.each([
    ['no code', {}, '缺少字段 code'],
    ['an empty code', { code: '' }, 'code 不能为空'],
    ['a numeric code', { code: 123 }, 'code 必须是字符串'],
    ['an unknown field', { code: 'x', appid: 'wx1' }, '不支持的字段: appid'],
  ])('%s is 422', async (_what, body, message) => {
    const res = await c.api('POST', `${V2}/code2session`, body);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 422, name: 'UnprocessableEntity', message });
  });

  test('/__sim/wx/login wants a plain openid', async () => {
    expect((await c.sim('POST', '/wx/login', {})).status).toBe(422);
    expect((await c.sim('POST', '/wx/login', { openid: 'o bad' })).status).toBe(422);
  });

  test('a token without the appletpay scope is 403', async () => {
    const other = await new EmulatorClient(c.emulator).authorize('iot.cardservice.all');
    const res = await other.api('POST', `${V2}/code2session`, { code: await login('o-x') });
    expect(res.status).toBe(403);
  });
});

describe('orders', () => {
  const newOrder = () => createOrder(c, orderRequest(pickCard(c, 'active', 'cmcc')));
  const query = (outTradeNo: string) => c.api('GET', `${V2}/orders/${outTradeNo}`);
  const close = (outTradeNo: string) => c.api('POST', `${V2}/orders/${outTradeNo}/close`);
  const pay = (orderNo: string, result = 'success') => c.sim('POST', '/pay', { orderNo, result });

  test('query: NOTPAY, then SUCCESS with the transaction', async () => {
    const order = await newOrder();
    const unpaid = await query(order.outTradeNo);
    expect(unpaid.status).toBe(200);
    expect(unpaid.body.data).toEqual({
      outTradeNo: order.outTradeNo,
      orderNo: order.orderNo,
      tradeState: 'NOTPAY',
      amountFen: 1000,
      transactionId: null,
      paidAt: null,
    });
    const paid = await pay(order.orderNo);
    const after = await query(order.outTradeNo);
    expect(after.body.data).toEqual({
      ...unpaid.body.data,
      tradeState: 'SUCCESS',
      transactionId: paid.body.transactionId,
      paidAt: paid.body.paidAt,
    });
  });

  test('query of an unknown order is 404', async () => {
    const res = await query(tradeNo('NONE'));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 404, name: 'NotFound', message: '订单不存在' });
  });

  test('close: an unpaid order closes, twice is harmless, and it can no longer be paid', async () => {
    const order = await newOrder();
    const closed = await close(order.outTradeNo);
    expect(closed.status).toBe(200);
    expect(closed.body.data.tradeState).toBe('CLOSED');
    const again = await close(order.outTradeNo);
    expect(again.status).toBe(200);
    expect(again.body.data.tradeState).toBe('CLOSED');
    const paid = await pay(order.orderNo);
    expect(paid.status).toBe(422);
    expect(paid.body.message).toBe('订单已关闭，不能支付');
    expect((await query(order.outTradeNo)).body.data.tradeState).toBe('CLOSED');
  });

  test('close: a failed payment closes too', async () => {
    const order = await newOrder();
    await pay(order.orderNo, 'fail');
    expect((await close(order.outTradeNo)).body.data.tradeState).toBe('CLOSED');
  });

  test('close: a paid or refunded order is 422; an unknown one 404', async () => {
    const order = await newOrder();
    await pay(order.orderNo);
    const res = await close(order.outTradeNo);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 422, name: 'UnprocessableEntity', message: '订单已支付，不能关闭' });
    await c.api('POST', `${V2}/refunds`, { outTradeNo: order.outTradeNo, outRefundNo: tradeNo('R'), amountFen: 1 });
    expect((await close(order.outTradeNo)).body.message).toBe('订单已支付，不能关闭');
    expect((await close(tradeNo('NONE'))).status).toBe(404);
  });
});

describe('refunds', () => {
  const refund = (body: Record<string, unknown>) => c.api('POST', `${V2}/refunds`, body);
  const paidOrder = async () => {
    const order = await createOrder(c, orderRequest(pickCard(c, 'active', 'ctcc'), { productId: 'P-M-3G' }));
    await c.sim('POST', '/pay', { orderNo: order.orderNo, result: 'success' });
    return order;
  };

  test('partial refunds add up to the amount paid, then no more', async () => {
    const order = await paidOrder();
    const first = await refund({ outTradeNo: order.outTradeNo, outRefundNo: tradeNo('R'), amountFen: 1000 });
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ outTradeNo: order.outTradeNo, amountFen: 1000, status: 'SUCCESS' });
    expect(Date.parse(first.body.data.refundedAt)).not.toBeNaN();
    const state = await c.api('GET', `${V2}/orders/${order.outTradeNo}`);
    expect(state.body.data.tradeState).toBe('REFUND');

    const tooMuch = await refund({ outTradeNo: order.outTradeNo, outRefundNo: tradeNo('R'), amountFen: 1501 });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.message).toBe('退款金额超过可退金额（还可退1500分）');
    const rest = await refund({ outTradeNo: order.outTradeNo, outRefundNo: tradeNo('R'), amountFen: 1500 });
    expect(rest.status).toBe(200);
    const none = await refund({ outTradeNo: order.outTradeNo, outRefundNo: tradeNo('R'), amountFen: 1 });
    expect(none.status).toBe(422);
    expect(none.body.message).toBe('退款金额超过可退金额（还可退0分）');
    const listed = await c.api('GET', `/paymentservice/orders?outTradeNo=${order.outTradeNo}`);
    expect(listed.body.data.items[0]).toMatchObject({ status: 'REFUND', refundedFen: 2500 });
  });

  test('the same refund again is the same refund, once; changed, it is 422', async () => {
    const order = await paidOrder();
    const request = { outTradeNo: order.outTradeNo, outRefundNo: tradeNo('R'), amountFen: 2500 };
    const first = await refund(request);
    const again = await refund(request);
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual(first.body.data);
    const listed = await c.api('GET', `/paymentservice/orders?outTradeNo=${order.outTradeNo}`);
    expect(listed.body.data.items[0].refundedFen).toBe(2500);
    const changed = await refund({ ...request, amountFen: 100 });
    expect(changed.status).toBe(422);
    expect(changed.body.message).toBe('退款单号重复，且与原退款申请不一致');
  });

  test('query a refund; an unknown one is 404', async () => {
    const order = await paidOrder();
    const outRefundNo = tradeNo('R');
    const made = await refund({ outTradeNo: order.outTradeNo, outRefundNo, amountFen: 300 });
    const res = await c.api('GET', `${V2}/refunds/${outRefundNo}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(made.body.data);
    const unknown = await c.api('GET', `${V2}/refunds/${tradeNo('NONE')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('退款单不存在');
  });

  test('an unpaid order cannot be refunded; an unknown one is 404', async () => {
    const order = await createOrder(c, orderRequest(pickCard(c, 'active', 'ctcc')));
    const unpaid = await refund({ outTradeNo: order.outTradeNo, outRefundNo: tradeNo('R'), amountFen: 1 });
    expect(unpaid.status).toBe(422);
    expect(unpaid.body.message).toBe('订单未支付，不能退款');
    const unknown = await refund({ outTradeNo: tradeNo('NONE'), outRefundNo: tradeNo('R'), amountFen: 1 });
    expect(unknown.status).toBe(404);
  });

  test.each([
    ['a zero amount', { amountFen: 0 }, 'amountFen 不能小于1'],
    ['a fractional amount', { amountFen: 1.5 }, 'amountFen 必须是整数'],
    ['an amount as text', { amountFen: '100' }, 'amountFen 必须是整数'],
    ['a bad outRefundNo', { outRefundNo: '退款 1' }, 'outRefundNo 格式不正确'],
    ['an unknown field', { reason: '多付' }, '不支持的字段: reason'],
  ])('%s is 422', async (_what, change, message) => {
    const order = await paidOrder();
    const res = await refund({ outTradeNo: order.outTradeNo, outRefundNo: tradeNo('R'), amountFen: 100, ...change });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 422, name: 'UnprocessableEntity', message });
  });
});
