// How an alert reaches a person: a WeChat subscribe message in the cloud, a row in the outbox in dev and
// tests. The CloudBase entry passes its sender in (Deps.alertSender), so this library never loads
// wx-server-sdk; without one, messages go to the outbox.
import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import type { Deps } from '../runtime/handler';

export type AlertKind = 'lowData' | 'stopped' | 'paid';

const TEMPLATE_VARIABLE: Record<AlertKind, string> = {
  lowData: 'ALERT_TEMPLATE_LOW_DATA',
  stopped: 'ALERT_TEMPLATE_STOPPED',
  paid: 'ALERT_TEMPLATE_PAID',
};

// Subscribe-message fields: thing ≤ 20 characters, character_string ≤ 32, time as "YYYY-MM-DD HH:mm".
export const thing = (text: string) => ({ value: text.length > 20 ? `${text.slice(0, 19)}…` : text });
export const shanghaiTime = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

/** Subscribe-message data: field name → value, as `subscribeMessage.send` takes it. */
export type MessageData = Record<string, { value: string }>;

export interface AlertMessage {
  to: string;
  kind: AlertKind;
  data: MessageData;
  /** The mini-program page the message opens. */
  page: string;
  /** The alert this message belongs to (rule:iccid:period). */
  key: string;
}

export type SendResult = { ok: true } | { ok: false; errCode: number | string; errMsg: string; retry: boolean };

export interface AlertSender {
  send(message: AlertMessage): Promise<SendResult>;
}

export interface OutboxDoc {
  _id: string;
  to: string;
  template: AlertKind;
  templateId: string;
  data: MessageData;
  page: string;
  createdAt: number;
  key: string;
}

/** Dev and tests: each message sent becomes one outbox document, as each would be one WeChat message. */
export function outboxSender(deps: Deps): AlertSender {
  return {
    async send(message) {
      const createdAt = deps.now();
      await deps.store.insert<OutboxDoc>('outbox', {
        _id: `${createdAt.toString(36)}-${randomBytes(6).toString('hex')}`,
        to: message.to,
        template: message.kind,
        templateId: deps.config.alertTemplates[message.kind],
        data: message.data,
        page: message.page,
        createdAt,
        key: message.key,
      });
      return { ok: true };
    },
  };
}

export interface SubscribeMessageRequest {
  touser: string;
  templateId: string;
  page: string;
  data: MessageData;
}

// -1: WeChat busy; no code: the call never got an answer. Anything else (43101 the user has no subscription
// left, 40003 a bad openid, 47003 bad data, 40037 a bad template id) will not get better by sending again.
const retryable = (errCode: unknown) => errCode === -1 || errCode === undefined;

/** The cloud: `cloud.openapi.subscribeMessage.send`, handed in by the CloudBase entry. */
export function subscribeMessageSender(
  send: (request: SubscribeMessageRequest) => Promise<unknown>,
  config: Pick<Config, 'alertTemplates'>,
): AlertSender {
  return {
    async send(message) {
      const templateId = config.alertTemplates[message.kind];
      if (!templateId) {
        const variable = TEMPLATE_VARIABLE[message.kind];
        return { ok: false, errCode: 'NO_TEMPLATE', errMsg: `未配置订阅消息模板 ${variable}`, retry: false };
      }
      try {
        await send({ touser: message.to, templateId, page: message.page, data: message.data });
        return { ok: true };
      } catch (error) {
        const { errCode, errMsg } = (error ?? {}) as { errCode?: unknown; errMsg?: unknown };
        return {
          ok: false,
          errCode: typeof errCode === 'number' || typeof errCode === 'string' ? errCode : 'UNKNOWN',
          errMsg: String(errMsg ?? (error instanceof Error ? error.message : error)).slice(0, 200),
          retry: retryable(errCode),
        };
      }
    },
  };
}
