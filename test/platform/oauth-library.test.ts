// A well-known OAuth 2.0 client library (simple-oauth2), written elsewhere, against the emulator's identity
// server: if the emulator only understood our own client's dialect, this is where it would show.
import { AuthorizationCode, ClientCredentials, type ModuleOptions } from 'simple-oauth2';
import { DEV_CLIENT } from '../../dev/platform/platform';
import { DEV, request, startTestEmulator, type EmulatorClient } from '../helpers/emulator';

// Characters HTTP Basic needs form-urlencoded (RFC 6749 §2.3.1); the library accepts printable ASCII only.
const ODD = { clientId: 'lib client', clientSecret: "p@ss:w0rd+%/ !'()*~" };
const CALLBACK = 'http://127.0.0.1:9/oauth/callback';

let c: EmulatorClient;

beforeAll(async () => {
  c = await startTestEmulator({ clients: [DEV_CLIENT, { ...DEV_CLIENT, ...ODD }] });
});

afterAll(async () => {
  await c?.emulator.close();
});

function config(
  client = { id: DEV.clientId, secret: DEV.clientSecret },
  options: ModuleOptions['options'] = {},
): ModuleOptions {
  return { client, auth: { tokenHost: c.url, tokenPath: '/connect/token' }, options };
}

/** AuthorizationCode also needs the authorize path (ClientCredentials refuses it). */
const withAuthorize = (base: ModuleOptions): ModuleOptions => ({
  ...base,
  auth: { ...base.auth, authorizePath: '/connect/authorize/callback' },
});

function call(token: string, path = '/paymentservice/products/categories') {
  return request(c.url, 'GET', path, {
    headers: { 'ocp-apim-subscription-key': DEV.subscriptionKey, authorization: `Bearer ${token}` },
  });
}

/** The gate let the call through (the handler may still answer 404/417/422). */
const passedGate = (status: number) => status !== 401 && status !== 403;

describe.each([
  ['HTTP Basic (the library default)', {}],
  ['client credentials in the body', { authorizationMethod: 'body' as const }],
])('simple-oauth2 ClientCredentials, %s', (_label, options) => {
  it('gets a token that the API gateway accepts for its scope and refuses for another', async () => {
    const lib = new ClientCredentials(config(undefined, options));
    const accessToken = await lib.getToken({ scope: ['iot.paymentservice.order.get'] });
    const token = accessToken.token as { access_token: string; token_type: string; expires_in: number; scope: string };
    expect(token.token_type).toBe('Bearer');
    expect(token.expires_in).toBe(3600);
    expect(token.scope).toBe('iot.paymentservice.order.get');
    expect(accessToken.expired()).toBe(false);

    const allowed = await call(token.access_token);
    expect(passedGate(allowed.status)).toBe(true);
    const otherGroup = await call(token.access_token, '/cardservice/flowcards/types');
    expect(otherGroup.status).toBe(403);

    const wrongScope = (
      await new ClientCredentials(config(undefined, options)).getToken({ scope: 'iot.cardservice.all' })
    ).token;
    expect((await call(wrongScope.access_token as string)).status).toBe(403);
  });

  it('authenticates a client whose id and secret need encoding', async () => {
    const lib = new ClientCredentials(config({ id: ODD.clientId, secret: ODD.clientSecret }, options));
    const { token } = await lib.getToken({ scope: 'iot.paymentservice.all' });
    expect(passedGate((await call(token.access_token as string)).status)).toBe(true);
  });

  it('surfaces the emulator refusing a wrong secret and an unknown scope as OAuth errors', async () => {
    const wrong = new ClientCredentials(config({ id: DEV.clientId, secret: 'wrong' }, options));
    await expect(wrong.getToken({})).rejects.toMatchObject({
      output: { statusCode: 400 },
      data: { payload: { error: 'invalid_client' } },
    });
    const lib = new ClientCredentials(config(undefined, options));
    await expect(lib.getToken({ scope: 'iot.cardservice.everything' })).rejects.toMatchObject({
      output: { statusCode: 400 },
      data: { payload: { error: 'invalid_scope' } },
    });
  });
});

describe('simple-oauth2 AuthorizationCode', () => {
  it('follows authorizeURL to a code, and exchanges it for a working token exactly once', async () => {
    const lib = new AuthorizationCode(withAuthorize(config()));
    const state = 'st-3f9a';
    const authorizeUrl = lib.authorizeURL({
      redirect_uri: CALLBACK,
      scope: ['openid', 'iot.cardservice.all', 'iot.paymentservice.all'],
      state,
    });
    expect(authorizeUrl.startsWith(`${c.url}/connect/authorize/callback?`)).toBe(true);

    const res = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('state')).toBe(state);
    const code = location.searchParams.get('code') as string;

    const accessToken = await lib.getToken({ code, redirect_uri: CALLBACK });
    expect(accessToken.token.token_type).toBe('Bearer');
    expect(accessToken.token.scope).toBe('openid iot.cardservice.all iot.paymentservice.all');
    const token = accessToken.token.access_token as string;
    expect(passedGate((await call(token)).status)).toBe(true);
    expect(passedGate((await call(token, '/cardservice/flowcards/types')).status)).toBe(true);

    await expect(lib.getToken({ code, redirect_uri: CALLBACK })).rejects.toMatchObject({
      data: { payload: { error: 'invalid_grant' } },
    });
  });

  it('gets invalid_grant when the library exchanges the code with another redirect_uri', async () => {
    const lib = new AuthorizationCode(withAuthorize(config(undefined, { authorizationMethod: 'body' })));
    const res = await fetch(lib.authorizeURL({ redirect_uri: CALLBACK, scope: 'iot.cardservice.all', state: 'x1' }), {
      redirect: 'manual',
    });
    const code = new URL(res.headers.get('location') as string).searchParams.get('code') as string;
    await expect(lib.getToken({ code, redirect_uri: 'http://127.0.0.1:9/elsewhere' })).rejects.toMatchObject({
      output: { statusCode: 400 },
      data: { payload: { error: 'invalid_grant' } },
    });
  });
});
