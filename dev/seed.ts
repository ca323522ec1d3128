// The demo fleet's people and vehicles in the store, matched to cards the emulator serves.
// Idempotent: running it again leaves existing records alone.
import type { Member } from '../typings/api';
import type { Deps } from '../cloudfunctions/shared/runtime/handler';
import { DuplicateKeyError, type Doc } from '../cloudfunctions/shared/store/store';
import type { VehicleDoc } from '../cloudfunctions/shared/services/vehicles';
import { cardState, type Carrier } from '../typings/card-status';

export const DEV_MANAGER = 'dev-manager';
export const DEV_DRIVER = 'dev-driver';
export const DEV_STAFF = 'dev-staff';
export const DEV_PLATE = '粤B12345';

const PLATES = [DEV_PLATE, '粤B67890', '粤A88888', '京A12345', '沪C54321', '川A66666'];

interface ListedCard {
  iccid: string;
  carrier: Carrier;
  status: number;
  usedMB: number;
  totalMB: number;
}

async function insertOnce<T extends Doc>(deps: Deps, collection: 'members' | 'vehicles', doc: T): Promise<void> {
  try {
    await deps.store.insert(collection, doc);
  } catch (error) {
    if (!(error instanceof DuplicateKeyError)) throw error;
  }
}

export const vehicleId = (plate: string) => `veh-${Buffer.from(plate).toString('hex')}`;
export type { VehicleDoc };

export async function seedDevFleet(deps: Deps): Promise<{ vehicles: VehicleDoc[] }> {
  const page = await deps.platform.call<{ items: ListedCard[] }>('flowcard.list', { query: { skip: 0, take: 100 } });
  const active = page.items.filter((c) => cardState(c).state === 'active');
  const now = deps.now();
  const vehicles: VehicleDoc[] = PLATES.map((plate, i) => ({
    _id: vehicleId(plate),
    plate,
    // The driver's vehicle gets three cards; the others two each.
    iccids: (i === 0 ? active.slice(0, 3) : active.slice(3 + (i - 1) * 2, 5 + (i - 1) * 2)).map((c) => c.iccid),
    driverOpenids: i === 0 ? [DEV_DRIVER] : [],
    remark: '',
    createdAt: now,
  }));
  for (const vehicle of vehicles) await insertOnce(deps, 'vehicles', vehicle);
  const joinedAt = new Date(now).toISOString();
  const people: Array<Member & { _id: string }> = [
    { _id: DEV_MANAGER, openid: DEV_MANAGER, role: 'manager', name: '王经理', vehicleIds: [], joinedAt },
    {
      _id: DEV_DRIVER,
      openid: DEV_DRIVER,
      role: 'driver',
      name: '李师傅',
      vehicleIds: [vehicleId(DEV_PLATE)],
      joinedAt,
    },
    { _id: DEV_STAFF, openid: DEV_STAFF, role: 'staff', name: '张工', vehicleIds: [], joinedAt },
  ];
  for (const person of people) await insertOnce(deps, 'members', person);
  return { vehicles };
}
