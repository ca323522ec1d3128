// The login function through the functions host, as the mini-program calls it in dev.
import { createInvite, ensureBootstrap } from '../../cloudfunctions/shared/services/members';
import { request } from '../helpers/emulator';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

async function loginCode(openid: string): Promise<string> {
  return (await stack.sim('POST', '/wx/login', { openid })).code;
}

describe('me', () => {
  test('the seeded manager, driver and staff know who they are', async () => {
    const manager = await stack.fn('login', 'dev-manager', { action: 'me' });
    expect(manager).toEqual({
      ok: true,
      data: { member: expect.objectContaining({ openid: 'dev-manager', role: 'manager' }) },
    });
    const driver = await stack.fn('login', 'dev-driver', { action: 'me' });
    expect(driver.data.member.role).toBe('driver');
    expect(driver.data.member.vehicleIds).toHaveLength(1);
    expect((await stack.fn('login', 'dev-staff', { action: 'me' })).data.member.role).toBe('staff');
  });

  test('a stranger is nobody', async () => {
    expect(await stack.fn('login', 'someone-new', { action: 'me' })).toEqual({ ok: true, data: { member: null } });
  });

  test('without an identity the call is refused', async () => {
    const reply = await stack.fn('login', undefined, { action: 'me' });
    expect(reply.ok).toBe(false);
    expect(reply.error.code).toBe('UNAUTHENTICATED');
  });
});

describe('login with a wx.login code', () => {
  test('a fresh code logs the driver in', async () => {
    const reply = await stack.fn('login', 'dev-driver', { action: 'login', code: await loginCode('dev-driver') });
    expect(reply).toEqual({ ok: true, data: { member: expect.objectContaining({ role: 'driver' }) } });
    expect(JSON.stringify(reply)).not.toMatch(/session/i);
  });

  test('a code used twice, an unknown code, and a code of another user are refused in Chinese', async () => {
    const code = await loginCode('dev-staff');
    expect((await stack.fn('login', 'dev-staff', { action: 'login', code })).ok).toBe(true);
    const reused = await stack.fn('login', 'dev-staff', { action: 'login', code });
    expect(reused.error).toEqual({ code: 'LOGIN_FAILED', message: expect.stringMatching(/已被使用/) });
    const unknown = await stack.fn('login', 'dev-staff', { action: 'login', code: 'made-up-code' });
    expect(unknown.error).toEqual({ code: 'LOGIN_FAILED', message: expect.stringMatching(/无效或已过期/) });
    const other = await stack.fn('login', 'dev-staff', { action: 'login', code: await loginCode('dev-manager') });
    expect(other.error).toEqual({ code: 'LOGIN_FAILED', message: expect.stringMatching(/不一致/) });
  });

  test('a stranger logs in and is told they belong to no fleet yet', async () => {
    const reply = await stack.fn('login', 'new-person', { action: 'login', code: await loginCode('new-person') });
    expect(reply).toEqual({ ok: true, data: { member: null } });
  });
});

describe('invites', () => {
  test('a stranger redeems an invite and becomes a driver of its vehicles; the code works once', async () => {
    const invite = await createInvite(stack.deps, 'dev-manager', {
      role: 'driver',
      vehicleIds: ['veh-x'],
      name: '赵师傅',
    });
    const reply = await stack.fn('login', 'stranger-1', { action: 'redeemInvite', code: invite.code.toLowerCase() });
    expect(reply.data.member).toEqual(
      expect.objectContaining({ openid: 'stranger-1', role: 'driver', vehicleIds: ['veh-x'] }),
    );
    expect((await stack.fn('login', 'stranger-1', { action: 'me' })).data.member.role).toBe('driver');
    const again = await stack.fn('login', 'stranger-2', { action: 'redeemInvite', code: invite.code });
    expect(again.error.code).toBe('INVITE_INVALID');
    const audit = await stack.deps.store.find('audit', { action: 'member.join', target: 'stranger-1' });
    expect(audit).toHaveLength(1);
  });

  test('ten strangers racing for one code: exactly one joins', async () => {
    const invite = await createInvite(stack.deps, 'dev-manager', { role: 'staff' });
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        stack.fn('login', `racer-${i}`, { action: 'redeemInvite', code: invite.code }),
      ),
    );
    expect(replies.filter((r) => r.ok)).toHaveLength(1);
    expect(replies.filter((r) => !r.ok).every((r) => r.error.code === 'INVITE_INVALID')).toBe(true);
  });

  test('an expired or unknown code is refused with what to do', async () => {
    const invite = await createInvite(stack.deps, 'dev-manager', { role: 'staff', ttlHours: -1 });
    const expired = await stack.fn('login', 'late-person', { action: 'redeemInvite', code: invite.code });
    expect(expired.error).toEqual({ code: 'INVITE_INVALID', message: expect.stringMatching(/过期.*索取新的邀请码/) });
    const unknown = await stack.fn('login', 'late-person', { action: 'redeemInvite', code: 'ZZZZ9999' });
    expect(unknown.error.code).toBe('INVITE_INVALID');
  });

  test('a member cannot redeem another invite', async () => {
    const invite = await createInvite(stack.deps, 'dev-manager', { role: 'manager' });
    const reply = await stack.fn('login', 'dev-driver', { action: 'redeemInvite', code: invite.code });
    expect(reply.error.code).toBe('CONFLICT');
    expect((await stack.fn('login', 'dev-driver', { action: 'me' })).data.member.role).toBe('driver');
  });
});

