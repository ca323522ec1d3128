// WeChat pay gateway v2 (支付网关v2): code2Session, order query and close, refunds; and wx.login codes.
import { randomBytes } from 'node:crypto';
import type { Ctx, Handlers } from './context';
import { HttpError, notFound, unprocessable } from './http';
import type { Order, Refund } from './model';
import type { Platform } from './platform';
import { int, objectBody, str } from './validate';

const MINUTE_MS = 60_000;
const OUT_REFUND_NO = /^[A-Za-z0-9_\-|*@]{1,64}$/;

/** WeChat's own error codes, answered with HTTP 422 and both the platform's and WeChat's fields. */
const WX_ERRORS = {
  40029: { name: 'InvalidCode', message: '登录凭证 code 无效', errmsg: 'invalid code' },
  40163: { name: 'CodeBeenUsed', message: '登录凭证 code 已被使用', errmsg: 'code been used' },
  45011: {
    name: 'MinuteQuotaReached',
    message: '登录过于频繁，请一分钟后再试',
    errmsg: 'api minute-quota reach limit',
  },
} as const;

function wxError(errcode: keyof typeof WX_ERRORS): HttpError {
  const { name, message, errmsg } = WX_ERRORS[errcode];
  return new HttpError(422, { code: errcode, name, message, errcode, errmsg });
}

/** A one-time code as wx.login gives it, valid for settings.loginCodeTtlSec. */
export function issueLoginCode(platform: Platform, openid: string, now: number): { code: string } {
  for (const [code, entry] of platform.loginCodes) if (entry.expiresAt <= now) platform.loginCodes.delete(code);
  const code = randomBytes(24).toString('base64url');
  platform.loginCodes.set(code, { openid, expiresAt: now + platform.settings.loginCodeTtlSec * 1000, used: false });
  return { code };
}

function code2session(ctx: Ctx) {
  const { platform, now } = ctx;
  const b = objectBody(ctx.body(), ['code']);
  const code = str(b, 'code', { max: 128 });
  const entry = platform.loginCodes.get(code);
  if (!entry) throw wxError(40029);
  if (entry.used) throw wxError(40163);
  if (entry.expiresAt <= now) throw wxError(40029);
  // Refused for quota, the code is not spent: it still works in the next minute, while it lives.
  const recent = (platform.logins.get(entry.openid) ?? []).filter((t) => t > now - MINUTE_MS);
  if (recent.length >= platform.settings.loginRateLimitPerMin) throw wxError(45011);
  entry.used = true;
  platform.logins.set(entry.openid, [...recent, now]);
  return { openid: entry.openid, sessionKey: randomBytes(16).toString('base64') };
}

function orderOf(ctx: Ctx): Order {
  const order = ctx.platform.orders.get(ctx.params.outTradeNo);
  if (!order) throw notFound('订单不存在');
  return order;
}

const tradeState = (order: Order) => ({
  outTradeNo: order.outTradeNo,
  orderNo: order.orderNo,
  tradeState: order.status,
  amountFen: order.amountFen,
  transactionId: order.transactionId,
  paidAt: order.paidAt,
});

/** An unpaid (or failed) order is closed and can no longer be paid; closing twice is harmless. */
function closeOrder(ctx: Ctx) {
  const order = orderOf(ctx);
  if (order.status === 'SUCCESS' || order.status === 'REFUND') throw unprocessable('订单已支付，不能关闭');
  order.status = 'CLOSED';
  return tradeState(order);
}

function refund(ctx: Ctx) {
  const { platform } = ctx;
  const b = objectBody(ctx.body(), ['outTradeNo', 'outRefundNo', 'amountFen']);
  const outTradeNo = str(b, 'outTradeNo', { max: 64 });
  const outRefundNo = str(b, 'outRefundNo', { max: 64, pattern: OUT_REFUND_NO });
  const amountFen = int(b, 'amountFen', { min: 1 }) as number;
  const existing = platform.refunds.get(outRefundNo);
  if (existing) {
    if (existing.outTradeNo === outTradeNo && existing.amountFen === amountFen) return existing;
    throw unprocessable('退款单号重复，且与原退款申请不一致');
  }
  const order = platform.orders.get(outTradeNo);
  if (!order) throw notFound('订单不存在');
  if (order.status !== 'SUCCESS' && order.status !== 'REFUND') throw unprocessable('订单未支付，不能退款');
  const refundable = order.amountFen - order.refundedFen;
  if (amountFen > refundable) throw unprocessable(`退款金额超过可退金额（还可退${refundable}分）`);
  const record: Refund = {
    outRefundNo,
    outTradeNo,
    amountFen,
    status: 'SUCCESS',
    refundedAt: new Date(ctx.now).toISOString(),
  };
  platform.refunds.set(outRefundNo, record);
  order.refundedFen += amountFen;
  order.status = 'REFUND';
  return record;
}

function queryRefund(ctx: Ctx) {
  const record = ctx.platform.refunds.get(ctx.params.outRefundNo);
  if (!record) throw notFound('退款单不存在');
  return record;
}

export const wxpayHandlers: Handlers<
  'wxpay.code2session' | 'wxpay.queryOrder' | 'wxpay.closeOrder' | 'wxpay.refund' | 'wxpay.queryRefund'
> = {
  'wxpay.code2session': code2session,
  'wxpay.queryOrder': (ctx) => tradeState(orderOf(ctx)),
  'wxpay.closeOrder': closeOrder,
  'wxpay.refund': refund,
  'wxpay.queryRefund': queryRefund,
};
