// What the pay suites share: the seeded fleet's cards, stored orders and audit entries, the platform's
// view of a card, and payment notifications signed as the platform signs them.
import { createHmac, randomBytes } from 'node:crypto';
import { cardState, type CardState } from '../../typings/card-status';
import { runCron } from '../../cloudfunctions/shared/functions/cron';
import type { OrderDoc } from '../../cloudfunctions/shared/services/orders';
import type { PlatformCard } from '../../cloudfunctions/shared/services/cards';
import type { VehicleDoc } from '../../cloudfunctions/shared/services/vehicles';
import { DEV_PLATE, vehicleId } from '../../dev/seed';
import { request, type Reply } from './emulator';
import { until } from './notify-receiver';
import type { TestStack } from './stack';

export const NOTIFY_SECRET = 'dev-notify-secret';
export const PRODUCT = { id: 'P-M-1G', dataMB: 1024, priceFen: 1000 };

export async function vehicleCards(stack: TestStack, plate = DEV_PLATE): Promise<string[]> {
  const vehicle = await stack.deps.store.get<VehicleDoc>('vehicles', vehicleId(plate));
  if (!vehicle || vehicle.iccids.length === 0) throw new Error(`no seeded cards on ${plate}`);
  return vehicle.iccids;
}

/** A seeded card in a given state that no vehicle carries (to pick test data only). */
export function cardInState(stack: TestStack, state: CardState): string {
  const card = [...stack.emulator.platform.cards.values()].find((c) => cardState(c).state === state);
  if (!card) throw new Error(`no seeded card in state ${state}`);
  return card.iccid;
}

export const storedOrder = (stack: TestStack, no: string) => stack.deps.store.get<OrderDoc>('orders', no);

export const auditCount = (stack: TestStack, action: string, target: string) =>
  stack.deps.store.count('audit', { action, target });

/** The card as the platform answers it now (through its API, as the functions read it). */
export async function platformCard(stack: TestStack, iccid: string): Promise<PlatformCard> {
  return stack.deps.platform.call<PlatformCard>('flowcard.detail', { params: { iccid } });
}

export async function createOrder(stack: TestStack, openid: string, iccid: string, productId = PRODUCT.id) {
  const reply = await stack.fn('pay', openid, { action: 'create', iccid, productId });
  if (!reply.ok) throw new Error(`create failed: ${JSON.stringify(reply.error)}`);
  return reply.data as { outTradeNo: string; payParams: Record<string, string> };
}

type Delivery = { outTradeNo: string; attempt: number; status: number | null; ok: boolean };

/** The platform's deliveries of an order's notification, once at least `n` have been answered. */
export async function deliveries(stack: TestStack, outTradeNo: string, n = 1): Promise<Delivery[]> {
  return until(
    async () => {
      const stats = await stack.sim<{ notifications: Delivery[] }>('GET', '/stats');
      const mine = stats.notifications.filter((d) => d.outTradeNo === outTradeNo);
      return mine.length >= n ? mine : null;
    },
    10_000,
    `${n} notification deliveries of ${outTradeNo}`,
  );
}

export interface SignedNotification {
  raw: string;
  headers: Record<string, string>;
}

/** A notification as the platform sends it: base64(HMAC-SHA256(secret, timestamp\nnonce\nrawBody)). */
export function signed(
  body: Record<string, unknown> | string,
  opts: { secret?: string; timestamp?: number; nonce?: string } = {},
): SignedNotification {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? randomBytes(16).toString('hex');
  const signature = createHmac('sha256', opts.secret ?? NOTIFY_SECRET)
    .update(`${timestamp}\n${nonce}\n${raw}`)
    .digest('base64');
  return {
    raw,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-notify-timestamp': timestamp,
      'x-notify-nonce': nonce,
      'x-notify-signature': signature,
    },
  };
}

export function postNotification(stack: TestStack, note: SignedNotification): Promise<Reply> {
  return request(stack.host.url, 'POST', '/notify/pay', { raw: note.raw, headers: note.headers });
}

export const runReconcile = async (stack: TestStack) => {
  const report = await runCron(stack.deps, { only: ['reconcileOrders'], budgetMs: 20_000 });
  const result = report.reconcileOrders;
  if (!result?.ok) throw new Error(`reconcileOrders failed: ${JSON.stringify(result)}`);
  return result.result as { due: number; checked: number; moved: number; errors: number; noncesPruned: number };
};
