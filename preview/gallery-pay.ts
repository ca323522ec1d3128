// Gallery rows of the payment screens (充值, 支付结果, 订单), spread into preview/gallery.ts. The empty
// orders row comes first, before any row makes dev-driver an order; rows that pay use the driver's own
// cards (粤B12345), and rows that break the platform mend it before they end.
import type { VehicleDoc } from '../cloudfunctions/shared/services/vehicles';
import { DEV_PLATE, vehicleId } from '../dev/seed';
import type { TestStack } from '../test/helpers/stack';
import type { GalleryRow } from './gallery';

async function vehicleCards(stack: TestStack, plate: string): Promise<string[]> {
  return (await stack.deps.store.get<VehicleDoc>('vehicles', vehicleId(plate)))?.iccids ?? [];
}

async function closedCard(stack: TestStack): Promise<string> {
  const list = await stack.fn('cards', 'dev-manager', { action: 'list', skip: 0, take: 20, state: 'closed' });
  const card = list.data.items[0];
  if (!card) throw new Error('no closed card in the seeded fleet');
  return card.iccid;
}

/** An order by `openid` for `iccid`; `pay` is what the payer then does in the emulator. */
async function order(
  stack: TestStack,
  openid: string,
  iccid: string,
  productId: string,
  pay?: 'success' | 'fail',
): Promise<string> {
  const created = await stack.fn('pay', openid, { action: 'create', iccid, productId });
  if (!created.ok) throw new Error(`create: ${JSON.stringify(created.error)}`);
  const { outTradeNo } = created.data;
  if (pay) {
    await stack.sim('POST', '/pay', { orderNo: outTradeNo, result: pay });
    await stack.fn('pay', openid, { action: 'order', outTradeNo });
  }
  return outTradeNo;
}

