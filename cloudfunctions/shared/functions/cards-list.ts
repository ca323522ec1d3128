// cards.list: one platform call per page when the platform can apply every filter (keyword, carrier, tag)
// for the whole fleet; otherwise (normalised state, low on data, vehicle, a plate typed as keyword, a driver's own cards)
// the page comes from the card index without calling the platform.
import type { CardFilter, CardList } from '../../../typings/api';
import type { Caller, Deps } from '../runtime/handler';
import { indexCards, isLowData, toCard, type PlatformCard } from '../services/cards';
import { visibleIccids } from '../services/card-access';
import { iccidsOfPlate, indexedCards, lastSyncedAt, matchesKeyword, present } from '../services/card-index';
import { fleetIndex, type FleetIndex } from '../services/vehicles';
import type { Where } from '../store/store';

export type ListInput = { skip: number; take: number } & CardFilter;

export async function listCards(deps: Deps, caller: Caller, input: ListInput): Promise<CardList> {
  const keyword = input.keyword || undefined;
  const [visible, fleet] = await Promise.all([visibleIccids(deps, caller), fleetIndex(deps)]);
  const plateIccids = keyword ? iccidsOfPlate(fleet, keyword) : null;
  if (visible === null && !input.state && !input.lowData && !input.vehicleId && !plateIccids) {
    return listFromPlatform(deps, fleet, { ...input, keyword });
  }
  let only = visible;
  if (input.vehicleId) {
    const vehicle = new Set(fleet.vehicles.find((v) => v._id === input.vehicleId)?.iccids ?? []);
    only = new Set([...(only ?? vehicle)].filter((iccid) => vehicle.has(iccid)));
  }
  const where: Where = {};
  if (input.state) where.state = input.state;
  if (input.lowData) where.state = 'active';
  if (input.carrier) where.carrier = input.carrier;
  const matching = (await indexedCards(deps, only, where)).filter(
    (card) =>
      (!input.tag || card.tags.includes(input.tag)) &&
      (!input.lowData || isLowData(card, card.state)) &&
      (!keyword || matchesKeyword(card, keyword, plateIccids)),
  );
  const page = matching.slice(input.skip, input.skip + input.take);
  return {
    total: matching.length,
    items: await present(deps, page, toCard, fleet),
    source: 'index',
    syncedAt: await lastSyncedAt(deps),
  };
}

async function listFromPlatform(deps: Deps, fleet: FleetIndex, input: ListInput): Promise<CardList> {
  const page = await deps.platform.call<{ total: number; items: PlatformCard[] }>('flowcard.list', {
    query: { skip: input.skip, take: input.take, keyword: input.keyword, carrier: input.carrier, tag: input.tag },
  });
  await indexCards(deps, page.items);
  return {
    total: page.total,
    items: await present(deps, page.items, toCard, fleet),
    source: 'platform',
    syncedAt: new Date(deps.now()).toISOString(),
  };
}
