// The card detail page against the real dev host: a manager stops a card and follows it until the carrier
// confirms; a stopped card says why and offers the one action that fixes it; usage, chart and forecast;
// what each role may do; and the unhappy paths.
import { shanghaiDate, usageId, type UsageDoc } from '../../cloudfunctions/shared/services/card-usage';
import type { FlowCard } from '../../dev/platform/model';
import { emulatorCards, pickCards, stateOf, takeCard } from '../helpers/cards';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage, wxScript } from './harness';

let stack: TestStack;
const taken = new Set<string>();
beforeAll(async () => {
  stack = await startTestStack();
  // The carrier confirms a stop or resume quickly, so following it does not take long.
  await stack.sim('POST', '/config', { networkDelayMs: 200 });
});
afterAll(() => stack.stop());
afterEach(() => stack.sim('POST', '/faults', {}));

/** An active card on none of the driver's vehicles, not used by another test. */
async function freeActiveCard(): Promise<FlowCard> {
  const { own } = await pickCards(stack);
  return takeCard(stack, taken, (c) => stateOf(c) === 'active' && !own.includes(c.iccid) && c.totalMB > 0);
}

/** A stopped card whose fix is `fix`, listed as the manager sees it. */
async function stoppedCard(fix: string): Promise<string> {
  const list = await stack.fn('cards', 'dev-manager', { action: 'list', skip: 0, take: 100, state: 'suspended' });
  const arrears = await stack.fn('cards', 'dev-manager', { action: 'list', skip: 0, take: 100, state: 'arrears' });
  const card = [...list.data.items, ...arrears.data.items].find((c: any) => c.fix === fix && !taken.has(c.iccid));
  if (!card) throw new Error(`no stopped card fixed by ${fix}`);
  taken.add(card.iccid);
  return card.iccid;
}

test('a manager stops a card with a reason, sees it pending, then stopped, and the audit entry', async () => {
  const card = await freeActiveCard();
  const page = await renderPage('card-detail', { openid: 'dev-manager', stack, options: { iccid: card.iccid } });
  expect(page.text()).toContain(card.iccid);
  expect(page.data.card.state).toBe('active');
  expect(page.text()).toContain('这张卡还没有操作记录。');

  await page.tap('#stop');
  await page.waitForText('确定停机');
  await page.tap('#net-submit');
  expect(page.text()).toContain('请填写原因（2 到 100 个字）');
  expect(page.wx.modals).toEqual([]);

  await page.input('#net-reason', '车辆进厂维修');
  await page.tap('#net-submit');
  expect(page.wx.modals[0]).toEqual(expect.objectContaining({ title: '确定停机？', confirmText: '确定停机' }));
  expect(page.data.card.pending).toBe('停机中…');
  expect(page.text()).toContain('停机中…');
  expect(page.exists('#stop')).toBe(false);
  expect(page.data.submitting).toBe(false);
  expect(page.data.net.show).toBe(false);

  await page.waitFor(() => !page.data.card.pending, 'the carrier to confirm the stop');
  expect(page.data.card.state).toBe('suspended');
  expect(page.text()).not.toContain('停机中…');
  expect(page.text()).toContain(page.data.card.statusText);
  expect(page.wx.toasts.map((t) => t.title)).toEqual(['已提交停机', '已停机']);
  await page.waitForText('申请停机');
  expect(page.text()).toContain('原因：车辆进厂维修');
  expect(page.text()).toContain('王经理');
  expect(stateOf(stack.emulator.platform.cards.get(card.iccid)!)).toBe('suspended');

  // Stopped by hand: the one action that fixes it is the manager's resume.
  expect(page.data.card.fix).toBe('resume');
  expect(page.text('.detail__reason')).toContain('管理员可以复机');
  await page.tap('#fix');
  await page.waitForText('确定复机');
  await page.input('#net-reason', '维修完成');
  await page.tap('#net-submit');
  expect(page.text()).toContain('复机中…');
  await page.waitFor(() => page.data.card.state === 'active' && !page.data.card.pending, 'the resume to be confirmed');
  expect(page.wx.toasts.at(-1)?.title).toBe('已复机');
});

test('cancelling the confirm dialog sends nothing', async () => {
  const card = await freeActiveCard();
  const page = await renderPage('card-detail', { openid: 'dev-manager', stack, options: { iccid: card.iccid } });
  page.wx.requests.length = 0;
  await page.tap('#stop');
  await page.input('#net-reason', '误操作测试');
  wxScript.modalConfirm = false;
  await page.tap('#net-submit');
  expect(page.wx.modals).toHaveLength(1);
  expect(page.wx.requests.filter((r) => JSON.stringify(r.data).includes('setNetwork'))).toEqual([]);
  expect(page.data.card.pending).toBe('');
});

