// The pay result page against the real dev host: it follows an order while it is shown and unsettled, says
// each state in words (paid and on its way, cancelled, refused), and its buttons go where they say.
import { createServer } from 'node:net';
import { DEV_DRIVER, DEV_MANAGER } from '../../dev/seed';
import { createOrder, storedOrder, vehicleCards } from '../helpers/pay';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage, wxScript, type Rendered } from './harness';
import { actionsSent } from './pay-helpers';
import { pageStack } from './wx-env';

let stack: TestStack;
let driverCards: string[];

beforeAll(async () => {
  stack = await startTestStack();
  driverCards = await vehicleCards(stack);
});
afterAll(() => stack.stop());
afterEach(() => stack.sim('POST', '/faults', {}));

/** Opens the result of an order; `waits` replaces the backoff (a long one keeps the page following). */
function openResult(outTradeNo: string, openid = DEV_DRIVER, waits: number[] = [60_000], from?: string) {
  return renderPage('pay-result', {
    openid,
    stack,
    options: from ? { outTradeNo, from } : { outTradeNo },
    before: (mod) => void mod('pages/pay-result/backoff').BACKOFF_MS.splice(0, Infinity, ...waits),
  });
}

const looks = (page: Rendered) => actionsSent(page.wx.requests, 'pay').filter((a) => a === 'order').length;

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

test('an unpaid order reads 待支付 with a refresh; following stops while the page is hidden and resumes on show', async () => {
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, driverCards[0]);
  const page = await openResult(outTradeNo);
  await page.waitForText('待支付');
  expect(page.text()).toContain('如果你已经付款，结果可能稍有延迟');
  expect(page.text()).toContain('刷新');
  expect(looks(page)).toBe(1);
  expect(page.instance.timer).toBeDefined(); // the next look is scheduled

  await page.lifecycle('onHide');
  expect(page.instance.timer).toBeUndefined();
  await page.lifecycle('onShow');
  await page.settle();
  expect(looks(page)).toBe(2); // back on the page: one look at once
  expect(page.instance.timer).toBeDefined();
});

test('paid but not yet applied reads 支付成功、正在到账, then 已到账 once the platform confirms', async () => {
  const iccid = driverCards[1];
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, iccid);
  await stack.sim('POST', '/faults', { dropNotifications: true });
  await stack.sim('POST', '/pay', { orderNo: outTradeNo, result: 'success' });
  // The card cannot be read back, so the backend cannot confirm the package applied yet.
  await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 503, pathPattern: '^/cardservice/flowcards/' });
  const page = await openResult(outTradeNo);
  await page.waitForText('支付成功，正在到账', 15_000);
  expect(page.text()).toContain('已收到你的付款');
  expect((await storedOrder(stack, outTradeNo))?.state).toBe('paid');

  await stack.sim('POST', '/faults', {});
  await page.tapText('刷新');
  await page.waitForText('已到账');
  await page.waitFor(() => page.data.applied.added === '+1GB', 'the data added');
});

test('an order closed at the gateway reads 已取消 with pay again; a final order is not followed further', async () => {
  const iccid = driverCards[2];
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, iccid);
  await stack.deps.platform.call('wxpay.closeOrder', { params: { outTradeNo } });
  const page = await openResult(outTradeNo);
  await page.waitForText('已取消');
  expect(page.text()).toContain('这笔订单已关闭，没有扣款。');
  expect(page.text()).toContain('重新支付');
  expect(page.instance.timer).toBeUndefined();
  expect((await storedOrder(stack, outTradeNo))?.state).toBe('closed');
});

test('after a cancel in the pay sheet the order is closed once; if the gateway is down it says so and stays open', async () => {
  const closed = await createOrder(stack, DEV_DRIVER, driverCards[2]);
  const page = await openResult(closed.outTradeNo, DEV_DRIVER, [60_000], 'cancel');
  await page.waitForText('已取消支付');
  await page.waitFor(() => page.data.order !== null, 'the order');
  expect((await storedOrder(stack, closed.outTradeNo))?.state).toBe('closed');
  await page.tapText('重新支付'); // leaves the page; nothing more is asked
  expect(actionsSent(page.wx.requests, 'pay').filter((a) => a === 'cancel')).toHaveLength(1);

  const open = await createOrder(stack, DEV_DRIVER, driverCards[2]);
  await stack.sim('POST', '/faults', { errorRate: 1, pathPattern: '^/paymentservice/v2/' });
  const down = await openResult(open.outTradeNo, DEV_DRIVER, [60_000], 'cancel');
  await down.waitForText('已取消支付');
  await down.waitFor(() => down.data.lastError !== '', 'the reason the order stays open');
  expect(down.data.lastError).toMatch(/^订单暂时没能关闭：.+未支付的订单两小时后会自动关闭。$/);
  expect(down.text()).toContain('你取消了支付，没有扣款。');
  expect((await storedOrder(stack, open.outTradeNo))?.state).toBe('created');
});

