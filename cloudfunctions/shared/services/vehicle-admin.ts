// Vehicles as a manager edits them: a unique plate, cards of this fleet (a card belongs to at most one
// vehicle), drivers who are members with the driver role; and the two lists that say who drives what —
// vehicle.driverOpenids and member.vehicleIds — kept saying the same thing.
import { randomBytes } from 'node:crypto';
import type { Req, Role } from '../../../typings/api';
import { AppError, invalid, notFound } from '../runtime/errors';
import type { Deps } from '../runtime/handler';
import { audit } from './audit';
import { fetchCard, type CardDoc } from './cards';
import type { MemberDoc } from './members';
import { saveEdited, updateVersioned, type Versioned } from './versioned';
import { findAll, isPlate, normalisePlate, type VehicleDoc } from './vehicles';

export type EditableVehicle = VehicleDoc & Versioned & { updatedAt?: number };

export type VehicleInput = Req<'admin', 'saveVehicle'>;

export const ROLE_NAMES: Record<Role, string> = { manager: '管理员', driver: '司机', staff: '外勤' };

const listed = (items: string[]) => items.slice(0, 5).join('、') + (items.length > 5 ? ` 等 ${items.length} 个` : '');

/** Refuses, by number, any ICCID that is neither in the card index nor known to the platform. */
export async function assertFleetCards(deps: Deps, iccids: string[]): Promise<void> {
  if (iccids.length === 0) return;
  const indexed = await deps.store.find<CardDoc>('cards', { iccid: { in: iccids } }, { take: 1000 });
  const known = new Set(indexed.map((card) => card.iccid));
  const unknown: string[] = [];
  // Not indexed yet (the sync has not seen it): the platform decides.
  const missing = iccids.filter((iccid) => !known.has(iccid));
  for (let i = 0; i < missing.length; i += 5) {
    await Promise.all(
      missing.slice(i, i + 5).map(async (iccid) => {
        try {
          await fetchCard(deps, iccid);
        } catch (error) {
          if (error instanceof AppError && error.code === 'NOT_FOUND') unknown.push(iccid);
          else throw error;
        }
      }),
    );
  }
  if (unknown.length) {
    throw invalid(`以下卡号不是本车队的卡：${listed(unknown)}，请核对卡号后再试。`);
  }
}

/** Every openid must be a member with the driver role. */
export async function assertDrivers(deps: Deps, openids: string[]): Promise<void> {
  if (openids.length === 0) return;
  const members = await deps.store.find<MemberDoc>('members', { openid: { in: openids } }, { take: 1000 });
  const byOpenid = new Map(members.map((m) => [m.openid, m]));
  const strangers = openids.filter((o) => !byOpenid.has(o));
  if (strangers.length) throw invalid(`以下用户不是车队成员：${listed(strangers)}，请先邀请他们加入车队。`);
  const others = members.filter((m) => m.role !== 'driver');
  if (others.length) {
    const who = others.map((m) => `${m.name || m.openid}（${ROLE_NAMES[m.role]}）`);
    throw invalid(`只有司机可以分配到车辆，${listed(who)}不是司机。`);
  }
}

async function assertPlateFree(deps: Deps, plate: string, ownId: string | undefined): Promise<void> {
  const same = await deps.store.find<VehicleDoc>('vehicles', { plate }, { take: 10 });
  if (same.some((v) => v._id !== ownId)) {
    throw new AppError('CONFLICT', `车牌 ${plate} 已登记在另一辆车上，请直接编辑那辆车。`);
  }
}

/** Two managers creating the same plate at once: the earlier vehicle stays, the later one is withdrawn. */
async function keepFirstWithPlate(deps: Deps, created: EditableVehicle): Promise<void> {
  const same = await deps.store.find<VehicleDoc>('vehicles', { plate: created.plate }, { take: 10 });
  const first = same.sort((a, b) => a.createdAt - b.createdAt || a._id.localeCompare(b._id))[0];
  if (first && first._id !== created._id) {
    await deps.store.remove('vehicles', created._id);
    throw new AppError('CONFLICT', `车牌 ${created.plate} 已登记在另一辆车上，请直接编辑那辆车。`);
  }
}

