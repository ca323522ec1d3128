// Payment orders (collection 'orders', _id = outTradeNo) and their one-way state machine:
// created → paid → applied, or created → closed / failed. Every transition is a compare-and-set on the
// state, so however many notifications, order queries and timer ticks race, each one happens once.
import { randomBytes } from 'node:crypto';
import type { OrderState } from '../../../typings/api';
import type { CronTask } from '../functions/cron';
import { AppError } from '../runtime/errors';
import type { Deps } from '../runtime/handler';
import type { Doc } from '../store/store';
import { audit } from './audit';
import { fetchCard } from './cards';
import { pruneNonces } from './notify-nonces';
import { sendPaidMessage } from './paid-message';

export interface OrderDoc extends Doc {
  outTradeNo: string;
  iccid: string;
  productId: string;
  productName: string;
  /** The platform's price, integer fen; never the caller's. */
  amountFen: number;
  /** The payer. */
  openid: string;
  platformOrderNo: string | null;
  state: OrderState;
  createdAt: number;
  paidAt: number | null;
  appliedAt: number | null;
  /** When the order was closed or failed. */
  endedAt: number | null;
  transactionId: string | null;
  /** Why an order closed or failed, in a sentence. */
  note: string | null;
  /** When the timer last asked the gateway about it: the timer works the longest-unchecked first. */
  checkedAt: number;
}

/** What the gateway v2 answers about an order (查询订单, and 关闭订单). */
export interface TradeState {
  outTradeNo: string;
  orderNo: string;
  tradeState: 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND' | 'PAYERROR';
  amountFen: number;
  transactionId: string | null;
  paidAt: string | null;
}

/** Proof that an order was paid: a verified notification, or the gateway's own answer. */
export interface PaymentEvidence {
  via: 'notify' | 'query';
  platformOrderNo: string | null;
  transactionId: string | null;
  paidAt: string | null;
  amountFen: number;
}

/** Still unpaid this long after creation, an order is closed at the gateway (WeChat's prepay id lives 2 h). */
export const UNPAID_CLOSE_AFTER_MS = 2 * 3_600_000;
/** Orders the timer looks at per tick, of each kind (unpaid, paid but unconfirmed). */
const RECONCILE_BATCH = 100;
/** The timer stops starting new orders this close to the end of its budget. */
const BUDGET_MARGIN_MS = 250;
/** A gateway can close a paid order; a local close or failure never outranks a payment it confirms. */
const PAYABLE_STATES: OrderState[] = ['created', 'closed', 'failed'];
const PAID_TRADE_STATES: readonly TradeState['tradeState'][] = ['SUCCESS', 'REFUND'];

/** A fresh merchant order number: 6–32 of [A-Za-z0-9_-], time-ordered, with 64 random bits. */
export function newOutTradeNo(now: number): string {
  return `FC${now.toString(36).toUpperCase()}${randomBytes(8).toString('hex')}`;
}

export const getOrder = (deps: Deps, outTradeNo: string) => deps.store.get<OrderDoc>('orders', outTradeNo);

async function current(deps: Deps, order: OrderDoc): Promise<OrderDoc> {
  return (await getOrder(deps, order._id)) ?? order;
}

function parseTime(iso: string | null, fallback: number): number {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? ms : fallback;
}

/** created (or a local close/fail) → paid. Only the winner of the transition writes the audit entry. */
export async function markPaid(deps: Deps, order: OrderDoc, evidence: PaymentEvidence): Promise<boolean> {
  const now = deps.now();
  const won = await deps.store.update(
    'orders',
    order._id,
    {
      state: 'paid',
      paidAt: parseTime(evidence.paidAt, now),
      transactionId: evidence.transactionId,
      platformOrderNo: order.platformOrderNo ?? evidence.platformOrderNo,
      note: null,
    },
    { state: { in: PAYABLE_STATES } },
  );
  if (won) {
    await audit(deps, {
      actor: order.openid,
      action: 'order.paid',
      target: order._id,
      iccid: order.iccid,
      outcome: 'ok',
      detail: {
        amountFen: order.amountFen,
        productId: order.productId,
        transactionId: evidence.transactionId,
        via: evidence.via,
        ...(order.state !== 'created' ? { recoveredFrom: order.state } : {}),
        ...(evidence.amountFen !== order.amountFen ? { gatewayAmountFen: evidence.amountFen } : {}),
      },
    });
    await sendPaidMessage(deps, order, parseTime(evidence.paidAt, now));
  }
  return won;
}

/**
 * paid → applied. The platform applies the package itself when paid; here the card is read again, so the
 * card index shows the new data, and that confirms it. A transient failure leaves the order paid for the
 * timer to finish.
 */
export async function confirmApplied(deps: Deps, order: OrderDoc): Promise<boolean> {
  let note: string | null = null;
  try {
    await fetchCard(deps, order.iccid);
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
    note = '该卡已不在卡平台上，无法读取充值后的流量。';
  }
  return deps.store.update('orders', order._id, { state: 'applied', appliedAt: deps.now(), note }, { state: 'paid' });
}

/** created → closed or failed, with why. */
export async function markEnded(
  deps: Deps,
  order: OrderDoc,
  to: 'closed' | 'failed',
  note: string,
  actor = order.openid,
): Promise<boolean> {
  const won = await deps.store.update(
    'orders',
    order._id,
    { state: to, endedAt: deps.now(), note },
    { state: 'created' },
  );
  if (won) {
    await audit(deps, {
      actor,
      action: `order.${to}`,
      target: order._id,
      iccid: order.iccid,
      outcome: 'failed',
      detail: { amountFen: order.amountFen, productId: order.productId, note },
    });
  }
  return won;
}

