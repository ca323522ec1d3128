// Vehicles: plate ↔ cards ↔ drivers. A unique, valid plate; cards of this fleet only, each on at most one
// vehicle; drivers who are drivers; member.vehicleIds always agreeing with the vehicles' driver lists.
import { DEV_DRIVER, DEV_MANAGER, DEV_PLATE, DEV_STAFF, vehicleId } from '../../dev/seed';
import { cardState } from '../../typings/card-status';
import { docs, fails, ok, suiteStack } from '../helpers/admin';

const stack = suiteStack();

const save = (body: Record<string, unknown>) => ok(stack(), 'admin', DEV_MANAGER, { action: 'saveVehicle', ...body });
const refused = (body: Record<string, unknown>) =>
  fails(stack(), 'admin', DEV_MANAGER, { action: 'saveVehicle', ...body });
const vehicles = () => ok<any[]>(stack(), 'admin', DEV_MANAGER, { action: 'vehicles' });
const vehicleOf = async (id: string) => (await vehicles()).find((v) => v.id === id);
const memberOf = async (openid: string) =>
  (await ok<any[]>(stack(), 'admin', DEV_MANAGER, { action: 'members' })).find((m) => m.openid === openid);

/** Active cards of the emulator that no seeded vehicle carries. */
async function freeCards(count: number): Promise<string[]> {
  const taken = new Set((await vehicles()).flatMap((v) => v.iccids));
  const free = [...stack().emulator.platform.cards.values()]
    .filter((c) => cardState(c).state === 'active' && !taken.has(c.iccid))
    .map((c) => c.iccid);
  return free.slice(0, count);
}

test('vehicles lists every vehicle with its cards and its drivers by name', async () => {
  const list = await vehicles();
  expect(list).toHaveLength(6);
  const own = list.find((v) => v.plate === DEV_PLATE);
  expect(own).toEqual({
    id: vehicleId(DEV_PLATE),
    plate: DEV_PLATE,
    iccids: expect.any(Array),
    driverOpenids: [DEV_DRIVER],
    driverNames: ['李师傅'],
    remark: '',
  });
  expect(own.iccids).toHaveLength(3);
});

test('a plate is normalised and must be a Chinese plate', async () => {
  const made = await save({ plate: ' 粤c·1234d ', iccids: [], driverOpenids: [], remark: '冷链车' });
  expect(made).toEqual(expect.objectContaining({ plate: '粤C1234D', remark: '冷链车', iccids: [], driverOpenids: [] }));
  for (const plate of ['12345', 'AB12345', '粤12345', '粤B1234567']) {
    const error = await refused({ plate, iccids: [], driverOpenids: [] });
    expect(error).toEqual({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('车牌号') });
  }
});

test('a plate is unique, however it is typed', async () => {
  const before = (await vehicles()).length;
  for (const plate of [DEV_PLATE, '粤b 12345', '粤B·12345']) {
    const error = await refused({ plate, iccids: [], driverOpenids: [] });
    expect(error).toEqual({ code: 'CONFLICT', message: expect.stringContaining('已登记') });
  }
  // Renaming another vehicle to a taken plate is refused too.
  const other = await vehicleOf(vehicleId('粤B67890'));
  expect((await refused({ ...other, plate: DEV_PLATE, driverNames: undefined })).code).toBe('CONFLICT');
  expect((await vehicles()).length).toBe(before);
});

test('two managers creating the same plate at once end with one vehicle', async () => {
  const replies = await Promise.all(
    [1, 2, 3].map(() =>
      stack().fn('admin', DEV_MANAGER, { action: 'saveVehicle', plate: '川B99999', iccids: [], driverOpenids: [] }),
    ),
  );
  expect(replies.filter((r) => r.ok).length).toBeGreaterThanOrEqual(1);
  for (const r of replies.filter((x) => !x.ok)) expect(r.error.code).toBe('CONFLICT');
  expect(await docs(stack(), 'vehicles', { plate: '川B99999' })).toHaveLength(1);
});

test('only cards of this fleet: an unknown ICCID is named; one missing from the index is asked of the platform', async () => {
  const unknown = '8986000000000000001';
  const error = await refused({ plate: '粤Z00001', iccids: [unknown], driverOpenids: [] });
  expect(error).toEqual({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(unknown) });

  const [card] = await freeCards(1);
  await stack().deps.store.remove('cards', card);
  const detailCalls = async () => (await stack().sim('GET', '/stats')).operations['flowcard.detail'] ?? 0;
  const calls = await detailCalls();
  const made = await save({ plate: '粤Z00001', iccids: [card], driverOpenids: [] });
  expect(made.iccids).toEqual([card]);
  expect(await detailCalls()).toBe(calls + 1);
  expect(await stack().deps.store.get('cards', card)).toEqual(expect.objectContaining({ iccid: card }));
});

