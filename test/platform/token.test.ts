// The identity server (/connect/token, /connect/authorize/callback) over real HTTP: client authentication,
// body encodings, scopes, lifetimes, the one-token-per-client rule and the authorization_code flow.
import { DEV_CLIENT } from '../../dev/platform/platform';
import { DEV, request, startTestEmulator, type EmulatorClient, type Reply } from '../helpers/emulator';

const OTHER = { clientId: 'other-client', clientSecret: 'other-secret' };
const LIMITED = { clientId: 'limited-client', clientSecret: 'limited-secret' };
const LIMITED_SCOPES = ['iot.cardservice.flowcard.get', 'iot.cardservice.flowcard.detail'];
// Every character that must be form-urlencoded inside HTTP Basic (RFC 6749 §2.3.1).
const ODD = { clientId: 'odd client:1', clientSecret: 'p@ss:w0rd+%/ 秘密' };

/** A gated API call whose handler does not matter here: only the gate's verdict does. */
const PROBE = '/cardservice/flowcards/types';

interface TokenReply {
  access_token: string;
  expires_in: number;
  token_type: string;
  scope: string;
}

let c: EmulatorClient;
let short: EmulatorClient;

beforeAll(async () => {
  const clients = [
    DEV_CLIENT,
    { ...DEV_CLIENT, ...OTHER },
    { ...DEV_CLIENT, ...LIMITED, allowedScopes: LIMITED_SCOPES },
    { ...DEV_CLIENT, ...ODD },
  ];
  c = await startTestEmulator({ clients });
  short = await startTestEmulator({ settings: { tokenTtlSec: 5 } });
});

afterAll(async () => {
  await c?.emulator.close();
  await short?.emulator.close();
});