test('a stop the platform refuses says why in the popup, and the page stays as it was', async () => {
  const card = await freeActiveCard();
  const page = await renderPage('card-detail', { openid: 'dev-manager', stack, options: { iccid: card.iccid } });
  // Someone else asked for a stop a moment ago: the carrier has not confirmed it yet.
  await stack.sim('POST', '/config', { networkDelayMs: 60_000 });
  try {
    const first = await stack.fn('cards', 'dev-manager', {
      action: 'setNetwork',
      iccid: card.iccid,
      op: 'stop',
      reason: '另一位管理员',
    });
    expect(first.ok).toBe(true);
    await page.tap('#stop');
    await page.input('#net-reason', '车辆停运');
    await page.tap('#net-submit');
    expect(page.data.net.error).toBe('该卡已有一个停复机请求正在处理，请等运营商确认后再操作。');
    expect(page.text()).toContain('该卡已有一个停复机请求正在处理');
    expect(page.data.submitting).toBe(false);
    expect(page.data.net.show).toBe(true);
  } finally {
    await stack.sim('POST', '/config', { networkDelayMs: 200 });
  }
});

test('following a pending stop ends when the page hides', async () => {
  const card = await freeActiveCard();
  await stack.sim('POST', '/config', { networkDelayMs: 60_000 });
  try {
    const page = await renderPage('card-detail', { openid: 'dev-manager', stack, options: { iccid: card.iccid } });
    await page.tap('#stop');
    await page.input('#net-reason', '车辆停运');
    await page.tap('#net-submit');
    expect(page.data.card.pending).toBe('停机中…');
    await page.lifecycle('onHide');
    const sent = page.wx.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 2500)); // past the first re-read it would have made
    expect(page.wx.requests.length).toBe(sent);

    await page.lifecycle('onShow'); // back on the page: it reads the card again and keeps following
    expect(page.wx.requests.length).toBeGreaterThan(sent);
    expect(page.data.card.pending).toBe('停机中…');
  } finally {
    await stack.sim('POST', '/config', { networkDelayMs: 200 });
  }
});

test('a card stopped for arrears says so and offers recharge', async () => {
  const iccid = await stoppedCard('recharge');
  const page = await renderPage('card-detail', { openid: 'dev-manager', stack, options: { iccid } });
  expect(page.text('.detail__reason')).toContain('充值后会自动恢复');
  expect(page.exists('#stop')).toBe(false);
  await page.tap('#fix');
  expect(page.wx.navigations).toEqual([{ method: 'navigateTo', url: `/pages/recharge/index?iccid=${iccid}` }]);
});

test('a card stopped by the carrier explains whom to call, and copies the ICCID', async () => {
  const iccid = await stoppedCard('carrier');
  const page = await renderPage('card-detail', { openid: 'dev-manager', stack, options: { iccid } });
  expect(page.text('.detail__reason')).toContain('需要联系运营商处理');
  await page.tap('#fix');
  expect(page.wx.modals[0].title).toBe('联系运营商');
  expect(page.wx.modals[0].content).toContain(iccid);
  expect(page.wx.modals[0].content).toMatch(/拨打 100(86|10|00)/);
  expect(page.wx.clipboard).toEqual([iccid]);
});

test('a card stopped for want of a real name shows the real-name state and how to get one', async () => {
  const iccid = await stoppedCard('realName');
  const page = await renderPage('card-detail', { openid: 'dev-manager', stack, options: { iccid } });
  expect(page.text('.detail__reason')).toContain('未完成实名认证');
  expect(page.data.realName.title).toBe('未实名');
  expect(page.text()).not.toContain('运营商渠道办理');
  await page.tap('#fix');
  expect(page.text()).toContain('通过运营商渠道办理');
  expect(page.exists('#resume')).toBe(false);
});

