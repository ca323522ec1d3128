// What the card detail page renders, worked out from the API's answers: sentences, not raw fields.
import type { AuditEntry, CardDetail, CardFix, RealName, Usage } from '../../../typings/api';
import { CARRIER_NAMES, FIX_ACTION, PENDING_TEXT, STATE_NAMES } from '../../utils/card-state';
import { formatAge, formatMB, formatTime, usedPercent } from '../../utils/format';

export interface CardView {
  iccid: string;
  msisdn: string;
  imsi: string;
  carrierName: string;
  plate: string;
  drivers: string;
  statusText: string;
  state: string;
  stateName: string;
  pending: string;
  stopReason: string;
  fix: CardFix | '';
  fixLabel: string;
  packageName: string;
  activatedAt: string;
  tags: string;
  remark: string;
}

export function cardView(card: CardDetail): CardView {
  const stopped = card.state !== 'active';
  return {
    iccid: card.iccid,
    msisdn: card.msisdn || '—',
    imsi: card.imsi || '—',
    carrierName: CARRIER_NAMES[card.carrier] ?? card.carrier,
    plate: card.plate ?? '',
    drivers: card.driverNames.length ? card.driverNames.join('、') : '',
    statusText: card.statusText,
    state: card.state,
    stateName: STATE_NAMES[card.state] ?? '未知',
    pending: card.pending ? PENDING_TEXT[card.pending] : '',
    stopReason: stopped ? (card.stopReason ?? '') : '',
    fix: stopped && card.fix ? card.fix : '',
    fixLabel: stopped && card.fix ? FIX_ACTION[card.fix] : '',
    packageName: card.packageName || '—',
    activatedAt: card.activatedAt ? formatTime(card.activatedAt, 'YYYY-MM-DD') : '未激活',
    tags: card.tags.join('、'),
    remark: card.remark,
  };
}

export interface UsageView {
  used: string;
  total: string;
  remaining: string;
  percent: number;
  barColor: string;
  period: string;
  daysLeft: string;
  updated: string;
  forecast: string;
  /** The forecast runs out before the period ends: worth a warning colour. */
  forecastWarn: boolean;
}

/** "按近期用量…预计约 N 天后用完", or a sentence that says why it cannot be told. */
export function forecastSentence(usage: Pick<Usage, 'dailyMB' | 'forecastDaysLeft' | 'totalMB'>, daysLeft: number) {
  if (usage.totalMB <= 0) return { text: '该卡当前没有流量套餐，充值后才能上网。', warn: true };
  if (usage.dailyMB === null) {
    return { text: '用量记录还不够，暂时无法预测还能用多少天（系统每天记一次用量）。', warn: false };
  }
  if (usage.dailyMB <= 0 || usage.forecastDaysLeft === null) {
    return { text: '近期几乎没有使用流量，按现在的用量本期流量够用。', warn: false };
  }
  const daily = `每天约 ${formatMB(usage.dailyMB)}`;
  const n = usage.forecastDaysLeft;
  if (n <= 0) return { text: `按近期用量（${daily}），流量已基本用完，请尽快充值。`, warn: true };
  if (n < daysLeft) {
    return {
      text: `按近期用量（${daily}），预计约 ${n} 天后用完，早于本期结束（还剩 ${daysLeft} 天），建议提前充值。`,
      warn: true,
    };
  }
  return { text: `按近期用量（${daily}），预计约 ${n} 天后用完，本期内够用。`, warn: false };
}

export function usageView(usage: Usage | null, card: CardDetail): UsageView {
  const usedMB = usage?.usedMB ?? card.usedMB;
  const totalMB = usage?.totalMB ?? card.totalMB;
  const remainingMB = usage?.remainingMB ?? card.remainingMB;
  const percent = usedPercent(usedMB, totalMB);
  const low = totalMB > 0 && (remainingMB / totalMB) * 100 < 10;
  const start = usage?.periodStart ?? card.periodStart;
  const end = usage?.periodEnd ?? card.periodEnd;
  const updatedAt = usage?.updatedAt ?? card.dataUpdatedAt;
  // A card that does not run has nothing to run out of: no forecast then.
  const forecast =
    card.state !== 'active'
      ? { text: '', warn: false }
      : usage
        ? forecastSentence(usage, card.daysLeft)
        : { text: '用量详情暂时读不到，稍后下拉刷新再看预测。', warn: false };
  return {
    used: formatMB(usedMB),
    total: totalMB > 0 ? formatMB(totalMB) : '未订购',
    remaining: formatMB(remainingMB),
    percent,
    barColor: card.state !== 'active' ? '#c8c9cc' : low ? '#ee0a24' : percent >= 80 ? '#ff976a' : '#1989fa',
    period: `${formatTime(start, 'MM-DD')} 至 ${formatTime(end, 'MM-DD')}`,
    daysLeft: card.daysLeft > 0 ? `还剩 ${card.daysLeft} 天` : '本期已结束',
    updated: `数据更新于 ${formatAge(updatedAt)}（${formatTime(updatedAt, 'MM-DD HH:mm')}，运营商数据有延迟）`,
    forecast: forecast.text,
    forecastWarn: forecast.warn,
  };
}