export const PAY_GALLERY: GalleryRow[] = [
  { page: 'orders', role: 'driver', name: 'orders-driver-empty', shows: '你还没有订单', tabBar: true },
  {
    page: 'recharge',
    role: 'driver',
    setup: async (stack) => ({ iccid: (await vehicleCards(stack, DEV_PLATE))[0] }),
    act: async (page) => page.tapText('月包 3GB'),
    shows: '微信支付 ¥25.00',
    readme: true,
  },
  {
    page: 'recharge',
    role: 'driver',
    name: 'recharge-driver-dev-pay',
    setup: async (stack) => ({ iccid: (await vehicleCards(stack, DEV_PLATE))[1] }),
    act: async (page) => {
      await page.tapText('月包 1GB');
      await page.tap('#pay');
      // The sheet has slid in (Vant's transition sets enter-to a frame after showing it).
      await page.waitFor(() => page.comp.dom!.outerHTML.includes('bottom-enter-to'), 'the sheet to slide in');
    },
    shows: '模拟微信支付',
  },
  {
    page: 'recharge',
    role: 'driver',
    name: 'recharge-driver-resume',
    setup: async (stack) => {
      const iccid = (await vehicleCards(stack, DEV_PLATE))[2];
      return { iccid, productId: 'P-M-3G', outTradeNo: await order(stack, 'dev-driver', iccid, 'P-M-3G') };
    },
    shows: '继续支付未完成的订单',
  },
  {
    page: 'recharge',
    role: 'driver',
    name: 'recharge-driver-not-theirs',
    setup: async (stack) => ({ iccid: (await vehicleCards(stack, '粤B67890'))[0] }),
    shows: '这张卡不属于你驾驶的车辆',
  },
  {
    page: 'recharge',
    role: 'manager',
    name: 'recharge-manager-closed',
    setup: async (stack) => ({ iccid: await closedCard(stack) }),
    shows: '不能充值',
  },
  {
    page: 'recharge',
    role: 'driver',
    name: 'recharge-driver-platform-down',
    setup: async (stack) => {
      await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 503 });
      return { iccid: (await vehicleCards(stack, DEV_PLATE))[0] };
    },
    act: async (page, stack) => {
      await page.waitForText('卡平台暂时无法访问');
      await stack.sim('POST', '/faults', {});
    },
    shows: '重试',
  },
  {
    page: 'pay-result',
    role: 'driver',
    setup: async (stack) => ({
      outTradeNo: await order(stack, 'dev-driver', (await vehicleCards(stack, DEV_PLATE))[0], 'P-M-3G', 'success'),
      from: 'paid',
    }),
    shows: '现在剩余流量',
    readme: true,
  },
  {
    page: 'pay-result',
    role: 'driver',
    name: 'pay-result-driver-pending',
    setup: async (stack) => ({
      outTradeNo: await order(stack, 'dev-driver', (await vehicleCards(stack, DEV_PLATE))[1], 'P-M-1G'),
      from: 'paid',
    }),
    shows: '如果你已经付款，结果可能稍有延迟',
  },
  {
    page: 'pay-result',
    role: 'driver',
    name: 'pay-result-driver-waited-out',
    setup: async (stack) => ({
      outTradeNo: await order(stack, 'dev-driver', (await vehicleCards(stack, DEV_PLATE))[2], 'P-M-1G'),
      from: 'paid',
    }),
    act: async (page) => {
      // As the last step of the backoff does: stop looking and say the platform will confirm later.
      await page.waitForText('待支付');
      page.instance.stop();
      page.instance.waitedOut();
      await page.settle();
    },
    shows: '再查一次',
  },
  {
    page: 'pay-result',
    role: 'driver',
    name: 'pay-result-driver-paid',
    setup: async (stack) => {
      const iccid = (await vehicleCards(stack, DEV_PLATE))[2];
      const outTradeNo = await order(stack, 'dev-driver', iccid, 'P-B-500M');
      await stack.sim('POST', '/faults', { dropNotifications: true });
      await stack.sim('POST', '/pay', { orderNo: outTradeNo, result: 'success' });
      // The card cannot be read back yet, so the package is not confirmed applied.
      await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 503, pathPattern: '^/cardservice/flowcards/' });
      return { outTradeNo, from: 'paid' };
    },
    act: async (page, stack) => {
      await page.waitForText('支付成功，正在到账', 15_000);
      page.instance.stop();
      await stack.sim('POST', '/faults', {});
    },
    shows: '已收到你的付款',
  },
  {
    page: 'pay-result',
    role: 'driver',
    name: 'pay-result-driver-cancelled',
    setup: async (stack) => ({
      outTradeNo: await order(stack, 'dev-driver', (await vehicleCards(stack, DEV_PLATE))[0], 'P-M-1G'),
      from: 'cancel',
    }),
    shows: '你取消了支付',
  },
  {
    page: 'pay-result',
    role: 'driver',
    name: 'pay-result-driver-failed',
    setup: async (stack) => ({
      outTradeNo: await order(stack, 'dev-driver', (await vehicleCards(stack, DEV_PLATE))[1], 'P-M-1G', 'fail'),
      from: 'fail',
    }),
    shows: '没有扣款',
  },
  {
    page: 'pay-result',
    role: 'manager',
    setup: async (stack) => ({
      outTradeNo: await order(stack, 'dev-manager', (await vehicleCards(stack, '粤A88888'))[0], 'P-Y-30G', 'success'),
    }),
    shows: '现在剩余流量',
  },
  { page: 'orders', role: 'driver', shows: '我的订单', tabBar: true },
  { page: 'orders', role: 'manager', shows: '车队全部订单', tabBar: true },
  {
    page: 'orders',
    role: 'manager',
    name: 'orders-manager-stats',
    act: async (page) => {
      await page.tapText('统计');
      await page.waitFor(() => page.data.hasStats, 'the totals');
    },
    shows: '近30天收款',
    tabBar: true,
  },
  { page: 'orders', role: 'staff', shows: '你没有权限', tabBar: true },
];