/**
 * Records a trustworthy payment and confirms it applied; answers the order as it is now. Once paid is
 * recorded, a failure to confirm leaves the order paid for the timer rather than failing the caller.
 */
export async function settlePayment(deps: Deps, order: OrderDoc, evidence: PaymentEvidence): Promise<OrderDoc> {
  await markPaid(deps, order, evidence);
  const paid = await current(deps, order);
  if (paid.state === 'paid') {
    await confirmApplied(deps, paid).catch((error: unknown) => {
      if (!(error instanceof AppError)) console.error(`[orders] confirming ${order._id} applied`, error);
    });
  }
  return current(deps, order);
}

async function applyTradeState(deps: Deps, order: OrderDoc, trade: TradeState): Promise<OrderDoc> {
  if (PAID_TRADE_STATES.includes(trade.tradeState)) {
    return settlePayment(deps, order, {
      via: 'query',
      platformOrderNo: trade.orderNo ?? null,
      transactionId: trade.transactionId ?? null,
      paidAt: trade.paidAt ?? null,
      amountFen: trade.amountFen,
    });
  }
  if (trade.tradeState === 'CLOSED') await markEnded(deps, order, 'closed', '订单已关闭，未扣款。');
  if (trade.tradeState === 'PAYERROR') await markEnded(deps, order, 'failed', '支付失败，未扣款，请重新下单。');
  return current(deps, order);
}

const queryTrade = (deps: Deps, outTradeNo: string) =>
  deps.platform.call<TradeState>('wxpay.queryOrder', { params: { outTradeNo } });

/** Closes an unpaid order at the gateway; if it was paid meanwhile, the gateway's answer says so. */
async function closeTrade(deps: Deps, outTradeNo: string): Promise<TradeState> {
  try {
    return await deps.platform.call<TradeState>('wxpay.closeOrder', { params: { outTradeNo } });
  } catch (error) {
    if (error instanceof AppError && error.code === 'PLATFORM_REJECTED') return queryTrade(deps, outTradeNo);
    throw error;
  }
}

/**
 * The payer left the pay sheet without paying: the order is closed at the gateway, so that sheet can no
 * longer pay it, then here. A payment that got through first is kept and settled instead.
 */
export async function cancelOrder(deps: Deps, order: OrderDoc): Promise<OrderDoc> {
  if (order.state !== 'created') return order;
  let trade: TradeState;
  try {
    trade = await closeTrade(deps, order._id);
  } catch (error) {
    // The create call never reached the platform: there is nothing there to close or to pay.
    if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
    await markEnded(deps, order, 'closed', '支付已取消，未扣款。');
    return current(deps, order);
  }
  return applyTradeState(deps, order, trade);
}

/**
 * Asks the gateway about an order that is not settled here and moves it forward. `closeStale`: an order
 * unpaid for UNPAID_CLOSE_AFTER_MS is closed at the gateway, so it can no longer be paid, then here.
 */
export async function reconcileOrder(deps: Deps, order: OrderDoc, opts: { closeStale: boolean }): Promise<OrderDoc> {
  if (order.state === 'paid') {
    await confirmApplied(deps, order);
    return current(deps, order);
  }
  if (order.state !== 'created') return order;
  const stale = deps.now() - order.createdAt > UNPAID_CLOSE_AFTER_MS;
  let trade: TradeState;
  try {
    trade = await queryTrade(deps, order._id);
  } catch (error) {
    // The create call never reached the platform (it timed out before): nothing can be paid.
    if (error instanceof AppError && error.code === 'NOT_FOUND' && stale && opts.closeStale) {
      await markEnded(deps, order, 'failed', '卡平台上没有这笔订单，未扣款，请重新下单。', 'reconcile');
      return current(deps, order);
    }
    throw error;
  }
  if (trade.tradeState === 'NOTPAY' && stale && opts.closeStale) trade = await closeTrade(deps, order._id);
  return applyTradeState(deps, order, trade);
}

/** The timer: paid orders not yet confirmed, then unpaid ones older than the configured age. */
export const reconcileOrdersTask: CronTask = {
  name: 'reconcileOrders',
  async run(deps, budget) {
    const now = deps.now();
    const byCheck = { orderBy: { field: 'checkedAt', direction: 'asc' as const }, take: RECONCILE_BATCH };
    const due = [
      ...(await deps.store.find<OrderDoc>('orders', { state: 'paid' }, byCheck)),
      ...(await deps.store.find<OrderDoc>(
        'orders',
        { state: 'created', createdAt: { lt: now - deps.config.reconcileAfterSec * 1000 } },
        byCheck,
      )),
    ];
    let checked = 0;
    let moved = 0;
    let errors = 0;
    for (const order of due) {
      if (budget.left() < BUDGET_MARGIN_MS) break;
      checked += 1;
      try {
        await deps.store.update('orders', order._id, { checkedAt: deps.now() });
        const after = await reconcileOrder(deps, order, { closeStale: true });
        if (after.state !== order.state) moved += 1;
      } catch (error) {
        errors += 1;
        if (!(error instanceof AppError)) console.error(`[reconcileOrders] ${order._id}`, error);
      }
    }
    const noncesPruned = budget.left() > BUDGET_MARGIN_MS ? await pruneNonces(deps) : 0;
    return { due: due.length, checked, moved, errors, noncesPruned };
  },
};
