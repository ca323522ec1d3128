// The alert timer for tests: a tick, the outbox, and cards put into the state an alert is about.
import { runCron } from '../../cloudfunctions/shared/functions/cron';
import type { Deps } from '../../cloudfunctions/shared/runtime/handler';
import { fetchCard } from '../../cloudfunctions/shared/services/cards';
import { DEV_PLATE, vehicleId } from '../../dev/seed';
import { NETWORK_TARGET } from '../../typings/card-status';
import { docs } from './admin';
import type { TestStack } from './stack';

/** One run of the alert task, with time enough for the whole fleet. */
export const tickAlerts = (deps: Deps) => runCron(deps, { only: ['sendAlerts'], budgetMs: 60_000 });

/** Outbox messages of one rule (of one template, if given). */
export async function outboxFor(stack: TestStack, ruleId: string, template?: string): Promise<any[]> {
  return (await docs(stack, 'outbox')).filter(
    (m) => m.key.startsWith(`${ruleId}:`) && (!template || m.template === template),
  );
}

/** The cards of the dev driver's vehicle. */
export async function ownIccids(stack: TestStack): Promise<string[]> {
  return (await stack.deps.store.get<any>('vehicles', vehicleId(DEV_PLATE))).iccids;
}

/** Sets a card's usage on the platform and lets the backend read it, as the sync would. */
export async function useUpTo(stack: TestStack, iccid: string, share: number) {
  const card = await fetchCard(stack.deps, iccid);
  await stack.sim('POST', '/cards', { iccid, usedMB: Math.round(card.totalMB * share * 100) / 100 });
  return fetchCard(stack.deps, iccid);
}

/** Stops or resumes a card on the platform (as the carrier would) and lets the backend read it. */
export async function setNetwork(stack: TestStack, iccid: string, op: 'stop' | 'resume') {
  const carrier = stack.emulator.platform.cards.get(iccid)?.carrier ?? 'cmcc';
  await stack.sim('POST', '/cards', { iccid, status: NETWORK_TARGET[carrier][op] });
  return fetchCard(stack.deps, iccid);
}
