// 成员与邀请 against the real dev host: a manager invites a driver for a vehicle, the code is shown and
// copied, a stranger redeems it on the welcome page and appears in the members; removing a member.
import { vehicleId } from '../../dev/seed';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage, wxScript } from './harness';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const PAGE = 'manager/members/index';

test('a manager sees every member with their role and vehicles', async () => {
  const page = await renderPage(PAGE, { openid: 'dev-manager', stack });
  await page.waitFor(() => !page.data.loading);
  expect(page.text()).toContain('成员（3）');
  expect(page.data.members.map((m: any) => [m.name, m.roleName])).toEqual([
    ['王经理', '管理员'],
    ['李师傅', '司机'],
    ['张工', '外勤'],
  ]);
  expect(page.data.members[1].vehiclesText).toBe('粤B12345');
  expect(page.data.members[0].isMe).toBe(true);
});

test('a manager invites a driver for a vehicle; a stranger redeems the code and appears in the members', async () => {
  const page = await renderPage(PAGE, { openid: 'dev-manager', stack });
  await page.waitFor(() => !page.data.loading);
  await page.tapText('邀请成员');
  await page.tapText('粤B67890');
  await page.input('van-field', '赵师傅');
  await page.tapText('生成邀请码');
  await page.waitFor(() => page.data.created, 'the invite to be created');

  const code: string = page.data.created.code;
  expect(page.text('.invite__code')).toBe(code);
  expect(page.text('.invite')).toContain('请把邀请码告诉司机「赵师傅」');
  expect(page.text('.invite')).toContain('车辆 粤B67890');
  expect(page.text('.invite')).toContain(`pages/welcome/index?invite=${code}`);
  await page.tapText('复制邀请码');
  expect(page.wx.clipboard).toEqual([code]);
  expect(page.wx.toasts).toEqual([{ title: '邀请码已复制', icon: 'success' }]);
  await page.tapText('复制路径');
  expect(page.wx.clipboard[1]).toBe(`pages/welcome/index?invite=${code}`);
  await page.tapText('完成');
  expect(page.text()).toContain('未使用的邀请（1）');
  expect(page.text()).toContain(code);
  page.unmount();

  // The stranger, on their own phone, types the code on the welcome page.
  const welcome = await renderPage('welcome', { openid: 'new-driver-zhao', stack });
  await welcome.input('van-field', code);
  await welcome.tapText('加入车队');
  await welcome.waitFor(() => welcome.wx.navigations.length > 0, 'the stranger to join');
  welcome.unmount();

  const after = await renderPage(PAGE, { openid: 'dev-manager', stack });
  await after.waitFor(() => !after.data.loading);
  const zhao = after.data.members.find((m: any) => m.openid === 'new-driver-zhao');
  expect(zhao).toEqual(expect.objectContaining({ name: '赵师傅', roleName: '司机', vehiclesText: '粤B67890' }));
  expect(after.text()).toContain('赵师傅');
  expect(after.text()).toContain('未使用的邀请（0）');
  const vehicles = await stack.fn('admin', 'dev-manager', { action: 'vehicles' });
  const veh = vehicles.data.find((v: any) => v.id === vehicleId('粤B67890'));
  expect(veh.driverOpenids).toContain('new-driver-zhao');
});

test('an invite for field staff has no vehicles to pick', async () => {
  const page = await renderPage(PAGE, { openid: 'dev-manager', stack });
  await page.waitFor(() => !page.data.loading);
  await page.tapText('邀请成员');
  await page.tapText('粤A88888');
  await page.tapText('外勤');
  expect(page.text()).not.toContain('驾驶的车辆');
  await page.tapText('生成邀请码');
  await page.waitFor(() => page.data.created, 'the invite to be created');
  const invites = await stack.fn('admin', 'dev-manager', { action: 'invites' });
  expect(invites.data.find((i: any) => i.code === page.data.created.code)).toEqual(
    expect.objectContaining({ role: 'staff', vehicleIds: [] }),
  );
});

test('removing a member asks first; cancelling keeps them, confirming removes them', async () => {
  const invite = await stack.fn('admin', 'dev-manager', { action: 'invite', role: 'staff', name: '临时工' });
  await stack.fn('login', 'temp-staff', { action: 'redeemInvite', code: invite.data.code });
  const page = await renderPage(PAGE, { openid: 'dev-manager', stack });
  await page.waitFor(() => !page.data.loading);
  const index = page.data.members.findIndex((m: any) => m.openid === 'temp-staff');
  expect(index).toBeGreaterThan(0);
  expect(page.exists('#remove-dev-manager')).toBe(false); // no remove button for myself
  expect(page.exists('#remove-dev-driver')).toBe(true);

  wxScript.modalConfirm = false;
  await page.tap(`#remove-temp-staff`);
  expect(page.wx.modals).toEqual([expect.objectContaining({ title: '移除外勤「临时工」？' })]);
  expect((await stack.fn('login', 'temp-staff', { action: 'me' })).data.member).not.toBeNull();

  wxScript.modalConfirm = true;
  await page.tap(`#remove-temp-staff`);
  await page.waitFor(() => page.wx.toasts.length > 0, 'the member to be removed');
  expect(page.wx.toasts).toEqual([{ title: '已移除', icon: 'none' }]);
  await page.waitFor(() => !page.data.members.some((m: any) => m.openid === 'temp-staff'), 'the list to refresh');
  expect((await stack.fn('login', 'temp-staff', { action: 'me' })).data.member).toBeNull();
  expect(page.wx.loading).toBe(false);
});
