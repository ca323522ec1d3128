// The map against the real dev host: one card's base-station location (GCJ-02 pin, accuracy circle, time),
// the fleet for field staff, a driver's own cards, the panel's 查看卡片 and 导航, 我的位置, and failures.
import { createServer } from 'node:net';
import { wgs84ToGcj02 } from '../../cloudfunctions/shared/services/geo';
import { DEV_PLATE } from '../../dev/seed';
import { emulatorCards, pickCards, stateOf } from '../helpers/cards';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage, wxScript, type Rendered } from './harness';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const LOCATED = ['active', 'suspended', 'arrears'];
const loaded = (page: Rendered) => page.waitFor(() => !page.data.loading, 'the locations to load');
const wgsOf = (iccid: string) => stack.emulator.platform.cards.get(iccid)!.location!;

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

test('field staff open one card: a GCJ-02 pin, the accuracy circle with its radius, and when it was located', async () => {
  const { own } = await pickCards(stack);
  const iccid = own[0];
  const wgs = wgsOf(iccid);
  const gcj = wgs84ToGcj02(wgs.lng, wgs.lat);

  const page = await renderPage('map', { openid: 'dev-staff', stack, options: { iccid } });
  await loaded(page);

  expect(page.data.mode).toBe('card');
  expect(page.data.markers).toHaveLength(1);
  const [marker] = page.data.markers;
  expect(marker).toEqual(expect.objectContaining({ latitude: gcj.lat, longitude: gcj.lng }));
  expect(marker.longitude).not.toBe(wgs.lng); // converted, not the carrier's WGS-84
  expect(marker.label.content).toBe(DEV_PLATE);
  expect(page.data.circles).toEqual([
    expect.objectContaining({ latitude: gcj.lat, longitude: gcj.lng, radius: wgs.radius }),
  ]);
  // The map is fitted to the whole accuracy circle, not to the pin alone.
  const lats = page.data.points.map((p: any) => p.latitude);
  expect(Math.max(...lats)).toBeGreaterThan(gcj.lat);
  expect(Math.min(...lats)).toBeLessThan(gcj.lat);

  const located = new Date(wgs.locatedAt).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16);
  expect(page.text()).toContain(`定位于 ${located}`);
  const accuracy = wgs.radius < 1000 ? `${wgs.radius} 米` : `${wgs.radius / 1000} 公里`;
  expect(page.text()).toContain(`精度约 ${accuracy}`);
  expect(page.text()).toContain(DEV_PLATE);
  expect(page.text()).toContain(iccid);
});

test('field staff see the whole fleet; tapping a pin opens its panel, 查看卡片 goes to the card, 导航 opens a map app', async () => {
  const page = await renderPage('map', { openid: 'dev-staff', stack });
  await loaded(page);

  const inService = emulatorCards(stack).filter((c) => LOCATED.includes(stateOf(c)) && c.location);
  expect(page.data.mode).toBe('fleet');
  expect(page.data.markers).toHaveLength(inService.length);
  expect(page.data.points).toHaveLength(inService.length);
  expect(page.text()).toContain(`车队：${inService.length} 张卡有定位`);
  expect(page.data.circles).toEqual([]);

  const index = page.data.markers.findIndex((m: any) => m.label?.content === DEV_PLATE);
  const marker = page.data.markers[index];
  await page.trigger('#card-map', 'markertap', { markerId: marker.id });

  expect(page.text('.map-panel')).toContain(DEV_PLATE);
  expect(page.data.markers[index].iconPath).toBe('/pages/map/icons/selected.png');
  expect(page.data.circles).toHaveLength(1);
  const iccid = page.data.selected.iccid;
  const wgs = wgsOf(iccid);

  await page.tapText('导航');
  expect(page.wx.openedLocations).toEqual([
    {
      latitude: marker.latitude,
      longitude: marker.longitude,
      name: DEV_PLATE,
      address: expect.stringContaining(`基站定位，精度约`),
    },
  ]);
  expect(page.wx.openedLocations[0].latitude).not.toBe(wgs.lat);

  await page.tapText('查看卡片');
  expect(page.wx.navigations).toEqual([{ method: 'navigateTo', url: `/pages/card-detail/index?iccid=${iccid}` }]);

  // Closing the panel puts the pin's own colour back.
  await page.tap('#close-panel');
  expect(page.exists('.map-panel')).toBe(false);
  expect(page.data.markers[index].iconPath).not.toBe('/pages/map/icons/selected.png');
});

test('the fleet never goes to the view in one setData: pins are sent in small calls', async () => {
  const page = await renderPage('map', { openid: 'dev-manager', stack });
  await loaded(page);
  const sizes: number[] = [];
  const setData = page.instance.setData.bind(page.instance);
  page.instance.setData = (patch: Record<string, unknown>, cb?: () => void) => {
    sizes.push(Buffer.byteLength(JSON.stringify(patch)));
    return setData(patch, cb);
  };
  await page.tapText('刷新');
  await loaded(page);
  expect(page.data.markers.length).toBeGreaterThan(100);
  expect(Math.max(...sizes)).toBeLessThan(32 * 1024);
  expect(sizes.length).toBeGreaterThan(page.data.markers.length / 50);
});

