// Vehicles: a plate, its cards and its drivers. A card belongs to at most one vehicle.
import type { Vehicle } from '../../../typings/api';
import type { Deps } from '../runtime/handler';
import type { Doc } from '../store/store';
import type { MemberDoc } from './members';

export interface VehicleDoc extends Doc {
  plate: string;
  iccids: string[];
  driverOpenids: string[];
  remark: string;
  createdAt: number;
}

/** Every document of a collection, page by page (stores return at most 1000 at a time). */
export async function findAll<T extends Doc>(
  deps: Deps,
  collection: 'vehicles' | 'members' | 'cards' | 'pending' | 'alerts' | 'alertWatch',
  where = {},
): Promise<T[]> {
  const all: T[] = [];
  for (let skip = 0; ; skip += 1000) {
    const page = await deps.store.find<T>(collection, where, { skip, take: 1000 });
    all.push(...page);
    if (page.length < 1000) return all;
  }
}

/** The fleet's vehicles and members, looked up by ICCID and openid: what a card row needs to show. */
export interface FleetIndex {
  vehicles: VehicleDoc[];
  vehicleOf(iccid: string): VehicleDoc | undefined;
  nameOf(openid: string): string;
}

export async function fleetIndex(deps: Deps): Promise<FleetIndex> {
  const [vehicles, members] = await Promise.all([
    findAll<VehicleDoc>(deps, 'vehicles'),
    findAll<MemberDoc>(deps, 'members'),
  ]);
  const byIccid = new Map<string, VehicleDoc>();
  for (const v of vehicles) for (const iccid of v.iccids) byIccid.set(iccid, v);
  const names = new Map(members.map((m) => [m.openid, m.name]));
  return {
    vehicles,
    vehicleOf: (iccid) => byIccid.get(iccid),
    nameOf: (openid) => names.get(openid) || '未命名成员',
  };
}

export function toVehicle(doc: VehicleDoc, index: Pick<FleetIndex, 'nameOf'>): Vehicle {
  return {
    id: doc._id,
    plate: doc.plate,
    iccids: doc.iccids,
    driverOpenids: doc.driverOpenids,
    driverNames: doc.driverOpenids.map((o) => index.nameOf(o)),
    remark: doc.remark,
  };
}

/** Normalises a Chinese plate: upper case, no spaces or dots (粤b·12345 → 粤B12345). */
export function normalisePlate(raw: string): string {
  return raw.replace(/[\s·.-]/g, '').toUpperCase();
}

// 省份简称 + letter + 5 (or 6 for new-energy) letters/digits; 警/学/挂 etc. at the end allowed.
const PLATE =
  /^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-Z][A-Z0-9]{4,5}[A-Z0-9挂学警港澳]$/;

export function isPlate(plate: string): boolean {
  return PLATE.test(plate);
}
