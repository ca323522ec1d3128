// An unpaid order, through the functions host and the emulator. pay.cancel: the payer leaves the pay sheet,
// the order is closed at the gateway and here (so a stale sheet can no longer take money), a payment that
// got through first is kept, and a platform that cannot be reached changes nothing. pay.resume: the payer
// comes back to it and gets the same pay sheet, once the order is still payable.
import { DEV_DRIVER, DEV_MANAGER } from '../../dev/seed';
import { PRODUCT, auditCount, createOrder, deliveries, platformCard, storedOrder, vehicleCards } from '../helpers/pay';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
let driverCards: string[];

beforeAll(async () => {
  stack = await startTestStack();
  driverCards = await vehicleCards(stack);
});
afterAll(() => stack.stop());
afterEach(() => stack.sim('POST', '/faults', {}));

const resume = (openid: string, outTradeNo: string) => stack.fn('pay', openid, { action: 'resume', outTradeNo });
const cancel = (openid: string, outTradeNo: string) => stack.fn('pay', openid, { action: 'cancel', outTradeNo });
const gatewayState = async (outTradeNo: string) =>
  (await stack.deps.platform.call<{ tradeState: string }>('wxpay.queryOrder', { params: { outTradeNo } })).tradeState;

/** An order stored here whose create call got no answer: the platform never saw it. */
async function unreachedOrder() {
  await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 500, pathPattern: '^/paymentservice/payments$' });
  const unanswered = await stack.fn('pay', DEV_DRIVER, {
    action: 'create',
    iccid: driverCards[0],
    productId: PRODUCT.id,
  });
  expect(unanswered.error.code).toBe('PLATFORM_UNAVAILABLE');
  await stack.sim('POST', '/faults', {});
  const latest = (await stack.fn('pay', DEV_DRIVER, { action: 'orders', skip: 0, take: 1 })).data.items[0];
  expect(await storedOrder(stack, latest.outTradeNo)).toEqual(
    expect.objectContaining({ state: 'created', platformOrderNo: null }),
  );
  return latest as { outTradeNo: string };
}

test('a cancelled payment closes the order at the gateway and here, once; the old pay sheet can no longer pay', async () => {
  const iccid = driverCards[0];
  const before = await platformCard(stack, iccid);
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, iccid);
  await stack.sim('POST', '/pay', { orderNo: outTradeNo, result: 'cancel' });

  const reply = await cancel(DEV_DRIVER, outTradeNo);
  expect(reply.data).toEqual(expect.objectContaining({ outTradeNo, state: 'closed' }));
  expect(await gatewayState(outTradeNo)).toBe('CLOSED');
  expect(await auditCount(stack, 'order.closed', outTradeNo)).toBe(1);

  const late = await stack.sim('POST', '/pay', { orderNo: outTradeNo, result: 'success' });
  expect(late.message).toMatch(/已关闭/);
  const again = await cancel(DEV_DRIVER, outTradeNo);
  expect(again.data.state).toBe('closed');
  expect(await auditCount(stack, 'order.closed', outTradeNo)).toBe(1);
  expect((await platformCard(stack, iccid)).totalMB).toBe(before.totalMB);
});

test('a payment that got through before the cancel is kept and applied once', async () => {
  const iccid = driverCards[1];
  const before = await platformCard(stack, iccid);
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, iccid);
  // The notification is lost: only the gateway knows the order was paid.
  await stack.sim('POST', '/faults', { dropNotifications: true });
  await stack.sim('POST', '/pay', { orderNo: outTradeNo, result: 'success' });

  const reply = await cancel(DEV_DRIVER, outTradeNo);
  expect(['paid', 'applied']).toContain(reply.data.state);
  expect(await gatewayState(outTradeNo)).toBe('SUCCESS');
  expect(await auditCount(stack, 'order.paid', outTradeNo)).toBe(1);
  expect(await auditCount(stack, 'order.closed', outTradeNo)).toBe(0);
  expect((await platformCard(stack, iccid)).totalMB).toBe(before.totalMB + PRODUCT.dataMB);
});

test('only the payer cancels: a manager cannot cancel a driver’s order, nor a driver the manager’s', async () => {
  const drivers = await createOrder(stack, DEV_DRIVER, driverCards[2]);
  const managers = await createOrder(stack, DEV_MANAGER, driverCards[2]);
  for (const [openid, no] of [
    [DEV_MANAGER, drivers.outTradeNo],
    [DEV_DRIVER, managers.outTradeNo],
  ]) {
    const reply = await cancel(openid, no);
    expect(reply.error).toEqual({ code: 'FORBIDDEN', message: expect.stringMatching(/[\u4e00-\u9fff]/) });
  }
  expect((await storedOrder(stack, drivers.outTradeNo))?.state).toBe('created');
  expect((await storedOrder(stack, managers.outTradeNo))?.state).toBe('created');
  expect(await gatewayState(drivers.outTradeNo)).toBe('NOTPAY');
  expect((await cancel(DEV_DRIVER, 'NO_SUCH_ORDER_1')).error.code).toBe('NOT_FOUND');
});

