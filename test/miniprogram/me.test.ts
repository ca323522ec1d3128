// 我的 against the real dev host: each role's profile and entries, alert subscriptions from a tap (with
// templates, and in development without), the dev identity switcher, and a failed launch login.
import { createServer } from 'node:net';
import { DEV_PLATE } from '../../dev/seed';
import { pickCards } from '../helpers/cards';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage, wxScript } from './harness';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

/** The phone's storage, as the page sees it. */
const storage = (key: string) => (globalThis as any).wx.getStorageSync(key);

const ENTRIES = ['成员与邀请', '车辆', '批量任务', '操作记录', '充值卡库存', '提醒规则', '消费统计'];
const TEMPLATES = { lowData: 'tmpl-low-data', stopped: 'tmpl-stopped', paid: 'tmpl-paid' };

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

test('a manager sees name, role and every management entry; an entry opens its page', async () => {
  const page = await renderPage('me', { openid: 'dev-manager', stack });
  expect(page.text()).toContain('王经理');
  expect(page.text()).toContain('管理员');
  for (const entry of ENTRIES) expect(page.text()).toContain(entry);

  await page.tapText('成员与邀请');
  await page.tapText('充值卡库存');
  expect(page.wx.navigations).toEqual([
    { method: 'navigateTo', url: '/manager/members/index' },
    { method: 'navigateTo', url: '/manager/datacards/index' },
  ]);
});

test('a driver sees their vehicle by plate with its cards, and no management entries', async () => {
  const { own } = await pickCards(stack);
  const page = await renderPage('me', { openid: 'dev-driver', stack });
  await page.waitForText(DEV_PLATE);
  expect(page.text()).toContain('李师傅');
  expect(page.text()).toContain('司机');
  expect(page.text()).toContain(`${own.length} 张卡`);
  expect(page.text()).not.toContain('车队管理');
  for (const entry of ['成员与邀请', '批量任务', '充值卡库存']) expect(page.text()).not.toContain(entry);
  expect(page.text()).toContain('支付成功');
});

test('field staff see their role, no management entries and no payment alerts', async () => {
  const page = await renderPage('me', { openid: 'dev-staff', stack });
  expect(page.text()).toContain('张工');
  expect(page.text()).toContain('外勤');
  expect(page.text()).not.toContain('车队管理');
  expect(page.text()).toContain('流量不足');
  expect(page.text()).toContain('卡片停机');
  expect(page.text()).not.toContain('支付成功');
});

test('a stranger is told to join and the button opens the invite page', async () => {
  const page = await renderPage('me', { openid: 'me-stranger', stack });
  expect(page.text()).toContain('还没有加入车队');
  expect(page.text()).toContain('访客');
  expect(page.text()).not.toContain('微信提醒');
  await page.tapText('输入邀请码');
  expect(page.wx.navigations).toEqual([{ method: 'navigateTo', url: '/pages/welcome/index' }]);
});

test('subscribing from a tap asks WeChat for the chosen templates and shows what was accepted', async () => {
  const page = await renderPage('me', {
    openid: 'dev-driver',
    stack,
    before: (mod) => mod('config').configure({ alertTemplates: TEMPLATES }),
  });
  // Untick 支付成功: only the other two are asked for.
  await page.tapText('支付成功');
  expect(page.data.chosen).toEqual(['lowData', 'stopped']);
  await page.tapText('订阅所选提醒');
  await page.waitFor(() => page.wx.toasts.length > 0, 'the subscription to finish');

  expect(page.wx.subscribes).toEqual([{ tmplIds: ['tmpl-low-data', 'tmpl-stopped'] }]);
  expect(page.wx.toasts).toEqual([{ title: '已订阅 2 项提醒', icon: 'success' }]);
  expect(page.data.alerts.map((a: any) => a.status.split(' · ')[0])).toEqual(['已订阅 1 次', '已订阅 1 次', '未订阅']);
  expect(page.data.subscribing).toBe(false);

  // Refused in WeChat's dialog: nothing is counted and the page says how to get it back.
  wxScript.subscribe = 'reject';
  await page.tapText('订阅所选提醒');
  await page.waitFor(() => page.wx.modals.length > 0, 'the refusal to be explained');
  expect(page.wx.modals[0].content).toContain('选择「允许」');
  expect(page.data.alerts[0].status).toBe('上次没有允许');
  expect(storage('alertSubscriptions')).toEqual({
    lowData: expect.objectContaining({ accepted: 1, last: 'reject' }),
    stopped: expect.objectContaining({ accepted: 1, last: 'reject' }),
  });
});

test('in development without templates, a tap explains that and records the choice on the phone', async () => {
  const page = await renderPage('me', { openid: 'dev-staff', stack });
  await page.tapText('订阅所选提醒');
  expect(page.wx.subscribes).toEqual([]);
  expect(page.wx.modals).toEqual([
    expect.objectContaining({ title: '开发环境没有订阅模板', content: expect.stringContaining('流量不足、卡片停机') }),
  ]);
  expect(storage('alertSubscriptions')).toEqual({
    lowData: expect.objectContaining({ last: 'dev' }),
    stopped: expect.objectContaining({ last: 'dev' }),
  });
  expect(page.text()).toContain('已记录（开发环境）');
});

test('with nothing ticked, the tap says to tick something first', async () => {
  const page = await renderPage('me', { openid: 'dev-staff', stack });
  await page.tapText('流量不足');
  await page.tapText('卡片停机');
  await page.tapText('订阅所选提醒');
  expect(page.wx.toasts).toEqual([{ title: '请先勾选要接收的提醒', icon: 'none' }]);
  expect(page.wx.subscribes).toEqual([]);
});

test('the dev identity switcher logs in as another role and starts the app over', async () => {
  const page = await renderPage('me', { openid: 'dev-manager', stack });
  expect(page.text()).toContain('开发身份');

  await page.tap('#as-dev-staff');
  await page.waitFor(() => page.wx.navigations.length > 0, 'the app to relaunch');
  expect(page.mod('config').config.devOpenid).toBe('dev-staff');
  expect(page.mod('stores/session').sessionStore.role).toBe('staff');
  expect(page.wx.navigations).toEqual([{ method: 'reLaunch', url: '/pages/cards/index' }]);

  await page.tap('#as-dev-stranger');
  await page.waitFor(() => page.wx.navigations.length > 1, 'the app to relaunch as a stranger');
  expect(page.mod('config').config.devOpenid).toMatch(/^dev-stranger-/);
  expect(page.mod('stores/session').sessionStore.member).toBeNull();
  expect(page.wx.navigations[1]).toEqual({ method: 'reLaunch', url: '/pages/welcome/index' });
});

test('when the launch login failed, the page says so and 重试 logs in', async () => {
  const page = await renderPage('me', { openid: 'dev-driver', devHost: `http://127.0.0.1:${await closedPort()}` });
  expect(page.text()).toContain('网络连接失败，请检查网络后重试。');
  page.mod('config').configure({ devHost: stack.host.url });
  await page.tapText('重试');
  await page.waitForText('李师傅');
  expect(page.text()).not.toContain('网络连接失败');
});
