// Test data for the cards suites, picked from the emulator's and the store's state.
import type { CardDoc } from '../../cloudfunctions/shared/services/cards';
import type { VehicleDoc } from '../../cloudfunctions/shared/services/vehicles';
import type { FlowCard } from '../../dev/platform/model';
import { DEV_PLATE, vehicleId } from '../../dev/seed';
import { cardState, type CardState } from '../../typings/card-status';
import type { TestStack } from './stack';

export const MANAGER = 'dev-manager';
export const DRIVER = 'dev-driver';
export const STAFF = 'dev-staff';
export const STRANGER = 'someone-else';

/** How many calls of this platform operation the emulator has answered so far. */
export async function opCount(stack: TestStack, operation: string): Promise<number> {
  return (await stack.sim('GET', '/stats')).operations[operation] ?? 0;
}

export async function networkCount(stack: TestStack, iccid: string): Promise<{ stop: number; resume: number }> {
  return (await stack.sim('GET', '/stats')).network[iccid] ?? { stop: 0, resume: 0 };
}

export function emulatorCards(stack: TestStack): FlowCard[] {
  return [...stack.emulator.platform.cards.values()];
}

export const stateOf = (card: FlowCard): CardState => cardState(card).state;

export async function vehicle(stack: TestStack, plate = DEV_PLATE): Promise<VehicleDoc> {
  const doc = await stack.deps.store.get<VehicleDoc>('vehicles', vehicleId(plate));
  if (!doc) throw new Error(`no vehicle ${plate}`);
  return doc;
}

/** The driver's own cards, and active cards on no vehicle of theirs. */
export async function pickCards(stack: TestStack): Promise<{ own: string[]; others: FlowCard[] }> {
  const own = (await vehicle(stack)).iccids;
  const others = emulatorCards(stack).filter((c) => !own.includes(c.iccid) && stateOf(c) === 'active');
  return { own, others };
}

/** A card of the emulator matching `test` that no other test of the suite has taken yet. */
export function takeCard(stack: TestStack, taken: Set<string>, test: (c: FlowCard) => boolean): FlowCard {
  const card = emulatorCards(stack).find((c) => !taken.has(c.iccid) && test(c));
  if (!card) throw new Error('no card matches');
  taken.add(card.iccid);
  return card;
}

export async function indexDoc(stack: TestStack, iccid: string): Promise<CardDoc | null> {
  return stack.deps.store.get<CardDoc>('cards', iccid);
}