test('the payer cancels their unpaid order from its page, after confirming; declining changes nothing', async () => {
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, driverCards[0]);
  const page = await openResult(outTradeNo);
  await page.waitForText('待支付');
  expect(page.exists('#cancel-order')).toBe(true);

  wxScript.modalConfirm = false;
  await page.tapText('取消订单');
  expect(page.wx.modals.at(-1)?.title).toBe('取消订单');
  expect(actionsSent(page.wx.requests, 'pay')).not.toContain('cancel');
  expect((await storedOrder(stack, outTradeNo))?.state).toBe('created');

  wxScript.modalConfirm = true;
  await page.tapText('取消订单');
  await page.waitForText('这笔订单已关闭，没有扣款。');
  expect((await storedOrder(stack, outTradeNo))?.state).toBe('closed');
  expect(page.exists('#cancel-order')).toBe(false);
  expect(page.text()).toContain('重新支付');
  expect(page.instance.timer).toBeUndefined(); // closed is final: nothing more to follow
});

test('a cancel the gateway cannot take says so, and the order is still followed', async () => {
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, driverCards[0]);
  const page = await openResult(outTradeNo);
  await page.waitForText('待支付');
  await stack.sim('POST', '/faults', { errorRate: 1, pathPattern: '^/paymentservice/v2/' });
  await page.tapText('取消订单');
  await page.waitFor(() => page.data.lastError !== '', 'the reason');
  expect(page.data.lastError).toMatch(/^订单没有取消：[\u4e00-\u9fff]/);
  expect(page.data.cancelling).toBe(false);
  expect((await storedOrder(stack, outTradeNo))?.state).toBe('created');
  expect(page.instance.timer).toBeDefined();
});

test('a manager looking at a driver’s unpaid order is not offered to cancel it', async () => {
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, driverCards[0]);
  const page = await openResult(outTradeNo, DEV_MANAGER);
  await page.waitForText('待支付');
  expect(page.exists('#cancel-order')).toBe(false);
});

test("a manager sees a driver's settled order with the payer, and is not offered to pay it", async () => {
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, driverCards[0]);
  await stack.sim('POST', '/pay', { orderNo: outTradeNo, result: 'success' });
  const page = await openResult(outTradeNo, DEV_MANAGER);
  await page.waitForText('已到账');
  expect(page.text('.result__order')).toContain('李师傅');
  expect(page.text()).not.toContain('重新支付');
});

test("someone else's order, and one that does not exist, read as sentences with no retry", async () => {
  const [otherCard] = await vehicleCards(stack, '粤B67890');
  const { outTradeNo } = await createOrder(stack, DEV_MANAGER, otherCard);
  const page = await openResult(outTradeNo, DEV_DRIVER);
  await page.waitForText('这笔订单不是你支付的，无法查看。');
  expect(page.text()).not.toContain('重试');
  expect(page.exists('van-loading')).toBe(false);

  const missing = await openResult('FCNOSUCHORDER1', DEV_DRIVER);
  await missing.waitForText('没有找到这笔订单');
});

test('the host out of reach: the sentence and a retry, which finds the order once it is back', async () => {
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, driverCards[0]);
  const page = await renderPage('pay-result', {
    openid: DEV_DRIVER,
    devHost: `http://127.0.0.1:${await closedPort()}`,
    options: { outTradeNo },
    launch: false,
  });
  await page.waitForText('网络连接失败，请检查网络后重试。');
  expect(page.data.checking).toBe(false);
  page.mod('config').configure({ devHost: stack.host.url });
  await page.tapText('重试');
  await page.waitForText('待支付');
});

test('返回卡片 goes back to the card detail below, or opens it; 查看订单 opens the orders tab', async () => {
  const iccid = driverCards[0];
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, iccid);
  const below = { route: 'pages/card-detail/index', options: { iccid } };
  pageStack.push(below);
  try {
    const page = await openResult(outTradeNo);
    await page.waitForText('待支付');
    await page.tapText('返回卡片');
    expect(page.wx.navigations.at(-1)).toEqual({ method: 'navigateBack', url: '', delta: 1 });
  } finally {
    pageStack.splice(pageStack.indexOf(below), 1);
  }
  const alone = await openResult(outTradeNo);
  await alone.waitForText('待支付');
  await alone.tapText('返回卡片');
  expect(alone.wx.navigations.at(-1)).toEqual({ method: 'redirectTo', url: `/pages/card-detail/index?iccid=${iccid}` });
  await alone.tapText('查看订单');
  expect(alone.wx.navigations.at(-1)).toEqual({ method: 'switchTab', url: '/pages/orders/index' });
});
