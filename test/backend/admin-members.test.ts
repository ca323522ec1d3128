// Members and invites: an invite a stranger redeems once, before it expires, to become a driver of the
// invited vehicles (and see exactly their cards); removing members, never oneself or the last manager.
import { DEV_DRIVER, DEV_MANAGER, DEV_PLATE, DEV_STAFF, vehicleId } from '../../dev/seed';
import { docs, fails, joinWith, ok, suiteStack } from '../helpers/admin';

const stack = suiteStack();

const HOUR = 3_600_000;
const OTHER_PLATE = '粤B67890';
const vehicles = () => ok<any[]>(stack(), 'admin', DEV_MANAGER, { action: 'vehicles' });
const members = () => ok<any[]>(stack(), 'admin', DEV_MANAGER, { action: 'members' });
const invite = (body: Record<string, unknown>) => ok(stack(), 'admin', DEV_MANAGER, { action: 'invite', ...body });

test('members lists everyone with name, role and vehicles, managers first', async () => {
  const list = await members();
  const rank = (role: string) => ['manager', 'driver', 'staff'].indexOf(role);
  const ranks = list.map((m) => rank(m.role));
  expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  expect(list).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ openid: DEV_MANAGER, role: 'manager', name: '王经理', vehicleIds: [] }),
      expect.objectContaining({ openid: DEV_DRIVER, role: 'driver', vehicleIds: [vehicleId(DEV_PLATE)] }),
      expect.objectContaining({ openid: DEV_STAFF, role: 'staff' }),
    ]),
  );
});

test('an invite: a code a person can type, a QR payload for the welcome page, the expiry asked for', async () => {
  const now = Date.now();
  stack().deps.now = () => now;
  const made = await invite({ role: 'staff', name: '赵工', ttlHours: 5 });
  expect(made).toEqual({
    code: expect.stringMatching(/^[2-9A-HJKMNP-Z]{8}$/),
    role: 'staff',
    vehicleIds: [],
    name: '赵工',
    expiresAt: new Date(now + 5 * HOUR).toISOString(),
    qrPayload: `pages/welcome/index?invite=${made.code}`,
    usedBy: null,
  });
  const byDefault = await invite({ role: 'staff' });
  expect(byDefault.expiresAt).toBe(new Date(now + 72 * HOUR).toISOString());
});

test('a stranger redeems a driver invite: becomes a driver of those vehicles and sees exactly their cards', async () => {
  const target = vehicleId(OTHER_PLATE);
  const made = await invite({ role: 'driver', name: '陈师傅', vehicleIds: [target] });
  const member = await joinWith(stack(), 'o-new-driver', made.code.toLowerCase());
  expect(member).toEqual(expect.objectContaining({ role: 'driver', name: '陈师傅', vehicleIds: [target] }));

  const vehicle = (await vehicles()).find((v) => v.id === target);
  expect(vehicle.driverOpenids).toEqual(['o-new-driver']);
  expect(vehicle.driverNames).toEqual(['陈师傅']);
  expect((await members()).find((m) => m.openid === 'o-new-driver').vehicleIds).toEqual([target]);

  const cards = await ok(stack(), 'cards', 'o-new-driver', { action: 'list', skip: 0, take: 100 });
  expect(cards.items.map((c: any) => c.iccid).sort()).toEqual([...vehicle.iccids].sort());
  expect(cards.items.every((c: any) => c.plate === OTHER_PLATE)).toBe(true);
});

test('an invite works once: a second redeemer, even at the same moment, is refused', async () => {
  const made = await invite({ role: 'staff' });
  const replies = await Promise.all(
    ['o-racer-1', 'o-racer-2', 'o-racer-3'].map((openid) =>
      stack().fn('login', openid, { action: 'redeemInvite', code: made.code }),
    ),
  );
  expect(replies.filter((r) => r.ok)).toHaveLength(1);
  expect(replies.filter((r) => !r.ok).map((r) => r.error.code)).toEqual(['INVITE_INVALID', 'INVITE_INVALID']);
  const late = await fails(stack(), 'login', 'o-racer-4', { action: 'redeemInvite', code: made.code });
  expect(late).toEqual({ code: 'INVITE_INVALID', message: expect.stringContaining('已被使用') });
});

