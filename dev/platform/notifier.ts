// Payment notifications: a signed POST to the order's notifyUrl, retried on WeChat's schedule until acknowledged.
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Order } from './model';
import type { Platform } from './platform';

/** Seconds between one failed delivery and the next (WeChat Pay's schedule); after the last, give up. */
export const RETRY_SCHEDULE_SEC: readonly number[] = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
];

const MAX_ANSWER_BYTES = 64 * 1024;

/** base64(HMAC-SHA256(secret, timestamp + "\n" + nonce + "\n" + rawBody)): the X-Notify-Signature header. */
export function signNotification(secret: string, timestamp: string, nonce: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${nonce}\n`).update(rawBody).digest('base64');
}

/** The notification's body, fixed when the order is paid; every attempt sends these same bytes. */
export function notificationBody(order: Order): string {
  const { orderNo, outTradeNo, iccid, productId, amountFen, status, paidAt, transactionId } = order;
  return JSON.stringify({ orderNo, outTradeNo, iccid, productId, amountFen, status, paidAt, transactionId });
}

/** Starts notifying the order's payment in the background; failures are retried, never thrown. */
export function notifyPayment(platform: Platform, order: Order): void {
  const job = { outTradeNo: order.outTradeNo, url: order.notifyUrl, body: notificationBody(order) };
  runAttempt(platform, job, 1);
}

interface Job {
  outTradeNo: string;
  url: string;
  body: string;
}

function runAttempt(platform: Platform, job: Job, attempt: number): void {
  sendAttempt(platform, job, attempt).catch((error: unknown) => {
    console.error('[platform emulator] payment notification failed unexpectedly', error);
  });
}

function copiesPerAttempt(duplicate: number | boolean | undefined): number {
  if (duplicate === true) return 2;
  return typeof duplicate === 'number' && duplicate >= 1 ? Math.floor(duplicate) : 1;
}

async function sendAttempt(platform: Platform, job: Job, attempt: number): Promise<void> {
  if (platform.faults.dropNotifications) return; // lost for good: the receiver must reconcile by querying
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(job.body)),
    'user-agent': 'iot-platform-emulator/notify',
    'x-notify-timestamp': timestamp,
    'x-notify-nonce': nonce,
    'x-notify-signature': signNotification(platform.notifySecret, timestamp, nonce, job.body),
  };
  const controller = new AbortController();
  platform.outgoing.add(controller);
  let timedOut = false;
  const timer = platform.later(platform.settings.notifyTimeoutMs, () => {
    timedOut = true;
    controller.abort();
  });
  const at = new Date().toISOString();
  const copies = copiesPerAttempt(platform.faults.duplicateNotifications);
  const results = await Promise.all(
    Array.from({ length: copies }, () => deliver(job.url, headers, job.body, controller.signal)),
  );
  platform.cancel(timer);
  platform.outgoing.delete(controller);
  if (controller.signal.aborted && !timedOut) return; // the platform was reset or closed meanwhile
  for (const r of results) platform.stats.notifications.push({ outTradeNo: job.outTradeNo, attempt, at, ...r });
  if (results.some((r) => r.ok)) return;
  const delaySec = RETRY_SCHEDULE_SEC[attempt - 1];
  if (delaySec === undefined) return; // the schedule is spent: give up
  platform.later(delaySec * 1000 * platform.settings.notifyTimeScale, () => runAttempt(platform, job, attempt + 1));
}

/** One POST; resolves with the HTTP status (null when none came) and whether it acknowledged. Never rejects. */
function deliver(
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<{ status: number | null; ok: boolean }> {
  return new Promise((resolve) => {
    let status: number | null = null;
    const settle = (ok: boolean) => resolve({ status, ok });
    try {
      const target = new URL(url);
      const transport = target.protocol === 'https:' ? https : http;
      // agent:false: one connection per delivery, closed afterwards, so nothing lingers once the platform stops
      const req = transport.request(target, { method: 'POST', headers, agent: false, signal }, (res) => {
        status = res.statusCode ?? null;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        res.on('end', () => settle(status === 200 && acknowledges(Buffer.concat(chunks).toString('utf8'))));
        res.on('error', () => settle(false));
        res.on('close', () => settle(false)); // no-op once 'end' has settled; catches an aborted answer
      });
      req.on('error', () => settle(false));
      req.end(body);
    } catch {
      settle(false);
    }
  });
}

function acknowledges(text: string): boolean {
  try {
    const answer: unknown = JSON.parse(text);
    return typeof answer === 'object' && answer !== null && (answer as { code?: unknown }).code === 'SUCCESS';
  } catch {
    return false;
  }
}
