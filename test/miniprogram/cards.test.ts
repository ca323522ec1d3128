// The card list against the real dev host: a manager's list with its summary and paging, filters and
// search, the cached first page painted before the network answers, roles, and the unhappy paths.
import { DEV_PLATE } from '../../dev/seed';
import { emulatorCards, stateOf } from '../helpers/cards';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage, type Rendered } from './harness';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());
afterEach(() => stack.sim('POST', '/faults', {}));

/** Records the JSON size and the keys of every setData the page makes from now on. */
function recordSetData(page: Rendered): Array<{ bytes: number; keys: string[] }> {
  const calls: Array<{ bytes: number; keys: string[] }> = [];
  const original = page.instance.setData.bind(page.instance);
  page.instance.setData = (data: Record<string, unknown>, callback?: () => void) => {
    calls.push({ bytes: JSON.stringify(data).length, keys: Object.keys(data) });
    return original(data, callback);
  };
  return calls;
}

const rowIccids = (page: Rendered): string[] => page.data.list.map((r: { iccid: string }) => r.iccid);

/** Holds every `cards` call until release(): whatever the page shows meanwhile came from the phone. */
function holdCardsCalls(): { release(): void; restore(): void } {
  const wx = (globalThis as any).wx;
  const realRequest = wx.request;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  wx.request = (opts: any) => {
    if (!String(opts.url).endsWith('/fn/cards')) return realRequest(opts);
    void held.then(() => realRequest(opts));
    return { abort() {} };
  };
  return {
    release,
    restore() {
      release();
      wx.request = realRequest;
    },
  };
}

function cachedRow(iccid: string, plate: string) {
  return {
    iccid,
    msisdn: '14400000000',
    carrier: 'cmcc',
    status: 0,
    statusText: '正常',
    state: 'active',
    fix: null,
    pending: null,
    realNameStatus: 1,
    usedMB: 100,
    totalMB: 1024,
    remainingMB: 924,
    periodEnd: new Date(Date.now() + 5 * 86_400_000).toISOString(),
    daysLeft: 5,
    dataUpdatedAt: new Date().toISOString(),
    tags: [],
    remark: '',
    vehicleId: null,
    plate,
    driverNames: [],
  };
}

test('a manager sees the summary and 20 cards, and scrolling adds 20 rows at a time as row paths, each call small', async () => {
  const page = await renderPage('cards', { openid: 'dev-manager', stack });
  const all = emulatorCards(stack);
  expect(page.data.list).toHaveLength(20);
  expect(page.data.summary.total).toBe(all.length);
  expect(page.text('.cards__summary')).toContain(`${all.length}全部`);
  expect(page.text('.cards__summary')).toContain(`${page.data.summary.arrears}欠费`);
  expect(page.text()).toContain('数据更新于');
  expect(page.text()).toContain(DEV_PLATE);
  expect(page.text()).toContain('未绑定车辆');
  expect(page.exists('card-row van-progress')).toBe(true);

  const calls = recordSetData(page);
  for (let n = 40; n <= 100; n += 20) {
    const before = calls.length;
    await page.lifecycle('onReachBottom');
    expect(page.data.list).toHaveLength(n);
    // The new rows only: list[n-20] … list[n-1], never the whole list.
    const rowKeys = calls
      .slice(before)
      .flatMap((c) => c.keys)
      .filter((k) => k.startsWith('list'));
    expect(rowKeys).toEqual(Array.from({ length: 20 }, (_, i) => `list[${n - 20 + i}]`));
  }
  expect(new Set(rowIccids(page)).size).toBe(100);
  expect(calls.length).toBeGreaterThan(0);
  expect(Math.max(...calls.map((c) => c.bytes))).toBeLessThanOrEqual(32 * 1024);
  expect(calls.some((c) => c.keys.includes('list'))).toBe(false);

  while (page.data.hasMore) await page.lifecycle('onReachBottom');
  expect(page.data.list).toHaveLength(all.length);
  expect(page.text()).toContain(`没有更多了（共 ${all.length} 张）`);
  expect(Math.max(...calls.map((c) => c.bytes))).toBeLessThanOrEqual(32 * 1024);
});

