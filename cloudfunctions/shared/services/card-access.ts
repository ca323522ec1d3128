// Which cards a caller may act on. Managers and field staff: every card of the fleet (the platform
// account is the fleet). Drivers: the cards of the vehicles they drive.
import { AppError } from '../runtime/errors';
import type { Caller, Deps } from '../runtime/handler';
import { findAll, type VehicleDoc } from './vehicles';

/** A driver drives a vehicle when the vehicle lists them, or their membership lists the vehicle. */
export function drives(caller: Caller, vehicle: VehicleDoc): boolean {
  return vehicle.driverOpenids.includes(caller.openid) || (caller.member?.vehicleIds ?? []).includes(vehicle._id);
}

/** The ICCIDs a driver may see and recharge; `null` means every card of the fleet. */
export async function visibleIccids(deps: Deps, caller: Caller): Promise<Set<string> | null> {
  if (caller.member?.role === 'manager' || caller.member?.role === 'staff') return null;
  if (caller.member?.role !== 'driver') return new Set();
  const vehicles = await findAll<VehicleDoc>(deps, 'vehicles');
  return new Set(vehicles.filter((v) => drives(caller, v)).flatMap((v) => v.iccids));
}

export async function assertCardAccess(deps: Deps, caller: Caller, iccid: string): Promise<void> {
  const visible = await visibleIccids(deps, caller);
  if (visible && !visible.has(iccid)) {
    throw new AppError('FORBIDDEN', '这张卡不属于你驾驶的车辆，无法查看或充值；如有疑问请联系车队管理员。');
  }
}
