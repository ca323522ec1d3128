// Payment orders as the platform lists and counts them (订单 列表 · 订单 统计).
import type { Ctx } from './context';
import { page, unprocessable } from './http';
import type { Order, OrderStatus } from './model';
import type { Platform } from './platform';
import { DAY_MS, parseDay, shanghaiDay } from './time';
import { parseTime } from './validate';

export const ORDER_STATUSES: readonly OrderStatus[] = ['NOTPAY', 'SUCCESS', 'CLOSED', 'REFUND', 'PAYERROR'];
const PAID: readonly OrderStatus[] = ['SUCCESS', 'REFUND'];
const MAX_STAT_DAYS = 366;

/** An order as the platform shows it (the prepay id stays with the payer's pay sheet). */
export function publicOrder(order: Order) {
  const { prepayId: _prepayId, ...shown } = order;
  return shown;
}

/** By the platform's orderNo or the merchant's outTradeNo. */
export function findOrder(platform: Platform, no: string): Order | undefined {
  const byOutTradeNo = platform.orders.get(no);
  if (byOutTradeNo) return byOutTradeNo;
  for (const order of platform.orders.values()) if (order.orderNo === no) return order;
  return undefined;
}

/** `to` as a date covers that whole (Shanghai) day; as a time it is inclusive. Returns an exclusive bound. */
function timeRange(query: URLSearchParams): { from: number; toExclusive: number } {
  const fromRaw = query.get('from');
  const toRaw = query.get('to');
  const from = fromRaw ? parseTime(fromRaw, 'from') : -Infinity;
  let toExclusive = Infinity;
  if (toRaw) {
    const to = parseTime(toRaw, 'to');
    toExclusive = /^\d{4}-\d{2}-\d{2}$/.test(toRaw) ? to + DAY_MS : to + 1;
  }
  if (from >= toExclusive) throw unprocessable('from 不能晚于 to');
  return { from, toExclusive };
}

export function listOrders(ctx: Ctx) {
  const q = ctx.query;
  const status = q.get('status') || undefined;
  if (status !== undefined && !ORDER_STATUSES.includes(status as OrderStatus)) {
    throw unprocessable(`status 必须是 ${ORDER_STATUSES.join('、')} 之一`);
  }
  const { from, toExclusive } = timeRange(q);
  const filters: Array<[string, (o: Order) => string]> = [
    ['iccid', (o) => o.iccid],
    ['openid', (o) => o.openid],
    ['outTradeNo', (o) => o.outTradeNo],
  ];
  const matches = [...ctx.platform.orders.values()]
    .reverse() // newest first, also among orders created in the same millisecond
    .filter((o) => {
      const created = Date.parse(o.createdAt);
      return (
        (status === undefined || o.status === status) &&
        created >= from &&
        created < toExclusive &&
        filters.every(([name, field]) => !q.get(name) || field(o) === q.get(name))
      );
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const paged = page(matches, q);
  return { total: paged.total, items: paged.items.map(publicOrder) };
}

/** Paid orders (SUCCESS, and REFUND: it was paid) per Shanghai day of payment, every day of the range listed. */
export function orderStatistic(ctx: Ctx) {
  const from = parseDay(ctx.query.get('from'), 'from');
  const to = parseDay(ctx.query.get('to'), 'to');
  if (from > to) throw unprocessable('from 不能晚于 to');
  const days = Math.round((to - from) / DAY_MS) + 1;
  if (days > MAX_STAT_DAYS) throw unprocessable(`统计区间最长${MAX_STAT_DAYS}天`);
  const buckets = new Map<string, { date: string; count: number; amountFen: number }>();
  for (let i = 0; i < days; i++) {
    const date = shanghaiDay(from + i * DAY_MS);
    buckets.set(date, { date, count: 0, amountFen: 0 });
  }
  for (const order of ctx.platform.orders.values()) {
    if (!PAID.includes(order.status) || !order.paidAt) continue;
    const bucket = buckets.get(shanghaiDay(Date.parse(order.paidAt)));
    if (!bucket) continue;
    bucket.count += 1;
    bucket.amountFen += order.amountFen;
  }
  return [...buckets.values()];
}
