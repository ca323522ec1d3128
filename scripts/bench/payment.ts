// payment: 200 concurrent create → pay → notify flows through the host (pay.create as dev-manager, the
// payer's success at the emulator's /__sim/pay, the emulator's notification to the host's /notify/pay),
// each order applied exactly once; then 200 more with every notification delivered 3 times.
import type { OrderDoc } from '../../cloudfunctions/shared/services/orders';
import { cardsIn } from '../../test/helpers/jobs';
import { PRODUCT } from '../../test/helpers/pay';
import { startTestStack, type TestStack } from '../../test/helpers/stack';
import { fmtMs, NONE, type Row } from './report';
import { callFn, now, percentile, sim, until } from './util';

const FLOWS = 200;

type Delivery = { outTradeNo: string; ok: boolean };

/** One flow: create, pay, and wait (bounded) until the notification has applied the order. */
async function flow(stack: TestStack, iccid: string): Promise<{ outTradeNo: string; ms: number }> {
  const started = now();
  const created = await callFn(stack.host.url, 'pay', 'dev-manager', {
    action: 'create',
    iccid,
    productId: PRODUCT.id,
  });
  if (!created.ok) throw new Error(`pay.create failed: ${JSON.stringify(created.error)}`);
  const { outTradeNo } = created.data as { outTradeNo: string };
  await sim(stack.emulator.url, 'POST', '/pay', { orderNo: outTradeNo, result: 'success' });
  await until(
    async () => (await stack.deps.store.get<OrderDoc>('orders', outTradeNo))?.state === 'applied',
    `order ${outTradeNo} applied`,
  );
  return { outTradeNo, ms: now() - started };
}

type Round = Awaited<ReturnType<typeof round>>;

async function round(stack: TestStack, iccids: string[], copies: number) {
  const started = now();
  const flows = await Promise.all(iccids.map((iccid) => flow(stack, iccid)));
  const elapsed = now() - started;
  const mine = new Set(flows.map((f) => f.outTradeNo));
  // Every copy of every notification answered (bounded wait), then what the store holds.
  const deliveries = await until(
    async () => {
      const all = (await stack.sim<{ notifications: Delivery[] }>('GET', '/stats')).notifications;
      const ours = all.filter((d) => mine.has(d.outTradeNo));
      return ours.length >= flows.length * copies ? ours : null;
    },
    `${flows.length * copies} deliveries`,
  );
  let applied = 0;
  let paidOnce = 0;
  for (const { outTradeNo } of flows) {
    if ((await stack.deps.store.get<OrderDoc>('orders', outTradeNo))?.state === 'applied') applied += 1;
    if ((await stack.deps.store.count('audit', { action: 'order.paid', target: outTradeNo })) === 1) paidOnce += 1;
  }
  return {
    elapsed,
    p50: percentile(
      flows.map((f) => f.ms),
      50,
    ),
    applied,
    paidOnce,
    delivered: deliveries.length,
    acknowledged: deliveries.filter((d) => d.ok).length,
  };
}

export async function benchPayment(): Promise<Row[]> {
  // Rate limits raised (emulator and client): each flow makes ~5 platform calls, and the default client
  // limit (50/s) would make this a figure of the limiter (~10 flows/s), not of the payment path.
  const stack = await startTestStack({
    emulator: { cards: 600, settings: { rateLimitPerSec: 100_000 } },
    env: { PLATFORM_RATE_LIMIT_PER_SEC: '100000' },
  });
  try {
    const cards = cardsIn(stack, 'active', 2 * FLOWS);
    const first = await round(stack, cards.slice(0, FLOWS), 1);
    await stack.sim('POST', '/faults', { duplicateNotifications: 3 });
    const second = await round(stack, cards.slice(FLOWS), 3);
    await stack.sim('POST', '/faults', {});
    const appliedTotal = await stack.deps.store.count('orders', { state: 'applied' });
    const paidTotal = await stack.deps.store.count('audit', { action: 'order.paid' });
    const rejected = await stack.deps.store.count('audit', { action: 'order.notifyRejected' });
    const exact =
      first.applied === FLOWS &&
      first.paidOnce === FLOWS &&
      second.applied === FLOWS &&
      second.paidOnce === FLOWS &&
      appliedTotal === 2 * FLOWS &&
      paidTotal === 2 * FLOWS &&
      rejected === 0;
    const perSec = (r: { elapsed: number }) => FLOWS / (r.elapsed / 1000);
    const summary = (r: Round) => ({
      flowsPerSec: +perSec(r).toFixed(1),
      elapsedMs: Math.round(r.elapsed),
      flowP50Ms: Math.round(r.p50),
      applied: r.applied,
      paidOnce: r.paidOnce,
      delivered: r.delivered,
      acknowledged: r.acknowledged,
    });
    return [
      {
        figure: `payment: ${FLOWS} concurrent create-pay-notify flows`,
        ours: `${perSec(first).toFixed(1)} flows/s (${fmtMs(first.elapsed)})`,
        baseline: NONE,
        ratio: NONE,
        goal: 'each paid once',
        met: first.applied === FLOWS && first.paidOnce === FLOWS && rejected === 0,
        note:
          `pay.create through the host as dev-manager on ${FLOWS} different cards at once, /__sim/pay success, ` +
          `the emulator's notification to the host's /notify/pay; a flow ends when the stored order is applied ` +
          `(flow p50 ${fmtMs(first.p50)}). Round 1: ${first.applied}/${FLOWS} applied, ${first.paidOnce} with ` +
          `exactly one 'order.paid' audit entry, ${first.acknowledged}/${first.delivered} deliveries acknowledged. ` +
          `Emulator and client rate limits raised to 100,000/s.`,
        values: summary(first),
      },
      {
        figure: 'payment: duplicates ignored (each notification x3)',
        ours: `${second.paidOnce}/${FLOWS} paid once`,
        baseline: NONE,
        ratio: NONE,
        goal: 'none applied twice',
        met: exact,
        note:
          `Round 2, /__sim/faults {duplicateNotifications: 3}, ${FLOWS} new flows (${perSec(second).toFixed(1)} ` +
          `flows/s): ${second.delivered} deliveries, ${second.acknowledged} acknowledged, ${second.applied} ` +
          `applied. Whole store after both rounds: ${appliedTotal} orders applied, ${paidTotal} 'order.paid' ` +
          `audit entries (one per order), ${rejected} notifications rejected.`,
        values: { ...summary(second), appliedTotal, paidTotal, rejected },
      },
    ];
  } finally {
    await stack.stop();
  }
}