describe('bad input', () => {
  test.each([
    [{ action: 'nope' }, /未知的操作/],
    [{}, /未知的操作/],
    [{ action: 'login' }, /缺少参数 code/],
    [{ action: 'login', code: 42 }, /code/],
    [{ action: 'login', code: 'x'.repeat(10_000) }, /code/],
    [{ action: 'me', extra: true }, /不支持的参数/],
    [{ action: 'redeemInvite', code: "' OR 1=1 --" }, /邀请码|code/],
  ])('%j → INVALID_ARGUMENT or a clear refusal', async (body, message) => {
    const reply = await stack.fn('login', 'dev-manager', body);
    expect(reply.ok).toBe(false);
    expect(['INVALID_ARGUMENT', 'INVITE_INVALID', 'CONFLICT']).toContain(reply.error.code);
    expect(reply.error.message).toMatch(message);
    expect(JSON.stringify(reply)).not.toMatch(/at .*\.ts|Error:/);
  });

  test('a body that is not JSON, or not an object, is answered with the envelope', async () => {
    const raw = await request(stack.host.url, 'POST', '/fn/login', {
      raw: '{oops',
      headers: { 'x-openid': 'dev-manager' },
    });
    expect(raw.body).toEqual({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.any(String) } });
    const list = await request(stack.host.url, 'POST', '/fn/login', {
      body: [1, 2],
      headers: { 'x-openid': 'dev-manager' },
    });
    expect(list.body.error.code).toBe('INVALID_ARGUMENT');
  });

  test('an unknown function is 404 with the envelope; /healthz is 200', async () => {
    const missing = await request(stack.host.url, 'POST', '/fn/nothing', { body: { action: 'x' } });
    expect(missing.status).toBe(404);
    expect(missing.body.ok).toBe(false);
    expect((await request(stack.host.url, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('the first manager', () => {
  test('an openid in ADMIN_OPENIDS is a manager from its first call', async () => {
    const other = await startTestStack({ seed: false, env: { ADMIN_OPENIDS: 'boss-1, boss-2' } });
    try {
      expect((await other.fn('login', 'boss-2', { action: 'me' })).data.member.role).toBe('manager');
      expect((await other.fn('login', 'not-boss', { action: 'me' })).data.member).toBeNull();
    } finally {
      await other.stop();
    }
  });

  test('the one-time bootstrap code makes its first redeemer the manager, once', async () => {
    const other = await startTestStack({ seed: false });
    try {
      const code = await ensureBootstrap(other.deps);
      expect(code).toMatch(/^[2-9A-Z]{10}$/);
      expect(await ensureBootstrap(other.deps)).toBe(code);
      const first = await other.fn('login', 'founder', { action: 'redeemInvite', code });
      expect(first.data.member.role).toBe('manager');
      const second = await other.fn('login', 'latecomer', { action: 'redeemInvite', code });
      expect(second.error.code).toBe('INVITE_INVALID');
      expect(await ensureBootstrap(other.deps)).toBeNull();
    } finally {
      await other.stop();
    }
  });

  test('outside dev mode the x-openid header is ignored', async () => {
    const other = await startTestStack({ env: { DEV_MODE: '0' } });
    try {
      const reply = await other.fn('login', 'dev-manager', { action: 'me' });
      expect(reply.error.code).toBe('UNAUTHENTICATED');
    } finally {
      await other.stop();
    }
  });
});
