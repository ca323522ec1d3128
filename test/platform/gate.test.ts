// Gatekeeping in front of every API route: subscription key, bearer token, the scope matrix, the per-client
// rate limit, and what unknown paths and methods get. Handlers' own answers do not matter here: a call has
// passed the gate when it gets neither 401 nor 403.
import { KNOWN_SCOPES, ROUTES, type Route } from '../../cloudfunctions/shared/platform/routes';
import { DEV, fetchToken, request, startTestEmulator, type EmulatorClient, type Reply } from '../helpers/emulator';

const FLOW = 'iot.cardservice.flowcard';
const DATA = 'iot.cardservice.datacard';
const ORDER = 'iot.paymentservice.order';
const WXPAY = 'iot.payment.wechatpay';

type Group = 'flowcard' | 'datacard' | 'order' | 'wxpay';

/**
 * Every API route with the scope that guards it, written from docs/platform-contract.md and the 权限码表
 * (not read from routes.ts, so a wrong scope there fails here). code2Session's scope is the seed's
 * 小程序支付 (appletpay): the seed names none for it.
 */
const EXPECTED: Array<[method: string, path: string, scope: string, group: Group]> = [
  ['GET', '/cardservice/flowcards', `${FLOW}.get`, 'flowcard'],
  ['GET', '/cardservice/flowcards/{iccid}', `${FLOW}.detail`, 'flowcard'],
  ['PUT', '/cardservice/flowcards/{iccid}', `${FLOW}.put`, 'flowcard'],
  ['PATCH', '/cardservice/flowcards', `${FLOW}.patch`, 'flowcard'],
  ['GET', '/cardservice/flowcards/{iccid}/data', `${FLOW}.data`, 'flowcard'],
  ['GET', '/cardservice/flowcards/{iccid}/status', `${FLOW}.status`, 'flowcard'],
  ['POST', '/cardservice/flowcards/{iccid}/network', `${FLOW}.network`, 'flowcard'],
  ['GET', '/cardservice/flowcards/transfers', `${FLOW}.transferhistory`, 'flowcard'],
  ['POST', '/cardservice/flowcards/transfers', `${FLOW}.transfer`, 'flowcard'],
  ['GET', '/cardservice/flowcards/imports', `${FLOW}.importhistory`, 'flowcard'],
  ['POST', '/cardservice/flowcards/imports', `${FLOW}.import`, 'flowcard'],
  ['GET', '/cardservice/flowcards/{iccid}/reality', `${FLOW}.reality`, 'flowcard'],
  ['POST', '/cardservice/flowcards/{iccid}/reality', `${FLOW}.reality`, 'flowcard'],
  ['GET', '/cardservice/flowcards/types', `${FLOW}.types`, 'flowcard'],
  ['GET', '/cardservice/flowcards/categories', `${FLOW}.categories`, 'flowcard'],
  ['GET', '/cardservice/flowcards/tags', `${FLOW}.tags`, 'flowcard'],
  ['GET', '/cardservice/flowcards/{iccid}/location', `${FLOW}.location`, 'flowcard'],
  ['GET', '/cardservice/datacards', `${DATA}.get`, 'datacard'],
  ['GET', '/cardservice/datacards/history', `${DATA}.history`, 'datacard'],
  ['POST', '/cardservice/datacards/transfers', `${DATA}.transfer`, 'datacard'],
  ['POST', '/cardservice/datacards/generate', `${DATA}.generate`, 'datacard'],
  ['GET', '/paymentservice/products/categories', `${ORDER}.get`, 'order'],
  ['GET', '/paymentservice/products', `${ORDER}.get`, 'order'],
  ['POST', '/paymentservice/payments', `${ORDER}.get`, 'order'],
  ['GET', '/paymentservice/orders', `${ORDER}.get`, 'order'],
  ['GET', '/paymentservice/orders/statistic', `${ORDER}.statistic`, 'order'],
  ['POST', '/paymentservice/v2/wechatpay/code2session', `${WXPAY}.appletpay`, 'wxpay'],
  ['GET', '/paymentservice/v2/wechatpay/orders/{outTradeNo}', `${WXPAY}.query`, 'wxpay'],
  ['POST', '/paymentservice/v2/wechatpay/orders/{outTradeNo}/close', `${WXPAY}.close`, 'wxpay'],
  ['POST', '/paymentservice/v2/wechatpay/refunds', `${WXPAY}.refund`, 'wxpay'],
  ['GET', '/paymentservice/v2/wechatpay/refunds/{outRefundNo}', `${WXPAY}.refundquery`, 'wxpay'],
];

