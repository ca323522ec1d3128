// Each deployable bundle from `npm run build`, loaded as CloudBase would load it and called through its
// `main`. wx-server-sdk is replaced by a STAND-IN (CloudBase itself cannot run here): the WeChat context
// gives the caller's OPENID and the database is the in-memory stand-in of test/store/memory-cloudbase.ts.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLOUDBASE_COLLECTIONS } from '../../cloudfunctions/shared/store/cloudbase';
import { buildFunctions, functionNames } from '../../scripts/build';
import { MemoryCloudDatabase } from '../store/memory-cloudbase';

// Inside the repository, so the bundle's require('wx-server-sdk') resolves to the mocked module.
const OUT = join(__dirname, '..', '..', 'build', 'test-bundles');

const wx = { openid: 'o-bundle-user', db: new MemoryCloudDatabase(CLOUDBASE_COLLECTIONS) };

jest.mock('wx-server-sdk', () => ({
  DYNAMIC_CURRENT_ENV: Symbol('DYNAMIC_CURRENT_ENV'),
  init: jest.fn(),
  getWXContext: () => ({ OPENID: wx.openid, APPID: 'wx-test' }),
  database: () => wx.db,
}));

let built: Array<{ name: string; bytes: number }>;

beforeAll(async () => {
  // The platform is never reached by these calls; the settings only keep the startup check quiet.
  Object.assign(process.env, {
    PLATFORM_CLIENT_ID: 'bundle-test-client',
    PLATFORM_CLIENT_SECRET: 'bundle-test-secret',
    PLATFORM_SUBSCRIPTION_KEY: 'bundle-test-key',
  });
  built = await buildFunctions(OUT);
});
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

function loadMain(name: string): (event: unknown, context?: unknown) => Promise<any> {
  let main: ((event: unknown) => Promise<unknown>) | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a built bundle is loaded as CloudBase loads it
    main = require(join(OUT, name, 'index.js')).main;
  });
  if (!main) throw new Error(`${name} has no main`);
  return main as (event: unknown) => Promise<any>;
}

test('every function folder is built, with its package.json and config.json', () => {
  expect(built.map((b) => b.name).sort()).toEqual(functionNames().sort());
  expect(built.length).toBeGreaterThan(0);
  for (const { name } of built) {
    const pkg = JSON.parse(readFileSync(join(OUT, name, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(['wx-server-sdk']);
    expect(pkg.dependencies['wx-server-sdk']).toMatch(/^\d+\.\d+\.\d+$/);
    const config = JSON.parse(readFileSync(join(OUT, name, 'config.json'), 'utf8'));
    expect(config.timeout).toBeGreaterThanOrEqual(3);
    expect(config.timeout).toBeLessThanOrEqual(60);
    const code = readFileSync(join(OUT, name, 'index.js'), 'utf8');
    // wx-server-sdk stays external; nothing of the dev emulator or its credentials is bundled.
    expect(code).toMatch(/require\("wx-server-sdk"\)/);
    expect(code).not.toMatch(/dev-secret|dev-subscription-key|dev-notify-secret|better-sqlite3/);
  }
});

test('the login bundle answers `me` for the WeChat caller, and a manager from ADMIN_OPENIDS', async () => {
  expect(existsSync(join(OUT, 'login', 'index.js'))).toBe(true);
  const main = loadMain('login');
  wx.openid = 'o-stranger';
  expect(await main({ action: 'me', userInfo: { appId: 'wx-test', openId: 'o-stranger' } })).toEqual({
    ok: true,
    data: { member: null },
  });
  process.env.ADMIN_OPENIDS = 'o-boss';
  try {
    const withAdmin = loadMain('login'); // a new instance reads its environment afresh
    wx.openid = 'o-boss';
    const reply = await withAdmin({ action: 'me' });
    expect(reply.data.member).toEqual(expect.objectContaining({ openid: 'o-boss', role: 'manager' }));
  } finally {
    delete process.env.ADMIN_OPENIDS;
  }
});

test('the identity comes from the WeChat context, never from the payload', async () => {
  const main = loadMain('login');
  wx.openid = 'o-someone';
  const reply = await main({ action: 'me', openid: 'o-boss' });
  expect(reply.ok).toBe(false);
  expect(reply.error.code).toBe('INVALID_ARGUMENT');
  expect((await main({ action: 'me' })).data.member).toBeNull();
});

test('an unknown action and a missing WeChat identity end in the envelope, without a stack', async () => {
  const main = loadMain('login');
  wx.openid = '';
  const noIdentity = await main({ action: 'me' });
  expect(noIdentity).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
  wx.openid = 'o-someone';
  const unknown = await main({ action: 'drop-tables' });
  expect(unknown.error.code).toBe('INVALID_ARGUMENT');
  expect(JSON.stringify(unknown)).not.toMatch(/\bat\b.*:\d+/);
});
