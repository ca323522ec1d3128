// Cards and orders for payment suites: pick a seeded card by state, create an order over HTTP.
import { cardState, type CardState, type Carrier } from '../../typings/card-status';
import type { FlowCard } from '../../dev/platform/model';
import type { EmulatorClient } from './emulator';

/** A seeded card of the given state (and carrier), not one of `except`. */
export function pickCard(c: EmulatorClient, state: CardState, carrier?: Carrier, except: string[] = []): FlowCard {
  const card = [...c.emulator.platform.cards.values()].find(
    (x) => cardState(x).state === state && (!carrier || x.carrier === carrier) && !except.includes(x.iccid),
  );
  if (!card) throw new Error(`no seeded ${carrier ?? ''} card in state ${state}`);
  return card;
}

let sequence = 0;
/** A fresh, valid outTradeNo. */
export const tradeNo = (prefix = 'T') => `${prefix}${Date.now().toString(36)}${String(++sequence).padStart(4, '0')}`;

export interface OrderRequest {
  productId: string;
  iccid: string;
  channel: string;
  openid: string;
  outTradeNo: string;
  notifyUrl: string;
}

export function orderRequest(card: { iccid: string }, overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    productId: 'P-M-1G',
    iccid: card.iccid,
    channel: 'wechatpay.appletpay',
    openid: 'o-driver-0001',
    outTradeNo: tradeNo(),
    notifyUrl: 'http://127.0.0.1:9/notify/pay',
    ...overrides,
  };
}

/** Creates an order and returns the platform's reply (fails the test on anything but 200). */
export async function createOrder(c: EmulatorClient, request: OrderRequest) {
  const res = await c.api('POST', '/paymentservice/payments', request);
  if (res.status !== 200) throw new Error(`create order: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as { orderNo: string; outTradeNo: string; amountFen: number; payParams: Record<string, string> };
}
