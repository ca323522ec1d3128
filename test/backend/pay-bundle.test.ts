// The deployable pay and payNotify bundles from `npm run build`, loaded as CloudBase loads them, against the
// real platform emulator. wx-server-sdk is replaced by a STAND-IN (CloudBase itself cannot run here): the
// WeChat context gives the caller's OPENID and the database is the in-memory stand-in of
// test/store/memory-cloudbase.ts, so the order state machine also runs on the CloudBase store.
import { createHmac, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLOUDBASE_COLLECTIONS, CloudbaseStore } from '../../cloudfunctions/shared/store/cloudbase';
import type { OrderDoc } from '../../cloudfunctions/shared/services/orders';
import { cardState } from '../../typings/card-status';
import { buildFunctions } from '../../scripts/build';
import { DEV, startTestEmulator, type EmulatorClient } from '../helpers/emulator';
import { MemoryCloudDatabase } from '../store/memory-cloudbase';

const OUT = join(__dirname, '..', '..', 'build', 'test-bundles-pay');
const SECRET = 'bundle-notify-secret';
const wx = { openid: 'o-payer', db: new MemoryCloudDatabase(CLOUDBASE_COLLECTIONS) };

jest.mock('wx-server-sdk', () => ({
  DYNAMIC_CURRENT_ENV: Symbol('DYNAMIC_CURRENT_ENV'),
  init: jest.fn(),
  getWXContext: () => ({ OPENID: wx.openid, APPID: 'wx-test' }),
  database: () => wx.db,
}));

let emulator: EmulatorClient;
const savedEnv = { ...process.env };
const store = new CloudbaseStore(wx.db);

beforeAll(async () => {
  emulator = await startTestEmulator();
  Object.assign(process.env, {
    PLATFORM_IDS_URL: emulator.url,
    PLATFORM_API_URL: emulator.url,
    PLATFORM_CLIENT_ID: DEV.clientId,
    PLATFORM_CLIENT_SECRET: DEV.clientSecret,
    PLATFORM_SUBSCRIPTION_KEY: DEV.subscriptionKey,
    PAY_NOTIFY_SECRET: SECRET,
    ADMIN_OPENIDS: 'o-boss',
    DEV_MODE: '1', // the cloud entry must ignore it
  });
  await buildFunctions(OUT);
});
afterAll(async () => {
  process.env = savedEnv;
  rmSync(OUT, { recursive: true, force: true });
  await emulator.emulator.close();
});

function loadMain(name: string): (event: unknown) => Promise<any> {
  let main: ((event: unknown) => Promise<unknown>) | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a built bundle is loaded as CloudBase loads it
    main = require(join(OUT, name, 'index.js')).main;
  });
  if (!main) throw new Error(`${name} has no main`);
  return main as (event: unknown) => Promise<any>;
}

function httpEvent(body: Record<string, unknown>, secret = SECRET) {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const signature = createHmac('sha256', secret).update(`${timestamp}\n${nonce}\n${raw}`).digest('base64');
  return {
    path: '/payNotify',
    httpMethod: 'POST',
    headers: { 'X-Notify-Timestamp': timestamp, 'X-Notify-Nonce': nonce, 'X-Notify-Signature': signature },
    body: Buffer.from(raw).toString('base64'),
    isBase64Encoded: true,
  };
}

test('the payNotify bundle verifies, applies once on the CloudBase store, and refuses a forgery', async () => {
  const card = [...emulator.emulator.platform.cards.values()].find((c) => cardState(c).state === 'active');
  if (!card) throw new Error('no active card');
  const order: OrderDoc = {
    _id: 'FCBUNDLE0001',
    outTradeNo: 'FCBUNDLE0001',
    iccid: card.iccid,
    productId: 'P-M-1G',
    productName: '月包 1GB',
    amountFen: 1000,
    openid: 'o-payer',
    platformOrderNo: null,
    state: 'created',
    createdAt: Date.now(),
    paidAt: null,
    appliedAt: null,
    endedAt: null,
    transactionId: null,
    note: null,
    checkedAt: Date.now(),
  };
  await store.insert('orders', order);
  const body = {
    orderNo: 'PO-BUNDLE',
    outTradeNo: order.outTradeNo,
    iccid: card.iccid,
    productId: 'P-M-1G',
    amountFen: 1000,
    status: 'SUCCESS',
    paidAt: new Date().toISOString(),
    transactionId: '4200BUNDLE',
  };
  const main = loadMain('payNotify');
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    const forged = await main(httpEvent(body, 'a-guess'));
    expect(forged.statusCode).toBe(401);
    expect((await store.get<OrderDoc>('orders', order._id))?.state).toBe('created');
  } finally {
    warn.mockRestore();
  }

  for (let i = 0; i < 3; i++) {
    expect(await main(httpEvent(body))).toEqual({
      statusCode: 200,
      headers: expect.any(Object),
      body: JSON.stringify({ code: 'SUCCESS' }),
      isBase64Encoded: false,
    });
  }
  expect(await store.get<OrderDoc>('orders', order._id)).toEqual(
    expect.objectContaining({ state: 'applied', platformOrderNo: 'PO-BUNDLE', transactionId: '4200BUNDLE' }),
  );
  expect(await store.count('audit', { action: 'order.paid', target: order._id })).toBe(1);
  // Applied means the card was read again: it is in the card index now.
  expect(await store.get('cards', card.iccid)).toEqual(expect.objectContaining({ iccid: card.iccid }));
});

test('the pay bundle takes the caller from the WeChat context and ignores the dev identity', async () => {
  const main = loadMain('pay');
  wx.openid = 'o-stranger';
  expect((await main({ action: 'orders', skip: 0, take: 10 })).error.code).toBe('FORBIDDEN');
  const dev = await main({ action: 'devPay', outTradeNo: 'FCBUNDLE0001', result: 'success' });
  expect(dev.error.code).toBe('FORBIDDEN');
  wx.openid = 'o-boss';
  const orders = await main({ action: 'orders', skip: 0, take: 10 });
  expect(orders.data.items).toEqual([expect.objectContaining({ outTradeNo: 'FCBUNDLE0001', state: 'applied' })]);
  expect((await main({ action: 'devPay', outTradeNo: 'FCBUNDLE0001', result: 'success' })).error.message).toMatch(
    /开发环境/,
  );
});