test('filters by state, carrier and vehicle; the summary strip filters by what was tapped', async () => {
  const page = await renderPage('cards', { openid: 'dev-manager', stack });
  const all = emulatorCards(stack);

  await page.trigger('#filter-state', 'change', 'suspended');
  await page.waitFor(() => page.data.loading === null && page.data.filter.state === 'suspended');
  const suspended = all.filter((c) => stateOf(c) === 'suspended').length;
  expect(page.data.total).toBe(suspended);
  expect(page.data.list.every((r: { state: string }) => r.state === 'suspended')).toBe(true);
  expect(page.text()).toContain(`符合条件 ${suspended} 张`);

  await page.trigger('#filter-carrier', 'change', 'ctcc');
  await page.waitFor(() => page.data.loading === null && page.data.filter.carrier === 'ctcc');
  const both = all.filter((c) => stateOf(c) === 'suspended' && c.carrier === 'ctcc');
  expect(rowIccids(page).sort()).toEqual(both.map((c) => c.iccid).sort());
  expect(page.data.list.every((r: { carrier: string }) => r.carrier === '电信')).toBe(true);

  await page.trigger('#filter-state', 'change', '');
  await page.trigger('#filter-carrier', 'change', '');
  await page.tap('[data-state="arrears"]');
  await page.waitFor(() => page.data.loading === null && page.data.filter.state === 'arrears');
  expect(page.data.total).toBe(page.data.summary.arrears);
  expect(page.data.list.every((r: { state: string }) => r.state === 'arrears')).toBe(true);
  await page.tap('[data-state="lowData"]');
  await page.waitFor(() => page.data.loading === null && page.data.filter.lowData === true);
  expect(page.data.filter.state).toBeUndefined();
  expect(page.data.total).toBe(page.data.summary.lowData);
  expect(page.data.total).toBeGreaterThan(0);
  const low = new Set(
    all
      .filter((c) => stateOf(c) === 'active' && c.totalMB > 0 && (c.totalMB - c.usedMB) / c.totalMB < 0.1)
      .map((c) => c.iccid),
  );
  expect(page.data.total).toBe(low.size);
  expect(rowIccids(page).every((iccid) => low.has(iccid))).toBe(true);
  await page.tap('[data-state=""]');
  await page.waitFor(() => page.data.loading === null && !page.data.filter.state && !page.data.filter.lowData);
  expect(page.data.total).toBe(all.length);

  const vehicle = page.data.vehicleOptions.find((o: { text: string }) => o.text === DEV_PLATE);
  await page.trigger('#filter-vehicle', 'change', vehicle.value);
  await page.waitFor(() => page.data.loading === null && page.data.filter.vehicleId === vehicle.value);
  expect(page.data.list).toHaveLength(3);
  expect(page.data.list.every((r: { plate: string }) => r.plate === DEV_PLATE)).toBe(true);

  await page.trigger('#filter-vehicle', 'change', '');
  // The tag filter offers every tag of the fleet, not only those on the rows loaded so far.
  const fleetTags = new Set(all.flatMap((c) => c.tags));
  expect(new Set(page.data.tagOptions.slice(1).map((o: { value: string }) => o.value))).toEqual(fleetTags);
  const tag = page.data.tagOptions[1].value;
  await page.trigger('#filter-tag', 'change', tag);
  await page.waitFor(() => page.data.loading === null && page.data.filter.tag === tag);
  expect(page.data.total).toBe(all.filter((c) => c.tags.includes(tag)).length);
});

test('search finds cards by plate, MSISDN and ICCID; no match says so and clearing brings the list back', async () => {
  const page = await renderPage('cards', { openid: 'dev-manager', stack });
  const card = emulatorCards(stack)[42];

  await page.input('#search', 'b12345');
  await page.trigger('#search', 'search', 'b12345');
  await page.waitFor(() => page.data.loading === null && page.data.filter.keyword === 'b12345');
  expect(page.data.list).toHaveLength(3);

  await page.trigger('#search', 'search', card.msisdn);
  await page.waitFor(() => page.data.loading === null && page.data.filter.keyword === card.msisdn);
  expect(rowIccids(page)).toEqual([card.iccid]);

  await page.trigger('#search', 'search', card.iccid.slice(-8));
  await page.waitFor(() => page.data.loading === null && page.data.filter.keyword === card.iccid.slice(-8));
  expect(rowIccids(page)).toContain(card.iccid);

  await page.trigger('#search', 'search', 'NO-SUCH-CARD');
  await page.waitForText('没有符合条件的卡，换个关键词或筛选条件试试。');
  expect(page.data.list).toHaveLength(0);
  expect(page.data.loading).toBeNull();

  await page.tapText('清除筛选');
  await page.waitFor(() => page.data.list.length === 20, 'the whole list to come back');
  expect(page.data.keyword).toBe('');
});