test('drivers must be members with the driver role', async () => {
  const stranger = await refused({ plate: '粤Z00002', iccids: [], driverOpenids: ['o-nobody'] });
  expect(stranger).toEqual({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('不是车队成员') });
  const staff = await refused({ plate: '粤Z00002', iccids: [], driverOpenids: [DEV_STAFF] });
  expect(staff).toEqual({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('只有司机') });
  const manager = await refused({ plate: '粤Z00002', iccids: [], driverOpenids: [DEV_MANAGER] });
  expect(manager.message).toContain('管理员');
});

test('a card moves from its vehicle to the one it is saved on, and the audit says from where', async () => {
  const own = await vehicleOf(vehicleId(DEV_PLATE));
  const moving = own.iccids[0];
  const made = await save({ plate: '粤Z00003', iccids: [moving], driverOpenids: [] });
  expect(made.iccids).toEqual([moving]);
  expect((await vehicleOf(own.id)).iccids).toEqual(own.iccids.slice(1));
  const holders = (await vehicles()).filter((v) => v.iccids.includes(moving));
  expect(holders.map((v) => v.id)).toEqual([made.id]);

  const trail = await ok(stack(), 'admin', DEV_MANAGER, { action: 'audit', skip: 0, take: 5 });
  expect(trail.items[0]).toEqual(
    expect.objectContaining({
      action: 'vehicle.save',
      actor: DEV_MANAGER,
      actorName: '王经理',
      target: made.id,
      outcome: 'ok',
      detail: expect.objectContaining({
        plate: '粤Z00003',
        created: true,
        added: [moving],
        movedFrom: [{ vehicleId: own.id, plate: DEV_PLATE, iccids: [moving] }],
      }),
    }),
  );

  // Back again: the driver's vehicle gets it back, and keeps its other cards.
  const back = await save({ ...own, driverNames: undefined });
  expect(back.iccids).toEqual(own.iccids);
  expect((await vehicleOf(made.id)).iccids).toEqual([]);
});

test("member.vehicleIds follows the vehicle's driver list both ways", async () => {
  const made = await save({ plate: '粤Z00004', iccids: [], driverOpenids: [DEV_DRIVER] });
  expect(made.driverNames).toEqual(['李师傅']);
  expect((await memberOf(DEV_DRIVER)).vehicleIds.sort()).toEqual([vehicleId(DEV_PLATE), made.id].sort());

  const cards = await freeCards(2);
  const updated = await save({ id: made.id, plate: '粤Z00004', iccids: cards, driverOpenids: [] });
  expect(updated).toEqual(expect.objectContaining({ id: made.id, iccids: cards, driverOpenids: [] }));
  expect((await memberOf(DEV_DRIVER)).vehicleIds).toEqual([vehicleId(DEV_PLATE)]);
  // The driver no longer sees that vehicle's cards.
  const list = await ok(stack(), 'cards', DEV_DRIVER, { action: 'list', skip: 0, take: 100 });
  expect(list.items.map((c: any) => c.iccid)).not.toContain(cards[0]);
});

test('an update of a vehicle that does not exist is NOT_FOUND; a stale concurrent update is a CONFLICT', async () => {
  expect((await refused({ id: 'veh-gone', plate: '粤Z00005', iccids: [], driverOpenids: [] })).code).toBe('NOT_FOUND');

  const made = await save({ plate: '粤Z00006', iccids: [], driverOpenids: [] });
  const replies = await Promise.all(
    ['第一次', '第二次', '第三次'].map((remark) =>
      stack().fn('admin', DEV_MANAGER, {
        action: 'saveVehicle',
        id: made.id,
        plate: '粤Z00006',
        iccids: [],
        driverOpenids: [],
        remark,
      }),
    ),
  );
  const succeeded = replies.filter((r) => r.ok);
  expect(succeeded.length).toBeGreaterThanOrEqual(1);
  for (const r of replies.filter((x) => !x.ok)) expect(r.error.code).toBe('CONFLICT');
  const [doc] = await docs(stack(), 'vehicles', { plate: '粤Z00006' });
  expect(doc.version).toBe(1 + succeeded.length);
  expect(succeeded.map((r) => r.data.remark)).toContain(doc.remark);
});
