// The orders tab against the real dev host: a driver's own orders, a manager's every order with the day
// and month totals, paging 20 at a time by changed paths only, pull to refresh, the empty list, and roles
// that may not see it.
import { createServer } from 'node:net';
import { createInvite, redeem } from '../../cloudfunctions/shared/services/members';
import type { OrderDoc } from '../../cloudfunctions/shared/services/orders';
import { DEV_DRIVER, DEV_MANAGER, DEV_STAFF, vehicleId } from '../../dev/seed';
import { createOrder, vehicleCards } from '../helpers/pay';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage, type Rendered } from './harness';
import { ordersOf } from './pay-helpers';

let stack: TestStack;
let driverCards: string[];
let otherCards: string[];

beforeAll(async () => {
  stack = await startTestStack();
  driverCards = await vehicleCards(stack);
  otherCards = await vehicleCards(stack, '粤B67890');
});
afterAll(() => stack.stop());

/** A new driver of 粤B67890, through an invite as a person joins. */
async function newDriver(openid: string): Promise<string> {
  const invite = await createInvite(stack.deps, DEV_MANAGER, { role: 'driver', vehicleIds: [vehicleId('粤B67890')] });
  await redeem(stack.deps, openid, invite.code);
  return openid;
}

/** `n` stored orders of `openid`, one minute apart, newest last. */
async function storeOrders(openid: string, n: number): Promise<void> {
  const start = Date.now() - n * 60_000;
  for (let i = 0; i < n; i++) {
    const no = `FCTEST${openid.replace(/[^A-Za-z0-9]/g, '').slice(-8)}${String(i).padStart(4, '0')}`;
    const doc: OrderDoc = {
      _id: no,
      outTradeNo: no,
      iccid: otherCards[0],
      productId: 'P-B-500M',
      productName: '加油包 500MB',
      amountFen: 500,
      openid,
      platformOrderNo: null,
      state: 'closed',
      createdAt: start + i * 60_000,
      paidAt: null,
      appliedAt: null,
      endedAt: start + i * 60_000,
      transactionId: null,
      note: '订单已关闭，未扣款。',
      checkedAt: start + i * 60_000,
    };
    await stack.deps.store.insert('orders', doc);
  }
}

async function openOrders(openid: string): Promise<Rendered> {
  const page = await renderPage('orders', { openid, stack });
  await page.waitFor(() => page.data.loaded || page.data.error, 'the orders to load');
  return page;
}

/** Every setData the page makes from now on. */
function recordSetData(page: Rendered): Array<Record<string, unknown>> {
  const calls: Array<Record<string, unknown>> = [];
  const original = page.instance.setData;
  page.instance.setData = (data: Record<string, unknown>, callback?: () => void) => {
    calls.push(data);
    return original.call(page.instance, data, callback);
  };
  return calls;
}

test('a driver sees only their own orders, newest first, each with plate, card, package, amount, state and time', async () => {
  const mine = [
    await createOrder(stack, DEV_DRIVER, driverCards[0]),
    await createOrder(stack, DEV_DRIVER, driverCards[1]),
  ];
  const managers = await createOrder(stack, DEV_MANAGER, otherCards[0]);
  await stack.sim('POST', '/pay', { orderNo: mine[1].outTradeNo, result: 'success' });

  const page = await openOrders(DEV_DRIVER);
  const stored = await ordersOf(stack, DEV_DRIVER);
  const shown = page.data.list.map((o: { outTradeNo: string }) => o.outTradeNo);
  expect(shown).toHaveLength(stored.length);
  expect(new Set(shown)).toEqual(new Set(stored.map((o) => o.outTradeNo)));
  expect(shown).not.toContain(managers.outTradeNo);
  expect(shown[0]).toBe(mine[1].outTradeNo);
  expect(page.text()).toContain(`我的订单，共 ${stored.length} 笔`);
  expect(page.exists('van-tabs')).toBe(false); // no totals for a driver

  const first = page.text('.order');
  expect(first).toContain('粤B12345');
  expect(first).toContain(`尾号 ${driverCards[1].slice(-4)}`);
  expect(first).toContain('月包 1GB');
  expect(first).toContain('¥10.00');
  expect(first).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  // The state as the platform last confirmed it: the notification applied it.
  await page.lifecycle('onPullDownRefresh');
  expect(page.text('.order')).toContain('已到账');
  expect(page.exists('.order-applied')).toBe(true);
  expect(page.wx.pullDownStops).toBe(1);

  await page.tap('.order');
  expect(page.wx.navigations).toEqual([
    { method: 'navigateTo', url: `/pages/pay-result/index?outTradeNo=${mine[1].outTradeNo}` },
  ]);
});

