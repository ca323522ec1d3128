// payNotify: the platform's payment notification over HTTP. Verified (signature over the raw body, timestamp
// window; a repeated nonce is a duplicate delivery), checked against the stored order, then the order moves forward once.
// A valid notification is acknowledged even when already applied, so the platform stops sending it; a
// forged, replayed or mismatched one is refused, logged and audited, and changes no order.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Deps } from '../runtime/handler';
import { audit } from '../services/audit';
import { claimNonce } from '../services/notify-nonces';
import { getOrder, settlePayment, type OrderDoc } from '../services/orders';

export interface NotifyRequest {
  headers: Record<string, string | undefined>;
  body: string;
}

export interface NotifyAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

const MAX_BODY_BYTES = 16 * 1024;
const TIMESTAMP = /^\d{1,12}$/;
const NONCE = /^[A-Za-z0-9_-]{8,64}$/;
const SIGNATURE = /^[A-Za-z0-9+/]{1,128}={0,2}$/;
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

const Notification = z.object({
  orderNo: z.string().max(64),
  outTradeNo: z
    .string()
    .max(32)
    .regex(/^[A-Za-z0-9_-]{6,32}$/),
  iccid: z.string().max(20),
  productId: z.string().max(64),
  amountFen: z.number().int().min(0),
  status: z.string().max(16),
  paidAt: z.string().max(40).nullable(),
  transactionId: z.string().max(64).nullable(),
});
type Notification = z.infer<typeof Notification>;

const answer = (status: number, body: Record<string, string>): NotifyAnswer => ({
  status,
  body: JSON.stringify(body),
  headers: JSON_HEADERS,
});
const ACK = answer(200, { code: 'SUCCESS' });

class Rejection {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly order?: OrderDoc,
  ) {}
}

export function signatureValid(secret: string, timestamp: string, nonce: string, body: string, given: string): boolean {
  const expected = createHmac('sha256', secret).update(`${timestamp}\n${nonce}\n`).update(body).digest();
  const actual = Buffer.from(given, 'base64');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function header(req: NotifyRequest, name: string): string {
  for (const [key, value] of Object.entries(req.headers)) if (key.toLowerCase() === name) return value ?? '';
  return '';
}

/** Authenticity: the signature over the raw body and a timestamp inside the window; nonces are recorded. */
async function verify(req: NotifyRequest, deps: Deps): Promise<Notification> {
  const { notifySecret, notifyWindowSec } = deps.config;
  const timestamp = header(req, 'x-notify-timestamp');
  const nonce = header(req, 'x-notify-nonce');
  const signature = header(req, 'x-notify-signature');
  if (Buffer.byteLength(req.body) > MAX_BODY_BYTES) throw new Rejection(413, 'body too large');
  if (!TIMESTAMP.test(timestamp) || !NONCE.test(nonce) || !SIGNATURE.test(signature)) {
    throw new Rejection(401, 'missing or malformed signature headers');
  }
  if (!signatureValid(notifySecret, timestamp, nonce, req.body, signature)) {
    throw new Rejection(401, 'signature mismatch');
  }
  if (Math.abs(deps.now() / 1000 - Number(timestamp)) > notifyWindowSec) {
    throw new Rejection(401, 'timestamp outside the window');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body);
  } catch {
    throw new Rejection(400, 'body is not JSON');
  }
  const note = Notification.safeParse(parsed);
  if (!note.success) throw new Rejection(400, 'body does not have the notification shape');
  if (!(await claimNonce(deps, nonce, notifyWindowSec))) {
    // The same signed message again inside the window: a duplicate delivery, not a forgery. Settling is
    // forward-only and idempotent, so it is acknowledged (and changes nothing) rather than refused.
    console.info(`[payNotify] duplicate delivery of nonce ${nonce}`);
  }
  return note.data;
}

/** The notification must describe the stored order exactly: same card, package and amount. */
async function matchOrder(deps: Deps, note: Notification): Promise<OrderDoc> {
  const order = await getOrder(deps, note.outTradeNo);
  if (!order) throw new Rejection(404, 'unknown order');
  if (note.amountFen !== order.amountFen) throw new Rejection(422, 'amount differs from the order', order);
  if (note.iccid !== order.iccid || note.productId !== order.productId) {
    throw new Rejection(422, 'card or product differs from the order', order);
  }
  if (order.platformOrderNo !== null && note.orderNo !== order.platformOrderNo) {
    throw new Rejection(422, 'platform order number differs from the order', order);
  }
  return order;
}

async function reject(deps: Deps, rejection: Rejection, req: NotifyRequest): Promise<NotifyAnswer> {
  const target = rejection.order?._id ?? /"outTradeNo"\s*:\s*"([A-Za-z0-9_-]{1,32})"/.exec(req.body)?.[1] ?? '-';
  console.warn(`[payNotify] rejected (${rejection.status}): ${rejection.reason}; order ${target}`);
  try {
    await audit(deps, {
      actor: 'payNotify',
      action: 'order.notifyRejected',
      target,
      iccid: rejection.order?.iccid,
      outcome: 'rejected',
      detail: { reason: rejection.reason, status: rejection.status },
    });
  } catch (error) {
    console.error('[payNotify] could not audit a rejected notification', error);
  }
  return answer(rejection.status, { code: 'FAIL', message: rejection.reason });
}

export async function payNotify(req: NotifyRequest, deps: Deps): Promise<NotifyAnswer> {
  try {
    if (!deps.config.notifySecret) {
      console.error('[payNotify] PAY_NOTIFY_SECRET is not set: every notification is refused');
      return answer(500, { code: 'FAIL', message: 'receiver not configured' });
    }
    const note = await verify(req, deps);
    const order = await matchOrder(deps, note);
    if (note.status === 'SUCCESS' || note.status === 'REFUND') {
      await settlePayment(deps, order, {
        via: 'notify',
        platformOrderNo: note.orderNo,
        transactionId: note.transactionId,
        paidAt: note.paidAt,
        amountFen: note.amountFen,
      });
    }
    return ACK;
  } catch (error) {
    if (error instanceof Rejection) return reject(deps, error, req);
    // Not ours to judge (store or platform down): the platform sends it again later.
    console.error('[payNotify] could not process a notification', error);
    return answer(500, { code: 'FAIL', message: 'try again later' });
  }
}

/** CloudBase HTTP access: the event carries the raw body (maybe base64) and headers; answers as it expects. */
export async function payNotifyHttpEvent(
  event: unknown,
  deps: Deps,
): Promise<{ statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded: false }> {
  const e = (typeof event === 'object' && event !== null ? event : {}) as {
    httpMethod?: unknown;
    headers?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  const toResult = (a: NotifyAnswer) => ({
    statusCode: a.status,
    headers: a.headers,
    body: a.body,
    isBase64Encoded: false as const,
  });
  if (typeof e.httpMethod === 'string' && e.httpMethod.toUpperCase() !== 'POST') {
    return toResult(answer(405, { code: 'FAIL', message: 'POST only' }));
  }
  const raw = typeof e.body === 'string' ? e.body : '';
  const body = e.isBase64Encoded === true ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const headers: Record<string, string> = {};
  if (typeof e.headers === 'object' && e.headers !== null) {
    for (const [key, value] of Object.entries(e.headers)) {
      if (typeof value === 'string') headers[key.toLowerCase()] = value;
    }
  }
  return toResult(await payNotify({ headers, body }, deps));
}