test('the last first page paints from the phone, with its age, before the network answers', async () => {
  const real = emulatorCards(stack);
  const wx = (globalThis as any).wx;
  const hold = holdCardsCalls();
  try {
    const page = await renderPage('cards', {
      openid: 'dev-manager',
      stack,
      before: () => {
        wx.setStorageSync('cards.firstPage.v1', {
          at: Date.now() - 3 * 60_000,
          openid: 'dev-manager',
          total: 500,
          items: [cachedRow('89860000000000000001', '缓存A00001'), cachedRow('89860000000000000002', '缓存A00001')],
          summary: null,
        });
      },
    });
    expect(page.data.list.map((r: { plate: string }) => r.plate)).toEqual(['缓存A00001', '缓存A00001']);
    expect(page.text()).toContain('数据更新于 3分钟前');
    expect(page.text()).toContain('正在刷新…');

    hold.release();
    await page.waitFor(() => page.data.list.length === 20 && !page.data.cached, 'the fresh first page');
    expect(page.data.list[0].iccid).toBe(real[0].iccid);
    expect(page.text()).not.toContain('缓存A00001');
    expect(page.text()).not.toContain('3分钟前');
    // The fresh page is what the next launch paints.
    const saved = wx.getStorageSync('cards.firstPage.v1');
    expect(saved.items).toHaveLength(20);
    expect(saved.items[0].iccid).toBe(real[0].iccid);
    expect(saved.openid).toBe('dev-manager');
  } finally {
    hold.restore();
  }
});

test('another member’s saved page is not shown: the list waits for this member’s own cards', async () => {
  const wx = (globalThis as any).wx;
  const hold = holdCardsCalls();
  try {
    const page = await renderPage('cards', {
      openid: 'dev-driver',
      stack,
      before: () => {
        wx.setStorageSync('cards.firstPage.v1', {
          at: Date.now() - 60_000,
          openid: 'dev-manager',
          total: 200,
          items: [cachedRow('89860000000000000003', '京Z00000')],
          summary: null,
        });
      },
    });
    expect(page.text()).not.toContain('京Z00000');
    expect(page.data.list).toHaveLength(0);
    expect(page.text()).toContain('正在加载卡片…');
    hold.release();
    await page.waitFor(() => page.data.list.length === 3, 'the driver’s own cards');
    expect(wx.getStorageSync('cards.firstPage.v1').openid).toBe('dev-driver');
  } finally {
    hold.restore();
  }
});

test('pull to refresh reloads the first page and ends the pull-down', async () => {
  const page = await renderPage('cards', { openid: 'dev-manager', stack });
  await page.lifecycle('onReachBottom');
  expect(page.data.list).toHaveLength(40);
  await page.lifecycle('onPullDownRefresh');
  expect(page.wx.pullDownStops).toBe(1);
  expect(page.data.list).toHaveLength(20);
  expect(page.data.loading).toBeNull();
});

test('a driver sees only their vehicle’s cards, and a long press selects nothing', async () => {
  const page = await renderPage('cards', { openid: 'dev-driver', stack });
  expect(page.data.list).toHaveLength(3);
  expect(page.data.list.every((r: { plate: string }) => r.plate === DEV_PLATE)).toBe(true);
  expect(page.data.summary.total).toBe(3);
  expect(page.text()).not.toContain('长按卡片可批量操作');

  await page.trigger('.cards__row >>> .card-row', 'longpress');
  expect(page.data.selecting).toBe(false);
  expect(page.exists('.cards__batch')).toBe(false);

  await page.tap('card-row');
  expect(page.wx.navigations).toEqual([
    { method: 'navigateTo', url: `/pages/card-detail/index?iccid=${page.data.list[0].iccid}` },
  ]);
});

test('field staff see the fleet but get no selection mode', async () => {
  const page = await renderPage('cards', { openid: 'dev-staff', stack });
  expect(page.data.list).toHaveLength(20);
  expect(page.data.summary.total).toBe(emulatorCards(stack).length);
  await page.trigger('.cards__row >>> .card-row', 'longpress');
  expect(page.data.selecting).toBe(false);
  await page.tap('.cards__scan');
  expect(page.wx.navigations).toEqual([{ method: 'navigateTo', url: '/pages/scan/index' }]);
});