function form(fields: Record<string, string>, headers: Record<string, string> = {}, base = c.url) {
  return request<TokenReply & { error?: string }>(base, 'POST', '/connect/token', {
    raw: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

const credentials = (scope?: string) => ({
  grant_type: 'client_credentials',
  client_id: DEV.clientId,
  client_secret: DEV.clientSecret,
  ...(scope === undefined ? {} : { scope }),
});

/** multipart/form-data written by hand, byte for byte as the seed's samples (Postman's boundary). */
function handMadeMultipart(fields: Record<string, string>) {
  const boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return { raw: `${parts.join('')}--${boundary}--`, contentType: `multipart/form-data; boundary=${boundary}` };
}

const basic = (id: string, secret: string) =>
  'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

function expectOAuthError(reply: Reply, error: string) {
  expect(reply.status).toBe(400);
  expect(reply.body).toEqual(expect.objectContaining({ error }));
  expect(reply.headers.get('cache-control')).toBe('no-store');
}

function probe(token: string, base = c.url) {
  return request(base, 'GET', PROBE, {
    headers: { 'ocp-apim-subscription-key': DEV.subscriptionKey, authorization: `Bearer ${token}` },
  });
}

/** Through the gate: neither 401 nor 403, whatever the handler then answers. */
async function accepted(token: string, base = c.url): Promise<boolean> {
  const { status } = await probe(token, base);
  if (status === 403) throw new Error('the probe token lacks the flowcard scope');
  return status !== 401;
}

async function tokenIssued(base = c.url): Promise<number> {
  return (await request(base, 'GET', '/__sim/stats')).body.tokenIssued;
}

describe('client_credentials', () => {
  it('issues a Bearer token for an urlencoded body, with exactly the documented fields', async () => {
    const reply = await form(credentials('iot.cardservice.all iot.paymentservice.all'));
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(reply.body).toEqual({
      access_token: expect.stringMatching(/^\S{20,}$/),
      expires_in: 3600,
      token_type: 'Bearer',
      scope: 'iot.cardservice.all iot.paymentservice.all',
    });
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(await accepted(reply.body.access_token)).toBe(true);
  });

  it('accepts multipart/form-data written by hand as in the seed, with client_Id', async () => {
    const { raw, contentType } = handMadeMultipart({
      grant_type: 'client_credentials',
      client_Id: DEV.clientId,
      client_secret: DEV.clientSecret,
      scope: 'iot.cardservice.all iot.paymentservice.all',
    });
    const reply = await request<TokenReply>(c.url, 'POST', '/connect/token', {
      raw,
      headers: { 'content-type': contentType, 'cache-control': 'no-cache' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.scope).toBe('iot.cardservice.all iot.paymentservice.all');
    expect(await accepted(reply.body.access_token)).toBe(true);
  });

  it.each(['client_id', 'client_Id'])('accepts multipart/form-data from Node FormData with %s', async (idField) => {
    const body = new FormData();
    body.append('grant_type', 'client_credentials');
    body.append(idField, DEV.clientId);
    body.append('client_secret', DEV.clientSecret);
    body.append('scope', 'iot.cardservice.flowcard.all');
    const res = await fetch(`${c.url}/connect/token`, { method: 'POST', body });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const reply = (await res.json()) as TokenReply;
    expect(res.status).toBe(200);
    expect(reply.scope).toBe('iot.cardservice.flowcard.all');
    expect(await accepted(reply.access_token)).toBe(true);
  });

  it('accepts client_Id in an urlencoded body too', async () => {
    const reply = await form({
      grant_type: 'client_credentials',
      client_Id: DEV.clientId,
      client_secret: DEV.clientSecret,
    });
    expect(reply.status).toBe(200);
  });

  it('reads the media type case-insensitively', async () => {
    const reply = await request<TokenReply>(c.url, 'POST', '/connect/token', {
      raw: new URLSearchParams(credentials()).toString(),
      headers: { 'content-type': 'Application/X-WWW-Form-URLEncoded; Charset=UTF-8' },
    });
    expect(reply.status).toBe(200);
  });

  it('accepts HTTP Basic client authentication (RFC 6749 §2.3.1)', async () => {
    const reply = await form(
      { grant_type: 'client_credentials', scope: 'iot.cardservice.all' },
      { authorization: basic(DEV.clientId, DEV.clientSecret) },
    );
    expect(reply.status).toBe(200);
    expect(reply.body.scope).toBe('iot.cardservice.all');
    expect(await accepted(reply.body.access_token)).toBe(true);
  });

  it('form-urldecodes the id and secret inside HTTP Basic', async () => {
    const reply = await form(
      { grant_type: 'client_credentials' },
      { authorization: basic(ODD.clientId, ODD.clientSecret) },
    );
    expect(reply.status).toBe(200);
    const raw = 'Basic ' + Buffer.from(`${ODD.clientId}:${ODD.clientSecret}`).toString('base64');
    expectOAuthError(await form({ grant_type: 'client_credentials' }, { authorization: raw }), 'invalid_client');
  });

  it('answers invalid_client for a wrong secret, an unknown client or no secret', async () => {
    expectOAuthError(await form({ ...credentials(), client_secret: 'wrong' }), 'invalid_client');
    expectOAuthError(await form({ ...credentials(), client_secret: `${DEV.clientSecret}x` }), 'invalid_client');
    expectOAuthError(await form({ ...credentials(), client_id: 'nobody' }), 'invalid_client');
    expectOAuthError(await form({ grant_type: 'client_credentials', client_id: DEV.clientId }), 'invalid_client');
    expectOAuthError(await form({ grant_type: 'client_credentials' }), 'invalid_client');
  });

  it('answers invalid_client for a wrong or malformed HTTP Basic header', async () => {
    const grant = { grant_type: 'client_credentials' };
    expectOAuthError(await form(grant, { authorization: basic(DEV.clientId, 'wrong') }), 'invalid_client');
    expectOAuthError(await form(grant, { authorization: basic('nobody', DEV.clientSecret) }), 'invalid_client');
    const noColon = 'Basic ' + Buffer.from('dev-client').toString('base64');
    expectOAuthError(await form(grant, { authorization: noColon }), 'invalid_client');
    // A '%' that is not an escape: the client forgot to form-urlencode; 400, never a server error.
    const badEscape = 'Basic ' + Buffer.from(`${DEV.clientId}:50%off`).toString('base64');
    expectOAuthError(await form(grant, { authorization: badEscape }), 'invalid_client');
  });

  it('answers invalid_request without grant_type and unsupported_grant_type for an unknown one', async () => {
    const { grant_type: _grant, ...noGrant } = credentials();
    expectOAuthError(await form(noGrant), 'invalid_request');
    expectOAuthError(await form({ ...credentials(), grant_type: '' }), 'invalid_request');
    for (const grant of ['password', 'refresh_token', 'implicit', 'CLIENT_CREDENTIALS']) {
      expectOAuthError(await form({ ...credentials(), grant_type: grant }), 'unsupported_grant_type');
    }
  });

  it('answers invalid_scope for an unknown scope, a scope the client may not have, or an identity scope', async () => {
    expectOAuthError(await form(credentials('iot.cardservice.everything')), 'invalid_scope');
    expectOAuthError(await form(credentials('iot.cardservice.all nonsense')), 'invalid_scope');
    // Identity scopes need a user: client_credentials may not ask for them (IdentityServer).
    expectOAuthError(await form(credentials('openid')), 'invalid_scope');
    expectOAuthError(
      await form(credentials('openid profile iot.cardservice.all iot.paymentservice.all')),
      'invalid_scope',
    );
    const limited = {
      grant_type: 'client_credentials',
      client_id: LIMITED.clientId,
      client_secret: LIMITED.clientSecret,
    };
    expectOAuthError(await form({ ...limited, scope: 'iot.cardservice.all' }), 'invalid_scope');
    expectOAuthError(
      await form({ ...limited, scope: 'iot.cardservice.flowcard.get iot.cardservice.flowcard.put' }),
      'invalid_scope',
    );
    const ok = await form({ ...limited, scope: 'iot.cardservice.flowcard.get' });
    expect(ok.status).toBe(200);
    expect(ok.body.scope).toBe('iot.cardservice.flowcard.get');
  });

  it('grants every allowed API scope when no scope is asked for', async () => {
    const limited = await form({
      grant_type: 'client_credentials',
      client_id: LIMITED.clientId,
      client_secret: LIMITED.clientSecret,
    });
    expect(limited.status).toBe(200);
    expect(limited.body.scope.split(' ').sort()).toEqual([...LIMITED_SCOPES].sort());

    for (const blank of [undefined, '', '   ']) {
      const dev = await form(credentials(blank));
      expect(dev.status).toBe(200);
      const granted = dev.body.scope.split(' ');
      const apiScopes = DEV_CLIENT.allowedScopes.filter((s) => s !== 'openid' && s !== 'profile');
      expect(granted.sort()).toEqual([...apiScopes].sort());
    }
  });

  it('refuses a JSON body with 400', async () => {
    const reply = await request(c.url, 'POST', '/connect/token', { body: credentials() });
    expectOAuthError(reply, 'invalid_request');
  });

  it('refuses a body without a media type, and multipart without a boundary', async () => {
    const bare = await request(c.url, 'POST', '/connect/token', { raw: new URLSearchParams(credentials()).toString() });
    expect(bare.status).toBe(400);
    const { raw } = handMadeMultipart(credentials());
    const noBoundary = await request(c.url, 'POST', '/connect/token', {
      raw,
      headers: { 'content-type': 'multipart/form-data' },
    });
    expectOAuthError(noBoundary, 'invalid_request');
    const wrongBoundary = await request(c.url, 'POST', '/connect/token', {
      raw,
      headers: { 'content-type': 'multipart/form-data; boundary=not-the-one' },
    });
    expect(wrongBoundary.status).toBe(400);
  });

  it('only answers POST', async () => {
    const reply = await request(c.url, 'GET', `/connect/token?${new URLSearchParams(credentials())}`);
    expect(reply.status).toBe(405);
  });
});

describe('token lifetime', () => {
  it('says the configured expires_in: from the start options and from /__sim/config', async () => {
    const fromStart = await form(credentials(), {}, short.url);
    expect(fromStart.body.expires_in).toBe(5);

    expect((await short.sim('POST', '/config', { tokenTtlSec: 42 })).status).toBe(200);
    const fromConfig = await form(credentials(), {}, short.url);
    expect(fromConfig.body.expires_in).toBe(42);
    await short.sim('POST', '/config', { tokenTtlSec: 5 });
  });

  it('rejects a token used after expires_in with 401', async () => {
    await c.sim('POST', '/config', { tokenTtlSec: 1 });
    try {
      const reply = await form(credentials('iot.cardservice.all'));
      expect(reply.body.expires_in).toBe(1);
      expect(await accepted(reply.body.access_token)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const late = await probe(reply.body.access_token);
      expect(late.status).toBe(401);
      expect(late.headers.get('www-authenticate')).toMatch(/^Bearer/);
    } finally {
      await c.sim('POST', '/config', { tokenTtlSec: 3600 });
    }
  });

  it('lets the previous token of a client die after the grace period: at once with grace 0', async () => {
    await c.sim('POST', '/config', { tokenGraceSec: 0 });
    try {
      const first = (await form(credentials('iot.cardservice.all'))).body.access_token;
      expect(await accepted(first)).toBe(true);
      const second = (await form(credentials('iot.cardservice.all'))).body.access_token;
      expect(await accepted(first)).toBe(false);
      expect(await accepted(second)).toBe(true);
      // Another client's token is untouched by this client's refresh.
      const other = (
        await form({
          ...credentials('iot.cardservice.all'),
          client_id: OTHER.clientId,
          client_secret: OTHER.clientSecret,
        })
      ).body.access_token;
      const third = (await form(credentials('iot.cardservice.all'))).body.access_token;
      expect(await accepted(other)).toBe(true);
      expect(await accepted(second)).toBe(false);
      expect(await accepted(third)).toBe(true);
    } finally {
      await c.sim('POST', '/config', { tokenGraceSec: 300 });
    }
  });

  it('keeps both tokens working within a long grace period', async () => {
    await c.sim('POST', '/config', { tokenGraceSec: 3600 });
    const first = (await form(credentials('iot.cardservice.all'))).body.access_token;
    const second = (await form(credentials('iot.cardservice.all'))).body.access_token;
    expect(first).not.toBe(second);
    expect(await accepted(first)).toBe(true);
    expect(await accepted(second)).toBe(true);
    await c.sim('POST', '/config', { tokenGraceSec: 300 });
  });

  it('stops every issued token on /__sim/tokens/expire, and a new one works', async () => {
    const tokens = [
      (await form(credentials('iot.cardservice.all'))).body.access_token,
      (await form(credentials('iot.cardservice.flowcard.all'))).body.access_token,
      (
        await form({
          ...credentials('iot.cardservice.all'),
          client_id: OTHER.clientId,
          client_secret: OTHER.clientSecret,
        })
      ).body.access_token,
    ];
    for (const token of tokens) expect(await accepted(token)).toBe(true);
    const expired = await c.sim('POST', '/tokens/expire');
    expect(expired.status).toBe(200);
    expect(expired.body.expired).toBeGreaterThanOrEqual(tokens.length);
    for (const token of tokens) {
      const reply = await probe(token);
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual(expect.objectContaining({ code: 401 }));
    }
    const fresh = (await form(credentials('iot.cardservice.all'))).body.access_token;
    expect(await accepted(fresh)).toBe(true);
  });
});

describe('authorization_code', () => {
  const redirectUri = 'http://127.0.0.1:9/callback?from=app';

  function authorizeUrl(params: Record<string, string>) {
    return `/connect/authorize/callback?${new URLSearchParams(params)}`;
  }

  const good = {
    response_type: 'code',
    client_id: DEV.clientId,
    redirect_uri: redirectUri,
    scope: 'openid profile iot.cardservice.all iot.paymentservice.all',
    state: 'st-8c1f',
  };

  async function authorize(params: Record<string, string> = good): Promise<string> {
    const reply = await request(c.url, 'GET', authorizeUrl(params));
    expect(reply.status).toBe(302);
    const location = new URL(reply.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:9/callback');
    expect(location.searchParams.get('from')).toBe('app');
    expect(location.searchParams.get('state')).toBe(params.state);
    const code = location.searchParams.get('code');
    expect(code).toMatch(/^\S{16,}$/);
    return code as string;
  }

  const exchange = (code: string, extra: Record<string, string> = {}) =>
    form({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: DEV.clientId,
      client_secret: DEV.clientSecret,
      ...extra,
    });

  it('redirects with a code and the state to a registered redirect_uri, and the code buys a token once', async () => {
    const code = await authorize();
    const reply = await exchange(code);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      access_token: expect.any(String),
      expires_in: 3600,
      token_type: 'Bearer',
      scope: good.scope,
    });
    expect(await accepted(reply.body.access_token)).toBe(true);
    expectOAuthError(await exchange(code), 'invalid_grant');
  });

  it('exchanges a code sent as multipart/form-data, as the seed sample does', async () => {
    const code = await authorize();
    const { raw, contentType } = handMadeMultipart({
      grant_type: 'authorization_code',
      code,
      client_id: DEV.clientId,
      client_secret: DEV.clientSecret,
      redirect_uri: redirectUri,
    });
    const reply = await request(c.url, 'POST', '/connect/token', { raw, headers: { 'content-type': contentType } });
    expect(reply.status).toBe(200);
  });

  it('refuses an unregistered redirect_uri with 400 and redirects nowhere', async () => {
    for (const uri of [
      'https://evil.example/callback',
      'http://127.0.0.1.evil.example/callback',
      'http://127.0.0.1@evil.example/callback',
      'http://127.0.0.1:80@evil.example/callback',
      'http://localhost.evil.example/callback',
      'javascript://127.0.0.1/%0aalert(1)',
      'http://127.0.0.1/callback#fragment',
      'not a url',
      '',
    ]) {
      const reply = await request(c.url, 'GET', authorizeUrl({ ...good, redirect_uri: uri }));
      expect({ uri, status: reply.status }).toEqual({ uri, status: 400 });
      expect(reply.headers.get('location')).toBeNull();
    }
    const { redirect_uri: _uri, ...noRedirect } = good;
    expect((await request(c.url, 'GET', authorizeUrl(noRedirect))).status).toBe(400);
  });

  it('refuses a missing state, a wrong response_type, an unknown client or scope with 400', async () => {
    const { state: _state, ...noState } = good;
    for (const params of [
      noState,
      { ...good, state: '' },
      { ...good, response_type: 'token' },
      { ...good, response_type: '' },
      { ...good, client_id: 'nobody' },
      { ...good, scope: 'iot.cardservice.everything' },
    ]) {
      const reply = await request(c.url, 'GET', authorizeUrl(params));
      expect(reply.status).toBe(400);
      expect(reply.headers.get('location')).toBeNull();
      expect(reply.body).toEqual(expect.objectContaining({ error: expect.any(String) }));
    }
  });

  it('refuses the code with a wrong or missing redirect_uri', async () => {
    expectOAuthError(
      await exchange(await authorize(), { redirect_uri: 'http://127.0.0.1:9/elsewhere' }),
      'invalid_grant',
    );
    const code = await authorize();
    const { redirect_uri: _uri, ...fields } = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: DEV.clientId,
      client_secret: DEV.clientSecret,
    };
    expectOAuthError(await form(fields), 'invalid_grant');
  });

  it('refuses a code presented by another client, an unknown code and no code', async () => {
    const code = await authorize();
    expectOAuthError(
      await exchange(code, { client_id: OTHER.clientId, client_secret: OTHER.clientSecret }),
      'invalid_grant',
    );
    expectOAuthError(await exchange('0'.repeat(32)), 'invalid_grant');
    expectOAuthError(await exchange(''), 'invalid_grant');
    // The client must still authenticate to redeem its own code.
    expectOAuthError(await exchange(await authorize(), { client_secret: 'wrong' }), 'invalid_client');
  });
});

describe('stats', () => {
  it('counts in tokenIssued exactly the tokens issued, not the refused requests', async () => {
    const before = await tokenIssued();
    let issued = 0;
    for (let i = 0; i < 3; i++) {
      expect((await form(credentials('iot.cardservice.all'))).status).toBe(200);
      issued += 1;
    }
    expect((await form({ ...credentials(), client_secret: 'wrong' })).status).toBe(400);
    expect((await form(credentials('nonsense'))).status).toBe(400);
    expect((await form({ ...credentials(), grant_type: 'password' })).status).toBe(400);

    const redirect = await request(
      c.url,
      'GET',
      `/connect/authorize/callback?${new URLSearchParams({ response_type: 'code', client_id: DEV.clientId, redirect_uri: 'http://localhost/cb', state: 's' })}`,
    );
    const code = new URL(redirect.headers.get('location') as string).searchParams.get('code') as string;
    const base = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'http://localhost/cb',
      ...{ client_id: DEV.clientId, client_secret: DEV.clientSecret },
    };
    expect((await form(base)).status).toBe(200);
    issued += 1;
    expect((await form(base)).status).toBe(400);

    expect((await tokenIssued()) - before).toBe(issued);
  });

  it('starts from zero on a fresh emulator and after /__sim/reset', async () => {
    expect(await tokenIssued(short.url)).toBeGreaterThanOrEqual(0);
    await short.sim('POST', '/reset', {});
    expect(await tokenIssued(short.url)).toBe(0);
    await form(credentials(), {}, short.url);
    await form(credentials(), {}, short.url);
    expect(await tokenIssued(short.url)).toBe(2);
  });
});
