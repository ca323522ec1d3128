// The audit trail (who, when, what, how it ended; newest first; by card) and the recharge-card stock.
import { DEV_MANAGER, DEV_PLATE, vehicleId } from '../../dev/seed';
import { ok, suiteStack } from '../helpers/admin';

const stack = suiteStack();

const audit = (body: Record<string, unknown>) => ok(stack(), 'admin', DEV_MANAGER, { action: 'audit', ...body });
const datacards = (body: Record<string, unknown>) =>
  ok(stack(), 'admin', DEV_MANAGER, { action: 'datacards', ...body });

test('audit lists who did what to which card, when and how it ended, newest first and page by page', async () => {
  const start = Date.now();
  const own = (await stack().deps.store.get<any>('vehicles', vehicleId(DEV_PLATE))).iccids as string[];
  for (const [i, iccid] of own.entries()) {
    stack().deps.now = () => start + i * 1000;
    await ok(stack(), 'admin', DEV_MANAGER, {
      action: 'saveAlert',
      iccid,
      thresholdMB: 100 + i,
      notify: [DEV_MANAGER],
    });
  }
  stack().deps.now = Date.now;

  const first = await audit({ skip: 0, take: 2 });
  const second = await audit({ skip: 2, take: 2 });
  expect(first.total).toBeGreaterThanOrEqual(3);
  expect(second.total).toBe(first.total);
  expect(first.items).toHaveLength(2);
  expect(first.items[0]).toEqual({
    id: expect.any(String),
    at: new Date(start + 2000).toISOString(),
    actor: DEV_MANAGER,
    actorName: '王经理',
    action: 'alert.save',
    target: expect.stringMatching(/^alr-/),
    iccid: own[2],
    outcome: 'ok',
    detail: expect.objectContaining({ thresholdMB: 102, created: true }),
  });
  expect(first.items[1].iccid).toBe(own[1]);
  expect(second.items[0].iccid).toBe(own[0]);
  const ats = [...first.items, ...second.items].map((e: any) => Date.parse(e.at));
  expect(ats).toEqual([...ats].sort((a, b) => b - a));

  const oneCard = await audit({ skip: 0, take: 10, iccid: own[1] });
  expect(oneCard.total).toBe(1);
  expect(oneCard.items.map((e: any) => e.iccid)).toEqual([own[1]]);
  const past = await audit({ skip: 1000, take: 10 });
  expect(past).toEqual({ total: first.total, items: [] });
});

test('datacards pages the platform stock with the status in words, and filters by status', async () => {
  const stock = stack().emulator.platform.dataCards;
  const all = await datacards({ skip: 0, take: 10 });
  expect(all.total).toBe(stock.length);
  expect(all.items).toHaveLength(10);
  expect(all.items[0]).toEqual({
    id: stock[0].id,
    cardNo: stock[0].cardNo,
    productId: stock[0].productId,
    dataMB: stock[0].dataMB,
    status: stock[0].status,
    statusText: ['未使用', '已使用', '已过期', '已划拨'][stock[0].status],
    expireAt: stock[0].expireAt,
  });
  const next = await datacards({ skip: 10, take: 10 });
  expect(next.items.map((d: any) => d.id)).toEqual(stock.slice(10, 20).map((d) => d.id));

  const words = ['未使用', '已使用', '已过期', '已划拨'];
  for (const status of [0, 1, 2, 3]) {
    const page = await datacards({ skip: 0, take: 100, status });
    expect(page.total).toBe(stock.filter((d) => d.status === status).length);
    expect(page.items.every((d: any) => d.status === status && d.statusText === words[status])).toBe(true);
  }
});
