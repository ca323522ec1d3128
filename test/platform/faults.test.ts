// The admin surface's faults (/__sim/faults), reset and stats: what a test of a client's resilience
// stands on. Durations are never asserted: only outcomes and counts.
import { DEV, fetchToken, request, startTestEmulator, type EmulatorClient } from '../helpers/emulator';

const CHINESE = /[\u4e00-\u9fff]/;
const FLOW_PATH = '/cardservice/flowcards/types';
const PAY_PATH = '/paymentservice/products/categories';

let c: EmulatorClient;

beforeAll(async () => {
  c = await startTestEmulator();
  await c.authorize('iot.cardservice.all iot.paymentservice.all');
});

afterAll(async () => {
  await c?.emulator.close();
});

afterEach(async () => {
  await c.sim('POST', '/faults', {});
});

async function setFaults(faults: Record<string, unknown>) {
  const reply = await c.sim('POST', '/faults', faults);
  expect(reply.status).toBe(200);
  return reply;
}

const stats = async () => (await c.sim('GET', '/stats')).body;

function tokenRequest(init: RequestInit = {}) {
  return fetch(`${c.url}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: DEV.clientId,
      client_secret: DEV.clientSecret,
    }).toString(),
    ...init,
  });
}

describe('latencyMs', () => {
  it('slows calls down without failing them', async () => {
    await setFaults({ latencyMs: 300 });
    const reply = await c.api('GET', FLOW_PATH);
    expect(reply.status).toBe(200);
    expect(reply.body.code).toBe(200);
    expect((await tokenRequest()).status).toBe(200);
  });

  it('makes a client whose timeout is shorter than the latency give up', async () => {
    await setFaults({ latencyMs: 1000 });
    const api = fetch(`${c.url}${FLOW_PATH}`, {
      headers: { 'ocp-apim-subscription-key': DEV.subscriptionKey, authorization: `Bearer ${c.token}` },
      signal: AbortSignal.timeout(50),
    });
    await expect(api).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(tokenRequest({ signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});

describe('errorRate', () => {
  it.each([
    [500, false],
    [503, true],
    [429, true],
  ])('answers every call with %i when errorRate is 1 (Retry-After: %s)', async (status, retryAfter) => {
    await setFaults({ errorRate: 1, errorStatus: status });
    const before = (await stats()).rejected.injected as number;
    for (const reply of [await c.api('GET', FLOW_PATH), await c.api('GET', PAY_PATH)]) {
      expect(reply.status).toBe(status);
      expect(reply.body).toEqual({ code: status, name: expect.any(String), message: expect.stringMatching(CHINESE) });
      if (retryAfter) expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      else expect(reply.headers.get('retry-after')).toBeNull();
    }
    expect((await tokenRequest()).status).toBe(status);
    expect((await stats()).rejected.injected - before).toBe(3);
  });

  it('answers 500 when no errorStatus is given, and never with errorRate 0', async () => {
    await setFaults({ errorRate: 1 });
    expect((await c.api('GET', FLOW_PATH)).status).toBe(500);
    await setFaults({ errorRate: 0, errorStatus: 503 });
    for (let i = 0; i < 10; i++) expect((await c.api('GET', FLOW_PATH)).status).toBe(200);
  });

  it('never touches the admin surface', async () => {
    await setFaults({ errorRate: 1, errorStatus: 503, latencyMs: 5000 });
    const reply = await fetch(`${c.url}/__sim/stats`, { signal: AbortSignal.timeout(3000) });
    expect(reply.status).toBe(200);
  });
});

describe('errorBurst', () => {
  it('fails exactly the next N matching calls, then answers again; the burst is spent, not redrawn', async () => {
    await setFaults({ errorBurst: 3, errorStatus: 503, pathPattern: '^/cardservice/' });
    const before = (await stats()).rejected.injected as number;
    expect((await c.api('GET', PAY_PATH)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await c.api('GET', FLOW_PATH)).status);
    expect(statuses).toEqual([503, 503, 503, 200, 200, 200]);
    expect((await stats()).rejected.injected - before).toBe(3);
  });

  it('refuses a burst that is not a whole number of calls', async () => {
    for (const errorBurst of [-1, 1.5, '2']) {
      const reply = await c.sim('POST', '/faults', { errorBurst });
      expect(reply.status).toBe(422);
      expect(reply.body.message).toMatch(CHINESE);
    }
  });
});

describe('pathPattern', () => {
  it('with ^/connect/token makes only the token server fail', async () => {
    await setFaults({ errorRate: 1, errorStatus: 503, pathPattern: '^/connect/token' });
    expect((await tokenRequest()).status).toBe(503);
    expect((await c.api('GET', FLOW_PATH)).status).toBe(200);
    const pay = await c.api('GET', PAY_PATH);
    expect([401, 403, 503]).not.toContain(pay.status);
  });

  it('with ^/cardservice/ leaves the token server and the payment service alone', async () => {
    await setFaults({ errorRate: 1, errorStatus: 500, pathPattern: '^/cardservice/' });
    expect((await c.api('GET', FLOW_PATH)).status).toBe(500);
    expect((await tokenRequest()).status).toBe(200);
    expect([401, 403, 500]).not.toContain((await c.api('GET', PAY_PATH)).status);
  });

  it('restricts latency to the matching paths too', async () => {
    await setFaults({ latencyMs: 1000, pathPattern: '^/cardservice/' });
    const headers = { 'ocp-apim-subscription-key': DEV.subscriptionKey, authorization: `Bearer ${c.token}` };
    await expect(fetch(`${c.url}${FLOW_PATH}`, { headers, signal: AbortSignal.timeout(50) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    // Unmatched paths answer at once; they would time out here if the latency applied to them.
    expect((await tokenRequest({ signal: AbortSignal.timeout(900) })).status).toBe(200);
    const pay = await fetch(`${c.url}${PAY_PATH}`, { headers, signal: AbortSignal.timeout(900) });
    expect([401, 403]).not.toContain(pay.status);
  });
});

describe('clearing and rejecting faults', () => {
  it('clears every fault with {}', async () => {
    const set = await setFaults({
      latencyMs: 10,
      errorRate: 1,
      errorStatus: 503,
      pathPattern: '^/',
      rateLimitPerSec: 1,
    });
    expect(set.body.faults).toEqual({
      latencyMs: 10,
      errorRate: 1,
      errorStatus: 503,
      pathPattern: '^/',
      rateLimitPerSec: 1,
    });
    const cleared = await setFaults({});
    expect(cleared.body.faults).toEqual({});
    for (let i = 0; i < 5; i++) expect((await c.api('GET', FLOW_PATH)).status).toBe(200);
    expect((await tokenRequest()).status).toBe(200);
  });

  it.each([
    ['errorRate 2', { errorRate: 2 }],
    ['errorRate below 0', { errorRate: -0.1 }],
    ['errorRate as text', { errorRate: '1' }],
    ['a bad regex', { pathPattern: '(' }],
    ['a pattern that is not text', { pathPattern: 5 }],
    ['an unknown field', { latencyMs: 10, errorrate: 1 }],
    ['negative latency', { latencyMs: -1 }],
    ['fractional latency', { latencyMs: 1.5 }],
    ['a status that is no error', { errorRate: 1, errorStatus: 200 }],
    ['rate limit 0', { rateLimitPerSec: 0 }],
    ['dropNotifications as text', { dropNotifications: 'yes' }],
    ['duplicateNotifications 0', { duplicateNotifications: 0 }],
    ['an array', [{ errorRate: 1 }]],
    ['null', null],
  ])('refuses %s with 422 and a Chinese message, keeping the faults in force', async (_label, body) => {
    await setFaults({ errorRate: 1, errorStatus: 503, pathPattern: '^/paymentservice/' });
    const reply = await request(c.url, 'POST', '/__sim/faults', {
      raw: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({ code: 422, name: 'UnprocessableEntity', message: expect.stringMatching(CHINESE) });
    expect((await c.api('GET', PAY_PATH)).status).toBe(503);
    expect((await c.api('GET', FLOW_PATH)).status).toBe(200);
  });

  it('refuses a body that is not JSON with 422 and a Chinese message', async () => {
    for (const raw of ['{errorRate: 1}', 'errorRate=1', '{"errorRate": 1']) {
      const reply = await request(c.url, 'POST', '/__sim/faults', {
        raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(reply.status).toBe(422);
      expect(reply.body).toEqual({ code: 422, name: 'UnprocessableEntity', message: expect.stringMatching(CHINESE) });
    }
  });
});

describe('/__sim/reset', () => {
  const iccids = () => [...c.emulator.platform.cards.keys()];

  it('gives the asked number of cards, the same ICCIDs for the same seed and others for another', async () => {
    const reply = await c.sim('POST', '/reset', { cards: 50, seed: 7 });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ cards: 50, seed: 7 });
    const first = iccids();
    expect(first).toHaveLength(50);
    expect(new Set(first).size).toBe(50);

    await c.sim('POST', '/reset', { cards: 80, seed: 3 });
    expect(iccids()).toHaveLength(80);
    await c.sim('POST', '/reset', { cards: 50, seed: 7 });
    expect(iccids()).toEqual(first);
    expect(c.emulator.platform.cards.get(first[0])).toEqual(expect.objectContaining({ iccid: first[0] }));

    await c.sim('POST', '/reset', { cards: 50, seed: 8 });
    const other = iccids();
    expect(other).toHaveLength(50);
    expect(other.filter((iccid) => first.includes(iccid))).toEqual([]);

    const defaults = await c.sim('POST', '/reset', {});
    expect(defaults.body).toEqual({ cards: 200, seed: 1 });
    expect(iccids()).toHaveLength(200);
  });

  it('starts tokens, faults and counters over', async () => {
    await c.authorize('iot.cardservice.all iot.paymentservice.all');
    await setFaults({ errorRate: 1, pathPattern: '^/paymentservice/' });
    expect((await c.api('GET', FLOW_PATH)).status).toBe(200);
    await c.sim('POST', '/reset', { cards: 50, seed: 7 });
    expect((await c.api('GET', FLOW_PATH)).status).toBe(401);
    const s = await stats();
    expect(s.tokenIssued).toBe(0);
    expect(s.operations).toEqual({ 'flowcard.types': 1 });
    await c.authorize('iot.cardservice.all iot.paymentservice.all');
    expect([401, 403, 500]).not.toContain((await c.api('GET', PAY_PATH)).status);
  });

  it.each([
    ['negative cards', { cards: -1 }],
    ['cards as text', { cards: '50' }],
    ['fractional cards', { cards: 1.5 }],
    ['an unknown field', { count: 50 }],
  ])('refuses %s with 422', async (_label, body) => {
    const reply = await c.sim('POST', '/reset', body);
    expect(reply.status).toBe(422);
    expect(reply.body.message).toMatch(CHINESE);
  });
});

describe('/__sim/stats', () => {
  it('counts calls by operation, and rejections by reason', async () => {
    await c.sim('POST', '/reset', { cards: 50, seed: 7 });
    await c.authorize('iot.cardservice.flowcard.all');
    const other = await fetchToken(c.url, 'iot.cardservice.flowcard.all');
    for (let i = 0; i < 3; i++) expect((await c.api('GET', FLOW_PATH)).status).toBe(200);
    expect((await c.api('GET', '/cardservice/flowcards/tags')).status).toBe(200);
    expect((await c.api('GET', PAY_PATH)).status).toBe(403);
    expect((await c.api('GET', FLOW_PATH, undefined, { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await c.api('GET', FLOW_PATH, undefined, { 'ocp-apim-subscription-key': 'nope' })).status).toBe(401);
    expect((await c.api('GET', '/nowhere')).status).toBe(404);
    await setFaults({ errorRate: 1, pathPattern: '^/cardservice/flowcards/categories' });
    expect((await c.api('GET', '/cardservice/flowcards/categories')).status).toBe(500);

    const s = await stats();
    expect(s.tokenIssued).toBe(2);
    expect(s.operations).toEqual({
      token: 2,
      'flowcard.types': 5,
      'flowcard.tags': 1,
      'flowcard.categories': 1,
      'payment.categories': 1,
    });
    expect(s.rejected).toEqual({ unauthorized: 2, forbidden: 1, rateLimited: 0, injected: 1 });
    expect(other).not.toBe(c.token);
  });
});
