// payNotify through the host's POST /notify/pay: only a notification signed with the notify secret, inside
// the timestamp window, with a fresh nonce, describing the stored order exactly, moves the order; every
// other one is refused, logged and audited, and changes nothing. Also the CloudBase HTTP entry's event shape.
import { payNotifyHttpEvent } from '../../cloudfunctions/shared/functions/pay-notify';
import type { OrderDoc } from '../../cloudfunctions/shared/services/orders';
import { DEV_DRIVER } from '../../dev/seed';
import {
  PRODUCT,
  auditCount,
  createOrder,
  platformCard,
  postNotification,
  runReconcile,
  signed,
  storedOrder,
  vehicleCards,
} from '../helpers/pay';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
let warn: jest.SpyInstance;
let iccid: string;
let outTradeNo: string;
let body: Record<string, unknown>;
let totalBefore: number;

const WINDOW_SEC = 300;

beforeAll(async () => {
  stack = await startTestStack();
  iccid = (await vehicleCards(stack))[0];
  // The platform takes the payment (and applies the package) but its notification is lost: the suite
  // delivers notifications itself, as the platform (or a forger) would.
  await stack.sim('POST', '/faults', { dropNotifications: true });
  ({ outTradeNo } = await createOrder(stack, DEV_DRIVER, iccid));
  totalBefore = (await platformCard(stack, iccid)).totalMB;
  const paid = await stack.sim('POST', '/pay', { orderNo: outTradeNo, result: 'success' });
  body = {
    orderNo: paid.orderNo,
    outTradeNo,
    iccid,
    productId: PRODUCT.id,
    amountFen: PRODUCT.priceFen,
    status: 'SUCCESS',
    paidAt: paid.paidAt,
    transactionId: paid.transactionId,
  };
});
afterAll(() => stack.stop());
beforeEach(() => {
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());

async function expectUnchanged(): Promise<void> {
  const order = (await storedOrder(stack, outTradeNo)) as OrderDoc;
  expect(order.state).toBe('created');
  expect(order.paidAt).toBeNull();
  expect(await auditCount(stack, 'order.paid', outTradeNo)).toBe(0);
}

async function expectRejected(note: ReturnType<typeof signed>, status: number, reason: RegExp): Promise<void> {
  const rejectedBefore = await auditCount(stack, 'order.notifyRejected', outTradeNo);
  const reply = await postNotification(stack, note);
  expect(reply.status).toBe(status);
  expect(reply.body).toEqual({ code: 'FAIL', message: expect.stringMatching(reason) });
  expect(warn).toHaveBeenCalledWith(expect.stringMatching(reason));
  expect(await auditCount(stack, 'order.notifyRejected', outTradeNo)).toBe(rejectedBefore + 1);
  await expectUnchanged();
}

describe('forged and mismatched notifications change nothing', () => {
  test('a wrong signature', async () => {
    await expectRejected(signed(body, { secret: 'not-the-notify-secret' }), 401, /signature/);
  });

  test('a signature over other bytes than the body sent', async () => {
    const note = signed(body);
    await expectRejected({ ...note, raw: `${note.raw} ` }, 401, /signature/);
  });

  test('missing signature headers', async () => {
    const note = signed(body);
    const { 'x-notify-signature': _dropped, ...headers } = note.headers;
    await expectRejected({ raw: note.raw, headers }, 401, /signature headers/);
  });

  test('a wrong amount, even correctly signed', async () => {
    await expectRejected(signed({ ...body, amountFen: 1 }), 422, /amount/);
  });

  test('another card or another package', async () => {
    await expectRejected(signed({ ...body, iccid: '89860000000000000000' }), 422, /card or product/);
    await expectRejected(signed({ ...body, productId: 'P-M-10G' }), 422, /card or product/);
  });

  test('another platform order number', async () => {
    await expectRejected(signed({ ...body, orderNo: 'PO-FORGED' }), 422, /platform order number/);
  });

  test('a stale timestamp, and one from the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(signed(body, { timestamp: now - WINDOW_SEC - 60 }), 401, /window/);
    await expectRejected(signed(body, { timestamp: now + WINDOW_SEC + 60 }), 401, /window/);
  });

  test('a body that is not a notification', async () => {
    await expectRejected(signed(`{"outTradeNo":"${outTradeNo}"`), 400, /not JSON/);
    await expectRejected(signed({ ...body, amountFen: '1000' }), 400, /shape/);
  });

  test('an order that does not exist', async () => {
    const reply = await postNotification(stack, signed({ ...body, outTradeNo: 'FCNOSUCHORDER01' }));
    expect(reply.status).toBe(404);
    await expectUnchanged();
  });
});