test('a driver sees only the cards of their own vehicle', async () => {
  const { own } = await pickCards(stack);
  const page = await renderPage('map', { openid: 'dev-driver', stack });
  await loaded(page);
  expect(page.data.markers).toHaveLength(own.length);
  expect(page.data.markers.every((m: any) => m.label.content === DEV_PLATE)).toBe(true);
  expect(page.text()).toContain(`我的车辆：${own.length} 张卡有定位`);
});

test('a card without a location is counted as missing, and one card without a location says so', async () => {
  const { own } = await pickCards(stack);
  const card = stack.emulator.platform.cards.get(own[2])!;
  const saved = card.location;
  card.location = null;
  try {
    const fleet = await renderPage('map', { openid: 'dev-driver', stack });
    await loaded(fleet);
    expect(fleet.data.markers).toHaveLength(own.length - 1);
    expect(fleet.text()).toContain('1 张卡暂无定位');
    fleet.unmount();

    const one = await renderPage('map', { openid: 'dev-driver', stack, options: { iccid: own[2] } });
    await loaded(one);
    expect(one.text()).toContain('这张卡暂时没有定位信息');
    expect(one.data.markers).toEqual([]);
    expect(one.exists('.map-panel')).toBe(false);
  } finally {
    card.location = saved;
  }
});

test('another page can send the map tab to one card; the header button goes back to every card', async () => {
  const { own } = await pickCards(stack);
  const page = await renderPage('map', { openid: 'dev-driver', stack });
  await loaded(page);
  expect(page.data.mode).toBe('fleet');

  page.mod('utils/map-focus').showCardOnMap(own[1]);
  expect(page.wx.navigations.at(-1)).toEqual({ method: 'switchTab', url: '/pages/map/index' });
  await page.lifecycle('onShow');
  await loaded(page);
  expect(page.data.mode).toBe('card');
  expect(page.data.markers).toHaveLength(1);
  expect(page.data.selected.iccid).toBe(own[1]);

  await page.tapText('我的全部车辆');
  await loaded(page);
  expect(page.data.mode).toBe('fleet');
  expect(page.data.markers).toHaveLength(own.length);
});

test('我的位置 asks WeChat for a GCJ-02 position and shows it; a refusal is explained', async () => {
  const page = await renderPage('map', { openid: 'dev-staff', stack });
  await loaded(page);
  expect(page.exists('#privacy')).toBe(true);
  const calls: any[] = [];
  const wx = (globalThis as any).wx;
  const getLocation = wx.getLocation;
  wx.getLocation = (opts: any) => {
    calls.push({ type: opts.type });
    return getLocation(opts);
  };
  try {
    await page.tapText('我的位置');
    await page.waitFor(() => page.data.showLocation, 'the position to show');
    expect(calls).toEqual([{ type: 'gcj02' }]);
    expect(page.data.points).toEqual([{ latitude: 22.5431, longitude: 114.0579 }]);

    wxScript.location = 'deny';
    await page.tapText('我的位置');
    await page.waitFor(() => page.wx.modals.length > 0, 'the refusal to be explained');
    expect(page.wx.modals[0].content).toContain('允许使用位置信息');
    expect(page.data.locating).toBe(false);
  } finally {
    wx.getLocation = getLocation;
  }
});

test('a member with no cards sees an empty map that says why', async () => {
  const openid = 'map-new-driver';
  const invite = await stack.fn('admin', 'dev-manager', { action: 'invite', role: 'driver' });
  await stack.fn('login', openid, { action: 'redeemInvite', code: invite.data.code });
  const page = await renderPage('map', { openid, stack });
  await loaded(page);
  expect(page.text()).toContain('还没有可以显示在地图上的卡');
  expect(page.data.markers).toEqual([]);
});

test('when the card platform is down the map says so, and 重试 loads once it is back', async () => {
  await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 503, pathPattern: 'location' });
  try {
    const expected = await stack.fn('cards', 'dev-driver', { action: 'locations' });
    expect(expected.error.code).toBe('PLATFORM_UNAVAILABLE');
    const page = await renderPage('map', { openid: 'dev-driver', stack });
    await loaded(page);
    expect(page.text()).toContain(expected.error.message);
    expect(page.data.markers).toEqual([]);

    await stack.sim('POST', '/faults', {});
    await page.tapText('重试');
    await loaded(page);
    expect(page.data.error).toBe('');
    expect(page.data.markers.length).toBeGreaterThan(0);
  } finally {
    await stack.sim('POST', '/faults', {});
  }
});

test('when the host cannot be reached the map says to check the network', async () => {
  const page = await renderPage('map', { openid: 'dev-staff', devHost: `http://127.0.0.1:${await closedPort()}` });
  await loaded(page);
  expect(page.text()).toContain('网络连接失败，请检查网络后重试。');
  expect(page.wx.loading).toBe(false);
});
