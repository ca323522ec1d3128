// Gallery rows of the card screens (卡片, 卡详情, 扫码), spread into preview/gallery.ts. Rows that change
// data (a stop) pick cards no other row shows; rows that break the platform mend it before they end.
import { shanghaiDate, usageId, type UsageDoc } from '../cloudfunctions/shared/services/card-usage';
import type { CardDoc } from '../cloudfunctions/shared/services/cards';
import type { VehicleDoc } from '../cloudfunctions/shared/services/vehicles';
import { DEV_PLATE, vehicleId } from '../dev/seed';
import type { TestStack } from '../test/helpers/stack';
import type { GalleryRow } from './gallery';

const DAY_MS = 86_400_000;

async function vehicleCards(stack: TestStack, plate: string): Promise<string[]> {
  return (await stack.deps.store.get<VehicleDoc>('vehicles', vehicleId(plate)))?.iccids ?? [];
}

/** A card of the index in `state` whose fix is `fix` (any, when not given). */
async function cardIn(stack: TestStack, state: string, fix?: string): Promise<string> {
  const list = await stack.fn('cards', 'dev-manager', { action: 'list', skip: 0, take: 100, state });
  const card = list.data.items.find((c: { fix: string | null }) => fix === undefined || c.fix === fix);
  if (!card) throw new Error(`no ${state} card fixed by ${fix}`);
  return card.iccid;
}

/** Two weeks of daily snapshots, so the chart and the forecast have something to say. */
async function seedHistory(stack: TestStack, iccid: string): Promise<void> {
  const card = await stack.deps.store.get<CardDoc>('cards', iccid);
  if (!card) throw new Error(`no card ${iccid}`);
  const now = Date.now();
  const used = card.usedMB;
  const daily = [42, 55, 38, 61, 70, 12, 8, 66, 59, 47, 73, 80, 35, 52];
  await stack.deps.store.remove('usage', usageId(iccid, shanghaiDate(now)));
  let value = used;
  for (let back = 0; back <= daily.length; back++) {
    const date = shanghaiDate(now - back * DAY_MS);
    await stack.deps.store.insert<UsageDoc>('usage', {
      _id: usageId(iccid, date),
      iccid,
      date,
      usedMB: Math.max(0, Math.round(value)),
      totalMB: card.totalMB,
    });
    value -= daily[back] ?? 0;
  }
}

