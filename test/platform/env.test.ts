// The emulator's options from environment variables (npm run emulator, npm start).
import { emulatorOptionsFromEnv } from '../../dev/platform/env';
import { DEV_CLIENT } from '../../dev/platform/platform';
import { startEmulator, type Emulator } from '../../dev/platform/server';
import { DEV, fetchToken, request } from '../helpers/emulator';

describe('emulatorOptionsFromEnv', () => {
  it('gives the documented defaults for an empty environment', () => {
    const options = emulatorOptionsFromEnv({});
    expect(options.port).toBe(8090);
    expect(options.cards).toBeUndefined();
    expect(options.seed).toBeUndefined();
    expect(options.settings).toEqual({});
    expect(options.clients).toEqual([DEV_CLIENT]);
    expect(options.subscriptionKeys).toEqual([DEV.subscriptionKey]);
    expect(options.notifySecret).toBe(DEV.notifySecret);
  });

  it('maps every variable to its option', () => {
    const options = emulatorOptionsFromEnv({
      PLATFORM_PORT: '9123',
      SIM_CARDS: '50',
      SIM_SEED: '7',
      SIM_TOKEN_TTL_SEC: '60',
      SIM_TOKEN_GRACE_SEC: '0',
      SIM_NETWORK_DELAY_MS: '250',
      SIM_NOTIFY_TIME_SCALE: '0.001',
      SIM_RATE_LIMIT_PER_SEC: '20',
      PLATFORM_CLIENT_ID: 'fleet-app',
      PLATFORM_CLIENT_SECRET: 'fleet-secret',
      PLATFORM_SUBSCRIPTION_KEY: 'fleet-key',
      PAY_NOTIFY_SECRET: 'fleet-notify',
    });
    expect(options).toEqual({
      port: 9123,
      cards: 50,
      seed: 7,
      settings: { tokenTtlSec: 60, tokenGraceSec: 0, networkDelayMs: 250, notifyTimeScale: 0.001, rateLimitPerSec: 20 },
      clients: [{ ...DEV_CLIENT, clientId: 'fleet-app', clientSecret: 'fleet-secret' }],
      subscriptionKeys: ['fleet-key'],
      notifySecret: 'fleet-notify',
    });
  });

  it('treats empty variables as unset', () => {
    const options = emulatorOptionsFromEnv({ PLATFORM_PORT: '', SIM_TOKEN_TTL_SEC: '', PLATFORM_CLIENT_ID: '' });
    expect(options.port).toBe(8090);
    expect(options.settings).toEqual({});
    expect(options.clients?.[0].clientId).toBe(DEV.clientId);
  });

  it.each([
    ['PLATFORM_PORT', 'abc'],
    ['PLATFORM_PORT', '80a'],
    ['PLATFORM_PORT', ' '],
    ['PLATFORM_PORT', '0x1F90'],
    ['PLATFORM_PORT', '-1'],
    ['SIM_CARDS', 'many'],
    ['SIM_SEED', 'NaN'],
    ['SIM_TOKEN_TTL_SEC', 'Infinity'],
    ['SIM_TOKEN_GRACE_SEC', '5m'],
    ['SIM_NETWORK_DELAY_MS', '1e3'],
    ['SIM_RATE_LIMIT_PER_SEC', 'ten'],
  ])('refuses %s=%j, naming the variable and the value', (name, value) => {
    expect(() => emulatorOptionsFromEnv({ [name]: value })).toThrow(
      new RegExp(`${name}.*必须是.*"${value.trim() ? value : ' '}"`),
    );
  });

  it.each([
    ['PLATFORM_PORT', '8090.5'],
    ['PLATFORM_PORT', '65536'],
    ['SIM_CARDS', '2.5'],
    ['SIM_CARDS', '1000000000'],
    ['SIM_SEED', '1.5'],
  ])('refuses %s=%s: it must be a whole number in range', (name, value) => {
    expect(() => emulatorOptionsFromEnv({ [name]: value })).toThrow(new RegExp(`${name}.*整数.*"${value}"`));
  });
});

describe('an emulator started from the environment', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator(
      emulatorOptionsFromEnv({
        PLATFORM_PORT: '0',
        SIM_CARDS: '40',
        SIM_SEED: '9',
        SIM_TOKEN_TTL_SEC: '120',
        PLATFORM_CLIENT_ID: 'fleet-app',
        PLATFORM_CLIENT_SECRET: 'fleet-secret',
        PLATFORM_SUBSCRIPTION_KEY: 'fleet-key',
      }),
    );
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it('uses the configured fleet, credentials, key and token lifetime', async () => {
    expect(emulator.port).toBeGreaterThan(0);
    expect(emulator.platform.cards.size).toBe(40);
    await expect(fetchToken(emulator.url)).rejects.toThrow(/400/);

    const res = await fetch(`${emulator.url}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=fleet-app&client_secret=fleet-secret&scope=iot.cardservice.all',
    });
    const token = (await res.json()) as { access_token: string; expires_in: number };
    expect(res.status).toBe(200);
    expect(token.expires_in).toBe(120);

    const call = (key: string) =>
      request(emulator.url, 'GET', '/cardservice/flowcards/types', {
        headers: { 'ocp-apim-subscription-key': key, authorization: `Bearer ${token.access_token}` },
      });
    expect((await call(DEV.subscriptionKey)).status).toBe(401);
    expect((await call('fleet-key')).status).toBe(200);
  });
});
