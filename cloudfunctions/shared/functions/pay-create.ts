// pay.products and pay.create: packages priced by the platform, and an order stored before the payment
// gateway is called, so whatever the gateway does next, the order is there to reconcile.
import type { Card, PayParams, Product, ProductCategory } from '../../../typings/api';
import { cardState } from '../../../typings/card-status';
import { AppError } from '../runtime/errors';
import type { Caller, Deps } from '../runtime/handler';
import { assertCardAccess } from '../services/card-access';
import { present } from '../services/card-index';
import { fetchCard, toCard, type PlatformCard } from '../services/cards';
import { UNPAID_CLOSE_AFTER_MS, markEnded, newOutTradeNo, reconcileOrder, type OrderDoc } from '../services/orders';
import { DuplicateKeyError } from '../store/store';

export const PAY_CHANNEL = 'wechatpay.appletpay';

interface PaymentCreated {
  orderNo: string;
  outTradeNo: string;
  amountFen: number;
  payParams: PayParams;
}

/** The packages the platform sells for this card's carrier, at the platform's prices. */
async function productsFor(deps: Deps, iccid: string): Promise<Product[]> {
  const items = await deps.platform.call<Product[]>('payment.products', { query: { iccid } });
  // Money is integer fen: a package priced otherwise is not offered.
  return items
    .filter((p) => Number.isSafeInteger(p.priceFen) && p.priceFen > 0)
    .map(({ id, name, categoryId, dataMB, validDays, priceFen }) => ({
      id,
      name,
      categoryId,
      dataMB,
      validDays,
      priceFen,
    }));
}

function assertRechargeable(card: PlatformCard): void {
  if (cardState(card).state === 'closed') {
    throw new AppError('INVALID_ARGUMENT', '该卡已销号或已转出，不能充值；如有疑问请联系车队管理员。', {
      state: 'closed',
    });
  }
}

export async function cardProducts(
  deps: Deps,
  caller: Caller,
  iccid: string,
): Promise<{ card: Card; categories: ProductCategory[]; products: Product[] }> {
  await assertCardAccess(deps, caller, iccid);
  const [platformCard, categories, products] = await Promise.all([
    fetchCard(deps, iccid),
    deps.platform.call<ProductCategory[]>('payment.categories'),
    productsFor(deps, iccid),
  ]);
  const [card] = await present(deps, [platformCard], toCard);
  return { card, categories: categories.map(({ id, name }) => ({ id, name })), products };
}

/** Stores a new order in state created, under a fresh outTradeNo. */
async function storeOrder(deps: Deps, fields: Omit<OrderDoc, '_id' | 'outTradeNo'>): Promise<OrderDoc> {
  for (let attempt = 0; ; attempt++) {
    const outTradeNo = newOutTradeNo(deps.now());
    const order: OrderDoc = { ...fields, _id: outTradeNo, outTradeNo };
    try {
      await deps.store.insert('orders', order);
      return order;
    } catch (error) {
      if (!(error instanceof DuplicateKeyError) || attempt >= 2) throw error;
    }
  }
}

export async function createPayment(
  deps: Deps,
  caller: Caller,
  input: { iccid: string; productId: string },
): Promise<{ outTradeNo: string; payParams: PayParams }> {
  await assertCardAccess(deps, caller, input.iccid);
  const [card, products] = await Promise.all([fetchCard(deps, input.iccid), productsFor(deps, input.iccid)]);
  assertRechargeable(card);
  const product = products.find((p) => p.id === input.productId);
  if (!product) throw new AppError('NOT_FOUND', '这个充值套餐不存在或不适用于这张卡，请刷新后重新选择套餐。');
  if (!deps.config.notifyUrl) console.error('[pay.create] PAY_NOTIFY_URL is not set: payments will not be notified');

  const now = deps.now();
  const order = await storeOrder(deps, {
    iccid: input.iccid,
    productId: product.id,
    productName: product.name,
    amountFen: product.priceFen,
    openid: caller.openid,
    platformOrderNo: null,
    state: 'created',
    createdAt: now,
    paidAt: null,
    appliedAt: null,
    endedAt: null,
    transactionId: null,
    note: null,
    checkedAt: now,
  });

  let created: PaymentCreated;
  try {
    created = await deps.platform.call<PaymentCreated>('payment.create', { body: paymentRequest(deps, order) });
  } catch (error) {
    throw await createFailed(deps, order, error);
  }
  return recordCreated(deps, order, created);
}