/** What each wildcard scope of the contract covers: its group and nothing else. */
const WILDCARDS: Record<string, Group[]> = {
  'iot.cardservice.all': ['flowcard', 'datacard'],
  [`${FLOW}.all`]: ['flowcard'],
  [`${DATA}.all`]: ['datacard'],
  'iot.paymentservice.all': ['order', 'wxpay'],
  [`${ORDER}.all`]: ['order'],
};

// Dummy parameters: handlers may answer 404/422 for them, which is fine here and changes nothing.
const PARAMS: Record<string, string> = {
  iccid: '89860000000000000000',
  outTradeNo: 'T00000001',
  outRefundNo: 'R00000001',
};
const concrete = (path: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => PARAMS[name]);
const ROUTE_CASES = EXPECTED.map(([method, path, scope, group]) => ({
  name: `${method} ${path}`,
  method,
  path: concrete(path),
  scope,
  group,
}));

/** Scopes a client_credentials token can carry: the permission tables' API scopes. */
const API_SCOPES = KNOWN_SCOPES.filter((s) => s !== 'openid' && s !== 'profile');

let c: EmulatorClient;
const tokens = new Map<string, string>();

beforeAll(async () => {
  // A matrix of ~1000 calls from one client: lift the rate limit so that it never answers instead of the gate.
  c = await startTestEmulator({ settings: { rateLimitPerSec: 1_000_000 } });
  for (const scope of API_SCOPES) tokens.set(scope, await fetchToken(c.url, scope));
});

afterAll(async () => {
  await c?.emulator.close();
});

function call(route: { method: string; path: string }, headers: Record<string, string>, query = ''): Promise<Reply> {
  return request(c.url, route.method, route.path + query, {
    body: route.method === 'GET' ? undefined : {},
    headers,
  });
}

const withToken = (token: string, key = DEV.subscriptionKey) => ({
  'ocp-apim-subscription-key': key,
  authorization: `Bearer ${token}`,
});

const passed = (status: number) => status !== 401 && status !== 403;

describe('the route table', () => {
  it('has exactly the API routes and scopes of the contract', () => {
    const actual = Object.values(ROUTES as Record<string, Route>)
      .filter((r) => r.host === 'api')
      .map((r) => `${r.method} ${r.path} ${r.scope}`)
      .sort();
    expect(actual).toEqual(EXPECTED.map(([method, path, scope]) => `${method} ${path} ${scope}`).sort());
  });

  it('knows every scope of the permission tables', () => {
    for (const scope of [...Object.keys(WILDCARDS), ...EXPECTED.map(([, , scope]) => scope)]) {
      expect(KNOWN_SCOPES).toContain(scope);
    }
  });
});

describe.each(ROUTE_CASES)('$name', (route) => {
  const token = () => tokens.get(route.scope) as string;

  it('answers 401 without a subscription key or with a wrong one, even with a good token', async () => {
    const none = await call(route, { authorization: `Bearer ${token()}` });
    expect(none.status).toBe(401);
    expect(none.body).toEqual(expect.objectContaining({ code: 401, message: expect.any(String) }));
    expect((await call(route, withToken(token(), 'wrong-key'))).status).toBe(401);
    expect((await call(route, withToken(token(), ''))).status).toBe(401);
    expect((await call(route, { authorization: `Bearer ${token()}` }, '?subscription-key=wrong-key')).status).toBe(401);
  });

  it('accepts the key as the query parameter subscription-key', async () => {
    const reply = await call(route, { authorization: `Bearer ${token()}` }, `?subscription-key=${DEV.subscriptionKey}`);
    expect(passed(reply.status)).toBe(true);
  });

  it('answers 401 with WWW-Authenticate without a bearer token or with an unknown one', async () => {
    for (const authorization of [undefined, 'Bearer', 'Bearer not-a-token', `Basic ${token()}`, token()]) {
      const headers: Record<string, string> = { 'ocp-apim-subscription-key': DEV.subscriptionKey };
      if (authorization !== undefined) headers.authorization = authorization;
      const reply = await call(route, headers);
      expect({ authorization, status: reply.status }).toEqual({ authorization, status: 401 });
      expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    }
  });

  it('lets a token with exactly its scope through, and reads the scheme case-insensitively', async () => {
    expect(passed((await call(route, withToken(token()))).status)).toBe(true);
    const lower = await call(route, {
      'ocp-apim-subscription-key': DEV.subscriptionKey,
      authorization: `bearer ${token()}`,
    });
    expect(passed(lower.status)).toBe(true);
  });

  it('answers 403 to every specific scope but its own', async () => {
    const refused: string[] = [];
    const through: string[] = [];
    for (const scope of API_SCOPES) {
      if (scope === route.scope || scope in WILDCARDS) continue;
      const reply = await call(route, withToken(tokens.get(scope) as string));
      (reply.status === 403 ? refused : through).push(`${scope}→${reply.status}`);
    }
    expect(through).toEqual([]);
    expect(refused.length).toBeGreaterThan(0);
  });

  it('is covered by exactly the wildcard scopes of its group', async () => {
    for (const [wildcard, groups] of Object.entries(WILDCARDS)) {
      const reply = await call(route, withToken(tokens.get(wildcard) as string));
      const expected = groups.includes(route.group) ? 'through' : 403;
      expect({ wildcard, got: passed(reply.status) ? 'through' : reply.status }).toEqual({ wildcard, got: expected });
    }
  });
});

