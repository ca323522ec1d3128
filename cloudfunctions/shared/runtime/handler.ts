// One handler shape for every function: route `event.action` through a typed map; resolve the caller;
// check the role; validate the input; always answer the envelope. Runs the same in CloudBase, the dev
// host and tests.
import { z } from 'zod';
import type { Envelope, Member, Role } from '../../../typings/api';
import type { Config } from '../config';
import type { PlatformClient } from '../platform/client';
import type { Store } from '../store/store';
import type { AlertSender } from '../services/alert-senders';
import { memberOrAdmin } from '../services/members';
import { AppError } from './errors';

/** What every action may use; built once per function instance. */
export interface Deps {
  store: Store;
  platform: PlatformClient;
  config: Config;
  now: () => number;
  /** How alerts reach people; the CloudBase entry passes subscribe messages, elsewhere the outbox is used. */
  alertSender?: AlertSender;
}

export interface Caller {
  openid: string;
  /** null for a WeChat user who belongs to no fleet. */
  member: Member | null;
}

/** Who may call an action: anyone with a WeChat identity, or members of these roles. */
export type Access = 'anyone' | readonly Role[];

export interface ActionContext<I> {
  caller: Caller;
  input: I;
  deps: Deps;
}

export interface ActionDef<S extends z.ZodType = z.ZodType, R = unknown> {
  access: Access;
  input: S;
  run: (ctx: ActionContext<z.infer<S>>) => Promise<R>;
}

export function action<S extends z.ZodType, R>(def: ActionDef<S, R>): ActionDef<S, R> {
  return def;
}

/** The identity the transport vouches for: WeChat context in the cloud, x-openid in dev mode. */
export interface Identity {
  openid: string | undefined;
}

export type FunctionHandler = ((event: unknown, identity: Identity, deps: Deps) => Promise<Envelope<unknown>>) & {
  /** The actions this function routes, for tests that must cover every one. */
  readonly actionNames: readonly string[];
};

// Fields the transport adds to an event that are not part of the action's input.
const TRANSPORT_FIELDS = ['action', 'userInfo'];

const REASONS: Partial<Record<string, string>> = {
  invalid_type: '类型不对',
  too_big: '太长或太大',
  too_small: '太短或太小',
  invalid_format: '格式不正确',
  invalid_value: '取值不在允许范围内',
  custom: '不正确',
};

/** A Chinese sentence naming what is wrong with the input. */
export function describeInvalid(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return '请求参数不正确，请检查后重试。';
  if (issue.code === 'unrecognized_keys') {
    // The caller's own key names: echoed only in part, however many and however long they are.
    const keys = issue.keys.slice(0, 5).map((key) => (key.length > 40 ? `${key.slice(0, 40)}…` : key));
    return `不支持的参数：${keys.join('、')}${issue.keys.length > 5 ? ` 等 ${issue.keys.length} 个` : ''}。`;
  }
  const field = issue.path.length ? issue.path.join('.') : '请求';
  if (issue.code === 'custom' && issue.message) return `${field}：${issue.message}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `缺少参数 ${field}。`;
  return `参数 ${field} ${REASONS[issue.code] ?? '不正确'}，请检查后重试。`;
}

export function toEnvelopeError(error: unknown, where: string): Envelope<never> {
  if (error instanceof AppError) {
    return {
      ok: false,
      error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
    };
  }
  // Unexpected: the stack goes to the function's log, never to the caller.
  console.error(`[${where}] unexpected error`, error);
  return { ok: false, error: { code: 'INTERNAL', message: new AppError('INTERNAL').message } };
}

export function defineFunction(name: string, actions: Record<string, ActionDef>): FunctionHandler {
  const handler = async (event: unknown, identity: Identity, deps: Deps): Promise<Envelope<unknown>> => {
    const actionName =
      typeof event === 'object' && event !== null && 'action' in event
        ? (event as { action: unknown }).action
        : undefined;
    try {
      if (typeof actionName !== 'string' || !Object.hasOwn(actions, actionName)) {
        throw new AppError(
          'INVALID_ARGUMENT',
          `未知的操作${typeof actionName === 'string' ? ` ${actionName.slice(0, 40)}` : ''}，请更新小程序后重试。`,
        );
      }
      const def = actions[actionName];
      if (!identity.openid) throw new AppError('UNAUTHENTICATED');
      const caller: Caller = { openid: identity.openid, member: await memberOrAdmin(deps, identity.openid) };
      if (def.access !== 'anyone' && (!caller.member || !def.access.includes(caller.member.role))) {
        throw new AppError('FORBIDDEN');
      }
      const raw = Object.fromEntries(
        Object.entries(event as Record<string, unknown>).filter(([key]) => !TRANSPORT_FIELDS.includes(key)),
      );
      const parsed = def.input.safeParse(raw);
      if (!parsed.success) throw new AppError('INVALID_ARGUMENT', describeInvalid(parsed.error));
      return { ok: true, data: await def.run({ caller, input: parsed.data, deps }) };
    } catch (error) {
      return toEnvelopeError(error, `${name}.${String(actionName)}`);
    }
  };
  return Object.assign(handler, { actionNames: Object.keys(actions) });
}
