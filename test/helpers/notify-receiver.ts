// A payment-notification receiver on a free loopback port: records every delivery and answers as told.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
}

/** How to answer the n-th delivery (1-based): a status and body, or 'hang' to never answer. */
export type Answer = { status: number; body: string } | 'hang';
export type Responder = (n: number, delivery: Delivery) => Answer;

export const ACK: Answer = { status: 200, body: JSON.stringify({ code: 'SUCCESS', message: '成功' }) };
export const REFUSE: Answer = { status: 500, body: JSON.stringify({ code: 'FAIL', message: '稍后再试' }) };

/** Refuses the first `n` deliveries, then acknowledges. */
export const refuseFirst =
  (n: number): Responder =>
  (i) =>
    i <= n ? REFUSE : ACK;

export interface Receiver {
  url: string;
  deliveries: Delivery[];
  respond: Responder;
  /** Resolves once at least `n` deliveries have arrived; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<Delivery[]>;
  close(): Promise<void>;
}

export async function startReceiver(respond: Responder = () => ACK): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const waiters: Array<() => boolean> = [];
  const receiver: Receiver = {
    url: '',
    deliveries,
    respond,
    waitFor(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (deliveries.length < n) return false;
          clearTimeout(timer);
          resolve(deliveries);
          return true;
        };
        const timer = setTimeout(
          () => reject(new Error(`expected ${n} deliveries, got ${deliveries.length}`)),
          timeoutMs,
        );
        if (!check()) waiters.push(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = { unparsed: raw };
      }
      const delivery = { headers: req.headers, raw, body };
      deliveries.push(delivery);
      const answer = receiver.respond(deliveries.length, delivery);
      // 'hang': never answered; close() cuts the connection
      if (answer !== 'hang') res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      for (const waiter of waiters.splice(0)) if (!waiter()) waiters.push(waiter);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify/pay`;
  return receiver;
}

/** Polls `probe` until it returns a truthy value; rejects after `timeoutMs`. */
export async function until<T>(
  probe: () => T | false | null | undefined | Promise<T | false | null | undefined>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