describe('a token with several scopes', () => {
  it('passes where any of its scopes covers the route', async () => {
    const token = await fetchToken(c.url, `${FLOW}.tags ${ORDER}.statistic`);
    const headers = withToken(token);
    expect(passed((await request(c.url, 'GET', '/cardservice/flowcards/tags', { headers })).status)).toBe(true);
    expect(passed((await request(c.url, 'GET', '/paymentservice/orders/statistic', { headers })).status)).toBe(true);
    expect((await request(c.url, 'GET', '/cardservice/flowcards/types', { headers })).status).toBe(403);
    expect((await request(c.url, 'GET', '/paymentservice/orders', { headers })).status).toBe(403);
  });
});

describe('rate limit', () => {
  const burst = async (token: string, n: number) =>
    Promise.all(
      Array.from({ length: n }, () =>
        request(c.url, 'GET', '/cardservice/flowcards/types', { headers: withToken(token) }),
      ),
    );

  it('answers 429 with Retry-After past rateLimitPerSec, counts them, and {} clears it', async () => {
    const token = tokens.get('iot.cardservice.all') as string;
    expect((await c.sim('POST', '/faults', { rateLimitPerSec: 5 })).status).toBe(200);
    try {
      const before = (await c.sim('GET', '/stats')).body.rejected.rateLimited as number;
      const replies = await burst(token, 20);
      const limited = replies.filter((r) => r.status === 429);
      const others = replies.filter((r) => r.status !== 429);
      // A burst may straddle a second boundary, so more than 5 may pass; never all 20, never none.
      expect(limited.length).toBeGreaterThan(0);
      expect(others.length).toBeGreaterThanOrEqual(5);
      for (const r of limited) {
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(r.body).toEqual(expect.objectContaining({ code: 429, message: expect.any(String) }));
      }
      for (const r of others) expect(passed(r.status)).toBe(true);
      const after = (await c.sim('GET', '/stats')).body.rejected.rateLimited as number;
      expect(after - before).toBe(limited.length);
    } finally {
      await c.sim('POST', '/faults', {});
    }
    const cleared = await burst(token, 20);
    expect(cleared.filter((r) => r.status === 429)).toEqual([]);
  });
});

describe('paths and methods', () => {
  it('answers 404 {code:404,…} for an unknown path, with or without credentials', async () => {
    const token = tokens.get('iot.cardservice.all') as string;
    for (const path of [
      '/nope',
      '/cardservice',
      '/cardservice/flowcards/89860000000000000000/unknown',
      '/connect/tokens',
    ]) {
      for (const headers of [{}, withToken(token)]) {
        const reply = await request(c.url, 'GET', path, { headers });
        expect(reply.status).toBe(404);
        expect(reply.body).toEqual({ code: 404, name: 'NotFound', message: expect.any(String) });
      }
    }
  });

  it('answers 405 with Allow for a wrong method on a known path', async () => {
    const token = tokens.get('iot.cardservice.all') as string;
    const cases: Array<[string, string, string[]]> = [
      ['DELETE', '/cardservice/flowcards', ['GET', 'PATCH']],
      ['POST', '/paymentservice/products/categories', ['GET']],
      ['DELETE', '/cardservice/flowcards/89860000000000000000', ['GET', 'PUT']],
      ['PATCH', '/paymentservice/v2/wechatpay/refunds', ['POST']],
      ['DELETE', '/cardservice/datacards/generate', ['POST']],
      ['GET', '/connect/token', ['POST']],
      ['POST', '/connect/authorize/callback', ['GET']],
    ];
    for (const [method, path, allow] of cases) {
      const reply = await request(c.url, method, path, { headers: withToken(token) });
      expect({ method, path, status: reply.status }).toEqual({ method, path, status: 405 });
      expect(reply.body).toEqual(expect.objectContaining({ code: 405 }));
      expect((reply.headers.get('allow') ?? '').split(/,\s*/).sort()).toEqual([...allow].sort());
    }
  });
});
