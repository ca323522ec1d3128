// Orders as the app shows them (with plate and payer name), a page of them, and paid totals per day and month.
import type { Order, OrderStats, Page } from '../../../typings/api';
import { AppError } from '../runtime/errors';
import type { Deps } from '../runtime/handler';
import type { Where } from '../store/store';
import { shanghaiDate } from './card-usage';
import type { OrderDoc } from './orders';
import { fleetIndex, type FleetIndex } from './vehicles';

const DAY_MS = 86_400_000;
export const MAX_STATS_DAYS = 366;
const STORE_PAGE = 1000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toOrder(doc: OrderDoc, fleet: FleetIndex): Order {
  return {
    outTradeNo: doc.outTradeNo,
    iccid: doc.iccid,
    plate: fleet.vehicleOf(doc.iccid)?.plate ?? null,
    productId: doc.productId,
    productName: doc.productName,
    amountFen: doc.amountFen,
    state: doc.state,
    openid: doc.openid,
    payerName: fleet.nameOf(doc.openid),
    createdAt: new Date(doc.createdAt).toISOString(),
    paidAt: iso(doc.paidAt),
  };
}

export async function showOrder(deps: Deps, doc: OrderDoc): Promise<Order> {
  return toOrder(doc, await fleetIndex(deps));
}

/** Newest first; `payer` limits them to one payer's orders (null: every order). */
export async function listOrders(
  deps: Deps,
  payer: string | null,
  page: { skip: number; take: number },
): Promise<Page<Order>> {
  const where: Where = payer === null ? {} : { openid: payer };
  const [total, docs, fleet] = await Promise.all([
    deps.store.count('orders', where),
    deps.store.find<OrderDoc>('orders', where, {
      orderBy: { field: 'createdAt', direction: 'desc' },
      skip: page.skip,
      take: page.take,
    }),
    fleetIndex(deps),
  ]);
  return { total, items: docs.map((doc) => toOrder(doc, fleet)) };
}

/** Midnight in Asia/Shanghai of a YYYY-MM-DD that is a real calendar date, else INVALID_ARGUMENT. */
function shanghaiMidnight(date: string, field: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00+08:00`) : NaN;
  if (!Number.isFinite(ms) || shanghaiDate(ms) !== date) {
    throw new AppError('INVALID_ARGUMENT', `${field} 必须是有效日期，格式如 2024-05-01。`);
  }
  return ms;
}

async function paidBetween(deps: Deps, from: number, toExclusive: number): Promise<OrderDoc[]> {
  const where: Where = { state: { in: ['paid', 'applied'] }, paidAt: { gte: from, lt: toExclusive } };
  const all: OrderDoc[] = [];
  for (let skip = 0; ; skip += STORE_PAGE) {
    const page = await deps.store.find<OrderDoc>('orders', where, { skip, take: STORE_PAGE });
    all.push(...page);
    if (page.length < STORE_PAGE) return all;
  }
}

/** Paid orders (paid or applied) per Shanghai day and month of payment; every day and month of the range listed. */
export async function orderStats(deps: Deps, fromDate: string, toDate: string): Promise<OrderStats> {
  const from = shanghaiMidnight(fromDate, 'from');
  const to = shanghaiMidnight(toDate, 'to');
  if (from > to) throw new AppError('INVALID_ARGUMENT', '开始日期不能晚于结束日期，请重新选择。');
  const dayCount = Math.round((to - from) / DAY_MS) + 1;
  if (dayCount > MAX_STATS_DAYS) {
    throw new AppError('INVALID_ARGUMENT', `统计区间最长 ${MAX_STATS_DAYS} 天，请缩短日期范围。`);
  }
  const days = new Map<string, { date: string; count: number; amountFen: number }>();
  const months = new Map<string, { month: string; count: number; amountFen: number }>();
  for (let i = 0; i < dayCount; i++) {
    const date = shanghaiDate(from + i * DAY_MS);
    days.set(date, { date, count: 0, amountFen: 0 });
    const month = date.slice(0, 7);
    if (!months.has(month)) months.set(month, { month, count: 0, amountFen: 0 });
  }
  let count = 0;
  let totalFen = 0;
  for (const order of await paidBetween(deps, from, to + DAY_MS)) {
    const date = shanghaiDate(order.paidAt as number);
    const day = days.get(date);
    const month = months.get(date.slice(0, 7));
    if (!day || !month) continue;
    for (const bucket of [day, month]) {
      bucket.count += 1;
      bucket.amountFen += order.amountFen;
    }
    count += 1;
    totalFen += order.amountFen;
  }
  return { from: fromDate, to: toDate, totalFen, count, days: [...days.values()], months: [...months.values()] };
}
