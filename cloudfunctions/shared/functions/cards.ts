// The `cards` function: the fleet's cards for managers and field staff, a driver's own vehicles' cards,
// and stop/resume and edits for managers.
import { z } from 'zod';
import type { RealName } from '../../../typings/api';
import { action, defineFunction, type Deps } from '../runtime/handler';
import { assertCardAccess, visibleIccids } from '../services/card-access';
import { indexedCards, lastSyncedAt, present, summarise } from '../services/card-index';
import { ICCID_PATTERN } from '../services/card-lookup';
import { requestNetwork } from '../services/card-network';
import { usageHistory, usageWithForecast } from '../services/card-usage';
import { fetchCard, toDetail } from '../services/cards';
import { listCards } from './cards-list';
import { lookupCard, updateCard } from './cards-edit';
import { cardLocation, cardLocations } from './cards-location';

const READERS = ['manager', 'staff', 'driver'] as const;
const MANAGER = ['manager'] as const;

// Upper case: the platform spells the letters of Unicom ICCIDs in capitals.
const iccid = z.string().trim().max(20).toUpperCase().regex(ICCID_PATTERN);

/** An action on one card that any member may read: a driver only the cards of their own vehicles. */
function readCard<R>(run: (deps: Deps, iccid: string) => Promise<R>) {
  return action({
    access: READERS,
    input: z.strictObject({ iccid }),
    async run({ caller, input, deps }) {
      await assertCardAccess(deps, caller, input.iccid);
      return run(deps, input.iccid);
    },
  });
}

async function realName(deps: Deps, iccid: string): Promise<RealName> {
  const r = await deps.platform.call<RealName>('flowcard.reality', { params: { iccid } });
  // Only the masked fields the platform gives, nothing else it may add.
  return { iccid: r.iccid, realNameStatus: r.realNameStatus, name: r.name, idNumber: r.idNumber, boundAt: r.boundAt };
}

export const cards = defineFunction('cards', {
  list: action({
    access: READERS,
    input: z.strictObject({
      skip: z.number().int().min(0).max(1_000_000),
      take: z.number().int().min(1).max(100),
      keyword: z.string().trim().max(64).optional(),
      state: z.enum(['active', 'suspended', 'arrears', 'inactive', 'closed', 'unknown']).optional(),
      carrier: z.enum(['cmcc', 'cucc', 'ctcc']).optional(),
      tag: z.string().trim().min(1).max(20).optional(),
      vehicleId: z.string().min(1).max(64).optional(),
      lowData: z.boolean().optional(),
    }),
    run: ({ caller, input, deps }) => listCards(deps, caller, input),
  }),
  summary: action({
    access: READERS,
    input: z.strictObject({}),
    async run({ caller, deps }) {
      const [docs, syncedAt] = await Promise.all([
        indexedCards(deps, await visibleIccids(deps, caller)),
        lastSyncedAt(deps),
      ]);
      return summarise(docs, syncedAt);
    },
  }),
  detail: readCard(async (deps, iccid) => (await present(deps, [await fetchCard(deps, iccid)], toDetail))[0]),
  usage: readCard(usageWithForecast),
  history: action({
    access: READERS,
    input: z.strictObject({ iccid, days: z.number().int().min(1).max(90) }),
    async run({ caller, input, deps }) {
      await assertCardAccess(deps, caller, input.iccid);
      return { iccid: input.iccid, points: await usageHistory(deps, input.iccid, input.days) };
    },
  }),
  setNetwork: action({
    access: MANAGER,
    input: z.strictObject({ iccid, op: z.enum(['stop', 'resume']), reason: z.string().trim().min(2).max(100) }),
    run: ({ caller, input, deps }) => requestNetwork(deps, { actor: caller.openid, ...input }),
  }),
  location: readCard(cardLocation),
  locations: action({
    access: READERS,
    input: z.strictObject({}),
    run: ({ caller, deps }) => cardLocations(deps, caller),
  }),
  realName: readCard(realName),
  update: action({
    access: MANAGER,
    input: z.strictObject({
      iccid,
      remark: z.string().trim().max(200).optional(),
      tags: z.array(z.string().trim().min(1).max(20)).max(10).optional(),
      vehicleId: z.string().min(1).max(64).nullable().optional(),
    }),
    run: ({ caller, input, deps }) => updateCard(deps, caller, input),
  }),
  lookup: action({
    access: READERS,
    input: z.strictObject({ code: z.string().trim().min(1).max(2048) }),
    run: ({ caller, input, deps }) => lookupCard(deps, caller, input.code),
  }),
});
