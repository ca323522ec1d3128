// Aids for the batch-job suites: pick cards from the emulator, run the job runner tick by tick, and read what
// the platform did to each card.
import { runCron } from '../../cloudfunctions/shared/functions/cron';
import type { Deps } from '../../cloudfunctions/shared/runtime/handler';
import type { JobDoc, JobItemDoc } from '../../cloudfunctions/shared/services/jobs';
import type { PlatformCard } from '../../cloudfunctions/shared/services/cards';
import { cardState, type CardState } from '../../typings/card-status';
import type { TestStack } from './stack';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** ICCIDs of emulator cards in this normalised state, in the emulator's order (test data only). */
export function cardsIn(stack: TestStack, state: CardState, count: number): string[] {
  const found = [...stack.emulator.platform.cards.values()].filter((c) => cardState(c).state === state);
  if (found.length < count) throw new Error(`only ${found.length} ${state} cards, ${count} wanted`);
  return found.slice(0, count).map((c) => c.iccid);
}

export async function jobDoc(deps: Deps, jobId: string): Promise<JobDoc> {
  const doc = await deps.store.get<JobDoc>('jobs', jobId);
  if (!doc) throw new Error(`no job ${jobId}`);
  return doc;
}

export async function itemsOf(deps: Deps, jobId: string): Promise<JobItemDoc[]> {
  const items: JobItemDoc[] = [];
  for (;;) {
    const page = await deps.store.find<JobItemDoc>(
      'jobItems',
      { jobId },
      { orderBy: { field: 'seq', direction: 'asc' }, skip: items.length, take: 1000 },
    );
    items.push(...page);
    if (page.length < 1000) return items;
  }
}

/**
 * Ticks the workJobs cron task until the job is done (at most `maxTicks`); `between` runs after each tick.
 * Answers how many ticks it took.
 */
export async function runUntilDone(
  deps: Deps,
  jobId: string,
  opts: { maxTicks?: number; budgetMs?: number; between?: (tick: number) => Promise<void> } = {},
): Promise<number> {
  const maxTicks = opts.maxTicks ?? 200;
  for (let tick = 1; tick <= maxTicks; tick++) {
    const report = await runCron(deps, { only: ['workJobs'], budgetMs: opts.budgetMs ?? 2500 });
    const worked = report.workJobs;
    if (!worked?.ok) throw new Error(`workJobs failed: ${JSON.stringify(worked)}`);
    await opts.between?.(tick);
    if ((await jobDoc(deps, jobId)).state === 'done') return tick;
    // Nothing was due (backoffs, or another worker's lease): give it a moment.
    if (worked.result.items === 0) await sleep(100);
  }
  throw new Error(`job ${jobId} not done after ${maxTicks} ticks: ${JSON.stringify(await jobDoc(deps, jobId))}`);
}

/** How often the platform was asked to stop and to resume each card. */
export async function networkCounts(stack: TestStack): Promise<Record<string, { stop: number; resume: number }>> {
  return (await stack.sim('GET', '/stats')).network;
}

/** Every card as the platform shows it now, read through the backend's platform client. */
export async function platformCards(deps: Deps): Promise<Map<string, PlatformCard>> {
  const cards = new Map<string, PlatformCard>();
  for (let skip = 0; ; skip += 100) {
    const page = await deps.platform.call<{ total: number; items: PlatformCard[] }>('flowcard.list', {
      query: { skip, take: 100 },
    });
    for (const card of page.items) cards.set(card.iccid, card);
    if (skip + 100 >= page.total) return cards;
  }
}

/** Waits (bounded) until every one of `iccids` shows `status`, as stop/resume completes after a delay. */
export async function waitForStatus(deps: Deps, iccids: string[], status: (card: PlatformCard) => boolean) {
  let cards = await platformCards(deps);
  for (let round = 0; round < 50 && !iccids.every((i) => status(cards.get(i) as PlatformCard)); round++) {
    await sleep(100);
    cards = await platformCards(deps);
  }
  return cards;
}
