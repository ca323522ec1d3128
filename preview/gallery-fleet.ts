// Gallery rows of 地图, 我的 and the manager subpackage, spread into preview/gallery.ts after the other
// screens. Rows that change data (a batch stop, an invite, a vehicle, an alert rule) use cards on no vehicle
// taken from the end of the fleet, which no other row shows; rows that break the platform mend it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startJob } from '../cloudfunctions/shared/services/jobs';
import { cardState } from '../typings/card-status';
import { DEV_PLATE, vehicleId } from '../dev/seed';
import type { VehicleDoc } from '../cloudfunctions/shared/services/vehicles';
import type { TestStack } from '../test/helpers/stack';
import type { Rendered } from '../test/miniprogram/harness';
import type { GalleryRow } from './gallery';

async function vehicleCards(stack: TestStack, plate: string): Promise<string[]> {
  return (await stack.deps.store.get<VehicleDoc>('vehicles', vehicleId(plate)))?.iccids ?? [];
}

/** Cards these rows already used (a stop takes a moment to show on the platform, so never pick one twice). */
const taken = new Set<string>();

/** Cards in `state` on no vehicle and not used by an earlier row, from the end of the fleet. */
async function spareCards(stack: TestStack, state: string, count: number): Promise<string[]> {
  const vehicles = (await stack.fn('admin', 'dev-manager', { action: 'vehicles' })).data as Array<{ iccids: string[] }>;
  const held = new Set(vehicles.flatMap((v) => v.iccids));
  const picked = [...stack.emulator.platform.cards.values()]
    .reverse()
    .filter((c) => cardState(c).state === state && !held.has(c.iccid) && !taken.has(c.iccid))
    .slice(0, count)
    .map((c) => c.iccid);
  for (const iccid of picked) taken.add(iccid);
  return picked;
}

const MANAGER = {
  openid: 'dev-manager',
  member: { openid: 'dev-manager', role: 'manager' as const, name: '王经理', vehicleIds: [], joinedAt: '' },
};

/** A finished stop job over a few running cards and two already stopped (skipped, with why). */
async function finishedJob(stack: TestStack): Promise<string> {
  const iccids = [...(await spareCards(stack, 'suspended', 2)), ...(await spareCards(stack, 'active', 6))];
  const reply = await stack.fn('admin', 'dev-manager', {
    action: 'startJob',
    kind: 'stop',
    iccids,
    reason: '车辆停运检修',
  });
  if (!reply.ok) throw new Error(`startJob: ${JSON.stringify(reply.error)}`);
  return reply.data.id;
}

const notLoading = (page: Rendered) => page.waitFor(() => !page.data.loading, 'the page to load');

interface Pin {
  latitude: number;
  longitude: number;
  iconPath: string;
  label?: { content: string; color: string; bgColor: string };
}
interface Ring {
  latitude: number;
  longitude: number;
  radius: number;
}

const mercatorY = (lat: number) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
const icon = (path: string) =>
  `data:image/png;base64,${readFileSync(join(__dirname, '..', 'miniprogram', path)).toString('base64')}`;

/**
 * The native <map> draws nothing outside WeChat: sketch its pins, labels and accuracy circle into it for the
 * screenshot (positions projected from the points the page fits the map to), marked as a sketch.
 */
async function sketchMap(page: Rendered): Promise<void> {
  await notLoading(page);
  const map = page.comp.dom!.querySelector('wx-map') as unknown as {
    style: Record<string, string>;
    innerHTML: string;
  } | null;
  const points = page.data.points as Array<{ latitude: number; longitude: number }>;
  if (!map || points.length === 0) return;
  const lngs = points.map((p) => p.longitude);
  const ys = points.map((p) => mercatorY(p.latitude));
  const [minX, maxX, minY, maxY] = [Math.min(...lngs), Math.max(...lngs), Math.min(...ys), Math.max(...ys)];
  const spanX = Math.max(maxX - minX, 1e-6);
  const spanY = Math.max(maxY - minY, 1e-6);
  // A margin on every side, as include-points leaves room around the points (more on top, for the labels).
  const x = (lng: number) => 10 + ((lng - minX) / spanX) * 80;
  const y = (lat: number) => 20 + ((maxY - mercatorY(lat)) / spanY) * 72;
  const parts: string[] = [];
  for (const ring of page.data.circles as Ring[]) {
    const d = ((ring.radius / 111_320 / Math.cos((ring.latitude * Math.PI) / 180)) * 2 * 80) / spanX;
    parts.push(
      `<div style="position:absolute;left:${x(ring.longitude)}%;top:${y(ring.latitude)}%;width:${d}%;aspect-ratio:1;` +
        'transform:translate(-50%,-50%);border-radius:50%;border:1px solid #1989fa99;background:#1989fa22"></div>',
    );
  }
  // The selected pin last, so nothing covers it.
  const pins = [...(page.data.markers as Pin[])].sort(
    (a, b) => Number(a.iconPath.includes('selected')) - Number(b.iconPath.includes('selected')),
  );
  for (const pin of pins) {
    const label = pin.label
      ? `<span style="position:absolute;left:50%;top:-20px;transform:translateX(-50%);white-space:nowrap;` +
        `font-size:11px;padding:2px 4px;border-radius:4px;color:${pin.label.color};background:${pin.label.bgColor}">` +
        `${pin.label.content}</span>`
      : '';
    parts.push(
      `<div style="position:absolute;left:${x(pin.longitude)}%;top:${y(pin.latitude)}%;width:24px;height:30px;` +
        `transform:translate(-50%,-100%)"><img src="${icon(pin.iconPath)}" style="width:24px;height:30px">${label}</div>`,
    );
  }
  parts.push(
    '<div style="position:absolute;left:8px;top:8px;font-size:11px;color:#969799">示意：预览里不加载地图底图</div>',
  );
  map.style.position = 'relative';
  map.style.overflow = 'hidden';
  map.innerHTML = parts.join('');
}

