// The role-aware tab bar: what a role may not use is not shown.
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderComponent, type Rendered } from './harness';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const tabTexts = (bar: Rendered) =>
  Array.from(bar.comp.dom!.querySelectorAll('van-tabbar-item')).map((item) => item.textContent!.trim());

test.each([
  ['dev-manager', ['卡片', '地图', '订单', '我的']],
  ['dev-driver', ['卡片', '地图', '订单', '我的']],
  ['dev-staff', ['卡片', '地图', '我的']],
  ['a-stranger', ['我的']],
])('%s sees %j', async (openid, tabs) => {
  const bar = await renderComponent('custom-tab-bar/index', { openid, stack });
  await bar.waitFor(() => tabTexts(bar).length === tabs.length, `${tabs.length} tabs`);
  expect(tabTexts(bar)).toEqual(tabs);
});

test('tapping a tab switches to its page', async () => {
  const bar = await renderComponent('custom-tab-bar/index', { openid: 'dev-driver', stack });
  await bar.waitFor(() => tabTexts(bar).length === 4, 'the driver tabs');
  await bar.tapText('订单');
  expect(bar.wx.navigations).toEqual([{ method: 'switchTab', url: '/pages/orders/index' }]);
});