export const CARDS_GALLERY: GalleryRow[] = [
  { page: 'cards', role: 'manager', shows: '长按卡片可批量操作', tabBar: true, readme: true },
  { page: 'cards', role: 'driver', shows: DEV_PLATE, tabBar: true },
  { page: 'cards', role: 'staff', shows: '数据更新于', tabBar: true },
  {
    page: 'cards',
    role: 'manager',
    name: 'cards-manager-arrears',
    act: async (page) => {
      await page.tap('[data-state="arrears"]');
      await page.waitFor(() => page.data.filter.state === 'arrears' && page.data.loading === null);
    },
    shows: '符合条件',
    tabBar: true,
  },
  {
    page: 'cards',
    role: 'manager',
    name: 'cards-manager-selecting',
    act: async (page) => {
      await page.trigger('.cards__row >>> .card-row', 'longpress');
      await page.tap('card-row:nth-of-type(3)');
      await page.tap('card-row:nth-of-type(4)');
    },
    shows: '已选',
    tabBar: true,
  },
  {
    page: 'cards',
    role: 'manager',
    name: 'cards-manager-batch-stop',
    act: async (page) => {
      await page.trigger('.cards__row >>> .card-row', 'longpress');
      await page.tapText('全选本页');
      await page.tap('#batch-stop');
      await page.waitForText('批量停机');
      await page.input('#batch-text', '车辆停运');
    },
    shows: '开始停机',
  },
  {
    page: 'cards',
    role: 'manager',
    name: 'cards-manager-no-match',
    act: async (page) => {
      await page.trigger('#search', 'search', '粤Z99999');
    },
    shows: '没有符合条件的卡',
    tabBar: true,
  },
  {
    page: 'cards',
    role: 'manager',
    name: 'cards-manager-platform-down',
    setup: async (stack) => {
      await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 500 });
    },
    act: async (_page, stack) => {
      await stack.sim('POST', '/faults', {});
    },
    shows: '重试',
    tabBar: true,
  },
  {
    page: 'card-detail',
    role: 'manager',
    setup: async (stack) => {
      const iccid = (await vehicleCards(stack, '粤B67890'))[0];
      await seedHistory(stack, iccid);
      return { iccid };
    },
    shows: '预计约',
    readme: true,
  },
  {
    page: 'card-detail',
    role: 'manager',
    name: 'card-detail-manager-stopping',
    setup: async (stack) => ({ iccid: (await vehicleCards(stack, '粤A88888'))[0] }),
    act: async (page) => {
      await page.tap('#stop');
      await page.waitForText('确定停机');
      await page.input('#net-reason', '车辆进厂维修');
      await page.tap('#net-submit');
      // Let the closed popup's overlay finish fading out (Vant's leave transition).
      await new Promise((resolve) => setTimeout(resolve, 500));
    },
    shows: '停机中…',
  },
  {
    page: 'card-detail',
    role: 'manager',
    name: 'card-detail-manager-audit',
    // The card the row above stopped: its audit trail now holds the request, with the reason.
    setup: async (stack) => ({ iccid: (await vehicleCards(stack, '粤A88888'))[0] }),
    shows: '申请停机',
  },
  {
    page: 'card-detail',
    role: 'manager',
    name: 'card-detail-manager-stop-popup',
    setup: async (stack) => ({ iccid: (await vehicleCards(stack, '京A12345'))[0] }),
    act: async (page) => {
      await page.tap('#stop');
      await page.waitForText('确定停机');
      await page.input('#net-reason', '车辆停运');
    },
    shows: '确定停机',
  },
  {
    page: 'card-detail',
    role: 'manager',
    name: 'card-detail-manager-arrears',
    setup: async (stack) => ({ iccid: await cardIn(stack, 'arrears') }),
    shows: '去充值',
  },
  {
    page: 'card-detail',
    role: 'manager',
    name: 'card-detail-manager-resume',
    setup: async (stack) => ({ iccid: await cardIn(stack, 'suspended', 'resume') }),
    shows: '管理员可以复机',
  },
  {
    page: 'card-detail',
    role: 'manager',
    name: 'card-detail-manager-carrier',
    setup: async (stack) => ({ iccid: await cardIn(stack, 'suspended', 'carrier') }),
    shows: '联系运营商',
  },
  {
    page: 'card-detail',
    role: 'manager',
    name: 'card-detail-manager-real-name',
    setup: async (stack) => ({ iccid: await cardIn(stack, 'suspended', 'realName') }),
    act: async (page) => {
      await page.tap('#fix');
    },
    shows: '运营商渠道办理',
  },
  {
    page: 'card-detail',
    role: 'driver',
    setup: async (stack) => {
      const iccid = (await vehicleCards(stack, DEV_PLATE))[1];
      await seedHistory(stack, iccid);
      return { iccid };
    },
    shows: '充值',
  },
  {
    page: 'card-detail',
    role: 'driver',
    name: 'card-detail-driver-not-theirs',
    setup: async (stack) => ({ iccid: (await vehicleCards(stack, '沪C54321'))[0] }),
    shows: '不属于你驾驶的车辆',
  },
  {
    page: 'card-detail',
    role: 'staff',
    setup: async (stack) => ({ iccid: (await vehicleCards(stack, '川A66666'))[0] }),
    shows: '查看位置',
  },
  {
    page: 'card-detail',
    role: 'manager',
    name: 'card-detail-manager-platform-down',
    setup: async (stack) => {
      await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 500 });
      return { iccid: (await vehicleCards(stack, '川A66666'))[1] };
    },
    act: async (_page, stack) => {
      await stack.sim('POST', '/faults', {});
    },
    shows: '重试',
  },
  { page: 'scan', role: 'staff', shows: '扫一扫' },
  {
    page: 'scan',
    role: 'staff',
    name: 'scan-staff-not-in-fleet',
    act: async (page) => {
      await page.input('#code', '89860000000000000000');
      await page.tapText('查找这张卡');
    },
    shows: '该卡不在本车队',
  },
  {
    page: 'scan',
    role: 'driver',
    act: async (page, stack) => {
      await page.input('#code', (await vehicleCards(stack, '粤B67890'))[1]);
      await page.tapText('查找这张卡');
    },
    shows: '不在你驾驶的车辆上',
  },
];