export const FLEET_GALLERY: GalleryRow[] = [
  // 地图
  { page: 'map', role: 'staff', act: sketchMap, shows: '张卡有定位', tabBar: true, readme: true },
  { page: 'map', role: 'manager', act: sketchMap, shows: '张卡有定位', tabBar: true },
  { page: 'map', role: 'driver', act: sketchMap, shows: '我的车辆', tabBar: true },
  {
    page: 'map',
    role: 'staff',
    name: 'map-staff-one-card',
    setup: async (stack) => ({ iccid: (await vehicleCards(stack, DEV_PLATE))[0] }),
    act: sketchMap,
    shows: '精度约',
    tabBar: true,
  },
  {
    page: 'map',
    role: 'staff',
    name: 'map-staff-marker-tapped',
    act: async (page) => {
      await notLoading(page);
      const marker = (page.data.markers as Array<{ id: number; label?: { content: string } }>).find(
        (m) => m.label?.content === DEV_PLATE,
      )!;
      await page.trigger('#card-map', 'markertap', { markerId: marker.id });
      await sketchMap(page);
    },
    shows: '查看卡片',
    tabBar: true,
  },
  {
    page: 'map',
    role: 'driver',
    name: 'map-driver-platform-down',
    setup: async (stack) => {
      await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 503, pathPattern: 'location' });
    },
    act: async (page, stack) => {
      await notLoading(page);
      await stack.sim('POST', '/faults', {});
    },
    shows: '重试',
    tabBar: true,
  },

  // 我的
  { page: 'me', role: 'manager', shows: '车队管理', tabBar: true, readme: true },
  { page: 'me', role: 'driver', shows: DEV_PLATE, tabBar: true },
  { page: 'me', role: 'staff', shows: '外勤', tabBar: true },
  { page: 'me', role: 'stranger', shows: '输入邀请码', tabBar: true },

  // 管理
  { page: 'manager/members/index', role: 'manager', shows: '成员（' },
  {
    page: 'manager/members/index',
    role: 'manager',
    name: 'members-manager-invite',
    act: async (page) => {
      await notLoading(page);
      await page.tapText('邀请成员');
      await page.tapText('粤B67890');
      await page.input('van-field', '赵师傅');
      await page.tapText('生成邀请码');
    },
    shows: '复制邀请码',
    readme: true,
  },
  { page: 'manager/members/index', role: 'driver', name: 'members-driver-forbidden', shows: '没有权限' },
  { page: 'manager/vehicles/index', role: 'manager', shows: '车辆（' },
  {
    page: 'manager/vehicles/index',
    role: 'manager',
    name: 'vehicles-manager-bad-plate',
    act: async (page, stack) => {
      await notLoading(page);
      await page.tapText('添加车辆');
      await page.input('#plate', 'ABC123');
      await page.input('#iccids', (await spareCards(stack, 'active', 2)).join('\n'));
      await page.tapText('保存');
    },
    shows: '格式不正确',
  },
  {
    page: 'manager/jobs/index',
    role: 'manager',
    setup: async (stack) => {
      await finishedJob(stack);
      // One more, stored but not yet worked: it shows as queued.
      await startJob(stack.deps, MANAGER, {
        kind: 'resume',
        iccids: await spareCards(stack, 'suspended', 3),
        reason: '检修完成',
      });
    },
    shows: '排队中',
  },
  {
    page: 'manager/job/index',
    role: 'manager',
    setup: async (stack) => ({ jobId: await finishedJob(stack) }),
    shows: '任务已完成',
    readme: true,
  },
  { page: 'manager/audit/index', role: 'manager', shows: '发起批量任务' },
  { page: 'manager/datacards/index', role: 'manager', shows: '张充值卡未使用' },
  {
    page: 'manager/alerts/index',
    role: 'manager',
    setup: async (stack) => {
      for (const rule of [
        { thresholdMB: 500, notify: ['dev-manager'] },
        { vehicleId: vehicleId(DEV_PLATE), thresholdPercent: 10, notify: ['dev-manager', 'dev-driver'] },
      ]) {
        const reply = await stack.fn('admin', 'dev-manager', { action: 'saveAlert', ...rule });
        if (!reply.ok) throw new Error(`saveAlert: ${JSON.stringify(reply.error)}`);
      }
    },
    shows: '剩余流量低于 500MB',
  },
  {
    page: 'manager/alerts/index',
    role: 'manager',
    name: 'alerts-manager-new-rule',
    act: async (page) => {
      await notLoading(page);
      await page.tapText('添加规则');
      await page.tapText('一辆车');
      await page.tapText(DEV_PLATE);
      await page.tapText('保存');
    },
    shows: '请填写提醒阈值',
  },
  { page: 'manager/stats/index', role: 'manager', shows: '近 30 天' },
  {
    page: 'manager/stats/index',
    role: 'manager',
    name: 'stats-manager-months',
    act: async (page) => {
      await notLoading(page);
      await page.tapText('按月');
    },
    shows: '近一年',
  },
];
