// An audit entry in words: what was done, to what, and how it ended.
import type { AuditEntry, JobKind, Role } from '../../../typings/api';
import { formatFen, formatTime } from '../../utils/format';

const ACTIONS: Record<string, string> = {
  'card.stop': '停机',
  'card.resume': '复机',
  'card.update': '修改卡片信息',
  'job.start': '发起批量任务',
  'job.finish': '批量任务结束',
  'member.invite': '生成邀请码',
  'member.join': '加入车队',
  'member.remove': '移除成员',
  'member.bootstrap': '成为首位管理员',
  'vehicle.save': '保存车辆',
  'alert.save': '保存提醒规则',
  'alert.delete': '删除提醒规则',
  'order.paid': '订单支付成功',
  'order.applied': '套餐已到账',
  'order.closed': '订单已关闭',
  'order.failed': '订单失败',
  'order.notifyRejected': '拒收一条支付通知',
};
const KINDS: Record<JobKind, string> = { stop: '批量停机', resume: '批量复机', tag: '批量设标签' };
const ROLES: Record<Role, string> = { manager: '管理员', driver: '司机', staff: '外勤' };
const OUTCOMES = {
  ok: { text: '成功', tag: 'success' },
  failed: { text: '失败', tag: 'danger' },
  rejected: { text: '被拒绝', tag: 'warning' },
} as const;

export interface AuditRow {
  id: string;
  title: string;
  who: string;
  at: string;
  target: string;
  detail: string;
  outcome: string;
  outcomeTag: string;
  /** A batch job's page, for its entries. */
  link: string;
}

/** What the entry was about, in words a manager can use (internal ids of jobs, vehicles and rules are not). */
function targetOf(entry: AuditEntry): string {
  if (entry.iccid) return `ICCID ${entry.iccid}`;
  const kind = entry.action.split('.')[0];
  if (kind === 'member') return entry.action === 'member.invite' ? `邀请码 ${entry.target}` : `成员 ${entry.target}`;
  if (kind === 'order') return `订单 ${entry.target}`;
  return '';
}

const str = (value: unknown) => (typeof value === 'string' ? value : '');
const num = (value: unknown) => (typeof value === 'number' ? value : 0);

function detailOf(entry: AuditEntry): string {
  const d = entry.detail;
  switch (entry.action) {
    case 'card.stop':
    case 'card.resume':
      return [str(d.reason) && `原因：${str(d.reason)}`, str(d.message)].filter(Boolean).join('；');
    case 'job.start':
      return `${KINDS[d.kind as JobKind] ?? '批量任务'} ${num(d.total)} 张卡${str(d.reason) ? `，原因：${str(d.reason)}` : ''}`;
    case 'job.finish':
      return `成功 ${num(d.succeeded)} 张，失败 ${num(d.failed)} 张，跳过 ${num(d.skipped)} 张`;
    case 'member.invite':
    case 'member.join':
    case 'member.remove':
      return [ROLES[d.role as Role], str(d.name)].filter(Boolean).join(' ');
    case 'vehicle.save':
      return `${str(d.plate)}${d.created ? '（新增）' : ''}`;
    case 'order.paid':
    case 'order.closed':
    case 'order.failed':
      return typeof d.amountFen === 'number' ? formatFen(d.amountFen) : '';
    default:
      return '';
  }
}

export function auditRow(entry: AuditEntry): AuditRow {
  const outcome = OUTCOMES[entry.outcome] ?? OUTCOMES.ok;
  return {
    id: entry.id,
    title: ACTIONS[entry.action] ?? entry.action,
    who: entry.actorName || entry.actor,
    at: formatTime(entry.at, 'YYYY-MM-DD HH:mm:ss'),
    target: targetOf(entry),
    detail: detailOf(entry),
    outcome: outcome.text,
    outcomeTag: outcome.tag,
    link: entry.action.startsWith('job.') ? `/manager/job/index?jobId=${encodeURIComponent(entry.target)}` : '',
  };
}
