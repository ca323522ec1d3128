// The `login` function: WeChat login through code2Session, who am I, and joining a fleet by invite.
import { z } from 'zod';
import { AppError } from '../runtime/errors';
import { action, defineFunction } from '../runtime/handler';
import { redeem } from '../services/members';

const LOGIN_ERRORS: Record<number, string> = {
  40029: '登录凭证无效或已过期，请重新打开小程序。',
  40163: '登录凭证已被使用，请重新打开小程序。',
  45011: '登录过于频繁，请一分钟后再试。',
};

export const login = defineFunction('login', {
  login: action({
    access: 'anyone',
    input: z.strictObject({ code: z.string().trim().min(1).max(128) }),
    async run({ caller, input, deps }) {
      let session: { openid?: string };
      try {
        session = await deps.platform.call<{ openid?: string }>('wxpay.code2session', { body: { code: input.code } });
      } catch (error) {
        const platformCode = error instanceof AppError ? error.details?.platformCode : undefined;
        if (typeof platformCode === 'number' && LOGIN_ERRORS[platformCode]) {
          throw new AppError('LOGIN_FAILED', LOGIN_ERRORS[platformCode]);
        }
        throw error;
      }
      // The session key stays here: only the openid is used, and it must be the caller's own.
      if (!session.openid || session.openid !== caller.openid) {
        throw new AppError('LOGIN_FAILED', '登录信息与当前微信账号不一致，请重新打开小程序。');
      }
      return { member: caller.member };
    },
  }),
  me: action({
    access: 'anyone',
    input: z.strictObject({}),
    run: async ({ caller }) => ({ member: caller.member }),
  }),
  redeemInvite: action({
    access: 'anyone',
    input: z.strictObject({ code: z.string().trim().min(4).max(32) }),
    run: async ({ caller, input, deps }) => ({ member: await redeem(deps, caller.openid, input.code) }),
  }),
});