/** The platform has the order: its number and amount are kept, and the pay sheet's parameters answered. */
async function recordCreated(
  deps: Deps,
  order: OrderDoc,
  created: PaymentCreated,
): Promise<{ outTradeNo: string; payParams: PayParams }> {
  // The platform's amount is what the payer is charged, and what its notification must carry.
  await deps.store.update(
    'orders',
    order._id,
    {
      platformOrderNo: created.orderNo,
      amountFen: Number.isSafeInteger(created.amountFen) ? created.amountFen : undefined,
    },
    { state: 'created' },
  );
  return { outTradeNo: order.outTradeNo, payParams: payParamsOf(created) };
}

/** What the platform is asked for an order's payment: the same for the first request and any later one. */
function paymentRequest(deps: Deps, order: OrderDoc) {
  return {
    productId: order.productId,
    iccid: order.iccid,
    channel: PAY_CHANNEL,
    openid: order.openid,
    outTradeNo: order.outTradeNo,
    notifyUrl: deps.config.notifyUrl,
  };
}

/** Exactly the fields wx.requestPayment takes, whatever else the platform adds. */
function payParamsOf(created: PaymentCreated): PayParams {
  const { timeStamp, nonceStr, package: pkg, signType, paySign } = created.payParams;
  return { timeStamp, nonceStr, package: pkg, signType, paySign };
}

/** WeChat's pay sheet for an order lasts two hours; past this age the order is better cancelled and made again. */
export const RESUME_WITHIN_MS = UNPAID_CLOSE_AFTER_MS - 10 * 60_000;

const NOT_RESUMABLE: Record<Exclude<OrderDoc['state'], 'created'>, string> = {
  paid: '这笔订单已付款，正在到账，不需要再付款。',
  applied: '这笔订单已付款并到账，不需要再付款。',
  closed: '这笔订单已关闭，没有扣款；需要充值请重新下单。',
  failed: '这笔订单支付失败，没有扣款；需要充值请重新下单。',
};

/**
 * The payer's own unpaid order (the caller checks whose), paid now (the app was closed before paying, say): the same request to the
 * platform answers the same order and pay sheet. An order the gateway has settled meanwhile is brought up
 * to date here and refused with what happened to it.
 */
export async function resumePayment(
  deps: Deps,
  order: OrderDoc,
): Promise<{ outTradeNo: string; payParams: PayParams }> {
  if (order.state !== 'created') throw new AppError('CONFLICT', NOT_RESUMABLE[order.state]);
  if (deps.now() - order.createdAt > RESUME_WITHIN_MS) {
    throw new AppError('CONFLICT', '这笔订单已超过支付时限，请取消订单后重新下单。');
  }
  try {
    // Also the way an order whose first request never reached the platform gets there.
    const created = await deps.platform.call<PaymentCreated>('payment.create', { body: paymentRequest(deps, order) });
    return await recordCreated(deps, order, created);
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'PLATFORM_REJECTED')) throw error;
    const now = await reconcileOrder(deps, order, { closeStale: false });
    if (now.state !== 'created') throw new AppError('CONFLICT', NOT_RESUMABLE[now.state]);
    throw error;
  }
}

/**
 * The gateway refused: the order failed. No answer at all (timeout, connection lost, 5xx): it may have
 * been taken, so the order stays created and the timer asks the gateway later. Either way nothing was paid.
 */
async function createFailed(deps: Deps, order: OrderDoc, error: unknown): Promise<AppError> {
  if (error instanceof AppError && error.code === 'PLATFORM_UNAVAILABLE') {
    return new AppError('PLATFORM_UNAVAILABLE', '支付平台暂时没有响应，本次没有扣款，请稍后重试。');
  }
  const reason = error instanceof AppError ? error.message : '支付平台出错了';
  await markEnded(deps, order, 'failed', reason);
  if (error instanceof AppError) return new AppError(error.code, `下单失败，本次没有扣款。${reason}`, error.details);
  return new AppError('INTERNAL', '下单失败，本次没有扣款，请稍后重试。');
}
