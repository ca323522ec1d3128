// The `pay` function: packages, orders and WeChat Pay for drivers (their own vehicles' cards) and managers
// (any card); paid totals for managers. Field staff have no part in payments.
import { z } from 'zod';
import type { Order, ProductCategory } from '../../../typings/api';
import { platformError, type PlatformErrorBody } from '../platform/errors';
import { AppError } from '../runtime/errors';
import { action, defineFunction, type Caller, type Deps } from '../runtime/handler';
import { ICCID_PATTERN } from '../services/card-lookup';
import { listOrders, orderStats, showOrder } from '../services/order-views';
import { cancelOrder, getOrder, reconcileOrder, type OrderDoc } from '../services/orders';
import { cardProducts, createPayment, resumePayment } from './pay-create';

const PAYERS = ['manager', 'driver'] as const;
const MANAGER = ['manager'] as const;

const iccid = z.string().trim().max(20).toUpperCase().regex(ICCID_PATTERN);
const outTradeNo = z
  .string()
  .max(32)
  .regex(/^[A-Za-z0-9_-]{6,32}$/);
const date = z
  .string()
  .max(10)
  .regex(/^\d{4}-\d{2}-\d{2}$/);

/** The caller's order: a driver sees only what they paid for, a manager every order. */
async function readableOrder(deps: Deps, caller: Caller, no: string): Promise<OrderDoc> {
  const order = await getOrder(deps, no);
  if (!order) throw new AppError('NOT_FOUND', '没有找到这笔订单，请刷新订单列表后重试。');
  if (caller.member?.role !== 'manager' && order.openid !== caller.openid) {
    throw new AppError('FORBIDDEN', '这笔订单不是你支付的，无法查看。');
  }
  return order;
}

/** The caller's own order, for what only its payer may do (`what`: the verb in the refusal). */
async function payersOrder(deps: Deps, caller: Caller, no: string, what: string): Promise<OrderDoc> {
  const order = await readableOrder(deps, caller, no);
  if (order.openid !== caller.openid) throw new AppError('FORBIDDEN', `只能${what}自己下的订单。`);
  return order;
}

/** An order not settled here is first asked about at the gateway; if that fails, the stored state is answered. */
async function freshOrder(deps: Deps, order: OrderDoc): Promise<Order> {
  let latest = order;
  if (order.state === 'created' || order.state === 'paid') {
    try {
      latest = await reconcileOrder(deps, order, { closeStale: false });
    } catch (error) {
      if (!(error instanceof AppError)) console.error(`[pay.order] ${order._id}`, error);
    }
  }
  return showOrder(deps, latest);
}

/** Dev only: what the payer does in the WeChat Pay sheet, through the emulator's /__sim/pay. */
async function simulatePayment(deps: Deps, no: string, result: 'success' | 'cancel' | 'fail'): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`${deps.config.platform.apiUrl}/__sim/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderNo: no, result }),
      signal: AbortSignal.timeout(deps.config.platform.attemptTimeoutMs),
    });
  } catch {
    throw new AppError('PLATFORM_UNAVAILABLE', '连接不上模拟支付（卡平台模拟器），请确认 npm start 正在运行。');
  }
  if (!res.ok)
    throw platformError(res.status, (await res.json().catch(() => undefined)) as PlatformErrorBody | undefined);
}

export const pay = defineFunction('pay', {
  categories: action({
    access: PAYERS,
    input: z.strictObject({}),
    async run({ deps }) {
      const categories = await deps.platform.call<ProductCategory[]>('payment.categories');
      return categories.map(({ id, name }) => ({ id, name }));
    },
  }),
  products: action({
    access: PAYERS,
    input: z.strictObject({ iccid }),
    run: ({ caller, input, deps }) => cardProducts(deps, caller, input.iccid),
  }),
  create: action({
    access: PAYERS,
    input: z.strictObject({ iccid, productId: z.string().trim().min(1).max(64) }),
    run: ({ caller, input, deps }) => createPayment(deps, caller, input),
  }),
  order: action({
    access: PAYERS,
    input: z.strictObject({ outTradeNo }),
    async run({ caller, input, deps }) {
      return freshOrder(deps, await readableOrder(deps, caller, input.outTradeNo));
    },
  }),
  resume: action({
    access: PAYERS,
    input: z.strictObject({ outTradeNo }),
    async run({ caller, input, deps }) {
      return resumePayment(deps, await payersOrder(deps, caller, input.outTradeNo, '继续支付'));
    },
  }),
  cancel: action({
    access: PAYERS,
    input: z.strictObject({ outTradeNo }),
    async run({ caller, input, deps }) {
      return showOrder(deps, await cancelOrder(deps, await payersOrder(deps, caller, input.outTradeNo, '取消')));
    },
  }),
  orders: action({
    access: PAYERS,
    input: z.strictObject({ skip: z.number().int().min(0).max(1_000_000), take: z.number().int().min(1).max(100) }),
    run: ({ caller, input, deps }) => listOrders(deps, caller.member?.role === 'manager' ? null : caller.openid, input),
  }),
  stats: action({
    access: MANAGER,
    input: z.strictObject({ from: date, to: date }),
    run: ({ input, deps }) => orderStats(deps, input.from, input.to),
  }),
  devPay: action({
    access: PAYERS,
    input: z.strictObject({ outTradeNo, result: z.enum(['success', 'cancel', 'fail']) }),
    async run({ caller, input, deps }) {
      if (!deps.config.devMode) throw new AppError('FORBIDDEN', '模拟支付只在本地开发环境可用。');
      const order = await payersOrder(deps, caller, input.outTradeNo, '模拟支付');
      await simulatePayment(deps, order.outTradeNo, input.result);
      return freshOrder(deps, order);
    },
  }),
});