describe('a genuine notification', () => {
  test('applies the order once; the same message again and a redelivery are acknowledged and change nothing', async () => {
    const genuine = signed(body);
    const first = await postNotification(stack, genuine);
    expect(first).toEqual(expect.objectContaining({ status: 200, body: { code: 'SUCCESS' } }));
    const applied = (await storedOrder(stack, outTradeNo)) as OrderDoc;
    expect(applied).toEqual(
      expect.objectContaining({ state: 'applied', transactionId: body.transactionId, platformOrderNo: body.orderNo }),
    );
    expect(await auditCount(stack, 'order.paid', outTradeNo)).toBe(1);
    expect((await platformCard(stack, iccid)).totalMB).toBe(totalBefore + PRODUCT.dataMB);

    const rejectedBefore = await auditCount(stack, 'order.notifyRejected', outTradeNo);
    const replay = await postNotification(stack, genuine);
    expect(replay).toEqual(expect.objectContaining({ status: 200, body: { code: 'SUCCESS' } }));
    expect(await auditCount(stack, 'order.notifyRejected', outTradeNo)).toBe(rejectedBefore);
    // The platform sending it again (a new nonce) is told it arrived, so it stops; nothing changes.
    const redelivery = await postNotification(stack, signed(body));
    expect(redelivery).toEqual(expect.objectContaining({ status: 200, body: { code: 'SUCCESS' } }));
    expect(await storedOrder(stack, outTradeNo)).toEqual(applied);
    expect(await auditCount(stack, 'order.paid', outTradeNo)).toBe(1);
    expect((await platformCard(stack, iccid)).totalMB).toBe(totalBefore + PRODUCT.dataMB);
  });

  test('forged notifications after payment still change nothing', async () => {
    const applied = await storedOrder(stack, outTradeNo);
    expect((await postNotification(stack, signed({ ...body, amountFen: 1 }))).status).toBe(422);
    expect((await postNotification(stack, signed(body, { secret: 'guess' }))).status).toBe(401);
    expect(await storedOrder(stack, outTradeNo)).toEqual(applied);
  });
});

test('nonces are forgotten by the timer once no message carrying them can be inside the window', async () => {
  const nonces = () => stack.deps.store.count('meta', { kind: 'notifyNonce' });
  expect(await nonces()).toBeGreaterThan(0);
  await runReconcile(stack);
  expect(await nonces()).toBeGreaterThan(0);
  const realNow = stack.deps.now;
  stack.deps.now = () => realNow() + 2 * WINDOW_SEC * 1000 + 60_000;
  try {
    const report = await runReconcile(stack);
    expect(report.noncesPruned).toBeGreaterThan(0);
  } finally {
    stack.deps.now = realNow;
  }
  expect(await nonces()).toBe(0);
});

describe('the CloudBase HTTP entry', () => {
  test('a base64 body is verified over its decoded bytes; only POST is served', async () => {
    const { outTradeNo: other } = await createOrder(stack, DEV_DRIVER, iccid);
    const paid = await stack.sim('POST', '/pay', { orderNo: other, result: 'success' });
    const note = signed({
      ...body,
      outTradeNo: other,
      orderNo: paid.orderNo,
      paidAt: paid.paidAt,
      transactionId: paid.transactionId,
    });
    const answer = await payNotifyHttpEvent(
      {
        httpMethod: 'POST',
        headers: Object.fromEntries(Object.entries(note.headers).map(([k, v]) => [k.toUpperCase(), v])),
        body: Buffer.from(note.raw).toString('base64'),
        isBase64Encoded: true,
      },
      stack.deps,
    );
    expect(answer).toEqual({
      statusCode: 200,
      headers: expect.objectContaining({ 'content-type': expect.stringMatching(/json/) }),
      body: JSON.stringify({ code: 'SUCCESS' }),
      isBase64Encoded: false,
    });
    expect((await storedOrder(stack, other))?.state).toBe('applied');
    expect((await payNotifyHttpEvent({ httpMethod: 'GET', headers: {}, body: '' }, stack.deps)).statusCode).toBe(405);
    expect((await payNotifyHttpEvent(null, stack.deps)).statusCode).toBe(401);
  });
});
