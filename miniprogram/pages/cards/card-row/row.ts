// A card as one list row shows it: only what the row renders, so a page of 20 stays a few KB of setData.
import type { Card, CardState } from '../../../../typings/api';
import { CARRIER_SHORT, PENDING_TEXT } from '../../../utils/card-state';
import { formatMB, usedPercent } from '../../../utils/format';

export interface RowView {
  iccid: string;
  plate: string;
  carrier: string;
  statusText: string;
  state: CardState;
  pending: string;
  usage: string;
  percent: number;
  barColor: string;
  days: string;
  selected: boolean;
}

/** Below this share of its data left, a running card's bar turns red (as the backend's "low on data"). */
const LOW_PERCENT_LEFT = 10;

function barColor(card: Card, percent: number): string {
  if (card.state !== 'active') return '#c8c9cc';
  if (card.totalMB > 0 && (card.remainingMB / card.totalMB) * 100 < LOW_PERCENT_LEFT) return '#ee0a24';
  if (percent >= 80) return '#ff976a';
  return '#1989fa';
}

export function toRow(card: Card, selected = false): RowView {
  const percent = usedPercent(card.usedMB, card.totalMB);
  return {
    iccid: card.iccid,
    plate: card.plate ?? '',
    carrier: CARRIER_SHORT[card.carrier] ?? card.carrier,
    statusText: card.statusText,
    state: card.state,
    pending: card.pending ? PENDING_TEXT[card.pending] : '',
    usage: card.totalMB > 0 ? `${formatMB(card.usedMB)} / ${formatMB(card.totalMB)}` : '未订购流量',
    percent,
    barColor: barColor(card, percent),
    days: card.daysLeft > 0 ? `剩${card.daysLeft}天` : '本期已结束',
    selected,
  };
}