test('the usage chart draws 30 days from the snapshots, with the forecast the backend makes', async () => {
  const card = await freeActiveCard();
  const today = Date.now();
  const daily = 37;
  await stack.sim('POST', '/cards', { iccid: card.iccid, usedMB: 800, totalMB: 3072 });
  // Ten earlier days of snapshots, 37 MB a day (today's was taken when the stack started).
  await stack.deps.store.remove('usage', usageId(card.iccid, shanghaiDate(today)));
  for (let back = 10; back >= 0; back--) {
    const date = shanghaiDate(today - back * 86_400_000);
    await stack.deps.store.insert<UsageDoc>('usage', {
      _id: usageId(card.iccid, date),
      iccid: card.iccid,
      date,
      usedMB: 800 - back * daily,
      totalMB: 3072,
    });
  }
  const usage = (await stack.fn('cards', 'dev-manager', { action: 'usage', iccid: card.iccid })).data;
  expect(usage.forecastDaysLeft).toBe(Math.floor((3072 - 800) / daily));

  const page = await renderPage('card-detail', { openid: 'dev-manager', stack, options: { iccid: card.iccid } });
  expect(page.text()).toContain(`预计约 ${usage.forecastDaysLeft} 天后用完`);
  expect(page.text()).toContain('每天约 37MB');
  expect(page.text()).toContain('800MB');
  expect(page.text()).toContain('3GB');
  expect(page.text()).toMatch(/数据更新于 (刚刚|\d+(分钟|小时|天)前)/);
  expect(page.text()).toContain('近30天每日用量');
  expect(page.text()).toContain('有记录的 10 天日均 37MB');
  const chart = page.comp.dom!.querySelectorAll('usage-chart wx-view[style*="height"]');
  expect(chart.length).toBe(10);
});

test('without enough snapshots the forecast says it cannot tell yet', async () => {
  const card = await freeActiveCard();
  const page = await renderPage('card-detail', { openid: 'dev-manager', stack, options: { iccid: card.iccid } });
  expect(page.text()).toContain('用量记录还不够，暂时无法预测还能用多少天');
  expect(page.text()).toContain('用量记录还不够：系统每天记一次用量');
});

test('a driver sees their own card with recharge and no stop, and no audit', async () => {
  const { own } = await pickCards(stack);
  const page = await renderPage('card-detail', { openid: 'dev-driver', stack, options: { iccid: own[0] } });
  expect(page.text()).toContain('粤B12345');
  expect(page.text()).toContain('李师傅');
  expect(page.exists('#stop')).toBe(false);
  expect(page.text()).not.toContain('操作记录');
  expect(page.wx.requests.some((r) => r.url.endsWith('/fn/admin'))).toBe(false);
  await page.tap('#recharge');
  expect(page.wx.navigations).toEqual([{ method: 'navigateTo', url: `/pages/recharge/index?iccid=${own[0]}` }]);
});

test('a driver who opens another vehicle’s card is told why, with a retry, and loading ends', async () => {
  const card = await freeActiveCard();
  const page = await renderPage('card-detail', { openid: 'dev-driver', stack, options: { iccid: card.iccid } });
  expect(page.data.loading).toBe(false);
  expect(page.text()).toContain('这张卡不属于你驾驶的车辆，无法查看或充值；如有疑问请联系车队管理员。');
  expect(page.text()).toContain('重试');
  expect(page.text()).not.toContain(card.msisdn);
});

test('field staff read a card, go to its location, and can neither stop nor recharge', async () => {
  const card = await freeActiveCard();
  const page = await renderPage('card-detail', { openid: 'dev-staff', stack, options: { iccid: card.iccid } });
  expect(page.text()).toContain(card.iccid);
  expect(page.text()).toContain('实名认证');
  expect(page.exists('#stop')).toBe(false);
  expect(page.exists('#recharge')).toBe(false);
  await page.tap('#location');
  expect(page.wx.navigations).toEqual([{ method: 'switchTab', url: '/pages/map/index' }]);
  await page.tap('.detail__copy');
  expect(page.wx.clipboard).toEqual([card.iccid]);
});

test('platform down: a Chinese sentence and a retry, loading ended; the retry shows the card', async () => {
  const card = emulatorCards(stack).find((c) => !taken.has(c.iccid))!;
  await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 500 });
  const page = await renderPage('card-detail', { openid: 'dev-manager', stack, options: { iccid: card.iccid } });
  expect(page.data.loading).toBe(false);
  expect(page.data.card).toBeNull();
  expect(page.data.error).toMatch(/[\u4e00-\u9fa5]/);
  expect(page.text()).toContain(page.data.error);
  expect(page.exists('van-loading')).toBe(false);

  await stack.sim('POST', '/faults', {});
  await page.tapText('重试');
  await page.waitFor(() => page.data.card, 'the card after the retry');
  expect(page.text()).toContain(card.iccid);
});

test('opened without a card, the page says where to come from', async () => {
  const page = await renderPage('card-detail', { openid: 'dev-manager', stack, options: {} });
  expect(page.text()).toContain('没有指定要查看的卡，请从卡片列表或扫码进入。');
  expect(page.data.loading).toBe(false);
});
