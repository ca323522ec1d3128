// 充值卡库存 and 消费统计 against the real dev host: the recharge-card stock paged and filtered by status,
// and the fleet's spending per day and month after a driver paid an order.
import { formatFen } from '../../miniprogram/utils/format';
import { createOrder, vehicleCards } from '../helpers/pay';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage, type Rendered } from './harness';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const loaded = (page: Rendered) => page.waitFor(() => !page.data.loading, 'the page to load');
const stock = (status?: number) =>
  stack.fn('admin', 'dev-manager', {
    action: 'datacards',
    skip: 0,
    take: 100,
    ...(status === undefined ? {} : { status }),
  });

test('the recharge-card stock shows how many are unused, pages 20 at a time and filters by status', async () => {
  const all = (await stock()).data;
  const unused = (await stock(0)).data;
  const page = await renderPage('manager/datacards/index', { openid: 'dev-manager', stack });
  await loaded(page);

  expect(page.text('.summary')).toBe(`${unused.total}张充值卡未使用`);
  expect(page.data.cards).toHaveLength(20);
  expect(page.data.cards[0]).toEqual(
    expect.objectContaining({ cardNo: all.items[0].cardNo, statusText: all.items[0].statusText }),
  );
  expect(page.text()).toContain(`已显示 20/${all.total}`);
  await page.lifecycle('onReachBottom');
  await page.waitFor(() => page.data.cards.length === 40, 'the next page');
  expect(page.data.cards.map((c: any) => c.cardNo)).toEqual(all.items.slice(0, 40).map((c: any) => c.cardNo));

  await page.tapText('未使用');
  await loaded(page);
  expect(page.data.cards.length).toBe(Math.min(20, unused.total));
  expect(page.data.cards.every((c: any) => c.statusText === '未使用')).toBe(true);
  expect(page.data.total).toBe(unused.total);
});

test('when the card platform is down the stock page says so and retries', async () => {
  await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 503, pathPattern: 'datacard' });
  try {
    const expected = (await stock()).error;
    const page = await renderPage('manager/datacards/index', { openid: 'dev-manager', stack });
    await loaded(page);
    expect(page.text()).toContain(expected.message);
    await stack.sim('POST', '/faults', {});
    await page.tapText('重试');
    await loaded(page);
    expect(page.data.cards.length).toBeGreaterThan(0);
  } finally {
    await stack.sim('POST', '/faults', {});
  }
});

test('spending shows nothing before any payment, then the paid order on its day and month', async () => {
  const page = await renderPage('manager/stats/index', { openid: 'dev-manager', stack });
  await loaded(page);
  expect(page.text()).toContain('这段时间还没有支付成功的充值订单');
  expect(page.data.stats.days).toHaveLength(30);
  page.unmount();

  const [iccid] = await vehicleCards(stack);
  const order = await createOrder(stack, 'dev-driver', iccid);
  const paid = await stack.fn('pay', 'dev-driver', {
    action: 'devPay',
    outTradeNo: order.outTradeNo,
    result: 'success',
  });
  expect(paid.ok).toBe(true);
  await page.waitFor(async () => {
    const o = await stack.fn('pay', 'dev-driver', { action: 'order', outTradeNo: order.outTradeNo });
    return o.data.paidAt;
  }, 'the order to be paid');
  const amount = formatFen(paid.data.amountFen);

  const after = await renderPage('manager/stats/index', { openid: 'dev-manager', stack });
  await loaded(after);
  expect(after.data.stats.recentTotal).toBe(amount);
  expect(after.text()).toContain(`${amount}近 30 天 · 1 笔`);
  const today = after.data.stats.days[0];
  expect(today).toEqual(expect.objectContaining({ amount, count: 1, width: 100 }));
  await after.tapText('按月');
  expect(after.data.view).toBe('month');
  expect(after.data.stats.months[0]).toEqual(expect.objectContaining({ amount, count: 1 }));
  expect(after.text()).toContain(after.data.stats.months[0].label);
});
