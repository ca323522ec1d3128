// "支付成功": the payer hears that the money arrived, once, from whoever recorded the payment.
import type { Deps } from '../runtime/handler';
import { outboxSender, shanghaiTime, thing } from './alert-senders';

export interface PaidOrder {
  _id: string;
  openid: string;
  productName: string;
  amountFen: number;
}

const yuan = (fen: number) => `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

/** Sends the message; a failure (e.g. the payer never subscribed: 43101) is logged, never thrown. */
export async function sendPaidMessage(deps: Deps, order: PaidOrder, paidAt: number): Promise<void> {
  const sender = deps.alertSender ?? outboxSender(deps);
  try {
    const result = await sender.send({
      to: order.openid,
      kind: 'paid',
      page: `pages/pay-result/index?outTradeNo=${order._id}`,
      key: `paid:${order._id}`,
      data: {
        character_string1: { value: order._id },
        thing2: thing(order.productName),
        amount3: { value: yuan(order.amountFen) },
        time4: { value: shanghaiTime(paidAt) },
      },
    });
    if (!result.ok) console.warn(`[paid message] not sent to ${order.openid}: ${result.errCode} ${result.errMsg}`);
  } catch (error) {
    console.warn('[paid message] not sent', error);
  }
}
