// Words and colours of an order's states, as the orders list and the pay result show them.
import type { OrderState } from '../../typings/api';

export const ORDER_STATE_NAMES: Record<OrderState, string> = {
  created: '待支付',
  paid: '支付成功，正在到账',
  applied: '已到账',
  closed: '已取消',
  failed: '支付失败',
};

/** Short words for a list row. */
export const ORDER_STATE_SHORT: Record<OrderState, string> = {
  created: '待支付',
  paid: '到账中',
  applied: '已到账',
  closed: '已取消',
  failed: '支付失败',
};

/** An order in one of these states will not change any more. */
export const FINAL_ORDER_STATES: readonly OrderState[] = ['applied', 'closed', 'failed'];

/** The last four characters of an ICCID, as a person reads it off the card. */
export function iccidTail(iccid: string): string {
  return iccid.slice(-4);
}
