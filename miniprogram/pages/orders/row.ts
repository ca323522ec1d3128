// An order as one list row shows it, and a day of the totals: only what is rendered.
import type { Order, OrderState } from '../../../typings/api';
import type { DayTotal } from '../../stores/orders';
import { formatFen, formatTime, shanghai } from '../../utils/format';
import { ORDER_STATE_SHORT, iccidTail } from '../../utils/order-state';

export interface OrderRow {
  outTradeNo: string;
  plate: string;
  tail: string;
  product: string;
  amount: string;
  state: OrderState;
  stateText: string;
  time: string;
  payer: string;
}

export function toOrderRow(order: Order): OrderRow {
  return {
    outTradeNo: order.outTradeNo,
    plate: order.plate ?? '未绑定车辆',
    tail: iccidTail(order.iccid),
    product: order.productName,
    amount: formatFen(order.amountFen),
    state: order.state,
    stateText: ORDER_STATE_SHORT[order.state],
    time: formatTime(order.createdAt),
    payer: order.payerName,
  };
}

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

export interface DayRow {
  date: string;
  label: string;
  count: number;
  amount: string;
  /** Bar length, 0–100, against the busiest day. */
  percent: number;
}

export function toDayRows(days: DayTotal[]): DayRow[] {
  const max = Math.max(0, ...days.map((d) => d.amountFen));
  return days.map((d) => {
    const day = shanghai(`${d.date}T12:00:00+08:00`);
    return {
      date: d.date,
      label: `${day.format('MM-DD')} 周${WEEKDAYS[day.day()]}`,
      count: d.count,
      amount: d.count > 0 ? formatFen(d.amountFen) : '—',
      percent: max > 0 ? Math.round((d.amountFen / max) * 100) : 0,
    };
  });
}