test('with the gateway down the order stays as it was and the payer is told to try again', async () => {
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, driverCards[0]);
  await stack.sim('POST', '/faults', { errorRate: 1, pathPattern: '^/paymentservice/v2/' });
  const reply = await cancel(DEV_DRIVER, outTradeNo);
  expect(reply.error).toEqual({ code: 'PLATFORM_UNAVAILABLE', message: expect.stringMatching(/[\u4e00-\u9fff]/) });
  expect((await storedOrder(stack, outTradeNo))?.state).toBe('created');
  await stack.sim('POST', '/faults', {});
  expect(await gatewayState(outTradeNo)).toBe('NOTPAY');
  expect((await cancel(DEV_DRIVER, outTradeNo)).data.state).toBe('closed');
});

test('an order whose creation never reached the platform is closed here alone', async () => {
  const latest = await unreachedOrder();

  const reply = await cancel(DEV_DRIVER, latest.outTradeNo);
  expect(reply.data.state).toBe('closed');
  expect(await storedOrder(stack, latest.outTradeNo)).toEqual(
    expect.objectContaining({ state: 'closed', note: expect.stringMatching(/未扣款/) }),
  );
});

test('an order already paid and applied is not touched by a cancel', async () => {
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, driverCards[1]);
  await stack.sim('POST', '/pay', { orderNo: outTradeNo, result: 'success' });
  await deliveries(stack, outTradeNo);
  const reply = await cancel(DEV_DRIVER, outTradeNo);
  expect(reply.data.state).toBe('applied');
  expect(await gatewayState(outTradeNo)).toBe('SUCCESS');
  expect(await auditCount(stack, 'order.closed', outTradeNo)).toBe(0);
});

test('resuming an unpaid order gives the same pay sheet, and paying it applies the order once', async () => {
  const iccid = driverCards[2];
  const before = await platformCard(stack, iccid);
  const created = await createOrder(stack, DEV_DRIVER, iccid);
  const resumed = await resume(DEV_DRIVER, created.outTradeNo);
  expect(resumed.data).toEqual({ outTradeNo: created.outTradeNo, payParams: created.payParams });
  const orders = (await stack.sim('GET', '/stats')).operations['payment.create'];

  await stack.sim('POST', '/pay', { orderNo: created.outTradeNo, result: 'success' });
  await deliveries(stack, created.outTradeNo);
  expect((await storedOrder(stack, created.outTradeNo))?.state).toBe('applied');
  expect(await auditCount(stack, 'order.paid', created.outTradeNo)).toBe(1);
  expect((await platformCard(stack, iccid)).totalMB).toBe(before.totalMB + PRODUCT.dataMB);

  // Paid now: no sheet any more, and no call to the platform's create.
  const again = await resume(DEV_DRIVER, created.outTradeNo);
  expect(again.error).toEqual({ code: 'CONFLICT', message: '这笔订单已付款并到账，不需要再付款。' });
  expect((await stack.sim('GET', '/stats')).operations['payment.create']).toBe(orders);
});

test('an order the gateway settled unseen is brought up to date and not resumed', async () => {
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, driverCards[0]);
  await stack.sim('POST', '/faults', { dropNotifications: true });
  await stack.sim('POST', '/pay', { orderNo: outTradeNo, result: 'success' });
  expect((await storedOrder(stack, outTradeNo))?.state).toBe('created');

  const reply = await resume(DEV_DRIVER, outTradeNo);
  expect(reply.error.code).toBe('CONFLICT');
  expect(reply.error.message).toMatch(/已付款/);
  expect(['paid', 'applied']).toContain((await storedOrder(stack, outTradeNo))?.state);
  expect(await auditCount(stack, 'order.paid', outTradeNo)).toBe(1);
});

test('a closed, another payer’s or too old an order is not resumed', async () => {
  const closed = await createOrder(stack, DEV_DRIVER, driverCards[1]);
  await cancel(DEV_DRIVER, closed.outTradeNo);
  expect((await resume(DEV_DRIVER, closed.outTradeNo)).error).toEqual({
    code: 'CONFLICT',
    message: '这笔订单已关闭，没有扣款；需要充值请重新下单。',
  });

  const managers = await createOrder(stack, DEV_MANAGER, driverCards[1]);
  expect((await resume(DEV_DRIVER, managers.outTradeNo)).error.code).toBe('FORBIDDEN');
  expect(
    (await resume(DEV_MANAGER, (await createOrder(stack, DEV_DRIVER, driverCards[1])).outTradeNo)).error.code,
  ).toBe('FORBIDDEN');

  const old = await createOrder(stack, DEV_DRIVER, driverCards[1]);
  const realNow = stack.deps.now;
  stack.deps.now = () => realNow() + 2 * 3_600_000;
  try {
    expect((await resume(DEV_DRIVER, old.outTradeNo)).error).toEqual({
      code: 'CONFLICT',
      message: '这笔订单已超过支付时限，请取消订单后重新下单。',
    });
  } finally {
    stack.deps.now = realNow;
  }
});

test('an order whose creation never reached the platform gets there when resumed', async () => {
  const latest = await unreachedOrder();

  const reply = await resume(DEV_DRIVER, latest.outTradeNo);
  expect(reply.data.payParams).toEqual(expect.objectContaining({ package: expect.stringMatching(/^prepay_id=/) }));
  expect(await storedOrder(stack, latest.outTradeNo)).toEqual(
    expect.objectContaining({ state: 'created', platformOrderNo: expect.any(String), amountFen: PRODUCT.priceFen }),
  );
  expect(await gatewayState(latest.outTradeNo)).toBe('NOTPAY');
});
