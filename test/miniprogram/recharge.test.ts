// The recharge page against the real dev host and emulator: a driver picks a package and pays in the dev
// sheet (success, cancel, failure), double taps make one order, and refusals read as sentences.
import { DEV_DRIVER, DEV_MANAGER } from '../../dev/seed';
import { PRODUCT, cardInState, createOrder, platformCard, storedOrder, vehicleCards } from '../helpers/pay';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage, type Rendered } from './harness';
import { actionsSent, ordersOf, queryOf } from './pay-helpers';

let stack: TestStack;
let driverCards: string[];

beforeAll(async () => {
  stack = await startTestStack();
  driverCards = await vehicleCards(stack);
});
afterAll(() => stack.stop());
afterEach(() => stack.sim('POST', '/faults', {}));

async function openRecharge(iccid: string, openid = DEV_DRIVER, options: Record<string, string> = {}) {
  const page = await renderPage('recharge', { openid, stack, options: { iccid, ...options } });
  await page.waitFor(() => page.data.status !== 'loading', 'the card and packages to load');
  return page;
}

/** Picks the package by its name and opens the dev pay sheet. */
async function payFor(page: Rendered, name: string) {
  await page.tapText(name);
  await page.tap('#pay');
  await page.waitForText('模拟微信支付');
}

async function resultOf(page: Rendered) {
  await page.waitFor(() => page.wx.navigations.length > 0, 'the result page');
  const [nav] = page.wx.navigations;
  expect(nav.method).toBe('redirectTo');
  expect(nav.url).toMatch(/^\/pages\/pay-result\/index\?/);
  return queryOf(nav);
}

test('a driver recharges their own card: the package is applied, the result says 已到账 and the data grew', async () => {
  const iccid = driverCards[0];
  const before = await platformCard(stack, iccid);
  const page = await openRecharge(iccid);

  // The card on top, the platform's categories as tabs and its packages with prices in yuan.
  expect(page.text('.recharge__card')).toContain('粤B12345');
  expect(page.text('.recharge__card')).toContain(iccid);
  expect(page.text('.recharge__card')).toMatch(/剩余流量/);
  expect(page.data.tabs.map((t: { name: string }) => t.name)).toEqual(['月包', '季包', '年包', '加油包']);
  expect(page.text('.recharge__grid')).toContain('月包 1GB');
  expect(page.text('.recharge__grid')).toContain('¥10.00');
  expect(page.text('#pay')).toBe('请选择套餐');

  await page.trigger('van-tabs', 'change', { name: 'booster' });
  expect(page.text('.recharge__grid')).toContain('加油包 2GB');
  expect(page.text('.recharge__grid')).not.toContain('月包 1GB');
  await page.trigger('van-tabs', 'change', { name: 'monthly' });

  await payFor(page, '月包 1GB');
  expect(page.text('#pay')).toContain('正在下单');
  expect(page.text('.dev-pay')).toContain('¥10.00');
  await page.tapText('支付成功');
  const query = await resultOf(page);
  expect(query.from).toBe('paid');
  expect(page.data.paying).toBe(false);

  const result = await renderPage('pay-result', { openid: DEV_DRIVER, stack, options: query });
  await result.waitForText('已到账');
  await result.waitFor(() => result.data.applied.added, 'the data added');
  const after = await platformCard(stack, iccid);
  expect(after.totalMB).toBe(before.totalMB + 1024);
  expect(result.text('.result__applied')).toContain('+1GB');
  expect(result.data.applied.left).toBe(page.mod('utils/format').formatMB(after.totalMB - after.usedMB));
  expect(result.text()).toContain('¥10.00');
  expect(result.text()).toContain('月包 1GB 已充入粤B12345的卡');
  expect((await storedOrder(stack, query.outTradeNo))?.state).toBe('applied');
});

test('two quick taps on pay make one order', async () => {
  const page = await openRecharge(driverCards[1]);
  const before = (await ordersOf(stack, DEV_DRIVER)).length;
  await page.tapText('月包 3GB');
  await Promise.all([page.tap('#pay'), page.tap('#pay'), page.tap('#pay')]);
  await page.waitForText('模拟微信支付');
  expect(actionsSent(page.wx.requests, 'pay').filter((a) => a === 'create')).toHaveLength(1);
  expect((await ordersOf(stack, DEV_DRIVER)).length).toBe(before + 1);
  await page.tapText('取消');
  await resultOf(page);
});

