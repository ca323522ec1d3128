// Payment service (支付网关): products, payments, orders, statistics; and what the payer does (/__sim/pay).
import { createHmac } from 'node:crypto';
import { CARRIER_NAMES, NETWORK_TARGET, cardState } from '../../typings/card-status';
import type { Ctx, Handlers } from './context';
import { notFound, unprocessable } from './http';
import type { Order, OrderStatus, Product } from './model';
import { notifyPayment } from './notifier';
import { findOrder, listOrders, orderStatistic, publicOrder } from './orders';
import type { Platform } from './platform';
import { PRODUCT_CATEGORIES } from './seed';
import { DAY_MS } from './time';
import { objectBody, str } from './validate';

export const PAY_CHANNEL = 'wechatpay.appletpay';
const OUT_TRADE_NO = /^[A-Za-z0-9_-]{6,32}$/;
const OPENID = /^[\w-]+$/;
const CREATE_FIELDS = ['productId', 'iccid', 'channel', 'openid', 'outTradeNo', 'notifyUrl'] as const;
// What the emulated merchant account signs the pay sheet with (WeChat Pay v2 style: HMAC-SHA256, upper-case hex).
const APP_ID = 'wx0000000000emulator';
const MERCHANT_KEY = 'emulator-merchant-key';

function publicProduct(p: Product) {
  return {
    id: p.id,
    name: p.name,
    categoryId: p.categoryId,
    dataMB: p.dataMB,
    validDays: p.validDays,
    priceFen: p.priceFen,
    carriers: [...p.carriers],
  };
}

/** Every product, or those of a category; with `iccid`, only those the card's carrier sells. */
function products(ctx: Ctx) {
  const categoryId = ctx.query.get('categoryId') || undefined;
  const iccid = ctx.query.get('iccid') || undefined;
  const card = iccid === undefined ? undefined : ctx.platform.cards.get(iccid);
  if (iccid !== undefined && !card) throw notFound('卡号不存在');
  return ctx.platform.products
    .filter(
      (p) => (categoryId === undefined || p.categoryId === categoryId) && (!card || p.carriers.includes(card.carrier)),
    )
    .map(publicProduct);
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** What wx.requestPayment takes; derived from the order alone, so a repeated request gets the same sheet. */
function payParams(order: Order) {
  const timeStamp = String(Math.floor(Date.parse(order.createdAt) / 1000));
  const nonceStr = createHmac('sha256', MERCHANT_KEY).update(order.orderNo).digest('hex').slice(0, 32);
  const pkg = `prepay_id=${order.prepayId}`;
  const signType = 'HMAC-SHA256';
  const signed = `appId=${APP_ID}&nonceStr=${nonceStr}&package=${pkg}&signType=${signType}&timeStamp=${timeStamp}`;
  const paySign = createHmac('sha256', MERCHANT_KEY)
    .update(`${signed}&key=${MERCHANT_KEY}`)
    .digest('hex')
    .toUpperCase();
  return { timeStamp, nonceStr, package: pkg, signType, paySign };
}

const createReply = (order: Order) => ({
  orderNo: order.orderNo,
  outTradeNo: order.outTradeNo,
  amountFen: order.amountFen,
  payParams: payParams(order),
});

function create(ctx: Ctx) {
  const { platform } = ctx;
  const b = objectBody(ctx.body(), CREATE_FIELDS);
  const productId = str(b, 'productId', { max: 64 });
  const iccid = str(b, 'iccid', { max: 20 });
  const channel = str(b, 'channel', { max: 64 });
  const openid = str(b, 'openid', { max: 64, pattern: OPENID });
  const outTradeNo = str(b, 'outTradeNo', { max: 64, pattern: OUT_TRADE_NO });
  const notifyUrl = str(b, 'notifyUrl', { max: 512 });
  if (channel !== PAY_CHANNEL) throw unprocessable('不支持的支付渠道');
  if (!isHttpUrl(notifyUrl)) throw unprocessable('notifyUrl 必须是 http 或 https 地址');

  const existing = platform.orders.get(outTradeNo);
  if (existing) {
    const same = existing.productId === productId && existing.iccid === iccid && existing.openid === openid;
    if (same && existing.status === 'NOTPAY') return createReply(existing);
    throw unprocessable('商户订单号重复');
  }
  const product = platform.products.find((p) => p.id === productId);
  if (!product) throw unprocessable('充值套餐不存在');
  const card = platform.cards.get(iccid);
  if (!card) throw notFound('卡号不存在');
  if (!product.carriers.includes(card.carrier)) throw unprocessable(`该套餐不适用于${CARRIER_NAMES[card.carrier]}的卡`);
  if (cardState(card).state === 'closed') throw unprocessable('该卡已销号，不能充值');

  const order: Order = {
    orderNo: platform.nextId('PO'),
    outTradeNo,
    iccid,
    productId,
    productName: product.name,
    amountFen: product.priceFen,
    openid,
    channel,
    notifyUrl,
    status: 'NOTPAY',
    prepayId: platform.nextId('wx'),
    createdAt: new Date(ctx.now).toISOString(),
    paidAt: null,
    transactionId: null,
    refundedFen: 0,
  };
  platform.orders.set(outTradeNo, order);
  return createReply(order);
}

/** The package goes onto the card: more data, a longer period, and a card stopped for money runs again. */
function applyPackage(platform: Platform, order: Order, now: number): void {
  const card = platform.cards.get(order.iccid);
  const product = platform.products.find((p) => p.id === order.productId);
  if (!card || !product) return; // the card left the platform (transferred) meanwhile: the order stays paid
  const inArrears = cardState(card).state === 'arrears';
  card.totalMB += product.dataMB;
  card.periodEnd = new Date(Math.max(Date.parse(card.periodEnd), now) + product.validDays * DAY_MS).toISOString();
  if (inArrears) {
    card.status = NETWORK_TARGET[card.carrier].resume;
    card.statusUpdatedAt = new Date(now).toISOString();
  }
}

const NOT_PAYABLE: Record<Exclude<OrderStatus, 'NOTPAY'>, string> = {
  SUCCESS: '订单已支付，不能重复支付',
  REFUND: '订单已支付，不能重复支付',
  CLOSED: '订单已关闭，不能支付',
  PAYERROR: '订单支付失败，请重新下单',
};

/** What the payer does in the WeChat Pay sheet: pay, close the sheet, or fail (e.g. not enough balance). */
export function simulatePayment(
  platform: Platform,
  orderNo: string,
  result: 'success' | 'cancel' | 'fail',
  now: number,
) {
  const order = findOrder(platform, orderNo);
  if (!order) throw notFound('订单不存在');
  if (order.status !== 'NOTPAY') throw unprocessable(NOT_PAYABLE[order.status]);
  if (result === 'fail') order.status = 'PAYERROR';
  if (result === 'success') {
    order.status = 'SUCCESS';
    order.paidAt = new Date(now).toISOString();
    order.transactionId = platform.nextId('4200');
    applyPackage(platform, order, now);
    notifyPayment(platform, order);
  }
  return publicOrder(order);
}

export const paymentHandlers: Handlers<
  'payment.categories' | 'payment.products' | 'payment.create' | 'payment.orders' | 'payment.statistic'
> = {
  'payment.categories': () => PRODUCT_CATEGORIES,
  'payment.products': products,
  'payment.create': create,
  'payment.orders': listOrders,
  'payment.statistic': orderStatistic,
};