test('an expired invite is refused, and invites lists only open ones, newest first', async () => {
  const start = Date.now();
  stack().deps.now = () => start;
  const short = await invite({ role: 'staff', ttlHours: 1 });
  stack().deps.now = () => start + 1000;
  const long = await invite({ role: 'staff', ttlHours: 10 });
  stack().deps.now = () => start + 2000;
  const used = await invite({ role: 'staff', ttlHours: 10 });
  await joinWith(stack(), 'o-used-it', used.code);

  stack().deps.now = () => start + 2 * HOUR;
  const expired = await fails(stack(), 'login', 'o-too-late', { action: 'redeemInvite', code: short.code });
  expect(expired).toEqual({ code: 'INVITE_INVALID', message: expect.stringContaining('已过期') });
  const open = await ok<any[]>(stack(), 'admin', DEV_MANAGER, { action: 'invites' });
  const codes = open.map((i) => i.code);
  expect(codes).toContain(long.code);
  expect(codes).not.toContain(short.code);
  expect(codes).not.toContain(used.code);
  const expiries = open.map((i) => Date.parse(i.expiresAt));
  expect(expiries.every((at) => at > start + 2 * HOUR)).toBe(true);
  expect(open.every((i) => i.usedBy === null)).toBe(true);

  stack().deps.now = () => start + 3000;
  const newer = await invite({ role: 'driver' });
  const now = await ok<any[]>(stack(), 'admin', DEV_MANAGER, { action: 'invites' });
  expect(now[0].code).toBe(newer.code);
  expect(now.findIndex((i) => i.code === long.code)).toBeGreaterThan(0);
});

test('invite: vehicles must exist, and only drivers get vehicles', async () => {
  const missing = await fails(stack(), 'admin', DEV_MANAGER, {
    action: 'invite',
    role: 'driver',
    vehicleIds: ['veh-gone'],
  });
  expect(missing).toEqual({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('车辆') });
  const staff = await fails(stack(), 'admin', DEV_MANAGER, {
    action: 'invite',
    role: 'staff',
    vehicleIds: [vehicleId(DEV_PLATE)],
  });
  expect(staff).toEqual({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('只有司机') });
});

test('removeMember: not yourself; a removed driver leaves every vehicle and alert, and is audited', async () => {
  const self = await fails(stack(), 'admin', DEV_MANAGER, { action: 'removeMember', openid: DEV_MANAGER });
  expect(self).toEqual({ code: 'CONFLICT', message: expect.stringContaining('不能移除你自己') });

  const target = vehicleId('粤A88888');
  const made = await invite({ role: 'driver', name: '周师傅', vehicleIds: [target] });
  await joinWith(stack(), 'o-leaving', made.code);
  const rule = await ok(stack(), 'admin', DEV_MANAGER, {
    action: 'saveAlert',
    thresholdPercent: 10,
    notify: [DEV_MANAGER, 'o-leaving'],
  });

  expect(await ok(stack(), 'admin', DEV_MANAGER, { action: 'removeMember', openid: 'o-leaving' })).toEqual({
    removed: true,
  });
  expect((await members()).map((m) => m.openid)).not.toContain('o-leaving');
  expect((await vehicles()).find((v) => v.id === target).driverOpenids).not.toContain('o-leaving');
  const rules = await ok<any[]>(stack(), 'admin', DEV_MANAGER, { action: 'alerts' });
  expect(rules.find((r) => r.id === rule.id).notify).toEqual([DEV_MANAGER]);
  expect((await fails(stack(), 'cards', 'o-leaving', { action: 'list', skip: 0, take: 5 })).code).toBe('FORBIDDEN');

  const trail = await ok(stack(), 'admin', DEV_MANAGER, { action: 'audit', skip: 0, take: 20 });
  expect(trail.items).toContainEqual(
    expect.objectContaining({ action: 'member.remove', target: 'o-leaving', actor: DEV_MANAGER, outcome: 'ok' }),
  );
  expect(await ok(stack(), 'admin', DEV_MANAGER, { action: 'removeMember', openid: 'o-leaving' })).toEqual({
    removed: false,
  });
});

test('two managers removing each other at once never leave the fleet without a manager', async () => {
  const a = 'o-manager-a';
  const b = 'o-manager-b';
  await joinWith(stack(), a, (await invite({ role: 'manager' })).code);
  await joinWith(stack(), b, (await invite({ role: 'manager' })).code);
  // Leave only these two as managers.
  await ok(stack(), 'admin', a, { action: 'removeMember', openid: DEV_MANAGER });

  const [byA, byB] = await Promise.all([
    stack().fn('admin', a, { action: 'removeMember', openid: b }),
    stack().fn('admin', b, { action: 'removeMember', openid: a }),
  ]);
  for (const reply of [byA, byB]) {
    if (!reply.ok) expect(['CONFLICT', 'FORBIDDEN']).toContain(reply.error.code);
  }
  const managers = (await docs(stack(), 'members', { role: 'manager' })).map((m) => m.openid);
  expect(managers.length).toBeGreaterThanOrEqual(1);
  expect([byA, byB].filter((r) => r.ok)).toHaveLength(2 - managers.length);

  // The one left cannot remove the last manager (themselves) either.
  const last = managers[0];
  expect((await fails(stack(), 'admin', last, { action: 'removeMember', openid: last })).code).toBe('CONFLICT');
});