test('cancelling in the pay sheet is no error: the result says it was cancelled, nothing is paid, pay again works', async () => {
  const iccid = driverCards[2];
  const before = await platformCard(stack, iccid);
  const page = await openRecharge(iccid);
  await payFor(page, '月包 1GB');
  await page.tapText('取消');
  const query = await resultOf(page);
  expect(query.from).toBe('cancel');
  expect(page.wx.modals).toEqual([]);
  expect(page.data.payError).toBe('');

  const result = await renderPage('pay-result', { openid: DEV_DRIVER, stack, options: query });
  await result.waitForText('已取消支付');
  expect(result.text()).toContain('你取消了支付，没有扣款。');
  // The order is closed here and at the gateway, so the cancelled sheet can no longer take money.
  await result.waitFor(() => result.data.order !== null && !result.data.checking, 'the order to be shown');
  expect(actionsSent(result.wx.requests, 'pay')).toContain('cancel');
  expect((await storedOrder(stack, query.outTradeNo))?.state).toBe('closed');
  expect((await stack.sim('POST', '/pay', { orderNo: query.outTradeNo, result: 'success' })).message).toMatch(/已关闭/);
  expect((await platformCard(stack, iccid)).totalMB).toBe(before.totalMB);

  await result.tapText('重新支付');
  const again = result.wx.navigations.at(-1)!;
  expect(again.method).toBe('redirectTo');
  expect(queryOf(again)).toEqual({ iccid, productId: 'P-M-1G' });
  const repay = await openRecharge(iccid, DEV_DRIVER, { productId: 'P-M-1G' });
  expect(repay.data.selectedId).toBe('P-M-1G');
  expect(repay.text('#pay')).toBe('微信支付 ¥10.00');
});

test('a failed payment says so, and the order ends failed', async () => {
  const page = await openRecharge(driverCards[0]);
  await payFor(page, '月包 1GB');
  await page.tapText('支付失败');
  const query = await resultOf(page);
  expect(query.from).toBe('fail');
  const result = await renderPage('pay-result', { openid: DEV_DRIVER, stack, options: query });
  await result.waitForText('支付失败');
  expect(result.text()).toContain('没有扣款');
  expect(result.exists('.result__actions')).toBe(true);
  expect(result.text('.result__actions')).toContain('重新支付');
  expect((await storedOrder(stack, query.outTradeNo))?.state).toBe('failed');
});

test("a driver opening another vehicle's card reads the FORBIDDEN sentence, with no retry", async () => {
  const [otherCard] = await vehicleCards(stack, '粤B67890');
  const page = await openRecharge(otherCard);
  expect(page.data.status).toBe('error');
  expect(page.text()).toContain('这张卡不属于你驾驶的车辆，无法查看或充值；如有疑问请联系车队管理员。');
  expect(page.text()).not.toContain('重试');
  expect(page.exists('van-loading')).toBe(false);
  await page.tapText('返回');
  expect(page.wx.navigations).toEqual([{ method: 'navigateBack', url: '', delta: 1 }]);
});

test('a closed card shows why it cannot be recharged and makes no order', async () => {
  const closed = cardInState(stack, 'closed');
  const page = await openRecharge(closed, DEV_MANAGER);
  expect(page.text()).toContain('这张卡已销号或已转出，不能充值');
  const before = await stack.deps.store.count('orders', { iccid: closed });
  await page.tapText('月包 1GB');
  expect(page.data.selectedId).toBe('');
  await page.tap('#pay');
  expect(actionsSent(page.wx.requests, 'pay')).not.toContain('create');
  expect(await stack.deps.store.count('orders', { iccid: closed })).toBe(before);
});

