// Alert subscriptions (WeChat subscribe messages): which alerts a person asked for, and what WeChat said,
// kept on the phone. WeChat grants one message per acceptance, so the count of acceptances is what matters.
import type { AlertKind, Role } from '../../../typings/api';
import { config } from '../../config';
import { formatTime } from '../../utils/format';

export const SUBSCRIPTIONS_KEY = 'alertSubscriptions';

export interface AlertOption {
  kind: AlertKind;
  title: string;
  desc: string;
}

const OPTIONS: AlertOption[] = [
  { kind: 'lowData', title: '流量不足', desc: '卡的剩余流量低于提醒规则时通知你' },
  { kind: 'stopped', title: '卡片停机', desc: '卡被停机（欠费、未实名或手动停机）时通知你' },
  { kind: 'paid', title: '支付成功', desc: '充值订单支付成功、套餐到账时通知你' },
];

/** Field staff neither pay nor see orders: no payment alerts for them. */
export function optionsFor(role: Role | null): AlertOption[] {
  return OPTIONS.filter((option) => option.kind !== 'paid' || role === 'manager' || role === 'driver');
}

export interface SubscriptionRecord {
  /** Times WeChat said "accept": each allows one message. */
  accepted: number;
  last: 'accept' | 'reject' | 'ban' | 'dev' | null;
  at: string | null;
}

export type SubscriptionRecords = Partial<Record<AlertKind, SubscriptionRecord>>;

export function readRecords(): SubscriptionRecords {
  const stored = wx.getStorageSync(SUBSCRIPTIONS_KEY) as SubscriptionRecords | '';
  return stored && typeof stored === 'object' ? stored : {};
}

/** Records what WeChat answered for each alert (or, in development, that the person chose it). */
export function record(
  kinds: AlertKind[],
  answer: (kind: AlertKind) => SubscriptionRecord['last'],
): SubscriptionRecords {
  const records = readRecords();
  const at = new Date().toISOString();
  for (const kind of kinds) {
    const last = answer(kind);
    const before = records[kind] ?? { accepted: 0, last: null, at: null };
    records[kind] = { accepted: before.accepted + (last === 'accept' ? 1 : 0), last, at };
  }
  wx.setStorageSync(SUBSCRIPTIONS_KEY, records);
  return records;
}

/** The template id of each alert kind that has one (none in development). */
export function templateIds(kinds: AlertKind[]): Array<{ kind: AlertKind; id: string }> {
  return kinds.map((kind) => ({ kind, id: config.alertTemplates[kind] })).filter((t) => t.id !== '');
}

export function statusText(entry: SubscriptionRecord | undefined): string {
  if (!entry || entry.last === null) return '未订阅';
  if (entry.last === 'dev') return `已记录（开发环境） ${formatTime(entry.at, 'MM-DD HH:mm')}`;
  if (entry.last === 'ban') return '已被微信屏蔽，请在设置中开启';
  if (entry.last === 'reject') return '上次没有允许';
  return `已订阅 ${entry.accepted} 次 · ${formatTime(entry.at, 'MM-DD HH:mm')}`;
}