test('a manager sees every order and, on 统计, the paid totals of the last 30 days and this month', async () => {
  const paid = await createOrder(stack, DEV_MANAGER, otherCards[1], 'P-M-3G');
  await stack.sim('POST', '/pay', { orderNo: paid.outTradeNo, result: 'success' });
  await stack.fn('pay', DEV_MANAGER, { action: 'order', outTradeNo: paid.outTradeNo });

  const page = await openOrders(DEV_MANAGER);
  const all = await stack.deps.store.count('orders');
  expect(page.text()).toContain(`车队全部订单，共 ${all} 笔`);
  expect(page.text('.order')).toContain('王经理');

  await page.tapText('统计');
  await page.waitFor(() => page.data.hasStats, 'the totals');
  const format = page.mod('utils/format');
  const { from, to, daysFrom } = page.mod('stores/orders').statsRange();
  const stats = (await stack.fn('pay', DEV_MANAGER, { action: 'stats', from, to })).data;
  const last30 = stats.days.filter((d: { date: string }) => d.date >= daysFrom);
  const sum = last30.reduce((s: number, d: { amountFen: number }) => s + d.amountFen, 0);
  expect(sum).toBeGreaterThanOrEqual(2500);
  expect(page.text('.totals')).toContain(`近30天收款${format.formatFen(sum)}`);
  const month = stats.months.find((m: { month: string }) => m.month === to.slice(0, 7));
  expect(page.text('.totals')).toContain(`${format.formatFen(month.amountFen)}${month.count} 笔`);
  expect(page.data.days).toHaveLength(30);
  expect(page.data.days[0].date).toBe(to); // today first
  expect(page.text('.day')).toContain(format.formatFen(last30.at(-1).amountFen));

  await page.tapText('订单');
  expect(page.data.tab).toBe('orders');
  expect(page.exists('.order')).toBe(true);
});

test('orders page 20 at a time; each page is sent as its own list paths, never the whole list', async () => {
  const openid = await newDriver('driver-with-many-orders');
  await storeOrders(openid, 45);
  const page = await openOrders(openid);
  expect(page.data.list).toHaveLength(20);
  expect(page.text()).toContain('共 45 笔');

  const calls = recordSetData(page);
  await page.lifecycle('onReachBottom');
  expect(page.data.list).toHaveLength(40);
  await page.lifecycle('onReachBottom');
  expect(page.data.list).toHaveLength(45);
  expect(page.text()).toContain('没有更多订单了');

  const listKeys = calls.flatMap((c) => Object.keys(c)).filter((k) => k.startsWith('list'));
  expect(listKeys).toEqual(Array.from({ length: 25 }, (_, i) => `list[${20 + i}]`));
  for (const call of calls) expect(JSON.stringify(call).length).toBeLessThan(32 * 1024);
  // Everything shown is this driver's, in order, no order twice.
  const shown = page.data.list.map((o: { outTradeNo: string }) => o.outTradeNo);
  expect(new Set(shown).size).toBe(45);

  // An order seen fresher elsewhere (the pay result) re-renders its row alone.
  calls.length = 0;
  const store = page.mod('stores/orders').ordersStore;
  store.noteOrder({ ...store.rows[30], state: 'failed' });
  await page.settle();
  expect(calls.flatMap((c) => Object.keys(c)).filter((k) => k.startsWith('list'))).toEqual(['list[30]']);
  expect(page.data.list[30].stateText).toBe('支付失败');
});

test('a driver without orders sees the empty list and where orders come from', async () => {
  const openid = await newDriver('driver-without-orders');
  const page = await openOrders(openid);
  expect(page.data.empty).toBe(true);
  expect(page.text()).toContain('你还没有订单。在卡片详情里点「充值」，付款后订单会显示在这里。');
  expect(page.exists('.order')).toBe(false);
});

test('field staff opening the tab anyway read the FORBIDDEN sentence', async () => {
  const page = await openOrders(DEV_STAFF);
  expect(page.text()).toContain('你没有权限进行此操作，如需开通请联系车队管理员。');
  expect(page.exists('.order')).toBe(false);
  expect(page.exists('van-loading')).toBe(false);
  expect(page.text()).not.toContain('重试'); // trying again would not help
  await page.tapText('查看卡片');
  expect(page.wx.navigations).toEqual([{ method: 'switchTab', url: '/pages/cards/index' }]);
});

test('the host out of reach: the sentence and a retry that loads the orders', async () => {
  await createOrder(stack, DEV_DRIVER, driverCards[2]);
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      server.close(() => resolve(address.port));
    });
  });
  const page = await renderPage('orders', { openid: DEV_DRIVER, devHost: `http://127.0.0.1:${port}` });
  expect(page.text()).toContain('网络连接失败，请检查网络后重试。');
  page.mod('config').configure({ devHost: stack.host.url });
  await page.tapText('重试');
  await page.waitFor(() => page.data.list.length > 0, 'the orders after the retry');
});

test('a stranger is sent to the welcome page', async () => {
  const page = await renderPage('orders', { openid: 'a-stranger-orders', stack });
  await page.waitFor(() => page.wx.navigations.length > 0, 'the welcome page');
  expect(page.wx.navigations).toEqual([{ method: 'reLaunch', url: '/pages/welcome/index' }]);
});