test('platform down: loading ends in a sentence with a retry, which works once the platform is back', async () => {
  await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 503 });
  const page = await openRecharge(driverCards[0]);
  expect(page.data.status).toBe('error');
  expect(page.text()).toContain('卡平台暂时无法访问，请稍后重试。');
  expect(page.exists('van-loading')).toBe(false);

  await stack.sim('POST', '/faults', {});
  await page.tapText('重试');
  await page.waitFor(() => page.data.status === 'ready', 'the packages after the retry');
  expect(page.text('.recharge__grid')).toContain('月包 1GB');
});

test('platform down at pay time: the sentence is shown under the button, the button comes back, nothing is paid', async () => {
  const page = await openRecharge(driverCards[1]);
  await page.tapText('月包 1GB');
  await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 503, pathPattern: '^/paymentservice/payments' });
  await page.tap('#pay');
  await page.waitFor(() => page.data.payError, 'the failure sentence');
  expect(page.text('.recharge__bar')).toMatch(/没有扣款|暂时无法访问|没有响应/);
  expect(page.data.paying).toBe(false);
  expect(page.text('#pay')).toBe('微信支付 ¥10.00');
  expect(page.wx.navigations).toEqual([]);
});

test('without a card to recharge the page says where to start', async () => {
  const page = await renderPage('recharge', { openid: DEV_DRIVER, stack });
  expect(page.text()).toContain('没有指定要充值的卡');
  expect(actionsSent(page.wx.requests, 'pay')).toEqual([]);
});

test('an unpaid order is paid later from its result page: 继续支付 pays that same order, its package fixed', async () => {
  const iccid = driverCards[1];
  const before = await platformCard(stack, iccid);
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, iccid);
  const result = await renderPage('pay-result', { openid: DEV_DRIVER, stack, options: { outTradeNo } });
  await result.waitForText('待支付');
  await result.tapText('继续支付');
  const nav = result.wx.navigations.at(-1)!;
  expect(nav.method).toBe('redirectTo');
  expect(queryOf(nav)).toEqual({ iccid, productId: PRODUCT.id, outTradeNo });

  const page = await openRecharge(iccid, DEV_DRIVER, queryOf(nav));
  expect(page.text()).toContain('继续支付未完成的订单，套餐不能更改');
  expect(page.text('#pay')).toBe('微信支付 ¥10.00');
  await page.tapText('月包 3GB'); // another package cannot be picked for this order
  expect(page.data.selectedId).toBe(PRODUCT.id);

  const ordersBefore = (await ordersOf(stack, DEV_DRIVER)).length;
  await page.tap('#pay');
  await page.waitForText('模拟微信支付');
  await page.tapText('支付成功');
  // The navigation record is the test's: the result page's redirect above is its first entry.
  await page.waitFor(() => page.wx.navigations.length > 1, 'the result page');
  const query = queryOf(page.wx.navigations.at(-1)!);
  expect(page.wx.navigations.at(-1)!.url).toMatch(/^\/pages\/pay-result\/index\?/);
  expect(query).toEqual({ outTradeNo, from: 'paid' });
  expect(actionsSent(page.wx.requests, 'pay')).toEqual(expect.arrayContaining(['resume', 'devPay']));
  expect(actionsSent(page.wx.requests, 'pay')).not.toContain('create');

  const paid = await renderPage('pay-result', { openid: DEV_DRIVER, stack, options: query });
  await paid.waitForText('已到账');
  expect((await ordersOf(stack, DEV_DRIVER)).length).toBe(ordersBefore);
  expect((await storedOrder(stack, outTradeNo))?.state).toBe('applied');
  expect((await platformCard(stack, iccid)).totalMB).toBe(before.totalMB + PRODUCT.dataMB);
});

test('continuing an order whose package is no longer sold says what to do, and cannot pay', async () => {
  const { outTradeNo } = await createOrder(stack, DEV_DRIVER, driverCards[1]);
  const page = await openRecharge(driverCards[1], DEV_DRIVER, { productId: 'P-GONE', outTradeNo });
  expect(page.data.payError).toBe('这笔订单的套餐已不再销售，请回到订单取消它后重新下单。');
  expect(page.text('#pay')).toBe('请选择套餐');
  await page.tapText('月包 1GB');
  expect(page.data.selectedId).toBe('');
  await page.tap('#pay');
  expect(actionsSent(page.wx.requests, 'pay')).not.toContain('resume');
});