/** A card moves to `vehicle`: every other vehicle that lists it lets it go. Answers where cards came from. */
async function takeCardsFromOthers(
  deps: Deps,
  vehicle: EditableVehicle,
): Promise<Array<{ vehicleId: string; plate: string; iccids: string[] }>> {
  const mine = new Set(vehicle.iccids);
  const moved: Array<{ vehicleId: string; plate: string; iccids: string[] }> = [];
  for (const other of await findAll<EditableVehicle>(deps, 'vehicles')) {
    if (other._id === vehicle._id || !other.iccids.some((iccid) => mine.has(iccid))) continue;
    let taken: string[] = [];
    await updateVersioned<EditableVehicle>(deps, 'vehicles', other._id, (doc) => {
      taken = doc.iccids.filter((iccid) => mine.has(iccid));
      return taken.length ? { iccids: doc.iccids.filter((iccid) => !mine.has(iccid)), updatedAt: deps.now() } : null;
    });
    if (taken.length) moved.push({ vehicleId: other._id, plate: other.plate, iccids: taken });
  }
  return moved;
}

/** Makes member.vehicleIds agree with the vehicle's driver list, for every member. */
async function syncMembersTo(deps: Deps, vehicleId: string, driverOpenids: string[]): Promise<void> {
  for (const member of await findAll<MemberDoc>(deps, 'members')) {
    if (driverOpenids.includes(member.openid) === member.vehicleIds.includes(vehicleId)) continue;
    await updateVersioned<MemberDoc & Versioned>(deps, 'members', member._id, (doc) => {
      const should = driverOpenids.includes(doc.openid);
      if (should === doc.vehicleIds.includes(vehicleId)) return null;
      return { vehicleIds: should ? [...doc.vehicleIds, vehicleId] : doc.vehicleIds.filter((id) => id !== vehicleId) };
    });
  }
}

/** A driver who joined by an invite for these vehicles appears in their driver lists. */
export async function addDriverToVehicles(deps: Deps, openid: string, vehicleIds: string[]): Promise<void> {
  for (const id of vehicleIds) {
    await updateVersioned<EditableVehicle>(deps, 'vehicles', id, (doc) =>
      doc.driverOpenids.includes(openid) ? null : { driverOpenids: [...doc.driverOpenids, openid] },
    );
  }
}

/** A member who leaves drives nothing any more. */
export async function removeDriverEverywhere(deps: Deps, openid: string): Promise<void> {
  for (const vehicle of await findAll<EditableVehicle>(deps, 'vehicles')) {
    if (!vehicle.driverOpenids.includes(openid)) continue;
    await updateVersioned<EditableVehicle>(deps, 'vehicles', vehicle._id, (doc) =>
      doc.driverOpenids.includes(openid) ? { driverOpenids: doc.driverOpenids.filter((o) => o !== openid) } : null,
    );
  }
}

/** Creates a vehicle, or updates one if nobody changed it since it was read. */
export async function saveVehicle(deps: Deps, actor: string, input: VehicleInput): Promise<EditableVehicle> {
  const plate = normalisePlate(input.plate);
  if (!isPlate(plate)) throw invalid(`车牌号“${input.plate}”格式不正确，请输入完整车牌，例如“粤B12345”。`);
  const iccids = [...new Set(input.iccids)];
  const driverOpenids = [...new Set(input.driverOpenids)];
  const existing = input.id ? await deps.store.get<EditableVehicle>('vehicles', input.id) : null;
  if (input.id && !existing) throw notFound('没有找到这辆车，请刷新车辆列表后重试。');
  await assertPlateFree(deps, plate, input.id);
  await assertDrivers(deps, driverOpenids);
  await assertFleetCards(deps, iccids);

  const now = deps.now();
  const fields = { plate, iccids, driverOpenids, remark: input.remark ?? existing?.remark ?? '', updatedAt: now };
  const saved = await saveEdited<EditableVehicle>(
    deps,
    'vehicles',
    existing,
    fields,
    () => ({ _id: `veh-${randomBytes(6).toString('hex')}`, ...fields, createdAt: now }),
    '这辆车的信息刚被其他管理员修改，请刷新后再保存。',
  );
  if (!existing) await keepFirstWithPlate(deps, saved);
  const movedFrom = await takeCardsFromOthers(deps, saved);
  await syncMembersTo(deps, saved._id, driverOpenids);
  await audit(deps, {
    actor,
    action: 'vehicle.save',
    target: saved._id,
    outcome: 'ok',
    detail: {
      plate,
      created: !existing,
      added: iccids.filter((iccid) => !existing?.iccids.includes(iccid)),
      removed: (existing?.iccids ?? []).filter((iccid) => !iccids.includes(iccid)),
      movedFrom,
      driverOpenids,
    },
  });
  return saved;
}
