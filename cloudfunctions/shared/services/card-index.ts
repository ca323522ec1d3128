// Reading the card index (collection 'cards'): a caller's cards with the filters the platform cannot
// apply (normalised state, vehicle, plate), the fleet summary, and card rows joined with vehicle, driver
// and pending stop/resume.
import type { Card, CardState, CardSummary } from '../../../typings/api';
import type { Deps } from '../runtime/handler';
import type { Where } from '../store/store';
import { isLowData, pendingFor, type CardDoc, type PendingDoc, type PlatformCard } from './cards';
import { fleetIndex, findAll, normalisePlate, type FleetIndex } from './vehicles';

export const CARD_STATES: readonly CardState[] = ['active', 'suspended', 'arrears', 'inactive', 'closed', 'unknown'];
/** meta document holding when the last full pass of the card sync finished. */
export const SYNCED_AT_ID = 'cardsSyncedAt';
const IDS_PER_QUERY = 500;

interface SyncedAtDoc {
  _id: string;
  at: number;
}

export async function lastSyncedAt(deps: Deps): Promise<string | null> {
  const doc = await deps.store.get<SyncedAtDoc>('meta', SYNCED_AT_ID);
  return doc ? new Date(doc.at).toISOString() : null;
}

export async function markSynced(deps: Deps): Promise<void> {
  await deps.store.put<SyncedAtDoc>('meta', { _id: SYNCED_AT_ID, at: deps.now() });
}

/** Indexed cards matching `where`, limited to `only` (null: the whole fleet), ordered by ICCID. */
export async function indexedCards(deps: Deps, only: Set<string> | null, where: Where = {}): Promise<CardDoc[]> {
  let docs: CardDoc[];
  if (only === null) {
    docs = await findAll<CardDoc>(deps, 'cards', where);
  } else {
    const ids = [...only];
    docs = [];
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const chunk = ids.slice(i, i + IDS_PER_QUERY);
      docs.push(...(await deps.store.find<CardDoc>('cards', { ...where, _id: { in: chunk } }, { take: chunk.length })));
    }
  }
  return docs.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
}

/** ICCIDs of the vehicles whose plate contains the keyword (粤B12345, b12345), or null when none does. */
export function iccidsOfPlate(fleet: FleetIndex, keyword: string): Set<string> | null {
  const wanted = normalisePlate(keyword);
  if (wanted.length < 2) return null;
  const vehicles = fleet.vehicles.filter((v) => normalisePlate(v.plate).includes(wanted));
  return vehicles.length ? new Set(vehicles.flatMap((v) => v.iccids)) : null;
}

/** A plain, case-insensitive substring match on ICCID, MSISDN, IMSI and remark, or the card's plate. */
export function matchesKeyword(card: PlatformCard, keyword: string, plateIccids: Set<string> | null): boolean {
  const k = keyword.toLowerCase();
  return (
    (plateIccids?.has(card.iccid) ?? false) ||
    [card.iccid, card.msisdn, card.imsi, card.remark].some((field) => (field ?? '').toLowerCase().includes(k))
  );
}

export function summarise(cards: CardDoc[], syncedAt: string | null): CardSummary {
  const byState = Object.fromEntries(CARD_STATES.map((s) => [s, 0])) as Record<CardState, number>;
  let lowData = 0;
  const tags = new Map<string, number>();
  for (const card of cards) {
    byState[card.state] = (byState[card.state] ?? 0) + 1;
    if (isLowData(card, card.state)) lowData += 1;
    for (const tag of card.tags) tags.set(tag, (tags.get(tag) ?? 0) + 1);
  }
  return {
    total: cards.length,
    byState,
    stopped: byState.suspended + byState.arrears,
    lowData,
    arrears: byState.arrears,
    tags: [...tags]
      .map(([name, count]) => ({ name, count }))
      .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
    syncedAt,
  };
}

type View<T> = (pc: PlatformCard, fleet: FleetIndex, pending: PendingDoc | undefined, now: number) => T;

/**
 * Cards as the app shows them (toCard or toDetail), joined with vehicle, driver and pending request. A
 * pending request the carrier has confirmed (or that grew too old) has done its job and is deleted.
 */
export async function present<T extends Card>(
  deps: Deps,
  cards: PlatformCard[],
  view: View<T>,
  fleet?: FleetIndex,
): Promise<T[]> {
  const [index, pending] = await Promise.all([
    fleet ?? fleetIndex(deps),
    pendingFor(
      deps,
      cards.map((c) => c.iccid),
    ),
  ]);
  const now = deps.now();
  const rows = cards.map((pc) => view(pc, index, pending.get(pc.iccid), now));
  const settled = rows.filter((row) => row.pending === null && pending.has(row.iccid));
  await Promise.all(settled.map((row) => deps.store.remove('pending', row.iccid)));
  return rows;
}
