// Payment service (支付网关): products, payments, orders, statistics; and what the payer does (/__sim/pay).
import type { Handlers } from './context';
import { fail } from './http';
import type { Platform } from './platform';

const todo = () => {
  throw fail(417, '尚未实现');
};

export const paymentHandlers: Handlers<
  'payment.categories' | 'payment.products' | 'payment.create' | 'payment.orders' | 'payment.statistic'
> = {
  'payment.categories': todo,
  'payment.products': todo,
  'payment.create': todo,
  'payment.orders': todo,
  'payment.statistic': todo,
};

export function simulatePayment(_platform: Platform, _orderNo: string, _result: 'success' | 'cancel' | 'fail', _now: number): unknown {
  throw fail(417, '尚未实现');
}
