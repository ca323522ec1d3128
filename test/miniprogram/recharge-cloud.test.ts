// The recharge flow as it runs in WeChat (cloud transport): wx.requestPayment gets the parameters exactly as
// the backend returned them, the payer is scripted, and the backend learns of the payment only from the
// platform: the app never reports a payment itself.
import { DEV_DRIVER } from '../../dev/seed';
import { platformCard, storedOrder, vehicleCards } from '../helpers/pay';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage, wxScript, type RenderOptions } from './harness';
import { actionsSent, installCloud, payer, platformOrderOf, queryOf } from './pay-helpers';

let stack: TestStack;
let driverCards: string[];
let removeCloud: () => void;

beforeAll(async () => {
  stack = await startTestStack();
  driverCards = await vehicleCards(stack);
  removeCloud = installCloud(stack, DEV_DRIVER);
});
afterAll(async () => {
  removeCloud();
  await stack.stop();
});

/** A page as the app in WeChat renders it: cloud transport, login with a wx.login code. */
function inWeChat(path: string, options: Record<string, string>, extra: Partial<RenderOptions> = {}) {
  return renderPage(path, {
    openid: DEV_DRIVER,
    stack,
    options,
    ...extra,
    before: (mod) => {
      mod('config').configure({ transport: 'cloud' });
      return extra.before?.(mod);
    },
  });
}

async function payInWeChat(iccid: string) {
  const page = await inWeChat('recharge', { iccid });
  await page.waitFor(() => page.data.status === 'ready', 'the packages');
  await page.tapText('月包 1GB');
  await page.tap('#pay');
  await page.waitFor(() => page.wx.navigations.length > 0, 'the result page');
  const [nav] = page.wx.navigations;
  return { page, query: queryOf(nav) };
}

test('WeChat Pay gets the parameters as returned; the order is applied from the platform, never from the app', async () => {
  const iccid = driverCards[0];
  const before = await platformCard(stack, iccid);
  wxScript.payment = payer(stack, 'success');
  const { page, query } = await payInWeChat(iccid);

  expect(page.mod('stores/session').sessionStore.member.openid).toBe(DEV_DRIVER); // logged in with a wx.login code
  expect(page.wx.payments).toHaveLength(1);
  const params = page.wx.payments[0];
  expect(Object.keys(params).sort()).toEqual(['nonceStr', 'package', 'paySign', 'signType', 'timeStamp']);
  expect(platformOrderOf(stack, params).outTradeNo).toBe(query.outTradeNo);
  expect(query.from).toBe('paid');

  const result = await inWeChat('pay-result', query);
  await result.waitForText('已到账');
  expect((await platformCard(stack, iccid)).totalMB).toBe(before.totalMB + 1024);
  expect((await storedOrder(stack, query.outTradeNo))?.state).toBe('applied');
  const sent = actionsSent(page.wx.requests, 'pay');
  expect(sent).toContain('create');
  expect(sent).not.toContain('devPay');
});

test('requestPayment:fail cancel is no error: the result says cancelled and the order is not paid', async () => {
  const iccid = driverCards[1];
  wxScript.payment = payer(stack, 'cancel');
  const { page, query } = await payInWeChat(iccid);
  expect(query.from).toBe('cancel');
  expect(page.wx.modals).toEqual([]);
  expect(page.wx.toasts).toEqual([]);

  const result = await inWeChat('pay-result', query);
  await result.waitForText('已取消支付');
  expect(result.text()).toContain('没有扣款');
  await result.waitFor(() => result.data.order !== null && !result.data.checking, 'the order to be shown');
  expect((await storedOrder(stack, query.outTradeNo))?.state).toBe('closed');
});

test('WeChat saying "paid" is not trusted: until the platform confirms, the order reads 待支付, then "confirmed later"', async () => {
  const iccid = driverCards[2];
  const before = await platformCard(stack, iccid);
  wxScript.payment = 'success'; // the sheet says ok, but the platform never saw a payment
  const { query } = await payInWeChat(iccid);
  expect(query.from).toBe('paid');

  let backoff: number[] = [];
  const result = await inWeChat('pay-result', query, {
    // One long wait first (the page shows 待支付 meanwhile); then no more waits, so a refresh runs it out.
    before: (mod) => {
      backoff = mod('pages/pay-result/backoff').BACKOFF_MS;
      backoff.splice(0, Infinity, 60_000);
    },
  });
  await result.waitForText('待支付');
  expect(result.text()).toContain('如果你已经付款，结果可能稍有延迟');
  expect(result.text()).toContain('刷新');
  // Not offered to pay or cancel again: WeChat said it was paid, the confirmation is only late.
  expect(result.exists('#resume-order')).toBe(false);
  expect(result.exists('#cancel-order')).toBe(false);
  backoff.splice(0, Infinity);
  await result.tapText('刷新');
  await result.waitFor(() => result.data.waitedOut, 'the backoff to run out');
  expect(result.text()).toContain('请不要重复支付：卡平台确认后这笔订单会自动到账');
  expect(result.text()).toContain('再查一次');
  expect((await storedOrder(stack, query.outTradeNo))?.state).toBe('created');
  expect((await platformCard(stack, iccid)).totalMB).toBe(before.totalMB);

  // The payer's money reaches the platform late: one more look finds the order applied.
  await stack.sim('POST', '/pay', { orderNo: query.outTradeNo, result: 'success' });
  await result.tapText('再查一次');
  await result.waitForText('已到账');
  expect((await storedOrder(stack, query.outTradeNo))?.state).toBe('applied');
});

test('a WeChat Pay failure (not a cancel) says the payment did not go through', async () => {
  wxScript.payment = 'fail';
  const { query } = await payInWeChat(driverCards[0]);
  expect(query.from).toBe('fail');
  const result = await inWeChat('pay-result', query);
  await result.waitForText('支付失败');
  expect(result.text()).toContain('微信支付没有完成，没有扣款');
  expect(result.text()).toContain('重新支付');
});