export interface RealNameView {
  done: boolean;
  title: string;
  lines: string[];
}

export function realNameView(r: RealName): RealNameView {
  if (r.realNameStatus === 1) {
    const lines = [r.name ? `实名人：${r.name}` : '', r.idNumber ? `证件号：${r.idNumber}` : ''];
    if (r.boundAt) lines.push(`认证时间：${formatTime(r.boundAt, 'YYYY-MM-DD')}`);
    const shown = lines.filter(Boolean);
    return { done: true, title: '已实名', lines: shown.length ? shown : ['运营商已登记这张卡的实名信息。'] };
  }
  return { done: false, title: '未实名', lines: [] };
}

/** How a card gets its real name: the platform binds it through the carrier's channel, not in this app. */
export const REAL_NAME_STEPS = [
  '物联卡的实名认证由车队（卡的使用单位）通过运营商渠道办理，小程序里不能直接认证。',
  '请车队管理员联系运营商的物联网客户经理，或在运营商物联网门户提交单位证照和经办人身份证，并注明卡号。',
  '运营商完成实名后，这里会显示“已实名”；因未实名停机的卡，管理员随后可以申请复机。',
];

const CARRIER_HOTLINE: Record<string, string> = { 中国移动: '10086', 中国联通: '10010', 中国电信: '10000' };

/** What "联系运营商" says: why the app cannot fix it, and whom to call about which card. */
export function carrierAdvice(card: CardView): string {
  const hotline = CARRIER_HOTLINE[card.carrierName];
  return (
    `该卡被${card.carrierName}停机（${card.statusText}），需要运营商核实后处理，小程序里不能复机。` +
    `请车队管理员联系${card.carrierName}物联网客户经理${hotline ? `（或拨打 ${hotline}）` : ''}，并提供卡号 ${card.iccid}。`
  );
}

const AUDIT_ACTIONS: Record<string, string> = {
  'card.stop': '申请停机',
  'card.resume': '申请复机',
  'card.update': '修改卡信息',
  'order.paid': '充值到账',
  'order.closed': '充值订单关闭',
  'order.failed': '充值失败',
  'order.applied': '充值生效',
};
const OUTCOMES: Record<AuditEntry['outcome'], string> = { ok: '成功', failed: '失败', rejected: '被拒绝' };

export interface AuditView {
  id: string;
  at: string;
  who: string;
  what: string;
  outcome: string;
  outcomeClass: string;
  note: string;
}

export function auditView(entry: AuditEntry): AuditView {
  const detail = entry.detail ?? {};
  const reason = typeof detail.reason === 'string' ? detail.reason : '';
  const message = typeof detail.message === 'string' ? detail.message : '';
  const amount = typeof detail.amountFen === 'number' ? `¥${(detail.amountFen / 100).toFixed(2)}` : '';
  return {
    id: entry.id,
    at: formatTime(entry.at, 'MM-DD HH:mm'),
    who: entry.actorName || entry.actor,
    what: AUDIT_ACTIONS[entry.action] ?? entry.action,
    // A stop or resume that went through was accepted by the carrier, not yet carried out.
    outcome:
      entry.outcome === 'ok' && /^card\.(stop|resume)$/.test(entry.action)
        ? '已受理'
        : (OUTCOMES[entry.outcome] ?? entry.outcome),
    outcomeClass: entry.outcome === 'ok' ? 'ok' : 'bad',
    note: [reason && `原因：${reason}`, amount, entry.outcome !== 'ok' ? message : ''].filter(Boolean).join(' · '),
  };
}
