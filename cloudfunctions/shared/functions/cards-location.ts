// Card locations for the map: the carrier's base-station fix (WGS-84) converted to GCJ-02 for a WeChat map.
import type { CardState, Location } from '../../../typings/api';
import { cardState } from '../../../typings/card-status';
import { AppError, notFound } from '../runtime/errors';
import type { Caller, Deps } from '../runtime/handler';
import { fetchCard, type CardDoc } from '../services/cards';
import { visibleIccids } from '../services/card-access';
import { indexedCards } from '../services/card-index';
import { wgs84ToGcj02 } from '../services/geo';
import { fleetIndex, type FleetIndex } from '../services/vehicles';

/** At most this many platform calls for one `locations` request. */
export const MAX_LOCATIONS = 200;
const CONCURRENCY = 8;
/** Cards that have been in service (running or stopped) have a last known location. */
const LOCATED_STATES: CardState[] = ['active', 'suspended', 'arrears'];

interface PlatformLocation {
  lng: number;
  lat: number;
  radius: number;
  locatedAt: string;
}

async function locate(deps: Deps, card: { iccid: string; state: CardState }, fleet: FleetIndex): Promise<Location> {
  const fix = await deps.platform.call<PlatformLocation>('flowcard.location', { params: { iccid: card.iccid } });
  const { lng, lat } = wgs84ToGcj02(fix.lng, fix.lat);
  return {
    iccid: card.iccid,
    lng,
    lat,
    radius: fix.radius,
    locatedAt: fix.locatedAt,
    coordType: 'gcj02',
    plate: fleet.vehicleOf(card.iccid)?.plate ?? null,
    state: card.state,
  };
}

export async function cardLocation(deps: Deps, iccid: string): Promise<Location> {
  const [indexed, fleet] = await Promise.all([deps.store.get<CardDoc>('cards', iccid), fleetIndex(deps)]);
  const state = indexed?.state ?? cardState(await fetchCard(deps, iccid)).state;
  try {
    return await locate(deps, { iccid, state }, fleet);
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') {
      throw notFound('这张卡暂时没有定位信息：可能尚未激活或很久没有联网，请稍后再试。');
    }
    throw error;
  }
}

/** Runs `fn` over `items`, at most `limit` at a time (the platform client paces the calls). */
async function inPool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Every card of the caller that has a location. Cards beyond MAX_LOCATIONS, without a location or whose
 * call failed are counted in `missing`; if every call failed for another reason than "no location", the
 * first such error is the answer.
 */
export async function cardLocations(deps: Deps, caller: Caller): Promise<{ items: Location[]; missing: number }> {
  const [visible, fleet] = await Promise.all([visibleIccids(deps, caller), fleetIndex(deps)]);
  const indexed = await indexedCards(deps, visible, visible ? {} : { state: { in: LOCATED_STATES } });
  const cards = indexed.map((c) => ({ iccid: c._id, state: c.state }));
  if (visible) {
    const known = new Set(cards.map((c) => c.iccid));
    for (const iccid of visible) if (!known.has(iccid)) cards.push({ iccid, state: 'unknown' });
  }
  // Running cards first, so that the cap leaves out stopped ones before them.
  cards.sort((a, b) => Number(b.state === 'active') - Number(a.state === 'active'));
  const targets = cards.slice(0, MAX_LOCATIONS);
  const items: Location[] = [];
  let failure: unknown;
  await inPool(targets, CONCURRENCY, async (card) => {
    try {
      items.push(await locate(deps, card, fleet));
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'NOT_FOUND')) failure ??= error;
    }
  });
  if (items.length === 0 && failure) throw failure;
  items.sort((a, b) => (a.iccid < b.iccid ? -1 : 1));
  return { items, missing: cards.length - items.length };
}