test('a manager long-presses, selects the page, and starts one batch stop with a reason; then sees its progress', async () => {
  const page = await renderPage('cards', { openid: 'dev-manager', stack });
  await page.trigger('.cards__row >>> .card-row', 'longpress');
  expect(page.data.selecting).toBe(true);
  expect(page.data.selectedCount).toBe(1);
  expect(page.data.list[0].selected).toBe(true);

  await page.tapText('全选本页');
  expect(page.data.selectedCount).toBe(20);
  expect(page.data.list.every((r: { selected: boolean }) => r.selected)).toBe(true);
  await page.tap('card-row:nth-of-type(2)'); // a tap while selecting deselects, it does not open
  expect(page.wx.navigations).toEqual([]);
  const left = page.data.list.filter((r: { selected: boolean }) => r.selected).map((r: { iccid: string }) => r.iccid);
  expect(left).toHaveLength(page.data.selectedCount);

  await page.tap('#batch-stop');
  expect(page.data.batch.show).toBe(true);
  await page.waitForText('批量停机');
  await page.tapText('开始停机');
  expect(page.text()).toContain('请填写原因（2 到 100 个字）');
  expect(page.wx.modals).toEqual([]);

  await page.input('#batch-text', '车辆停运检修');
  await page.tapText('开始停机');
  await page.waitFor(() => page.wx.navigations.length > 0, 'the job page to open');
  expect(page.wx.modals[0].content).toContain(`将对 ${left.length} 张卡发起停机`);
  const url = page.wx.navigations[0].url;
  expect(url).toMatch(/^\/manager\/job\/index\?jobId=job-/);
  const jobId = decodeURIComponent(url.split('jobId=')[1]);
  const job = await stack.fn('admin', 'dev-manager', { action: 'job', jobId });
  expect(job.data).toEqual(expect.objectContaining({ kind: 'stop', total: left.length, reason: '车辆停运检修' }));
  expect(page.data.selecting).toBe(false);
  expect(page.data.list.some((r: { selected: boolean }) => r.selected)).toBe(false);
});

test('a batch tag job takes the tags typed, and leaving selection mode clears every mark', async () => {
  const page = await renderPage('cards', { openid: 'dev-manager', stack });
  await page.trigger('.cards__row >>> .card-row', 'longpress');
  await page.tap('card-row:nth-of-type(3)');
  expect(page.data.selectedCount).toBe(2);
  await page.tap('#batch-tag');
  await page.waitForText('批量设置标签');
  await page.input('#batch-text', '冷链， 试点');
  await page.tapText('开始设置标签');
  await page.waitFor(() => page.wx.navigations.length > 0, 'the job page to open');
  const jobId = decodeURIComponent(page.wx.navigations[0].url.split('jobId=')[1]);
  const job = await stack.fn('admin', 'dev-manager', { action: 'job', jobId });
  expect(job.data).toEqual(expect.objectContaining({ kind: 'tag', total: 2, tags: ['冷链', '试点'] }));

  await page.trigger('.cards__row >>> .card-row', 'longpress');
  expect(page.data.selectedCount).toBe(1);
  await page.tapText('退出');
  expect(page.data.selecting).toBe(false);
  expect(page.data.list.some((r: { selected: boolean }) => r.selected)).toBe(false);
});

test('platform down: a Chinese sentence with a retry, loading ended; the retry works once it is back', async () => {
  await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 500 });
  const page = await renderPage('cards', { openid: 'dev-manager', stack });
  expect(page.data.loading).toBeNull();
  expect(page.data.list).toHaveLength(0);
  expect(page.exists('.cards__state--error')).toBe(true);
  const sentence = page.text('.cards__state--error');
  expect(sentence).toMatch(/[\u4e00-\u9fa5]/);
  expect(sentence).toContain('重试');
  expect(page.exists('van-loading')).toBe(false);

  await stack.sim('POST', '/faults', {});
  await page.tapText('重试');
  await page.waitFor(() => page.data.list.length === 20, 'the list after the retry');
  expect(page.exists('.cards__state--error')).toBe(false);
});

test('a failing next page says so at the bottom and keeps the rows; tapping retries it', async () => {
  const page = await renderPage('cards', { openid: 'dev-manager', stack });
  await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 500 });
  await page.lifecycle('onReachBottom');
  expect(page.data.list).toHaveLength(20);
  expect(page.data.moreError).toMatch(/[\u4e00-\u9fa5]/);
  expect(page.text('.cards__footer')).toContain('点此重试');
  await stack.sim('POST', '/faults', {});
  await page.tap('.cards__more-error');
  expect(page.data.list).toHaveLength(40);
  expect(page.data.moreError).toBeNull();
});

test('a stranger is sent to the welcome page and nothing of the fleet is shown', async () => {
  const page = await renderPage('cards', { openid: 'stranger-cards', stack });
  expect(page.wx.navigations).toEqual([{ method: 'reLaunch', url: '/pages/welcome/index' }]);
  expect(page.data.list).toHaveLength(0);
  expect(page.wx.requests.some((r) => r.url.endsWith('/fn/cards'))).toBe(false);
});

test('when the launch login cannot reach the host, the page says so and retries', async () => {
  const page = await renderPage('cards', { openid: 'dev-manager', devHost: 'http://127.0.0.1:9' });
  expect(page.text()).toContain('网络连接失败，请检查网络后重试。');
  page.mod('config').configure({ devHost: stack.host.url });
  await page.tapText('重试');
  await page.waitFor(() => page.data.list.length === 20, 'the list after logging in');
  expect(page.text()).not.toContain('网络连接失败');
});
