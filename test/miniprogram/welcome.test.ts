// The welcome page against the real dev host: a stranger redeems an invite and becomes a member.
import { createServer } from 'node:net';
import { createInvite } from '../../cloudfunctions/shared/services/members';
import { vehicleId, DEV_PLATE } from '../../dev/seed';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage } from './harness';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

test('a stranger enters an invite code and becomes a driver; the app opens the cards tab', async () => {
  const invite = await createInvite(stack.deps, 'dev-manager', { role: 'driver', vehicleIds: [vehicleId(DEV_PLATE)] });
  const page = await renderPage('welcome', { openid: 'stranger-welcome-1', stack });
  expect(page.text()).toContain('你还没有加入车队');
  expect(page.mod('stores/session').sessionStore.member).toBeNull();

  await page.input('van-field', ` ${invite.code.toLowerCase()} `);
  await page.tapText('加入车队');
  await page.waitFor(() => page.wx.navigations.length > 0, 'the app to leave the welcome page');

  expect(page.wx.navigations).toEqual([{ method: 'switchTab', url: '/pages/cards/index' }]);
  expect(page.wx.toasts).toEqual([{ title: '已加入车队', icon: 'success' }]);
  expect(page.mod('stores/session').sessionStore.member).toEqual(
    expect.objectContaining({ openid: 'stranger-welcome-1', role: 'driver', vehicleIds: [vehicleId(DEV_PLATE)] }),
  );
  expect(page.data.submitting).toBe(false);
  const me = await stack.fn('login', 'stranger-welcome-1', { action: 'me' });
  expect(me.data.member.role).toBe('driver');
});

test('an expired code and an unknown code show the reason under the field, and the button comes back', async () => {
  const expired = await createInvite(stack.deps, 'dev-manager', { role: 'staff', ttlHours: -1 });
  const page = await renderPage('welcome', { openid: 'stranger-welcome-2', stack });

  await page.input('van-field', expired.code);
  await page.tapText('加入车队');
  await page.waitForText('该邀请码已过期，请向管理员索取新的邀请码。');
  expect(page.text('van-field')).toContain('该邀请码已过期，请向管理员索取新的邀请码。');
  expect(page.data.submitting).toBe(false);
  expect(page.wx.loading).toBe(false);

  await page.input('van-field', 'ZZZZ9999');
  expect(page.text()).not.toContain('已过期'); // typing clears the old error
  await page.tapText('加入车队');
  await page.waitForText('邀请码不存在，请核对后重新输入。');
  expect(page.data.submitting).toBe(false);
  expect(page.wx.navigations).toEqual([]);
  expect(page.mod('stores/session').sessionStore.member).toBeNull();
});

test('a code that cannot be one is refused before anything is sent', async () => {
  const page = await renderPage('welcome', { openid: 'stranger-welcome-3', stack });
  const sent = page.wx.requests.length;
  await page.input('van-field', '!');
  await page.tapText('加入车队');
  expect(page.text('van-field')).toContain('请输入管理员给你的邀请码（字母和数字）。');
  expect(page.wx.requests.length).toBe(sent);
});

test('arriving from an invite link fills the code in', async () => {
  const invite = await createInvite(stack.deps, 'dev-manager', { role: 'staff' });
  const page = await renderPage('welcome', {
    openid: 'stranger-welcome-4',
    stack,
    options: { invite: encodeURIComponent(invite.code) },
  });
  expect(page.data.code).toBe(invite.code);
  await page.tapText('加入车队');
  await page.waitFor(() => page.wx.navigations.length > 0, 'the app to open the cards tab');
  expect(page.mod('stores/session').sessionStore.role).toBe('staff');
});

test('when the host cannot be reached, the page says so in words and offers a retry', async () => {
  const devHost = `http://127.0.0.1:${await closedPort()}`;
  const page = await renderPage('welcome', { openid: 'stranger-welcome-5', devHost });
  expect(page.text()).toContain('网络连接失败，请检查网络后重试。');
  expect(page.exists('.welcome__alert')).toBe(true);

  await page.input('van-field', 'ABCD2345');
  await page.tapText('加入车队');
  await page.waitFor(() => page.text('van-field').includes('网络连接失败'), 'the network sentence under the field');
  expect(page.data.submitting).toBe(false);
  expect(page.wx.loading).toBe(false);
});

test('retry after the host comes back finds the member and opens the cards tab', async () => {
  const page = await renderPage('welcome', { openid: 'dev-driver', devHost: `http://127.0.0.1:${await closedPort()}` });
  expect(page.text()).toContain('网络连接失败');
  page.mod('config').configure({ devHost: stack.host.url });
  await page.tapText('重试');
  await page.waitFor(() => page.wx.navigations.length > 0, 'the app to open the cards tab');
  expect(page.wx.navigations).toEqual([{ method: 'switchTab', url: '/pages/cards/index' }]);
  expect(page.text()).not.toContain('网络连接失败');
});
