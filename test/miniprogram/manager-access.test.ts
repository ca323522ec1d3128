// The manager subpackage for everyone else: a driver, field staff or a stranger who lands on a manager page
// sees the backend's FORBIDDEN sentence, and no loading state is left running.
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage } from './harness';

let stack: TestStack;
let forbidden: string;
beforeAll(async () => {
  stack = await startTestStack();
  const reply = await stack.fn('admin', 'dev-driver', { action: 'members' });
  expect(reply.error.code).toBe('FORBIDDEN');
  forbidden = reply.error.message;
});
afterAll(() => stack.stop());

const PAGES: Array<[string, Record<string, string>]> = [
  ['members', {}],
  ['vehicles', {}],
  ['jobs', {}],
  ['job', { jobId: 'job-anything' }],
  ['audit', {}],
  ['datacards', {}],
  ['alerts', {}],
  ['stats', {}],
];

test.each(PAGES)('a driver opening manager/%s sees the FORBIDDEN sentence', async (name, options) => {
  const page = await renderPage(`manager/${name}/index`, { openid: 'dev-driver', stack, options });
  await page.waitForText(forbidden);
  expect(page.text()).not.toContain('正在加载');
  expect(page.text()).not.toContain('重试'); // trying again cannot help: 返回 instead
  await page.tapText('返回');
  expect(page.wx.navigations).toEqual([{ method: 'navigateBack', url: '', delta: 1 }]);
  for (const action of ['邀请成员', '添加车辆', '添加规则', '筛选']) expect(page.text()).not.toContain(action);
  expect(page.wx.loading).toBe(false);
});

test.each([['dev-staff'], ['a-stranger']])('%s opening the members page sees the same sentence', async (openid) => {
  const page = await renderPage('manager/members/index', { openid, stack });
  await page.waitForText(forbidden);
  expect(page.data.members).toEqual([]);
});
